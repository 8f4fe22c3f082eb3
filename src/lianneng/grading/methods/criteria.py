"""Criteria counting: meets ≥ 3 of 5 criteria → 一级, 2 → 二级, 1 → 三级 (public practice)."""

from __future__ import annotations

from collections.abc import Iterator

from lianneng.grading.base import Grade, Inputs, PolicyFinding, register_method, text
from lianneng.grading.policy import CriteriaMethod, Policy
from lianneng.problems import msg


def _criteria(policy: Policy) -> CriteriaMethod:
    assert policy.criteria is not None
    return policy.criteria


@register_method("criteria")
class Criteria:
    def grade(self, policy: Policy, inputs: Inputs) -> Grade:
        method = _criteria(policy)
        met = [str(item) for item in (inputs("criteria") or [])]
        unknown = [item for item in met if item not in method.items]
        if unknown:
            return Grade(
                None,
                text("标准计数", "criteria"),
                problem=msg(
                    "G001", field="criteria", value=unknown[0], scale="、".join(method.items)
                ),
                problem_field="criteria",
            )
        count = len(set(met))
        steps = [
            text(f"满足 {item}:{method.items[item]}", f"meets {item}: {method.items[item]}")
            for item in sorted(set(met))
        ]
        for rule in method.counts:
            if count >= rule.min:
                steps.append(
                    text(
                        f"共满足 {count} 条,≥ {rule.min},为 {rule.level}",
                        f"{count} met, ≥ {rule.min}: {rule.level}",
                    )
                )
                return Grade(
                    rule.level,
                    text(
                        f"满足 {count} 条标准(≥ {rule.min})", f"{count} criteria met (≥ {rule.min})"
                    ),
                    tuple(steps),
                )
        if method.default is None:
            return Grade(None, text("标准计数", "criteria"), tuple(steps), problem=msg("G003"))
        steps.append(
            text(
                f"共满足 {count} 条,取默认等级 {method.default}",
                f"{count} met: the default {method.default} applies",
            )
        )
        return Grade(
            method.default, text(f"满足 {count} 条标准", f"{count} criteria met"), tuple(steps)
        )

    def check(self, policy: Policy) -> Iterator[PolicyFinding]:
        method = _criteria(policy)
        previous = None
        for index, rule in enumerate(method.counts):
            if rule.level not in policy.labels:
                yield PolicyFinding(
                    ("criteria", "counts", index, "level"),
                    msg("P005", level=rule.level, labels="、".join(policy.labels)),
                )
            if previous is not None and rule.min >= previous:
                yield PolicyFinding(("criteria", "counts", index, "min"), msg("P008"))
            previous = rule.min
        if method.default is not None and method.default not in policy.labels:
            yield PolicyFinding(
                ("criteria", "default"),
                msg("P005", level=method.default, labels="、".join(policy.labels)),
            )

    def reachable(self, policy: Policy) -> set[str]:
        method = _criteria(policy)
        return {rule.level for rule in method.counts} | (
            {method.default} if method.default else set()
        )

    def fields(self, policy: Policy) -> set[str]:
        return {"criteria"}
