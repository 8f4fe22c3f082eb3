"""The one type every stage speaks: a located, sortable problem.

Problems are collected, never raised, so one bad file never hides another. The message is kept
as a code plus parameters and rendered in the reader's language only when it is reported.
"""

from __future__ import annotations

import enum
import functools
from collections.abc import Iterable
from dataclasses import dataclass, field


class Severity(enum.IntEnum):
    # Ordered so that max() gives the worst; the names are what users see and configure.
    INFO = 0
    WARNING = 1
    ERROR = 2

    @property
    def label(self) -> str:
        return self.name.lower()

    @classmethod
    def parse(cls, text: str) -> Severity | None:
        try:
            return cls[text.strip().upper()]
        except KeyError:
            return None


Param = tuple[str, "str | Message"]


@functools.total_ordering
@dataclass(frozen=True)
class Message:
    """A catalogued message: its code picks the template, params fill it in."""

    code: str
    params: tuple[Param, ...] = ()

    def __lt__(self, other: Message) -> bool:
        # A parameter may be text in one message and a nested message in another (a field name
        # or "(the whole file)"): compare by a key where both are text, so any two problems at
        # one place still sort.
        return self._key() < other._key()

    def _key(self) -> tuple[str, str]:
        return self.code, repr(self.params)

    def render(self, lang: str) -> str:
        from lianneng.messages import render

        return render(self, lang)


def msg(code: str, **params: str | Message | int) -> Message:
    return Message(
        code, tuple((k, v if isinstance(v, Message) else str(v)) for k, v in params.items())
    )


@dataclass(frozen=True, order=True)
class Problem:
    """A finding at `path:line:column` (1-based). Sorting gives reading order within a file."""

    path: str
    line: int
    column: int
    severity: Severity
    code: str
    message: Message

    def text(self, lang: str) -> str:
        return self.message.render(lang)


@dataclass
class Problems:
    """An append-only collection shared by the stages of one run."""

    items: list[Problem] = field(default_factory=list)

    def add(self, problem: Problem) -> None:
        self.items.append(problem)

    def extend(self, problems: Iterable[Problem]) -> None:
        self.items.extend(problems)

    def sorted(self) -> list[Problem]:
        return sorted(set(self.items))

    def worst(self) -> Severity | None:
        return max((p.severity for p in self.items), default=None)


def bilingual(zh: str, en: str) -> Message:
    """A message fragment given in both languages at once (labels, translated details)."""
    return Message("text", (("zh", zh), ("en", en)))
