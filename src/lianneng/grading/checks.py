"""What `validate` checks once risk points are graded: inputs, stored labels, level consequences."""

from __future__ import annotations

from lianneng.check.dynamic import add_months
from lianneng.grading.base import Grade
from lianneng.grading.policy import Policy
from lianneng.model.org import Post
from lianneng.model.risk import RiskPoint
from lianneng.problems import Message, Problem, bilingual, msg
from lianneng.register import Register
from lianneng.source.files import Sources


def check_grades(
    register: Register, policy: Policy, grades: dict[str, Grade], sources: Sources
) -> list[Problem]:
    problems: list[Problem] = []
    labels = "、".join(policy.labels)

    def report(risk: RiskPoint, key: str, message: Message) -> None:
        assert risk.origin is not None
        problems.append(sources.problem(risk.origin.file, risk.origin.path + (key,), message))

    for risk in register.of(RiskPoint):
        assert risk.origin is not None
        where = risk.origin.path
        grade = grades[risk.id]
        if grade.problem is not None:
            report(risk, grade.problem_field or "id", grade.problem)
        if risk.level is not None and risk.level not in policy.labels:
            report(risk, "level", msg("G005", level=risk.level, labels=labels))
        if risk.override is not None and risk.override.level not in policy.labels:
            problems.append(
                sources.problem(
                    risk.origin.file,
                    where + ("override", "level"),
                    msg("G005", level=risk.override.level, labels=labels),
                )
            )
        level = grade.level or risk.level
        consequence = policy.levels.get(level or "")
        if consequence is None or level is None:
            continue
        if consequence.supervisors and risk.supervisor:
            post = register.ids.get(risk.supervisor)
            if isinstance(post, Post) and not set(post.roles) & set(consequence.supervisors):
                report(
                    risk,
                    "supervisor",
                    msg(
                        "G006",
                        level=level,
                        post=risk.supervisor,
                        roles="/".join(consequence.supervisors),
                    ),
                )
        have = len(register.controls_of(risk))
        if have and have < consequence.min_controls:
            report(
                risk, "controls", msg("G007", level=level, need=consequence.min_controls, have=have)
            )
        months = consequence.review_months
        last, following = risk.last_review, risk.next_review
        if months and last and following and following > add_months(last, months):
            detail = bilingual(
                f"上次 {last},下次 {following} 间隔过长", f"{last} to {following} is too long"
            )
            report(risk, "next_review", msg("G008", level=level, months=months, detail=detail))
    return problems
