"""`lianneng grade`: list, explain, write, check and preview grades."""

from __future__ import annotations

import sys
from pathlib import Path

from rich.console import Console

from lianneng.errors import Exit, UsageError
from lianneng.grading.engine import grade_all, grade_whole, wholes_of
from lianneng.grading.write import stale_levels, write_levels
from lianneng.pipeline import Checked, check_register
from lianneng.problems import Problem, msg
from lianneng.report import REPORTERS, Report
from lianneng.report.grades import (
    grade_rows,
    whole_grades,
    write_explanation,
    write_json,
    write_preview,
    write_table,
)
from lianneng.speed import keep_until_exit


def checked_with_policy(root: Path, policy: str | None) -> Checked:
    checked = check_register(root, policy=policy)
    keep_until_exit(checked)
    if checked.policy is None:
        raise UsageError(
            "没有评级办法:请在 lianneng.yaml 中设置 policy,或使用 --policy / "
            "no grading policy: set `policy` in lianneng.yaml or pass --policy"
        )
    return checked


def _grading_problems(checked: Checked) -> list[Problem]:
    return [p for p in checked.problems if p.code.startswith(("G", "P"))]


def show(checked: Checked, output_format: str, console: Console, lang: str) -> int:
    assert checked.policy is not None
    policy = checked.policy.policy
    rows = grade_rows(checked.register, policy, checked.grades)
    wholes = whole_grades(checked.register, policy, checked.grades)
    if output_format == "json":
        write_json(rows, wholes, sys.stdout, lang)
    else:
        write_table(rows, wholes, console, lang)
    problems = [p for p in _grading_problems(checked) if p.code in ("G001", "G002", "G003", "G004")]
    if problems and output_format != "json":
        REPORTERS["text"](Report(problems, lang), sys.stdout)
    return Exit.PROBLEMS if problems else Exit.OK


def explain(checked: Checked, record_id: str, console: Console, lang: str) -> int:
    assert checked.policy is not None
    policy = checked.policy.policy
    for row in grade_rows(checked.register, policy, checked.grades):
        if row.id == record_id:
            write_explanation(row, policy, console, lang)
            return Exit.OK
    for kind, id_, name, grade in whole_grades(checked.register, policy, checked.grades):
        if id_ == record_id:
            console.print(
                f"[bold]{id_}[/] {name} ({kind}): {grade.level or '—'} — {grade.rule.render(lang)}"
            )
            return Exit.OK
    raise UsageError(
        f"没有编号为 {record_id} 的风险点或岗位、部门 / no risk point, post or "
        f"department {record_id}"
    )


def write(checked: Checked, console: Console, lang: str) -> int:
    from lianneng.lock import register_lock

    with register_lock(checked.register.root):
        changed = write_levels(checked.register, checked.grades)
    for path in changed:
        console.print(str(path))
    count = len(stale_levels(checked.register, checked.grades))
    console.print(
        f"wrote {count} levels in {len(changed)} files"
        if lang == "en"
        else f"写入 {count} 个等级,涉及 {len(changed)} 个文件"
    )
    return Exit.OK


def check(checked: Checked, output_format: str, lang: str) -> int:
    problems = [p for p in _grading_problems(checked) if p.code in ("G001", "G002", "G003", "G004")]
    for risk in stale_levels(checked.register, checked.grades):
        assert risk.origin is not None
        grade = checked.grades[risk.id]
        message = msg(
            "G009", stored=risk.level or "—", computed=grade.level or "—", rule=grade.rule
        )
        problems.append(
            checked.sources.problem(
                risk.origin.file, risk.origin.path + ("level" if risk.level else "id",), message
            )
        )
    reporter = REPORTERS["text" if output_format == "table" else output_format]
    reporter(Report(sorted(problems), lang), sys.stdout)
    return Exit.PROBLEMS if problems else Exit.OK


def preview(root: Path, checked: Checked, console: Console, lang: str) -> int:
    """What the new policy would change, compared with the register's own policy (or stored)."""
    assert checked.policy is not None
    register = checked.register
    new_policy = checked.policy.policy
    current = check_register(root)
    old_grades = current.grades
    changes: list[tuple[str, str, str | None, str | None]] = []
    for risk_id, grade in checked.grades.items():
        before = old_grades[risk_id].level if old_grades else register.ids[risk_id].level  # type: ignore[attr-defined]
        if before != grade.level:
            changes.append((risk_id, register.ids[risk_id].title, before, grade.level))  # type: ignore[attr-defined]
    if current.policy is not None:
        old_policy = current.policy.policy
        for whole in wholes_of(register):
            old = grade_whole(old_policy, whole, old_grades)
            new = grade_whole(new_policy, whole, checked.grades)
            before, after = (old.level if old else None), (new.level if new else None)
            if before != after:
                changes.append((whole.id, whole.name, before, after))
    write_preview(changes, console, lang)
    return Exit.OK


__all__ = ["check", "checked_with_policy", "explain", "grade_all", "preview", "show", "write"]
