"""Markdown records: a YAML front matter block between `---` lines, then the body."""

from __future__ import annotations

import re
from dataclasses import dataclass

FENCE = re.compile(r"^---[ \t]*$")
END = re.compile(r"^(---|\.\.\.)[ \t]*$")


@dataclass(frozen=True)
class FrontMatter:
    yaml: str
    yaml_first_line: int  # 1-based line of the first YAML line in the file
    body: str
    body_first_line: int
    closed: bool


def split_front_matter(text: str) -> FrontMatter | None:
    """None when the file has no front matter: it is ordinary documentation, left alone."""
    lines = text.splitlines(keepends=True)
    if not lines or not FENCE.match(lines[0].rstrip("\r\n")):
        return None
    for index in range(1, len(lines)):
        if END.match(lines[index].rstrip("\r\n")):
            return FrontMatter(
                yaml="".join(lines[1:index]),
                yaml_first_line=2,
                body="".join(lines[index + 1 :]),
                body_first_line=index + 2,
                closed=True,
            )
    return FrontMatter("".join(lines[1:]), 2, "", len(lines) + 1, closed=False)
