"""What every grading method shares: the grade it gives, the inputs it reads, its registry."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any, Protocol

from lianneng.grading.policy import Condition, Policy
from lianneng.problems import Message, bilingual
from lianneng.source.yamldoc import KeyPath


@dataclass(frozen=True)
class Grade:
    """A level and why: the rule that gave it and the steps that led there."""

    level: str | None
    rule: Message
    steps: tuple[Message, ...] = ()
    problem: Message | None = None  # why no level could be given (missing or unknown input)
    problem_field: str | None = None


@dataclass(frozen=True)
class PolicyFinding:
    """A problem in the policy itself, at a key path inside the policy file."""

    path: KeyPath
    message: Message
    key: bool = False


Inputs = Callable[[str], Any]
"""Looks up a grading input by field name (`likelihood`, `power.category`, `attributes.x` …)."""


class Method(Protocol):
    def grade(self, policy: Policy, inputs: Inputs) -> Grade: ...

    def check(self, policy: Policy) -> Iterator[PolicyFinding]: ...

    def reachable(self, policy: Policy) -> set[str]: ...

    def fields(self, policy: Policy) -> set[str]: ...


METHODS: dict[str, Method] = {}


def register_method(name: str) -> Callable[[type], type]:
    def decorate(cls: type) -> type:
        METHODS[name] = cls()
        return cls

    return decorate


@dataclass
class Matched:
    ok: bool
    steps: list[Message] = field(default_factory=list)


def matches(condition: Condition, inputs: Inputs) -> bool:
    for name, wanted in condition.items():
        value = inputs(name)
        options = wanted if isinstance(wanted, list) else [wanted]
        if isinstance(value, list | tuple | set):
            if not any(str(item) in options for item in value):
                return False
        elif value is None or str(value) not in options:
            return False
    return True


def describe_condition(condition: Condition) -> str:
    parts = []
    for name, wanted in condition.items():
        shown = "、".join(wanted) if isinstance(wanted, list) else wanted
        parts.append(f"{name} = {shown}")
    return "; ".join(parts) or "—"


def text(zh: str, en: str) -> Message:
    return bilingual(zh, en)
