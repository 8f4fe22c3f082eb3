"""Shared test helpers: run the CLI in-process and capture what a user would see."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from lianneng.cli import main

REPO = Path(__file__).resolve().parent.parent
EXAMPLES = REPO / "examples"
DATA = Path(__file__).resolve().parent / "data"
REGENERATE = bool(os.environ.get("LIANNENG_REGENERATE"))
"""Set to rewrite golden files from the current output; then read the diff by eye."""


@dataclass
class Run:
    code: int
    out: str
    err: str


@pytest.fixture
def run(capsys: pytest.CaptureFixture[str]):  # type: ignore[no-untyped-def]
    def _run(*args: str, cwd: Path | None = None) -> Run:
        old = Path.cwd()
        if cwd is not None:
            os.chdir(cwd)
        try:
            code = main(list(args))
        finally:
            os.chdir(old)
        captured = capsys.readouterr()
        return Run(code, captured.out, captured.err)

    return _run


@pytest.fixture
def copy_register(tmp_path: Path):  # type: ignore[no-untyped-def]
    def _copy(source: Path) -> Path:
        target = tmp_path / source.name
        shutil.copytree(source, target)
        return target

    return _copy


def example_dirs() -> Iterator[Path]:
    for path in sorted(EXAMPLES.iterdir()) if EXAMPLES.is_dir() else []:
        if (path / "lianneng.yaml").is_file():
            yield path
