"""Golden files: the example's Markdown and HTML, as reviewed by eye, must not drift unnoticed.

Regenerate with LIANNENG_REGENERATE=1 and read the diff before committing it.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from conftest import DATA, EXAMPLES, REGENERATE

GOLDEN = DATA / "golden"
CASES = sorted(p.name for p in EXAMPLES.iterdir() if (p / "lianneng.yaml").is_file())
# Every document of the seed 000 example; the key documents of the others (their own forms and
# disclosure lists), so each seed's output is reviewed once and then held.
KEY_DOCUMENTS = (
    "power-catalogue",
    "flows",
    "risk-list",
    "ledger",
    "statistics",
    "commitments",
    "controls-filing",
    "warnings",
    "form-",
)


@pytest.mark.parametrize("example", CASES)
def test_markdown_and_html_match_the_golden_files(example: str, run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    out = tmp_path / "out"
    full = example == "zhijianju"
    formats = ["-f", "md", "-f", "html"] if full else ["-f", "md"]
    result = run("publish", str(EXAMPLES / example), "--out", str(out), *formats, "--quiet")
    assert result.code == 0, result.out
    produced = {
        p.relative_to(out).as_posix(): p.read_text(encoding="utf-8")
        for p in sorted(out.rglob("*"))
        if p.is_file() and not p.name.startswith(".") and (full or p.name.startswith(KEY_DOCUMENTS))
    }
    golden = GOLDEN / example
    if REGENERATE:
        shutil.rmtree(golden, ignore_errors=True)
        for rel, text in produced.items():
            (golden / rel).parent.mkdir(parents=True, exist_ok=True)
            (golden / rel).write_text(text, encoding="utf-8")
    expected = {
        p.relative_to(golden).as_posix(): p.read_text(encoding="utf-8")
        for p in sorted(golden.rglob("*"))
        if p.is_file()
    }
    assert sorted(produced) == sorted(expected)
    for rel, text in produced.items():
        assert text == expected[rel], f"{rel} differs from tests/data/golden/{example}/{rel}"
