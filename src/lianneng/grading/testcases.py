"""A policy's own test cases (input → expected level), run by `lianneng policy test`."""

from __future__ import annotations

from dataclasses import dataclass

from lianneng.grading.base import Grade
from lianneng.grading.engine import LoadedPolicy, grade_inputs, mapping_inputs
from lianneng.grading.policy import PolicyTest
from lianneng.problems import Problem, msg
from lianneng.source.files import Sources


@dataclass(frozen=True)
class Outcome:
    case: PolicyTest
    grade: Grade

    @property
    def passed(self) -> bool:
        return self.grade.level == self.case.expect


def run_tests(loaded: LoadedPolicy, sources: Sources) -> tuple[list[Outcome], list[Problem]]:
    outcomes = [
        Outcome(case, grade_inputs(loaded.policy, mapping_inputs(case.input)))
        for case in loaded.policy.tests
    ]
    problems = [
        sources.problem(
            loaded.rel,
            (0, "tests", index),
            msg("P010", name=o.case.name, expect=o.case.expect, got=o.grade.level or "—"),
        )
        for index, o in enumerate(outcomes)
        if not o.passed
    ]
    return outcomes, problems
