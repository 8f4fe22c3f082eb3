"""`lianneng review`: record a review on a risk point or control, and move its next review date."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from lianneng.check.dynamic import add_months, cadence
from lianneng.edit import Append, Edit, edit_file
from lianneng.errors import UsageError
from lianneng.grading.base import Grade
from lianneng.grading.policy import Policy
from lianneng.manage.facts import risk_of_control
from lianneng.model.control import Control
from lianneng.model.risk import RiskPoint
from lianneng.register import Register

DEFAULT_MONTHS = 12


def add_review(
    register: Register,
    record_id: str,
    *,
    on: date,
    outcome: str,
    by: str | None,
    changes: str | None,
    next_review: date | None,
    policy: Policy | None,
    grades: dict[str, Grade],
) -> tuple[Path, date]:
    record = register.ids.get(record_id)
    if not isinstance(record, RiskPoint | Control) or record.origin is None:
        raise UsageError(
            f"没有编号为 {record_id} 的风险点或防控措施 / no risk point or control {record_id}"
        )
    risk = record if isinstance(record, RiskPoint) else risk_of_control(register, record)
    level = None
    if risk is not None:
        grade = grades.get(risk.id)
        level = grade.level if grade and grade.level else risk.level
    following = next_review or add_months(on, cadence(policy, level) or DEFAULT_MONTHS)
    item = [("date", on.isoformat()), ("outcome", outcome)]
    if by:
        item.append(("by", by))
    if changes:
        item.append(("changes", changes))
    path = register.root / record.origin.file
    where = record.origin.path
    edit_file(
        path,
        [
            Append(where, "reviews", tuple(item)),
            Edit(where, "last_review", on.isoformat()),
            Edit(where, "next_review", following.isoformat()),
        ],
    )
    return path, following
