"""Checks on the bodies of Markdown records: [[id]] links, heading order, required sections."""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterator
from dataclasses import dataclass

from lianneng.model.base import Record
from lianneng.problems import Problem, bilingual, msg
from lianneng.register import Register
from lianneng.source.files import Sources

LINK = re.compile(r"\[\[([^\[\]\n|]+?)(?:\|[^\[\]\n]*)?\]\]")
HEADING = re.compile(r"^(#{1,6})[ \t]+(.+?)[ \t#]*$")
FENCE = re.compile(r"^(```|~~~)")


@dataclass(frozen=True)
class Heading:
    line: int  # 0-based within the body
    level: int
    title: str


def body_lines(body: str) -> Iterator[tuple[int, str, bool]]:
    """(index, line, inside a fenced code block) for each line of a body."""
    fenced = False
    for index, line in enumerate(body.splitlines()):
        if FENCE.match(line.strip()):
            fenced = not fenced
            yield index, line, True
            continue
        yield index, line, fenced


def headings(body: str) -> list[Heading]:
    found = []
    for index, line, fenced in body_lines(body):
        if not fenced and (match := HEADING.match(line)):
            found.append(Heading(index, len(match.group(1)), match.group(2).strip()))
    return found


def links(body: str) -> Iterator[tuple[int, int, str]]:
    """(0-based line, 0-based column, target id) of each [[id]] outside code."""
    for index, line, fenced in body_lines(body):
        if fenced:
            continue
        for match in LINK.finditer(line):
            yield index, match.start(), match.group(1).strip()


def check_markdown(register: Register, sources: Sources) -> list[Problem]:
    problems: list[Problem] = []
    for record in register.records:
        origin = record.origin
        if origin is None or not origin.file.endswith(".md"):
            continue
        source = sources.files[origin.file]
        body = source.body or ""
        first = source.body_first_line
        for line, column, target in links(body):
            if (
                target not in register.ids
                and target not in register.steps
                and target not in register.broken_ids
            ):
                close = difflib.get_close_matches(target, list(register.ids), n=1, cutoff=0.6)
                hint = msg("hint.didyoumean", suggestion=close[0]) if close else msg("hint.none")
                problems.append(
                    sources.at(
                        origin.file, first + line, column + 1, msg("M002", target=target, hint=hint)
                    )
                )
        found = headings(body)
        previous = None
        for heading in found:
            if previous is not None and heading.level > previous + 1:
                problems.append(
                    sources.at(
                        origin.file,
                        first + heading.line,
                        1,
                        msg("M003", prev=previous, level=heading.level),
                    )
                )
            previous = heading.level
        problems.extend(_required_sections(record, body, found, sources, first))
    return problems


def _required_sections(
    record: Record, body: str, found: list[Heading], sources: Sources, first: int
) -> Iterator[Problem]:
    assert record.origin is not None
    lines = body.splitlines()
    for section in record.REQUIRED_SECTIONS:
        heading = next((h for h in found if h.title == section), None)
        if heading is None:
            yield sources.at(
                record.origin.file,
                first,
                1,
                msg("M004", kind=bilingual(record.LABEL_ZH, record.LABEL_EN), section=section),
            )
            continue
        end = next(
            (h.line for h in found if h.line > heading.line and h.level <= heading.level),
            len(lines),
        )
        if not "".join(lines[heading.line + 1 : end]).strip():
            yield sources.at(
                record.origin.file,
                first + heading.line,
                1,
                msg("M004", kind=bilingual(record.LABEL_ZH, record.LABEL_EN), section=section),
            )
