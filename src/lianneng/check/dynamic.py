"""Dynamic management as of a given day: reviews due, controls late, warnings past their deadline.

"Today" comes from the caller (`--today` in CI, so a run is reproducible), never from the clock
here.
"""

from __future__ import annotations

import calendar
from datetime import date

from lianneng.grading.base import Grade
from lianneng.grading.policy import Policy
from lianneng.model.base import Record
from lianneng.model.control import Control
from lianneng.model.risk import RiskPoint
from lianneng.model.warning import Warning
from lianneng.problems import Message, Problem, msg
from lianneng.register import Register
from lianneng.source.files import Sources

DONE = "已落实"
OPEN = ("已发出",)


def add_months(day: date, months: int) -> date:
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def review_due(record: RiskPoint | Control, months: int | None) -> date | None:
    """When the next review is due: the date set, else the last review plus the policy's cadence."""
    if record.next_review is not None:
        return record.next_review
    if record.last_review is not None and months:
        return add_months(record.last_review, months)
    return None


def cadence(policy: Policy | None, level: str | None) -> int | None:
    if policy is None or level is None or level not in policy.levels:
        return None
    return policy.levels[level].review_months


def check_dates(
    register: Register,
    policy: Policy | None,
    grades: dict[str, Grade],
    sources: Sources,
    today: date,
) -> list[Problem]:
    problems: list[Problem] = []

    def report(record: Record, key: str, message: Message) -> None:
        assert record.origin is not None
        problems.append(sources.problem(record.origin.file, record.origin.path + (key,), message))

    for risk in register.of(RiskPoint):
        grade = grades.get(risk.id)
        due = review_due(risk, cadence(policy, grade.level if grade else risk.level))
        if due is not None and due < today:
            report(
                risk,
                "next_review" if risk.next_review else "last_review",
                msg("D001", id=risk.id, due=due.isoformat(), today=today.isoformat()),
            )
    for control in register.controls():
        due = review_due(control, None)
        if due is not None and due < today:
            report(
                control,
                "next_review",
                msg("D001", id=control.id, due=due.isoformat(), today=today.isoformat()),
            )
        if control.due is not None and control.due < today and control.status != DONE:
            report(
                control,
                "due",
                msg(
                    "D002", id=control.id, due=control.due.isoformat(), status=control.status or "—"
                ),
            )
    for warning in register.of(Warning):
        if warning.status in OPEN and warning.deadline is not None and warning.deadline < today:
            report(
                warning,
                "deadline",
                msg("D003", id=warning.id, deadline=warning.deadline.isoformat()),
            )
    return problems
