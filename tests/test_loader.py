"""The loader, piece by piece: bytes → text (`decode`), text → data (`parse`), positions
(`Locator`) and Markdown front matter (`split_front_matter`).

Positions are 1-based lines and columns counted in characters. Every plain scalar stays a string
(nulls aside): the models decide types, so YAML 1.1 / 1.2 differences never reach them.
"""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from lianneng.problems import Message
from lianneng.source.markdown import split_front_matter
from lianneng.source.text import TextFault, decode, read_text
from lianneng.source.yamldoc import MAX_DEPTH, Locator, Parsed, YamlFault, parse


def codes(parsed: Parsed) -> list[str]:
    return [fault.message.code for fault in parsed.faults]


def only_fault(parsed: Parsed) -> YamlFault:
    assert len(parsed.faults) == 1, parsed.faults
    return parsed.faults[0]


def param(message: Message, name: str) -> str | Message:
    return dict(message.params)[name]


def fastest(text: str, runs: int = 3) -> tuple[float, Parsed]:
    """Best of a few runs, so a busy machine does not make a timing test flaky."""
    best, parsed = float("inf"), Parsed()
    for _ in range(runs):
        start = time.perf_counter()
        parsed = parse(text)
        best = min(best, time.perf_counter() - start)
    return best, parsed


def alias_bomb(levels: int = 9) -> str:
    lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    previous = "a"
    for name in "bcdefghijklmnop"[: levels - 1]:
        lines.append(f"{name}: &{name} [" + ",".join(["*" + previous] * 9) + "]")
        previous = name
    return "\n".join(lines) + "\n"


# ── decode ─────────────────────────────────────────────────────────────────────────────────


def test_decode_plain_utf8() -> None:
    assert decode("id: 甲\n".encode()) == "id: 甲\n"


def test_decode_accepts_and_strips_the_utf8_bom() -> None:
    assert decode(b"\xef\xbb\xbf" + "id: 甲\n".encode()) == "id: 甲\n"


@pytest.mark.parametrize(
    ("data", "encoding"),
    [
        ("id: 甲\n".encode("utf-16"), "UTF-16"),
        (b"\xfe\xff" + "id: 甲\n".encode("utf-16-be"), "UTF-16"),
        ("id: 甲\n".encode("utf-32"), "UTF-32"),
        (b"\x00\x00\xfe\xff" + "id: 甲\n".encode("utf-32-be"), "UTF-32"),
        (b"\xef\xbb\xbf" + "id: 甲\n".encode("utf-16"), "UTF-16"),
        ("- id: D-1\n  name: 甲\n".encode("utf-16-le"), "UTF-16"),  # no BOM: sniffed
    ],
    ids=[
        "utf16-le-bom",
        "utf16-be-bom",
        "utf32-le-bom",
        "utf32-be-bom",
        "bom-then-utf16",
        "utf16-no-bom",
    ],
)
def test_decode_refuses_utf16_and_utf32(data: bytes, encoding: str) -> None:
    fault = decode(data)
    assert isinstance(fault, TextFault)
    assert (fault.line, fault.column, fault.message.code) == (1, 1, "F002")
    assert param(fault.message, "encoding") == encoding


def test_decode_gbk_gives_position_and_hint() -> None:
    data = "id: D-1\nname: 办公室\n".encode("gbk")
    fault = decode(data)
    assert isinstance(fault, TextFault)
    assert fault.message.code == "F001"
    assert (fault.line, fault.column) == (2, 7)
    assert param(fault.message, "offset") == "14"
    hint = param(fault.message, "hint")
    assert isinstance(hint, Message) and hint.code == "hint.encoding"
    assert "GBK" in str(param(hint, "guess"))


def test_decode_counts_columns_in_characters_not_bytes() -> None:
    data = "title: 报销审核\n".encode() + b"x: \xff\n"
    fault = decode(data)
    assert isinstance(fault, TextFault)
    assert (fault.line, fault.column) == (2, 4)
    data = "title: 报销".encode() + b"\xff"
    fault = decode(data)
    assert isinstance(fault, TextFault)
    assert (fault.line, fault.column) == (1, 10)


def test_decode_big5_is_refused_at_the_first_bad_byte() -> None:
    data = "id: CM-1\ntitle: 辦公室廉政風險防範承諾書\n".encode("big5")
    fault = decode(data)
    assert isinstance(fault, TextFault)
    assert (fault.line, fault.column, fault.message.code) == (2, 8, "F001")


def test_decode_big5_is_named_big5() -> None:
    data = "id: CM-1\ntitle: 辦公室廉政風險防範承諾書\n".encode("big5")
    fault = decode(data)
    assert isinstance(fault, TextFault)
    hint = param(fault.message, "hint")
    assert isinstance(hint, Message)
    assert "Big5" in str(param(hint, "guess"))


def test_decode_truncated_file_cut_after_one_byte_of_a_character() -> None:
    data = "title: 严".encode()[:-2]
    fault = decode(data)
    assert isinstance(fault, TextFault)
    assert (fault.line, fault.column, fault.message.code) == (1, 8, "F001")
    assert param(fault.message, "hint") == Message("hint.truncated")


def test_decode_truncated_utf8_is_not_called_gbk() -> None:
    data = "title: 严".encode()[:-1]  # 0xE4 0xB8: two of the three bytes
    fault = decode(data)
    assert isinstance(fault, TextFault)
    assert param(fault.message, "hint") == Message("hint.truncated")


def test_decode_nul_filled_file_is_not_called_utf16() -> None:
    fault = decode(b"\x00" * 100)
    assert isinstance(fault, TextFault)
    assert fault.message.code != "F002"


def test_read_text_too_large(tmp_path: Path) -> None:
    path = tmp_path / "big.yaml"
    path.write_text("a: 1\n" * 100)
    fault = read_text(path, limit=10)
    assert isinstance(fault, TextFault)
    assert (fault.line, fault.column, fault.message.code) == (1, 1, "F003")
    assert read_text(path) == "a: 1\n" * 100


def test_read_text_unreadable(tmp_path: Path) -> None:
    fault = read_text(tmp_path / "missing.yaml")
    assert isinstance(fault, TextFault)
    assert fault.message.code == "F014"


# ── parse: values ─────────────────────────────────────────────────────────────────────────


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("no", "no"),
        ("on", "on"),
        ("yes", "yes"),
        ("off", "off"),
        ("y", "y"),
        ("n", "n"),
        ("True", "True"),
        ("false", "false"),
        ("010", "010"),
        ("0o10", "0o10"),
        ("0x1F", "0x1F"),
        ("3.10", "3.10"),
        ("1e3", "1e3"),
        (".inf", ".inf"),
        (".nan", ".nan"),
        ("12:30", "12:30"),
        ("1_000", "1_000"),
        ("2024-01-01", "2024-01-01"),
        ("2024-02-30", "2024-02-30"),
        ("2024-01-01T10:00:00Z", "2024-01-01T10:00:00Z"),
        ('"~"', "~"),
        ("'null'", "null"),
        ('""', ""),
        ("!!str 010", "010"),
        ("是", "是"),
        ("'  padded '", "  padded "),
    ],
)
def test_plain_scalars_stay_exact_strings(text: str, value: str) -> None:
    parsed = parse(f"v: {text}\n")
    assert parsed.faults == []
    assert parsed.documents == [{"v": value}]


@pytest.mark.parametrize("text", ["v: ~", "v:", "v: null", "v: Null", "v: NULL"])
def test_nulls_become_none(text: str) -> None:
    assert parse(text + "\n").documents == [{"v": None}]


def test_nested_values_and_list_items_stay_strings() -> None:
    parsed = parse("a:\n  - 010\n  - ~\n  - {b: no, c: 3.10}\n")
    assert parsed.documents == [{"a": ["010", None, {"b": "no", "c": "3.10"}]}]


def test_keys_stay_strings() -> None:
    assert parse("1: a\nno: b\n2024-01-01: c\n").documents == [
        {"1": "a", "no": "b", "2024-01-01": "c"}
    ]


def test_empty_and_comment_only_text_has_no_documents() -> None:
    assert parse("") == Parsed()
    assert parse("# 只有注释\n\n") == Parsed()


def test_several_documents() -> None:
    assert parse("a: 1\n---\nb: 2\n").documents == [{"a": "1"}, {"b": "2"}]


def test_bom_at_the_start_of_the_text_is_ignored() -> None:
    assert parse("\ufeffa: 1\n").documents == [{"a": "1"}]


def test_block_scalars_keep_their_text() -> None:
    parsed = parse("a: |\n  第一行：内容\n  \u3000\u3000第二段\nb: >\n  折叠\n  文本\n")
    assert parsed.faults == []
    assert parsed.documents == [{"a": "第一行：内容\n\u3000\u3000第二段\n", "b": "折叠 文本\n"}]


# ── parse: hazards ────────────────────────────────────────────────────────────────────────


def test_duplicate_key_keeps_the_first_value_and_reports_the_second() -> None:
    parsed = parse("a: 1\nb: 2\na: 3\n")
    fault = only_fault(parsed)
    assert (fault.line, fault.column, fault.message.code) == (3, 1, "F005")
    assert param(fault.message, "key") == "a"
    assert param(fault.message, "first_line") == "1"
    assert parsed.documents == [{"a": "1", "b": "2"}]


def test_duplicate_key_in_a_flow_mapping() -> None:
    fault = only_fault(parse("- {id: a, name: x, id: b}\n"))
    assert (fault.line, fault.column, fault.message.code) == (1, 20, "F005")


def test_single_alias_is_refused() -> None:
    parsed = parse("a: &x 甲\nb: *x\n")
    fault = only_fault(parsed)
    assert (fault.line, fault.column, fault.message.code) == (2, 4, "F009")
    assert param(fault.message, "name") == "x"
    assert parsed.documents == []


def test_anchor_without_alias_is_harmless() -> None:
    assert parse("a: &x 甲\n").documents == [{"a": "甲"}]


def test_alias_bomb_is_refused_quickly() -> None:
    seconds, parsed = fastest(alias_bomb())
    fault = only_fault(parsed)
    assert fault.message.code == "F009"
    assert (fault.line, fault.column) == (2, 8)
    assert parsed.documents == []
    assert seconds < 1.0


def test_merge_key_alias_is_refused() -> None:
    assert codes(parse("base: &b {x: 1}\nother:\n  <<: *b\n")) == ["F009"]


def test_deep_flow_nesting_is_refused_quickly() -> None:
    seconds, parsed = fastest("[" * 100_000)
    fault = only_fault(parsed)
    assert fault.message.code == "F010"
    assert param(fault.message, "limit") == str(MAX_DEPTH)
    assert (fault.line, fault.column) == (1, 1)  # refused at the opening of the run
    assert parsed.documents == []
    assert seconds < 1.0


def test_deep_mapping_nesting_is_refused_quickly() -> None:
    seconds, parsed = fastest("{a: " * 100_000)
    assert codes(parsed) == ["F010"]
    assert seconds < 1.0


def test_deep_block_nesting_is_refused() -> None:
    text = "".join("  " * level + f"k{level}:\n" for level in range(MAX_DEPTH + 5))
    assert codes(parse(text)) == ["F010"]


def test_nesting_within_the_limit_is_fine() -> None:
    depth = MAX_DEPTH // 2
    parsed = parse("[" * depth + "]" * depth)
    assert parsed.faults == []


@pytest.mark.parametrize(
    ("text", "tag"),
    [
        # the tag as the user typed it, not its expansion
        ("a: !!python/object:os.system x\n", "!!python/object:os.system"),
        ("a: !!python/name:os.system\n", "!!python/name:os.system"),
        ("a: !custom x\n", "!custom"),
        ("a: !!binary aGVsbG8=\n", "!!binary"),
        ("a: !!set {x}\n", "!!set"),
    ],
)
def test_explicit_tags_are_refused(text: str, tag: str) -> None:
    parsed = parse(text)
    fault = only_fault(parsed)
    assert (fault.line, fault.column, fault.message.code) == (1, 4, "F011")
    assert param(fault.message, "tag") == tag
    assert parsed.documents == []


def test_standard_tags_and_the_non_specific_tag_are_plain_text() -> None:
    parsed = parse("a: !!str x\nb: !!int 010\nc: ! y\nd: !!float 3.10\n")
    assert parsed.faults == []
    assert parsed.documents == [{"a": "x", "b": "010", "c": "y", "d": "3.10"}]


def test_complex_key_is_refused_but_the_rest_is_read() -> None:
    parsed = parse("a: 1\n? [x, y]\n: 2\n")
    fault = only_fault(parsed)
    assert (fault.line, fault.column, fault.message.code) == (2, 3, "F012")
    assert parsed.documents == [{"a": "1"}]


def test_tab_indentation() -> None:
    parsed = parse("a:\n  b: 1\n\tc: 2\n")
    fault = only_fault(parsed)
    assert (fault.line, fault.column, fault.message.code) == (3, 1, "F006")


def test_full_width_colon_without_space() -> None:
    parsed = parse("id: a\ntitle：标题\ncategory: x\n")
    assert [(f.line, f.column, f.message.code) for f in parsed.faults] == [
        (2, 6, "F007"),
        (3, 1, "F004"),
    ]
    assert param(parsed.faults[0].message, "key") == "title"


def test_full_width_colon_after_a_dash_and_with_a_space() -> None:
    faults = parse("- id： a\n  name: b\n").faults
    assert (faults[0].line, faults[0].column, faults[0].message.code) == (1, 5, "F007")


def test_full_width_colon_on_every_line_is_still_reported() -> None:
    # YAML reads this as one string, without any syntax error.
    parsed = parse("id：a\nname：b\n")
    assert [(f.line, f.column, f.message.code) for f in parsed.faults] == [
        (1, 3, "F007"),
        (2, 5, "F007"),
    ]
    assert parsed.documents == ["id：a name：b"]


def test_full_width_colon_inside_a_block_or_quoted_scalar_is_content() -> None:
    parsed = parse('a: |\n  note：正文\n  step：也是正文\nb: "key：value"\nc: 中文：冒号\n')
    assert parsed.faults == []
    assert parsed.documents == [
        {"a": "note：正文\nstep：也是正文\n", "b": "key：value", "c": "中文：冒号"}
    ]


def test_block_scalar_content_is_not_reported_when_the_file_has_a_syntax_error() -> None:
    parsed = parse("a: |\n  note：正文\n  \u3000\u3000段落\nb: [x\n")
    assert codes(parsed) == ["F004"]


def test_full_width_space_indentation() -> None:
    parsed = parse("a:\n  b: 1\n\u3000\u3000c: 2\n")
    assert (3, 1, "F008") in [(f.line, f.column, f.message.code) for f in parsed.faults]


def test_syntax_error_position() -> None:
    fault = only_fault(parse("a: 1\nb: c: d\n"))
    assert fault.message.code == "F004"
    assert (fault.line, fault.column) == (2, 5)


def test_unclosed_bracket_or_quote_is_reported_where_it_opens() -> None:
    fault = only_fault(parse("a: 1\nb: [x, y\nc: 2\n"))
    assert (fault.line, fault.column, fault.message.code) == (2, 4, "F004")
    fault = only_fault(parse('a: 1\nb: "未闭合\n'))
    assert (fault.line, fault.column, fault.message.code) == (2, 4, "F004")


def test_nul_character_is_located() -> None:
    fault = only_fault(parse("id: a\ntitle: x\x00y\n"))
    assert fault.message.code == "F004"
    assert (fault.line, fault.column) == (2, 9)


# ── Locator ────────────────────────────────────────────────────────────────────────────────

LOCATED = """\
# 注释
id: RP-001
title: 报销审核
controls:
  - id: C-001
    owner: P-1
  - C-002
---
id: RP-002
"""


@pytest.mark.parametrize(
    ("path", "key", "position"),
    [
        ((0,), False, (2, 1)),
        ((0, "id"), False, (2, 5)),
        ((0, "id"), True, (2, 1)),
        ((0, "title"), False, (3, 8)),
        ((0, "controls"), False, (5, 3)),
        ((0, "controls"), True, (4, 1)),
        ((0, "controls", 0), False, (5, 5)),
        ((0, "controls", 0, "owner"), False, (6, 12)),
        ((0, "controls", 0, "owner"), True, (6, 5)),
        ((0, "controls", 1), False, (7, 5)),
        ((1, "id"), False, (9, 5)),
        # A path that goes on past what exists points at the deepest part that exists.
        ((0, "controls", 0, "missing"), False, (5, 5)),
        ((0, "controls", 9), False, (5, 3)),
        ((0, "nope", "deeper"), False, (2, 1)),
    ],
)
def test_locator_positions_are_one_based(
    path: tuple[int | str, ...], key: bool, position: tuple[int, int]
) -> None:
    assert Locator(LOCATED).find(path, key=key) == position


def test_locator_counts_characters() -> None:
    locator = Locator("标题: 报销\n名称: {甲: 乙}\n")
    assert locator.find((0, "名称", "甲")) == (2, 9)
    assert locator.find((0, "名称", "甲"), key=True) == (2, 6)


def test_locator_unknown_document_or_broken_yaml() -> None:
    assert Locator(LOCATED).find((5, "id")) is None
    assert Locator(LOCATED).find(()) is None
    assert Locator("a: [\n").find((0, "a")) is None
    assert Locator("a: *x\n").find((0, "a")) is None


def test_locator_on_deep_nesting_gives_up_quickly() -> None:
    start = time.perf_counter()
    assert Locator("[" * 100_000).find((0,)) is None
    assert time.perf_counter() - start < 5.0


def test_locator_empty_value_is_on_its_own_line() -> None:
    text = "- id: P-1\n  name:\n- id: P-2\n  name: x\n"
    line, _column = Locator(text).find((0, 0, "name")) or (0, 0)
    assert line == 2


# ── split_front_matter ─────────────────────────────────────────────────────────────────────


def test_front_matter_closed() -> None:
    front = split_front_matter("---\nid: R-1\ntitle: t\n---\n# 标题\n\n正文\n")
    assert front is not None and front.closed
    assert front.yaml == "id: R-1\ntitle: t\n"
    assert front.yaml_first_line == 2
    assert front.body == "# 标题\n\n正文\n"
    assert front.body_first_line == 5


def test_front_matter_closed_by_dots_and_with_trailing_spaces() -> None:
    front = split_front_matter("--- \nid: R-1\n... \nbody\n")
    assert front is not None and front.closed
    assert front.yaml == "id: R-1\n"
    assert front.body == "body\n"
    assert front.body_first_line == 4


def test_front_matter_with_crlf() -> None:
    front = split_front_matter("---\r\nid: R-1\r\n---\r\nbody\r\n")
    assert front is not None and front.closed
    assert front.yaml == "id: R-1\r\n"
    assert front.body == "body\r\n"
    assert front.body_first_line == 4


def test_front_matter_empty() -> None:
    front = split_front_matter("---\n---\n")
    assert front is not None and front.closed
    assert (front.yaml, front.body) == ("", "")


def test_front_matter_not_closed() -> None:
    front = split_front_matter("---\nid: R-1\n# 标题\n")
    assert front is not None and not front.closed
    assert front.yaml == "id: R-1\n# 标题\n"
    assert front.yaml_first_line == 2


@pytest.mark.parametrize(
    "text",
    [
        "",
        "# 只是文档\n\n---\n",
        "  ---\nid: x\n---\n",
        "----\nid: x\n----\n",
        "text\n---\nid: x\n---\n",
    ],
)
def test_no_front_matter(text: str) -> None:
    assert split_front_matter(text) is None


def test_a_later_dashes_line_ends_the_front_matter_only_once() -> None:
    front = split_front_matter("---\nid: R-1\n---\n正文\n---\n更多\n")
    assert front is not None
    assert front.yaml == "id: R-1\n"
    assert front.body == "正文\n---\n更多\n"
