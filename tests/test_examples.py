"""Every bundled example validates clean, and breaking one of its files is reported precisely."""

from __future__ import annotations

import json
import re
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from conftest import example_dirs

EXAMPLES = list(example_dirs())
# The examples carry dated reviews and deadlines: check them as of a fixed day, so the suite does
# not start failing when the calendar moves past a review date.
TODAY = ("--today", "2026-06-01")


@pytest.mark.parametrize("example", EXAMPLES, ids=[p.name for p in EXAMPLES])
def test_example_validates_clean(example: Path, run) -> None:  # type: ignore[no-untyped-def]
    result = run("validate", str(example), "-f", "parsable", "--strict", *TODAY)
    assert result.code == 0, result.out
    assert result.out == ""


@pytest.mark.parametrize("example", EXAMPLES, ids=[p.name for p in EXAMPLES])
def test_example_levels_are_current(example: Path, run) -> None:  # type: ignore[no-untyped-def]
    result = run("grade", str(example), "--check", "-f", "parsable")
    assert result.code == 0, result.out


@pytest.mark.parametrize("example", EXAMPLES, ids=[p.name for p in EXAMPLES])
def test_example_json_and_sarif_parse(example: Path, run) -> None:  # type: ignore[no-untyped-def]
    document = json.loads(run("validate", str(example), "-f", "json", *TODAY).out)
    assert document["summary"]["errors"] == 0 and document["summary"]["records"] > 0
    sarif = json.loads(run("validate", str(example), "-f", "sarif", *TODAY).out)
    assert sarif["version"] == "2.1.0" and sarif["runs"][0]["results"] == []


def _risk_file(root: Path) -> Path:
    """A YAML file of risk points with a `department:` line, to break in various ways."""
    for path in sorted((root / "risks").glob("*.yaml")):
        if re.search(r"^\s*-?\s*department: ", path.read_text(encoding="utf-8"), re.M):
            return path
    raise AssertionError("example has no risk file with a department line")


def _line_of(text: str, pattern: str) -> int:
    for number, line in enumerate(text.splitlines(), start=1):
        if re.search(pattern, line):
            return number
    raise AssertionError(pattern)


def _syntax_error(text: str) -> tuple[str, int]:
    line = _line_of(text, r"^\s*-?\s*title: ")
    lines = text.splitlines(keepends=True)
    lines[line - 1] = re.sub(r"title: .*", "title: [不闭合的括号", lines[line - 1])
    return "".join(lines), line


def _wrong_type(text: str) -> tuple[str, int]:
    line = _line_of(text, r"^\s*-?\s*title: ")
    lines = text.splitlines(keepends=True)
    indent = re.match(r"^(\s*)(-\s*)?", lines[line - 1])
    pad = " " * len(indent.group(0)) if indent else ""
    lines.insert(line, f"{pad}last_review: 2026-02-30\n")
    return "".join(lines), line + 1


def _dangling(text: str) -> tuple[str, int]:
    line = _line_of(text, r"^\s*-?\s*department: ")
    lines = text.splitlines(keepends=True)
    lines[line - 1] = re.sub(r"department: \S+", "department: D-不存在", lines[line - 1])
    return "".join(lines), line


def _alias_bomb(text: str) -> tuple[str, int]:
    bomb = 'a: &a ["x","x","x","x","x","x","x","x","x"]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]\n'
    return bomb + text, 2


CORRUPTIONS: dict[str, tuple[Callable[[str], tuple[str, int]], str]] = {
    "syntax": (_syntax_error, "F004"),
    "wrong-type": (_wrong_type, "S004"),
    "dangling-reference": (_dangling, "R002"),
    "alias-bomb": (_alias_bomb, "F009"),
}


@pytest.mark.parametrize("example", EXAMPLES, ids=[p.name for p in EXAMPLES])
@pytest.mark.parametrize("corruption", sorted(CORRUPTIONS))
def test_corrupted_file_is_named_at_its_line(
    example: Path, corruption: str, copy_register, run
) -> None:  # type: ignore[no-untyped-def]
    root = copy_register(example)
    target = _risk_file(root)
    corrupt, code = CORRUPTIONS[corruption]
    text, line = corrupt(target.read_text(encoding="utf-8"))
    target.write_text(text, encoding="utf-8")
    started = time.perf_counter()
    result = run("validate", str(root), "-f", "parsable")
    elapsed = time.perf_counter() - started
    assert result.code == 1 and "Traceback" not in result.out + result.err
    rel = target.relative_to(root).as_posix()
    assert any(f"{rel}:{line}:" in out and f" {code} " in out for out in result.out.splitlines()), (
        f"expected {code} at {rel}:{line}\n{result.out}"
    )
    assert elapsed < 1.0


@pytest.mark.parametrize("example", EXAMPLES, ids=[p.name for p in EXAMPLES])
def test_gbk_file_is_named_at_its_first_chinese_character(
    example: Path, copy_register, run
) -> None:  # type: ignore[no-untyped-def]
    root = copy_register(example)
    target = _risk_file(root)
    text = target.read_text(encoding="utf-8")
    target.write_bytes(text.encode("gb18030"))
    line = next(n for n, t in enumerate(text.splitlines(), 1) if any(ord(c) > 127 for c in t))
    result = run("validate", str(root), "-f", "parsable", "--lang", "en")
    rel = target.relative_to(root).as_posix()
    assert result.code == 1
    assert f"{rel}:{line}:" in result.out and "F001" in result.out and "GBK" in result.out


@pytest.mark.parametrize("example", EXAMPLES, ids=[p.name for p in EXAMPLES])
def test_example_publishes_packages_and_verifies(
    example: Path, copy_register, run, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    from test_filing import commit_all, git

    root = copy_register(example)
    out = tmp_path / "site"
    result = run("publish", str(root), "--out", str(out), "--quiet")
    assert result.code == 0, result.out
    for audience in ("public", "filing", "internal"):
        produced = {p.suffix for p in (out / audience).iterdir()}
        assert {".md", ".html", ".xlsx"} <= produced, audience
    # Word files are for forms and letters, so only a register that has some gets them.
    has_letters = any((root / folder).is_dir() for folder in ("rules", "commitments"))
    configured = "forms:" in (root / "lianneng.yaml").read_text(encoding="utf-8")
    if has_letters or configured:
        assert list((out / "internal").glob("*.docx"))
    git(root, "init", "-q")
    commit_all(root, "example")
    package = tmp_path / "filing.zip"
    assert run("package", str(root), "--out", str(package), "--no-tag").code == 0
    verified = run("verify", str(package), "--repo", str(root), "--lang", "en")
    assert verified.code == 0 and "matches the repository" in verified.out
