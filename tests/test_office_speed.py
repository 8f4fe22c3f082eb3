"""The office writers' fast paths write exactly what the obvious ways write, and stay fast.

XLSX sheets are written as XML instead of through openpyxl's cells, whose styles would be copies
of a precomputed style array anyway; DOCX table rows are built as XML instead of through
python-docx's setters (see the writers for why). These tests hold both to the bytes the obvious
way gives, and check that the per-cell work they avoid stays avoided, by counting calls rather
than timing (timings live in `make bench`). tests/test_xlsx_writer.py holds the XLSX sheets'
XML to openpyxl's on values that take the less travelled paths.
"""

from __future__ import annotations

import io
import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any

import docx
import pytest
from conftest import assert_same_xlsx
from docx.document import Document as WordDocument
from docx.enum.table import WD_CELL_VERTICAL_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.oxml.xmlchemy import BaseOxmlElement
from docx.shared import Length, RGBColor
from docx.table import _Row
from lxml import etree
from openpyxl.descriptors.serialisable import Serialisable

from lianneng.publish.blocks import Document, Fields, HeatMap, Table
from lianneng.publish.formats import docx as docx_writer
from lianneng.publish.formats import xlsx as xlsx_writer
from lianneng.publish.formats.ooxml import (
    char_width,
    column_count,
    column_widths,
    lxml_text,
    padded,
    text_width,
    xml_text,
)

# Values that take the less travelled paths: tabs and line ends become w:tab/w:br, outer spaces
# need xml:space, a forbidden character leaves an empty run, "=…" must stay text in Excel.
AWKWARD = (
    "",
    "plain 文本",
    " leading",
    "trailing ",
    "\u3000全角空格",
    "a\tb\t",
    "line 1\nline 2\r\nline 3\r",
    "\n",
    "\x01",
    "=1+1",
    "@SUM(A1)",
    "-2",
    "007",
    "42",
    "#N/A",
    "<b>&amp;</b>",
)


def awkward_rows(width: int) -> tuple[tuple[str, ...], ...]:
    """Rows of `width` cells in which every awkward value comes once in every column."""
    n = len(AWKWARD)
    return tuple(tuple(AWKWARD[(row + column) % n] for column in range(width)) for row in range(n))


def document(rows: int = 0) -> Document:
    """Awkward tables, form fields and a heat map (with light, dark and empty cells)."""
    filler = tuple((str(n), f"风险点 {n}", "措施\n第二行") for n in range(1, rows + 1))
    return Document(
        "sample",
        "廉政风险防控台帐",
        [
            Fields((("填报单位", "某局\t办公室"), (" 周期 ", "2026"), ("\x02", ""))),
            Table(("序号", "风险点", " 措施 "), awkward_rows(3), "甲"),
            Table(("a\tb", "", "c"), filler, "乙"),
            HeatMap("热力", "机率", "危害", ("高", "中", "低"), ("严重", "一般"), ((9, 4), (1, 0))),
            Table(("only",), (("x", "surplus", "cells"),), "丙"),
        ],
        formats=("xlsx", "docx"),
        subtitle="副标题",
    )


# ── DOCX ─────────────────────────────────────────────────────────────────────────────────────


def new_word() -> tuple[WordDocument, docx_writer.Writer]:
    word = docx.Document()
    docx_writer.setup(word, "zh", landscape=False)
    return word, docx_writer.Writer(word, "zh")


def python_docx_row(
    writer: docx_writer.Writer,
    row: _Row,
    values: Sequence[str],
    sizes: Sequence[Length],
    *,
    bold: bool = False,
    fill: str = "",
) -> None:
    """A row filled through python-docx's own API: the writer's way before rows became XML."""
    for cell, value, size in zip(row.cells, values, sizes, strict=True):
        cell.width = size
        if fill:
            docx_writer._shade(cell, fill)
        paragraph = cell.paragraphs[0]
        paragraph._p.style = writer.table_style_id
        if value:
            docx_writer._add_run(paragraph, value, bold=bold)
        cell.vertical_alignment = (
            WD_CELL_VERTICAL_ALIGNMENT.CENTER if bold else WD_CELL_VERTICAL_ALIGNMENT.TOP
        )


def python_docx_table(
    word: WordDocument, writer: docx_writer.Writer, columns: Sequence[str], rows: Any
) -> None:
    count = column_count(columns, rows)
    header = padded(columns, count)
    body = [padded(row, count) for row in rows]
    sizes = writer.sizes(column_widths((), header, body, count, bounds=(4, 40)))
    table = word.add_table(rows=1, cols=count)
    table.style = word.styles["Table Grid"]
    table.autofit = False
    table.alignment = docx_writer.WD_TABLE_ALIGNMENT.CENTER
    for column, size in zip(table.columns, sizes, strict=True):
        column.width = size
    python_docx_row(writer, table.rows[0], header, sizes, bold=True, fill=docx_writer.HEADER_FILL)
    for cell in table.rows[0].cells:
        cell.paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.CENTER
    properties = table.rows[0]._tr.get_or_add_trPr()
    properties.append(docx_writer.OxmlElement("w:cantSplit"))
    properties.append(docx_writer.OxmlElement("w:tblHeader"))
    for values in body:
        python_docx_row(writer, table.add_row(), values, sizes)


def python_docx_fields(word: WordDocument, writer: docx_writer.Writer, fields: Fields) -> None:
    table = word.add_table(rows=0, cols=2)
    table.style = word.styles["Table Grid"]
    table.autofit = False
    sizes = writer.sizes([1.0, 3.0])
    for column, size in zip(table.columns, sizes, strict=True):
        column.width = size
    for name, value in fields.items:
        row = table.add_row()
        python_docx_row(writer, row, [name, value], sizes)
        for run in row.cells[0].paragraphs[0].runs:
            run.bold = True
        docx_writer._shade(row.cells[0], docx_writer.HEADER_FILL)


def body_xml(word: WordDocument) -> bytes:
    return b"".join(etree.tostring(child) for child in word.element.body)


def test_docx_rows_built_as_xml_match_python_docx() -> None:
    fields = Fields((("填报单位", "某局\t办公室"), (" 周期 ", "2026"), ("\x02", ""), ("", "x")))
    columns, rows = ("序号", " 风险点 ", "a\tb", ""), awkward_rows(4)

    fast_word, fast = new_word()
    fast.fields(fields)
    fast.table(columns, rows)

    slow_word, slow = new_word()
    python_docx_fields(slow_word, slow, fields)
    slow.apart_from_table()
    python_docx_table(slow_word, slow, columns, rows)

    assert body_xml(fast_word) == body_xml(slow_word)


def test_docx_rows_are_python_docx_elements() -> None:
    """Rows appended as XML still read back through python-docx (the heat map shades them)."""
    data = docx_writer.render_docx(document(3), unit="某局", lang="zh")
    fields, table, _, heat, _ = docx.Document(io.BytesIO(data)).tables
    assert [cell.text for cell in fields.rows[0].cells] == ["填报单位", "某局\t办公室"]
    texts = [[cell.text for cell in row.cells] for row in table.rows]
    assert texts == [["序号", "风险点", " 措施 "]] + [
        [xml_text(value) for value in row] for row in awkward_rows(3)
    ]
    darkest = heat.rows[1].cells[1]  # 9 of at most 9: white bold text on the darkest fill
    assert darkest.paragraphs[0].alignment == WD_ALIGN_PARAGRAPH.CENTER
    assert darkest._tc.tcPr.find(qn("w:shd")).get(qn("w:fill")) == "99000D"
    assert darkest.paragraphs[0].runs[0].font.color.rgb == RGBColor(0xFF, 0xFF, 0xFF)


# ── XLSX ─────────────────────────────────────────────────────────────────────────────────────


def style_every_cell(self: xlsx_writer.CellStyles, cell: Any, look: xlsx_writer.Look) -> None:
    """The obvious way: every cell's style objects assigned one by one, nothing reused."""
    for attribute, value in look.steps:
        setattr(cell, attribute, value)


def test_xlsx_sheets_as_xml_give_the_same_bytes_as_openpyxl_styling_each_cell(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    fast = xlsx_writer.render_xlsx(document(5), unit="某局", lang="zh")
    monkeypatch.setattr(xlsx_writer.SheetWriter, "as_xml", False)  # openpyxl's own cells,
    monkeypatch.setattr(xlsx_writer.CellStyles, "dress", style_every_cell)  # each styled anew
    slow = xlsx_writer.render_xlsx(document(5), unit="某局", lang="zh")
    assert_same_xlsx(fast, slow)


def test_xlsx_copied_styles_give_the_same_bytes_as_styling_each_cell(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(xlsx_writer.SheetWriter, "as_xml", False)
    copied = xlsx_writer.render_xlsx(document(5), unit="某局", lang="zh")
    monkeypatch.setattr(xlsx_writer.CellStyles, "dress", style_every_cell)
    slow = xlsx_writer.render_xlsx(document(5), unit="某局", lang="zh")
    assert copied == slow


def test_text_width_counts_wide_characters_twice() -> None:
    assert text_width("") == 0
    assert text_width("abc ") == 4
    assert text_width("风险 a") == 6
    assert text_width("\u3000全角ｘ") == 8  # ideographic space and full-width letters are wide
    assert text_width("é😀") == 3  # an emoji is wide, an accented letter is not


def test_text_width_is_the_sum_of_every_characters_width() -> None:
    """Measured by the run where a run is surely wide, by the character elsewhere: the same
    sum for every character there is, alone and between wide ones."""
    every = [chr(c) for c in range(sys.maxunicode + 1) if not 0xD800 <= c <= 0xDFFF]
    for start in range(0, len(every), 512):
        chunk = every[start : start + 512]
        assert text_width("".join(chunk)) == sum(map(char_width, chunk)), chunk[0]
        for char in chunk[::7]:
            assert text_width(f"风{char}险") == 4 + char_width(char), hex(ord(char))


def test_lxml_text_escapes_as_lxml_does() -> None:
    for text in ("", "风险", "a & b", "<b>&amp;</b>", "x > y", "\"'"):
        element = etree.Element("t")
        element.text = text
        assert f"<t>{lxml_text(text)}</t>" == etree.tostring(element, encoding="unicode")


# ── the work avoided stays avoided ───────────────────────────────────────────────────────────


@contextmanager
def counting(owner: type, name: str) -> Iterator[list[int]]:
    """Count calls to owner.name (a method) while the block runs."""
    original: Callable[..., Any] = getattr(owner, name)
    calls = [0]

    def counted(*args: Any, **kwargs: Any) -> Any:
        calls[0] += 1
        return original(*args, **kwargs)

    setattr(owner, name, counted)
    try:
        yield calls
    finally:
        setattr(owner, name, original)


def test_xlsx_hashes_style_objects_per_look_not_per_cell() -> None:
    counts = []
    for rows in (10, 200):
        with counting(Serialisable, "__hash__") as calls:
            xlsx_writer.render_xlsx(document(rows), unit="某局", lang="zh")
        counts.append(calls[0])
    assert counts[0] == counts[1]


def test_docx_table_rows_need_no_child_searches() -> None:
    counts = []
    for rows in (10, 200):
        with counting(BaseOxmlElement, "first_child_found_in") as calls:
            docx_writer.render_docx(document(rows), unit="某局", lang="zh")
        counts.append(calls[0])
    assert counts[0] == counts[1]
