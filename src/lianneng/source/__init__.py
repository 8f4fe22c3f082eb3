"""Stage 1: files on disk → located raw records (text, YAML, Markdown front matter)."""

from __future__ import annotations

from pathlib import Path


def find_register(start: Path) -> Path | None:
    """The nearest folder at or above `start` holding a `lianneng.yaml`, as git finds `.git`.

    Here, with nothing heavy imported, because every command asks it first."""
    for folder in (start, *start.parents):
        if (folder / "lianneng.yaml").is_file():
            return folder
    return None
