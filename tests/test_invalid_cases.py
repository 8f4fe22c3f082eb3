"""Data-driven: each folder under data/invalid is a register with known problems.

`register/` is the register; `expected.txt` holds the exact `parsable` output in English, paths
relative to the register; `exit` (optional) the expected exit code, 1 by default. Regenerate with
LIANNENG_REGENERATE=1 and read the diff.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import DATA, REGENERATE

CASES = sorted(p for p in (DATA / "invalid").iterdir() if (p / "register").is_dir())


@pytest.mark.parametrize("case", CASES, ids=[p.name for p in CASES])
def test_invalid_register(case: Path, run) -> None:  # type: ignore[no-untyped-def]
    result = run("validate", ".", "--format", "parsable", "--lang", "en", cwd=case / "register")
    expected_file = case / "expected.txt"
    exit_file = case / "exit"
    if REGENERATE:
        expected_file.write_text(result.out, encoding="utf-8")
        if result.code != 1:
            exit_file.write_text(f"{result.code}\n")
    expected_exit = int(exit_file.read_text()) if exit_file.exists() else 1
    assert "Traceback" not in result.out + result.err
    assert result.out == expected_file.read_text(encoding="utf-8")
    assert result.code == expected_exit
