"""Stage 1: files on disk → located raw records (text, YAML, Markdown front matter)."""

from __future__ import annotations

import fnmatch
import os
from collections.abc import Iterator
from pathlib import Path

RECORD_SUFFIXES = (".yaml", ".yml", ".md")
# Folders of a register that hold other things than records.
NOT_RECORDS = {"policy", "templates", "schemas", "node_modules", "_site", "site", "public"}


def find_register(start: Path) -> Path | None:
    """The nearest folder at or above `start` holding a `lianneng.yaml`, as git finds `.git`.

    Here, with nothing heavy imported, because every command asks it first."""
    for folder in (start, *start.parents):
        if (folder / "lianneng.yaml").is_file():
            return folder
    return None


def record_files(
    root: Path, exclude: list[str], folders: list[tuple[str, list[str]]] | None = None
) -> Iterator[str]:
    """Register-relative paths of the files that may hold records, in a stable order (and each
    folder walked for them, with every name the walk found in it, appended to `folders`)."""
    for dirpath, dirnames, filenames in os.walk(root):
        if folders is not None:
            folders.append((dirpath, dirnames + filenames))
        rel_dir = Path(dirpath).relative_to(root).as_posix()
        at_top = rel_dir == "."
        dirnames[:] = sorted(
            name
            for name in dirnames
            if not name.startswith((".", "_"))
            and not (at_top and name in NOT_RECORDS)
            and not _excluded(_join(rel_dir, name), exclude)
        )
        for name in sorted(filenames):
            rel = _join(rel_dir, name)
            if name.startswith(".") or not name.endswith(RECORD_SUFFIXES):
                continue
            if at_top and name in ("lianneng.yaml", ".pre-commit-hooks.yaml"):
                continue
            if not _excluded(rel, exclude):
                yield rel


def _join(rel_dir: str, name: str) -> str:
    return name if rel_dir == "." else f"{rel_dir}/{name}"


def _excluded(rel: str, patterns: list[str]) -> bool:
    return any(
        fnmatch.fnmatch(rel, pattern) or fnmatch.fnmatch(rel, pattern.rstrip("/") + "/*")
        for pattern in patterns
    )
