"""The DOCX writer's table rows as XML text are, byte for byte, what building them element by
element gives.

Writer writes each table's rows as XML text and splices it into document.xml when the document is
saved, or parses it into the tree for a table changed after (see docx.py for why). The reference
is the writer's way before: each row built with lxml's SubElement on python-docx's elements, and
the document saved by python-docx (tests/test_office_speed.py holds that way to python-docx's own
API). The documents here take the less travelled paths: text XML must escape or cannot carry,
outer and inner whitespace, tabs and line ends, empty cells and cells that become empty, every
character there is, very long text, bold header and label cells, ragged rows, tables side by
side, heat maps (parsed into the tree), and tables long enough to be deflated in parts.
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Sequence

import docx
import pytest
from docx.oxml.ns import qn
from docx.oxml.xmlchemy import BaseOxmlElement
from lxml import etree
from lxml.etree import SubElement

from lianneng.publish.blocks import Document, Fields, HeatMap, PageBreak, Paragraph, Table
from lianneng.publish.formats import docx as docx_writer
from lianneng.publish.formats.ooxml import normalise_zip, xml_text

AWKWARD = (
    "",
    " ",
    "  ",
    "plain 文本",
    "&<>\"'",
    "<b>&amp;</b> ]]> <!-- lianneng rows -->",
    "<!--lianneng rows-->",
    " leading",
    "trailing ",
    " both ",
    "\tlead",
    "tab\tinside",
    "trail\t",
    "\t",
    "\t\t",
    " \t ",
    "line 1\nline 2",
    "windows\r\nline\rmac",
    "\n",
    "\r\n",
    "\r",
    "\n\nx\n",
    " \n ",
    "\x01",
    "\x01\x02",
    "a\x00b",
    "vertical\x0btab\x0cfeed",
    "\ud800lone surrogate",
    "\ufffe\uffff",
    "\u3000全角空格\u3000",
    "\xa0no-break\xa0",
    "\u2028line separator",
    "\x85next line",
    "\x1cfile separator\x1f",
    "emoji 😀 and 𠀀",
    "😀",
    "\x7fdelete",
    "e\u0301 combining",
    "风险点" * 30,
    "长" * 100_000,
    " long " * 20_000,
)


def rows_of(values: Sequence[str], width: int) -> tuple[tuple[str, ...], ...]:
    """Rows of `width` cells in which each value comes once in every column."""
    n = len(values)
    return tuple(tuple(values[(row + col) % n] for col in range(width)) for row in range(n))


# ── the reference: rows built element by element ────────────────────────────────────────────

W_TR, W_TR_PR, W_CANT_SPLIT, W_TBL_HEADER = map(
    qn, ("w:tr", "w:trPr", "w:cantSplit", "w:tblHeader")
)
W_TC, W_TC_PR, W_TC_W, W_SHD, W_V_ALIGN = map(qn, ("w:tc", "w:tcPr", "w:tcW", "w:shd", "w:vAlign"))
W_P, W_P_PR, W_P_STYLE, W_JC = map(qn, ("w:p", "w:pPr", "w:pStyle", "w:jc"))
W_R, W_R_PR, W_B, W_T, W_TAB, W_BR = map(qn, ("w:r", "w:rPr", "w:b", "w:t", "w:tab", "w:br"))
W_VAL, W_TYPE, W_W, W_COLOR, W_FILL = map(qn, ("w:val", "w:type", "w:w", "w:color", "w:fill"))
XML_SPACE = qn("xml:space")


def add_row(
    tbl: BaseOxmlElement,
    values: Sequence[str],
    twips: Sequence[str],
    style_id: str,
    looks: Sequence[docx_writer.CellLook],
    *,
    repeat: bool = False,
) -> None:
    """The writer's _add_row before rows became XML text."""
    tr = SubElement(tbl, W_TR)
    if repeat:
        properties = SubElement(tr, W_TR_PR)
        SubElement(properties, W_CANT_SPLIT)
        SubElement(properties, W_TBL_HEADER)
    for value, width, look in zip(values, twips, looks, strict=True):
        tc = SubElement(tr, W_TC)
        tc_pr = SubElement(tc, W_TC_PR)
        tc_w = SubElement(tc_pr, W_TC_W)
        tc_w.set(W_TYPE, "dxa")
        tc_w.set(W_W, width)
        if look.fill:
            shading = SubElement(tc_pr, W_SHD)
            shading.set(W_VAL, "clear")
            shading.set(W_COLOR, "auto")
            shading.set(W_FILL, look.fill)
        SubElement(tc_pr, W_V_ALIGN).set(W_VAL, look.vertical)
        p = SubElement(tc, W_P)
        p_pr = SubElement(p, W_P_PR)
        SubElement(p_pr, W_P_STYLE).set(W_VAL, style_id)
        if look.centred:
            SubElement(p_pr, W_JC).set(W_VAL, "center")
        if value:
            append_run(p, xml_text(value), bold=look.bold)


def append_run(p: BaseOxmlElement, text: str, *, bold: bool) -> None:
    """The writer's _append_run before rows became XML text."""
    r = SubElement(p, W_R)
    if bold:
        SubElement(SubElement(r, W_R_PR), W_B)
    for piece in docx_writer.RUN_BREAKS.split(text):
        if piece == "\t":
            SubElement(r, W_TAB)
        elif piece in ("\r", "\n"):
            SubElement(r, W_BR)
        elif piece:
            t = SubElement(r, W_T)
            t.text = piece
            if len(piece.strip()) < len(piece):
                t.set(XML_SPACE, "preserve")


def rows_by_elements(
    self: docx_writer.Writer,
    tbl: BaseOxmlElement,
    rows: docx_writer.Rows,
    *,
    in_tree: bool = False,
) -> None:
    """Writer.add_rows as it was: every row in the tree at once, element by element."""
    for values in rows.values:
        add_row(tbl, values, rows.twips, rows.style_id, rows.looks, repeat=rows.repeat)


def both(document: Document, monkeypatch: pytest.MonkeyPatch) -> tuple[bytes, bytes]:
    """The document as the writer renders it, and as it rendered it with rows by elements."""
    fast = docx_writer.render_docx(document, unit="某局", lang="zh")
    with monkeypatch.context() as patched:
        patched.setattr(docx_writer.Writer, "add_rows", rows_by_elements)
        slow = docx_writer.render_docx(document, unit="某局", lang="zh")
    assert normalise_zip(slow) == slow  # the reference is the zip normalise_zip makes
    return fast, slow


def assert_same(fast: bytes, slow: bytes) -> None:
    """Equal bytes; if not, the first entry and place that differ, for the failure message."""
    if fast == slow:
        return
    with zipfile.ZipFile(io.BytesIO(fast)) as a, zipfile.ZipFile(io.BytesIO(slow)) as b:
        assert a.namelist() == b.namelist()
        for name in a.namelist():
            mine, theirs = a.read(name), b.read(name)
            if mine != theirs:
                at = next(
                    (i for i, (x, y) in enumerate(zip(mine, theirs, strict=False)) if x != y),
                    min(len(mine), len(theirs)),
                )
                assert mine[at - 200 : at + 200] == theirs[at - 200 : at + 200], name
    assert fast == slow


# ── the tests ────────────────────────────────────────────────────────────────────────────────


def test_awkward_values_give_the_bytes_rows_by_elements_give(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    header = ("&<>\"'", " 风险点 ", "a\tb", "", "\x01", "line\r\nbreak")
    document = Document(
        "awkward",
        "廉政风险防控台帐 & <more>",
        [
            Fields(tuple((value, AWKWARD[-i - 1]) for i, value in enumerate(AWKWARD))),
            Table(header, rows_of(AWKWARD, len(header)), "甲"),
            Table(("only",), (("x", "surplus", "cells"), (), ("y",)), "乙"),  # ragged rows
            Table((), (), "空"),  # neither columns nor rows: one empty header cell
            Paragraph("between"),
            Table(("a", "b"), (("1", "2"),), widths=(3, 1)),
        ],
        formats=("docx",),
        subtitle="副标题 <&>",
    )
    assert_same(*both(document, monkeypatch))


def test_every_character_gives_the_bytes_rows_by_elements_give(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Each character escaped, dropped or written as itself as lxml does: all of the BMP and a
    sample beyond, in cells of 1,000 characters, plain and bold."""
    characters = [*range(0x10000), *range(0x10000, 0x110000, 97), 0x10FFFF, 0x1F600, 0x20000]
    text = "".join(map(chr, characters))
    cells = [text[i : i + 1000] for i in range(0, len(text), 1000)]
    document = Document(
        "characters",
        "每个字符",
        [
            Table(tuple(cells[:4]), tuple(zip(cells[::2], cells[1::2], strict=False)), "字符"),
            Fields(tuple(zip(cells[::2], cells[1::2], strict=False))),
        ],
        formats=("docx",),
    )
    assert_same(*both(document, monkeypatch))


def test_tables_side_by_side_heat_maps_and_long_tables_give_the_same_bytes(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Tables that touch, heat maps (their rows parsed into the tree, then shaded) between
    spliced tables, and a table long enough to be spliced and deflated in many parts."""
    long = tuple(
        (str(n), f"风险点 {n} & <{n}>", "措施\n第二行" if n % 3 else " ", "\t" * (n % 2))
        for n in range(1, 3 * docx_writer.ROWS_PER_PART + 2)
    )
    heat = HeatMap("热力", "机率", "危害", ("高", "中", "低"), ("严重", "一般"), ((9, 4), (1, 0)))
    document = Document(
        "mixed",
        "混合",
        [
            Table(("序号", "风险点", "措施", "制表"), long, "长"),
            Table(("a",), (("b",),), "紧挨"),
            heat,
            Fields((("填报单位", "某局\t办公室"), (" 周期 ", "2026"), ("\x02", ""), ("x", "\x01"))),
            heat,
            PageBreak(),
            Table(("序号", "风险点"), long[:5], "尾"),
        ],
        formats=("docx",),
    )
    fast, slow = both(document, monkeypatch)
    assert_same(fast, slow)
    with zipfile.ZipFile(io.BytesIO(fast)) as package:
        xml = package.read("word/document.xml")
    assert b"<!--" not in xml  # every marker replaced
    # header and body rows: the long table, its neighbour, two heat maps, fields, the last
    assert xml.count(b"<w:tr>") == (1 + len(long)) + 2 + 2 * (1 + 2) + 4 + (1 + 5)


def test_a_cell_of_more_than_ten_megabytes_gives_the_same_bytes(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """libxml2 refuses a text node this long unless told it may be huge; rows parsed into the
    tree (a heat map's) must take one too. Spliced here, parsed in the next test."""
    huge = "risk " * 2_100_000
    document = Document("huge", "大", [Table(("a", "b"), ((huge, "x"),), "大")], formats=("docx",))
    assert_same(*both(document, monkeypatch))


def test_rows_parsed_into_the_tree_are_the_elements_built_one_by_one(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Without splicing, rows are parsed into the table: the same elements, python-docx's
    classes, and no namespace declarations of their own once moved into the document."""
    columns = ("序号", " 风险点 ", "a\tb", "", "&<>")
    rows = (*rows_of(AWKWARD, len(columns)), ("risk " * 2_100_000,))
    fields = Fields((("填报单位", "某局\t办公室"), ("\x02", ""), ("x", "\x01"), ("&", "<>")))

    def write(word: docx.document.Document) -> None:
        docx_writer.setup(word, "zh", landscape=False)
        writer = docx_writer.Writer(word, "zh")
        writer.fields(fields)
        table = writer.table(columns, rows)
        assert type(table.rows[1]._tr).__name__ == "CT_Row"
        assert table.rows[0].cells[1].text == " 风险点 "

    fast = docx.Document()
    write(fast)
    slow = docx.Document()
    with monkeypatch.context() as patched:
        patched.setattr(docx_writer.Writer, "add_rows", rows_by_elements)
        write(slow)
    assert etree.tostring(fast.element) == etree.tostring(slow.element)
    assert len(re.findall(rb"xmlns:w=", etree.tostring(fast.element))) == 1  # the root's


def test_splicing_leaves_only_a_marker_in_the_tree() -> None:
    """The rows of a spliced table are not elements until the document is saved."""
    word = docx.Document()
    docx_writer.setup(word, "zh", landscape=False)
    writer = docx_writer.Writer(word, "zh", splice=True)
    table = writer.table(("a", "b"), (("1", "2"), ("3", "4")))
    assert table._tbl.findall(qn("w:tr")) == []
    markers = [child for child in table._tbl if isinstance(child, etree._Comment)]
    assert [marker.text for marker in markers] == [docx_writer.ROWS_MARK] * 2  # header, body
    assert [rows.values for rows in writer.spliced] == [[["a", "b"]], [["1", "2"], ["3", "4"]]]
