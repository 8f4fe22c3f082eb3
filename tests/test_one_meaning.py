"""One meaning for every file: the fast (libyaml) and the guarded (ruamel) readers agree.

Where the fast reader is not sure to agree (aliases, tags, deep nesting, typing mistakes, any
error), it steps aside; this test checks that where it does answer, the answer is the same.
"""

from __future__ import annotations

import pytest
from conftest import EXAMPLES

from lianneng.source import yamldoc, yamlguard

EDGE_CASES = [
    "a: no\nb: on\nc: yes\nd: off\n",
    "a: 010\nb: 0o10\nc: 0x1F\nd: 12:30\ne: 3.10\nf: 1e3\n",
    "a: 2024-01-01\nb: 2024-02-30\nc: 2024-01-01T10:00:00\n",
    "a:\nb: ~\nc: null\nd: ''\ne: \"\"\nf: Null\n",
    "a: |\n  line one\n  line two\nb: >\n  folded\n  text\nc: |-\n  kept\n",
    "- a\n- 'b'\n- \"c\\td\"\n- [x, y]\n- {k: v}\n",
    "a: 'it''s'\nb: \"\\u5ec9\\u80fd\"\nc: plain # comment\n",
    "a:\n  b:\n    c:\n      d: deep\n",
    "<<: {a: 1}\nb: 2\n",
    "---\na: 1\n---\nb: 2\n...\n",
    "a: 1\na: 2\n",
    "? complex\n: value\n",
]


def both(text: str) -> tuple[object, object] | None:
    fast = yamldoc._fast_nodes(text)
    if fast is None:
        return None
    faults: list[yamldoc.YamlFault] = []
    fast_data = [yamldoc.to_data(node, faults) for node in fast]
    slow_faults: list[yamldoc.YamlFault] = []
    slow_data = [yamldoc.to_data(node, slow_faults) for node in yamlguard.compose(text)]
    assert [f.message for f in faults] == [f.message for f in slow_faults]
    return fast_data, slow_data


@pytest.mark.parametrize("text", EDGE_CASES)
def test_edge_cases_read_the_same(text: str) -> None:
    pair = both(text)
    if pair is not None:
        assert pair[0] == pair[1]


def test_every_example_file_reads_the_same() -> None:
    compared = 0
    for path in sorted(EXAMPLES.rglob("*.yaml")):
        pair = both(path.read_text(encoding="utf-8-sig"))
        if pair is not None:
            assert pair[0] == pair[1], path
            compared += 1
    assert compared > 100  # the fast reader does take the common case


def test_the_fast_reader_steps_aside_when_it_could_misread() -> None:
    for text in [
        "a: *x\n",
        "a: !!python/object x\n",
        "title：x\n",
        "a: " + "[" * 70,
        "a:\n\tb: 1\n",
        "a: [unclosed\n",
    ]:
        assert yamldoc._fast_nodes(text) is None, text


def _paths(data: object, prefix: tuple[int | str, ...]) -> list[tuple[int | str, ...]]:
    """Every key path in `data`, and one past the end of each list and mapping."""
    found = [prefix]
    if isinstance(data, dict):
        found.append((*prefix, "no-such-key"))
        for key, value in data.items():
            found += _paths(value, (*prefix, key))
    elif isinstance(data, list):
        found.append((*prefix, len(data)))
        for index, value in enumerate(data):
            found += _paths(value, (*prefix, index))
    return found


def test_problems_are_placed_the_same_by_either_composer() -> None:
    """The Locator walks libyaml's nodes for text the fast path takes: every value and key of
    every example file is placed where ruamel's nodes place it."""
    compared = 0
    for path in sorted(EXAMPLES.rglob("*.yaml")):
        text = path.read_text(encoding="utf-8-sig")
        fast = yamldoc._fast_nodes(text)
        if fast is None:
            continue
        slow = yamlguard.compose(text)
        documents = [yamldoc.to_data(node, []) for node in fast]
        for number, data in enumerate(documents):
            for key_path in _paths(data, (number,)):
                for key in (False, True):
                    place = yamldoc.walk_to(fast, key_path, key)
                    assert place == yamldoc.walk_to(slow, key_path, key), (path, key_path, key)
                    compared += 1
    assert compared > 10_000
