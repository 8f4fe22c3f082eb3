"""What changed between two versions of a register, record by record and field by field.

Records are matched by kind and id. A level change says what caused it: the record's own data,
the grading policy, or both (found by grading each side under the other's policy).
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field
from typing import Any

from lianneng.grading.base import Grade
from lianneng.grading.engine import grade_risk
from lianneng.model.base import Record
from lianneng.model.control import Control
from lianneng.model.risk import RiskPoint
from lianneng.pipeline import Checked
from lianneng.problems import Message

BODY = "body"
EMPTY: tuple[Any, ...] = (None, [], {})  # values a change does not show


@dataclass(frozen=True)
class FieldChange:
    path: str
    old: Any
    new: Any


@dataclass(frozen=True)
class RecordChange:
    kind: str
    id: str
    title: str
    status: str  # added | removed | modified
    fields: tuple[FieldChange, ...] = ()
    file: str = ""


@dataclass(frozen=True)
class LevelChange:
    id: str
    title: str
    old: str | None
    new: str | None
    cause: str  # data | policy | both
    rule: Message | None


@dataclass
class ChangeSet:
    records: list[RecordChange] = field(default_factory=list)
    levels: list[LevelChange] = field(default_factory=list)
    policy: tuple[str, str] | None = None  # (old id@version, new id@version) when it changed

    def counts(self) -> dict[str, dict[str, int]]:
        counted: dict[str, dict[str, int]] = {}
        for change in self.records:
            by_status = counted.setdefault(change.kind, {"added": 0, "removed": 0, "modified": 0})
            by_status[change.status] += 1
        return dict(sorted(counted.items()))

    def __bool__(self) -> bool:
        return bool(self.records or self.levels or self.policy)


def record_title(record: Record) -> str:
    for name in ("title", "name", "description"):
        value = getattr(record, name, None)
        if isinstance(value, str):
            return value if len(value) <= 40 else value[:39] + "…"
    return ""


def flatten(record: Record) -> dict[str, Any]:
    """A record as `dotted.path → value`; a control written inside a risk point counts by id only
    (it is compared as a record of its own)."""
    data = record.model_dump(mode="json", exclude_defaults=False)
    if isinstance(record, RiskPoint):
        data["controls"] = record.control_ids()
    out: dict[str, Any] = {}

    def walk(prefix: str, value: Any) -> None:
        if isinstance(value, dict) and value:
            for key, item in value.items():
                walk(f"{prefix}.{key}" if prefix else str(key), item)
        else:
            out[prefix] = value

    walk("", data)
    return {k: v for k, v in out.items() if v not in EMPTY or k == "kind"}


def shown(value: Any) -> str:
    """A flattened value as a reader sees it in a change: like YAML's flow style, empty entries of
    a nested record left out as flatten leaves them out (`[{date: 2026-10-08, by: 纪检监察室}]`,
    not Python's `[{'date': '2026-10-08', 'by': '纪检监察室', 'changes': None}]`)."""
    if isinstance(value, dict):
        items = (f"{key}: {shown(item)}" for key, item in value.items() if item not in EMPTY)
        return "{" + ", ".join(items) + "}"
    if isinstance(value, list):
        return "[" + ", ".join(shown(item) for item in value) + "]"
    if isinstance(value, bool):
        return "true" if value else "false"
    return "—" if value is None else str(value)


def _body_summary(old: str | None, new: str | None) -> tuple[str, str]:
    old_lines = (old or "").splitlines()
    new_lines = (new or "").splitlines()
    added = removed = 0
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(None, old_lines, new_lines).get_opcodes():
        if tag in ("replace", "delete"):
            removed += i2 - i1
        if tag in ("replace", "insert"):
            added += j2 - j1
    return f"{len(old_lines)} 行 / lines", f"{len(new_lines)} 行 / lines (+{added} −{removed})"


def compare(old: Checked, new: Checked) -> ChangeSet:
    changes = ChangeSet()
    before = {(r.KIND, r.id): r for r in old.register.all_records()}
    after = {(r.KIND, r.id): r for r in new.register.all_records()}
    for key in sorted(after.keys() - before.keys()):
        record = after[key]
        changes.records.append(
            RecordChange(key[0], key[1], record_title(record), "added", file=_file(record))
        )
    for key in sorted(before.keys() - after.keys()):
        record = before[key]
        changes.records.append(
            RecordChange(key[0], key[1], record_title(record), "removed", file=_file(record))
        )
    for key in sorted(before.keys() & after.keys()):
        fields = field_changes(before[key], after[key])
        if fields:
            changes.records.append(
                RecordChange(
                    key[0],
                    key[1],
                    record_title(after[key]),
                    "modified",
                    tuple(fields),
                    _file(after[key]),
                )
            )
    changes.records.sort(key=lambda c: (c.kind, c.id))
    old_policy = old.policy.policy if old.policy else None
    new_policy = new.policy.policy if new.policy else None
    if old_policy and new_policy and (old_policy != new_policy):
        changes.policy = (
            f"{old_policy.id}@{old_policy.version}",
            f"{new_policy.id}@{new_policy.version}",
        )
    changes.levels = _level_changes(old, new)
    return changes


def field_changes(old: Record, new: Record) -> list[FieldChange]:
    a, b = flatten(old), flatten(new)
    found = []
    for path in sorted(a.keys() | b.keys()):
        if a.get(path) == b.get(path):
            continue
        if path == BODY:
            summary = _body_summary(a.get(path), b.get(path))
            found.append(FieldChange(path, *summary))
        else:
            found.append(FieldChange(path, a.get(path), b.get(path)))
    return found


def _file(record: Record) -> str:
    return record.origin.file if record.origin else ""


def _level_changes(old: Checked, new: Checked) -> list[LevelChange]:
    old_risks = {r.id: r for r in old.register.of(RiskPoint)}
    found = []
    for risk in new.register.of(RiskPoint):
        before = old_risks.get(risk.id)
        if before is None:
            continue
        old_level = _level(before, old.grades.get(risk.id))
        new_grade = new.grades.get(risk.id)
        new_level = _level(risk, new_grade)
        if old_level == new_level:
            continue
        found.append(
            LevelChange(
                risk.id,
                record_title(risk),
                old_level,
                new_level,
                _cause(old, new, before, risk, new_level),
                new_grade.rule if new_grade else None,
            )
        )
    return found


def _level(risk: RiskPoint, grade: Grade | None) -> str | None:
    return grade.level if grade is not None and grade.level else risk.level


def _cause(
    old: Checked, new: Checked, before: RiskPoint, after: RiskPoint, new_level: str | None
) -> str:
    if old.policy is None or new.policy is None:
        return "data"
    old_policy, new_policy = old.policy.policy, new.policy.policy
    if old_policy == new_policy:
        return "data"
    policy_alone = grade_risk(new_policy, before, old.register).level == new_level
    data_alone = grade_risk(old_policy, after, new.register).level == new_level
    if policy_alone and not data_alone:
        return "policy"
    if data_alone and not policy_alone:
        return "data"
    return "both"


__all__ = ["ChangeSet", "Control", "compare", "field_changes", "flatten"]
