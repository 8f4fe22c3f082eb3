"""Ordered rules on record fields, first match wins (安阳 class → level; 民政部 domain → 一类/二类;
河东 consequence → level; 腐败风险等级评估办法 weight of power held)."""

from __future__ import annotations

from collections.abc import Iterator

from lianneng.grading.base import (
    Grade,
    Inputs,
    PolicyFinding,
    describe_condition,
    matches,
    register_method,
    text,
)
from lianneng.grading.policy import Policy, RulesMethod
from lianneng.problems import msg


def _rules(policy: Policy) -> RulesMethod:
    assert policy.rules is not None
    return policy.rules


@register_method("rules")
class Rules:
    def grade(self, policy: Policy, inputs: Inputs) -> Grade:
        method = _rules(policy)
        steps = []
        for index, rule in enumerate(method.rules, start=1):
            condition = describe_condition(rule.when)
            if matches(rule.when, inputs):
                because = f":{rule.because}" if rule.because else ""
                steps.append(
                    text(
                        f"第 {index} 条规则({condition})匹配", f"rule {index} ({condition}) matches"
                    )
                )
                return Grade(
                    rule.level,
                    text(
                        f"规则 {index}{because}",
                        f"rule {index}" + (f": {rule.because}" if rule.because else ""),
                    ),
                    tuple(steps),
                )
            steps.append(
                text(
                    f"第 {index} 条规则({condition})不匹配",
                    f"rule {index} ({condition}) does not match",
                )
            )
        if method.default is None:
            return Grade(None, text("规则", "rules"), tuple(steps), problem=msg("G003"))
        steps.append(
            text(
                f"没有规则匹配,取默认等级 {method.default}",
                f"no rule matches; the default {method.default} applies",
            )
        )
        return Grade(method.default, text("默认等级", "default level"), tuple(steps))

    def check(self, policy: Policy) -> Iterator[PolicyFinding]:
        method = _rules(policy)
        for index, rule in enumerate(method.rules):
            if rule.level not in policy.labels:
                yield PolicyFinding(
                    ("rules", "rules", index, "level"),
                    msg("P005", level=rule.level, labels="、".join(policy.labels)),
                )
        if method.default is not None and method.default not in policy.labels:
            yield PolicyFinding(
                ("rules", "default"),
                msg("P005", level=method.default, labels="、".join(policy.labels)),
            )

    def reachable(self, policy: Policy) -> set[str]:
        method = _rules(policy)
        levels = {rule.level for rule in method.rules}
        return levels | ({method.default} if method.default else set())

    def fields(self, policy: Policy) -> set[str]:
        return {name for rule in _rules(policy).rules for name in rule.when}


def rule_paths(policy: Policy) -> Iterator[tuple[tuple[int | str, ...], str]]:
    """(key path, field name) of every condition, for the unknown-field check."""
    for index, rule in enumerate(_rules(policy).rules):
        for name in rule.when:
            yield ("rules", "rules", index, "when", name), name
