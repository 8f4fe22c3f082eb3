"""Shared test helpers: run the CLI in-process and capture what a user would see."""

from __future__ import annotations

import io
import os
import shutil
import zipfile
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


def assert_same_xlsx(fast: bytes, slow: bytes) -> None:
    """The same entries in the same order, each the same bytes once `fast`'s characters beyond
    ASCII are written as lxml's references; every entry's zip header as normalise_zip sets it."""
    with zipfile.ZipFile(io.BytesIO(fast)) as a, zipfile.ZipFile(io.BytesIO(slow)) as b:
        assert a.namelist() == b.namelist()
        for one, other in zip(a.infolist(), b.infolist(), strict=True):
            for field in ("date_time", "compress_type", "create_system", "external_attr"):
                assert getattr(one, field) == getattr(other, field), (one.filename, field)
        for name in a.namelist():
            x, y = a.read(name), b.read(name)
            if x != y and x.decode("utf-8").encode("ascii", "xmlcharrefreplace") != y:
                # Say where, rather than dumping megabytes.
                x = x.decode("utf-8").encode("ascii", "xmlcharrefreplace")
                pairs = enumerate(zip(x, y, strict=False))
                at = next((i for i, (p, q) in pairs if p != q), min(len(x), len(y)))
                pytest.fail(
                    f"{name} differs at byte {at}:\n{x[at - 200 : at + 200]!r}\n"
                    f"{y[at - 200 : at + 200]!r}"
                )
