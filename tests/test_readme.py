"""The README's table of problem codes is the catalogue's; regenerate with LIANNENG_REGENERATE=1."""

from __future__ import annotations

import re

from conftest import REGENERATE, REPO

from lianneng.messages import CATALOGUE, problem_codes

START, END = "<!-- codes:start -->", "<!-- codes:end -->"


def codes_table() -> str:
    lines = ["| 代码 | 默认 | 说明 | English |", "|---|---|---|---|"]
    for code in problem_codes():
        entry = CATALOGUE[code]
        assert entry.severity is not None
        zh = re.sub(r"\{hint\}|\{detail\}", "", entry.zh).replace("|", "\\|")
        lines.append(f"| `{code}` | {entry.severity.label} | {zh} | {entry.summary_en} |")
    return "\n".join(lines)


def test_readme_lists_every_problem_code() -> None:
    readme = REPO / "README.md"
    text = readme.read_text(encoding="utf-8")
    before, rest = text.split(START, 1)
    _, after = rest.split(END, 1)
    expected = f"{before}{START}\n{codes_table()}\n{END}{after}"
    if REGENERATE:
        readme.write_text(expected, encoding="utf-8")
        text = expected
    assert text == expected, "README codes table is stale: LIANNENG_REGENERATE=1 make test"


def test_every_catalogued_message_renders_in_both_languages() -> None:
    for code, entry in CATALOGUE.items():
        for template in (entry.zh, entry.en):
            names = set(re.findall(r"\{(\w+)\}", template))
            template.format(**{name: "x" for name in names})
        assert entry.severity is None or entry.summary_en, code
