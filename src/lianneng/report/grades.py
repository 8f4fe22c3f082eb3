"""Showing grades: the table, the JSON, one grade explained, and a policy change previewed."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import IO, Any

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from lianneng.grading.base import METHODS, Grade
from lianneng.grading.engine import grade_whole, risk_inputs, wholes_of
from lianneng.grading.policy import Policy
from lianneng.model.risk import RiskPoint
from lianneng.register import Register

_HEAD = {
    "zh": ("编号", "风险点", "评级要素", "等级", "登记等级", "依据", "对象", "名称", "类型"),
    "en": ("id", "risk point", "inputs", "level", "stored", "because", "whole", "name", "kind"),
}
_WHOLE_KIND = {
    "zh": {"post": "岗位", "department": "部门", "unit": "单位"},
    "en": {"post": "post", "department": "department", "unit": "unit"},
}


@dataclass(frozen=True)
class GradeRow:
    id: str
    title: str
    inputs: dict[str, Any]
    level: str | None
    stored: str | None
    grade: Grade


def grade_rows(register: Register, policy: Policy, grades: dict[str, Grade]) -> list[GradeRow]:
    fields = sorted(METHODS[policy.method].fields(policy))
    rows = []
    for risk in register.of(RiskPoint):
        lookup = risk_inputs(risk, register)
        inputs = {name: _plain(lookup(name)) for name in fields}
        grade = grades[risk.id]
        rows.append(GradeRow(risk.id, risk.title, inputs, grade.level, risk.level, grade))
    return rows


def whole_grades(
    register: Register, policy: Policy, grades: dict[str, Grade]
) -> list[tuple[str, str, str, Grade]]:
    """(kind, id, name, grade) of each post, department and the unit the policy grades."""
    found = []
    for whole in wholes_of(register):
        grade = grade_whole(policy, whole, grades)
        if grade is not None:
            found.append((whole.kind, whole.id, whole.name, grade))
    return found


def _plain(value: Any) -> Any:
    if isinstance(value, list | tuple):
        return [str(v) for v in value]
    return None if value is None else str(value)


def write_table(
    rows: list[GradeRow], wholes: list[tuple[str, str, str, Grade]], console: Console, lang: str
) -> None:
    head = _HEAD["en" if lang == "en" else "zh"]
    table = Table(show_lines=False, header_style="bold")
    for title in head[:6]:
        table.add_column(title, overflow="fold")
    for row in rows:
        inputs = ", ".join(f"{k}={_show(v)}" for k, v in row.inputs.items() if v not in (None, []))
        stored = row.stored or "—"
        mark = "" if row.stored == row.level else " [yellow]≠[/]"
        table.add_row(
            escape(row.id),
            escape(row.title),
            escape(inputs),
            escape(row.level or "—"),
            escape(stored) + mark,
            escape(row.grade.rule.render(lang)),
        )
    console.print(table)
    if wholes:
        kinds = _WHOLE_KIND["en" if lang == "en" else "zh"]
        whole_table = Table(header_style="bold")
        for title in (head[8], head[6], head[7], head[3], head[5]):
            whole_table.add_column(title, overflow="fold")
        for kind, id_, name, grade in wholes:
            whole_table.add_row(
                kinds[kind],
                escape(id_),
                escape(name),
                escape(grade.level or "—"),
                escape(grade.rule.render(lang)),
            )
        console.print(whole_table)


def _show(value: Any) -> str:
    return "、".join(value) if isinstance(value, list) else str(value)


def write_json(
    rows: list[GradeRow], wholes: list[tuple[str, str, str, Grade]], out: IO[str], lang: str
) -> None:
    document = {
        "risks": [
            {
                "id": r.id,
                "title": r.title,
                "inputs": r.inputs,
                "level": r.level,
                "stored": r.stored,
                "rule": r.grade.rule.render(lang),
                "steps": [s.render(lang) for s in r.grade.steps],
            }
            for r in rows
        ],
        "wholes": [
            {
                "kind": kind,
                "id": id_,
                "name": name,
                "level": grade.level,
                "rule": grade.rule.render(lang),
            }
            for kind, id_, name, grade in wholes
        ],
    }
    json.dump(document, out, ensure_ascii=False, indent=2)
    out.write("\n")


def write_explanation(row: GradeRow, policy: Policy, console: Console, lang: str) -> None:
    en = lang == "en"
    console.print(f"[bold]{escape(row.id)}[/] {escape(row.title)}")
    console.print(("policy: " if en else "评级办法:") + escape(f"{policy.name} ({policy.id})"))
    for number, step in enumerate(row.grade.steps, start=1):
        console.print(f"  {number}. {escape(step.render(lang))}")
    console.print(
        ("level: " if en else "等级:")
        + f"[bold]{escape(row.level or '—')}[/]  "
        + ("because: " if en else "依据:")
        + escape(row.grade.rule.render(lang))
    )
    if row.stored != row.level:
        console.print(("stored level: " if en else "登记的等级:") + escape(row.stored or "—"))


def write_preview(
    changes: list[tuple[str, str, str | None, str | None]], console: Console, lang: str
) -> None:
    """(id, name, from, to) for each record whose level would change."""
    en = lang == "en"
    if not changes:
        console.print("no level would change" if en else "没有等级会改变")
        return
    table = Table(header_style="bold")
    for title in ("id", "name", "now", "then") if en else ("编号", "名称", "现在", "改后"):
        table.add_column(title, overflow="fold")
    for id_, name, before, after in changes:
        table.add_row(escape(id_), escape(name), escape(before or "—"), escape(after or "—"))
    console.print(table)
    console.print(f"{len(changes)} would change" if en else f"共 {len(changes)} 项会改变")
