"""Warnings from issue to close: listing open ones, and the edits the commands make."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from lianneng.edit import Edit, edit_file, format_scalar, new_record_text
from lianneng.errors import UsageError
from lianneng.model.warning import Warning
from lianneng.register import Register
from lianneng.write import write_atomic

OPEN = ("已发出",)
CLOSED = ("已关闭", "已解除")


@dataclass(frozen=True)
class OpenWarning:
    warning: Warning
    overdue_days: int | None  # None when it has no deadline or is not overdue


def open_warnings(register: Register, today: date) -> list[OpenWarning]:
    """Open warnings, the most overdue first, then by deadline."""
    found = []
    for warning in register.of(Warning):
        if warning.status not in OPEN:
            continue
        late = (
            (today - warning.deadline).days
            if warning.deadline and warning.deadline < today
            else None
        )
        found.append(OpenWarning(warning, late))
    return sorted(
        found, key=lambda o: (-(o.overdue_days or -1), o.warning.deadline or date.max, o.warning.id)
    )


def next_id(register: Register, year: int) -> str:
    """W-2026-001, W-2026-002 …: the next free number of the year."""
    taken = [
        int(m.group(1))
        for record_id in register.ids
        if (m := re.fullmatch(rf"W-{year}-(\d+)", record_id))
    ]
    return f"W-{year}-{max(taken, default=0) + 1:03d}"


def issue(
    register: Register,
    *,
    target: str,
    action: str,
    issued: date,
    deadline: date | None,
    level: str | None,
    signal_type: str | None,
    signals: list[str],
    source: str | None,
    summary: str | None,
    record_id: str | None,
    escalated_from: str | None = None,
) -> Path:
    """Write a new warning record as its own file under warnings/."""
    if target not in register.ids:
        raise UsageError(f"没有编号为 {target} 的记录 / no record {target}")
    warning_id = record_id or next_id(register, issued.year)
    if warning_id in register.ids:
        raise UsageError(f"编号 {warning_id} 已存在 / id {warning_id} exists")
    fields: list[tuple[str, str | None]] = [
        ("id", warning_id),
        ("target", target),
        ("level", level),
        ("action", action),
        ("issued", issued.isoformat()),
        ("deadline", deadline.isoformat() if deadline else None),
        ("status", OPEN[0]),
        ("escalated_from", escalated_from),
    ]
    text = new_record_text(fields, schema_reference(register.root, "warning", depth=1))
    if signals:
        text += "signals: [" + ", ".join(signals) + "]\n"
    if signal_type:
        text += f"signal:\n  type: {signal_type}\n  date: {issued.isoformat()}\n"
        if source:
            text += f"  source: {format_scalar(source)}\n"
        if summary:
            text += f"  summary: {format_scalar(summary)}\n"
    path = register.root / "warnings" / f"{warning_id}.yaml"
    path.parent.mkdir(parents=True, exist_ok=True)
    write_atomic(path, text)
    return path


def schema_reference(root: Path, kind: str, depth: int) -> str | None:
    """The schema path for a new file `depth` folders down, following `lianneng.yaml`'s own line."""
    head = (root / "lianneng.yaml").read_text(encoding="utf-8").split("\n", 1)[0]
    match = re.search(r"\$schema=(\S+?)config\.schema\.json", head)
    if match is None:
        return None
    return "../" * depth + f"{match.group(1)}{kind}.schema.json"


def find_warning(register: Register, warning_id: str) -> Warning:
    record = register.ids.get(warning_id)
    if not isinstance(record, Warning):
        raise UsageError(f"没有编号为 {warning_id} 的预警 / no warning {warning_id}")
    return record


def close(register: Register, warning_id: str, *, outcome: str, on: date, status: str) -> Path:
    warning = find_warning(register, warning_id)
    if warning.status not in OPEN:
        raise UsageError(
            f"预警 {warning_id} 的状态是 {warning.status},不能关闭 / warning is "
            f"{warning.status}, not open"
        )
    assert warning.origin is not None
    path = register.root / warning.origin.file
    record = warning.origin.path
    edit_file(
        path,
        [
            Edit(record, "status", status),
            Edit(record, "closed", on.isoformat(), after="status"),
            Edit(record, "outcome", outcome, after="status"),
        ],
    )
    return path


def escalate(
    register: Register,
    warning_id: str,
    *,
    action: str,
    on: date,
    deadline: date | None,
    outcome: str | None,
) -> tuple[Path, Path]:
    """Mark a warning escalated and issue the next one, which names where it came from."""
    warning = find_warning(register, warning_id)
    if warning.status not in OPEN:
        raise UsageError(
            f"预警 {warning_id} 的状态是 {warning.status},不能升级 / warning is "
            f"{warning.status}, not open"
        )
    assert warning.origin is not None
    path = register.root / warning.origin.file
    edits = [
        Edit(warning.origin.path, "status", "已升级"),
        Edit(warning.origin.path, "closed", on.isoformat(), after="status"),
    ]
    if outcome:
        edits.append(Edit(warning.origin.path, "outcome", outcome, after="status"))
    new = issue(
        register,
        target=warning.target,
        action=action,
        issued=on,
        deadline=deadline,
        level=warning.level,
        signal_type=None,
        signals=list(warning.signals),
        source=None,
        summary=None,
        record_id=None,
        escalated_from=warning.id,
    )
    edit_file(path, edits)
    return path, new
