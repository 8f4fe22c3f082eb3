"""Numeric scores combined by product or sum, then thresholds (L × C = D)."""

from __future__ import annotations

import math
from collections.abc import Iterator

from lianneng.grading.base import Grade, Inputs, PolicyFinding, register_method, text
from lianneng.grading.policy import Policy, ScoreMethod
from lianneng.problems import msg


def _score(policy: Policy) -> ScoreMethod:
    assert policy.score is not None
    return policy.score


@register_method("score")
class Score:
    def grade(self, policy: Policy, inputs: Inputs) -> Grade:
        method = _score(policy)
        values: list[float] = []
        steps = []
        for name, table in method.factors.items():
            given = inputs(f"scores.{name}")
            if given is not None:
                number = float(given)
                steps.append(
                    text(
                        f"{name} 的分值为 {number:g}(直接给出)", f"{name} scores {number:g} (given)"
                    )
                )
            else:
                value = inputs(name)
                if value is None:
                    return Grade(
                        None,
                        text("计分", "score"),
                        problem=msg("G002", field=name),
                        problem_field=name,
                    )
                if str(value) not in table:
                    return Grade(
                        None,
                        text("计分", "score"),
                        problem=msg("G001", field=name, value=str(value), scale="、".join(table)),
                        problem_field=name,
                    )
                number = table[str(value)]
                steps.append(
                    text(f"{name} 为 {value},计 {number:g} 分", f"{name} is {value}: {number:g}")
                )
            values.append(number)
        total = math.prod(values) if method.combine == "product" else sum(values)
        sign = "×" if method.combine == "product" else "+"
        steps.append(text(f"合成({sign}):{total:g}", f"combined ({sign}): {total:g}"))
        for threshold in method.thresholds:
            if total >= threshold.min:
                steps.append(
                    text(
                        f"{total:g} ≥ {threshold.min:g},为 {threshold.level}",
                        f"{total:g} ≥ {threshold.min:g}: {threshold.level}",
                    )
                )
                return Grade(
                    threshold.level,
                    text(
                        f"计分 {total:g} ≥ {threshold.min:g}",
                        f"score {total:g} ≥ {threshold.min:g}",
                    ),
                    tuple(steps),
                )
        return Grade(
            None, text("计分", "score"), tuple(steps), problem=msg("G004", score=f"{total:g}")
        )

    def check(self, policy: Policy) -> Iterator[PolicyFinding]:
        method = _score(policy)
        previous = None
        for index, threshold in enumerate(method.thresholds):
            if threshold.level not in policy.labels:
                yield PolicyFinding(
                    ("score", "thresholds", index, "level"),
                    msg("P005", level=threshold.level, labels="、".join(policy.labels)),
                )
            if previous is not None and threshold.min >= previous:
                yield PolicyFinding(("score", "thresholds", index, "min"), msg("P008"))
            previous = threshold.min

    def reachable(self, policy: Policy) -> set[str]:
        return {threshold.level for threshold in _score(policy).thresholds}

    def fields(self, policy: Policy) -> set[str]:
        return set(_score(policy).factors)
