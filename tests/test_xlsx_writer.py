"""The XLSX writer's sheets as XML are, byte for byte, what openpyxl writes for the same cells,
once their characters beyond ASCII are written as references, as lxml writes them.

SheetXml writes each sheet's XML itself, in UTF-8, and streams it into the zip (see xlsx.py for
why); the reference is the writer with SheetWriter.as_xml off, every cell an openpyxl cell written
by its lxml sheet writer and the zip re-packed by normalise_zip. The documents here take the less
travelled paths: values Excel or openpyxl would read as formulas, errors or numbers, text XML
cannot carry or must escape, cells past Excel's limit, every character there is, ragged rows,
heat maps, many sheets, and sheets large enough to be deflated in parts.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterable, Iterator
from pathlib import Path

import pytest
from conftest import assert_same_xlsx
from openpyxl.cell.cell import Cell
from openpyxl.worksheet._writer import WorksheetWriter

from lianneng.publish.blocks import Document, Fields, HeatMap, PageBreak, Paragraph, Table
from lianneng.publish.formats import xlsx
from lianneng.publish.formats.ooxml import ZipStream, normalise_zip, wrapped_lines

AWKWARD = (
    "",
    " ",
    "plain 文本",
    "=1+1",
    "=",
    "+1",
    "-x",
    "-",
    "-2",
    "@a",
    "\tlead",
    "tab\tinside",
    "0",
    "00",
    "007",
    "42",
    "-42",
    "123456789012345",  # 15 digits: a number
    "1234567890123456",  # 16: text
    "1e5",
    "3.14",
    " 42",
    "42 ",
    "#N/A",
    "#REF!",
    "TRUE",
    "line 1\nline 2",
    "windows\r\nline\rmac",
    "\n",
    "\n\nx\n",
    "\x01\x02",
    "a\x00b",
    "vertical\x0btab\x0cfeed",
    "\ud800lone surrogate",
    "\ufffe\uffff",
    "<b>&amp;</b> \"double\" 'single' ]]>",
    "\u3000全角空格\u3000",
    "\xa0no-break\xa0",
    "\u2028line separator",
    "\x85next line",
    "emoji 😀 and 𠀀",
    "\x7fdelete",
    "e\u0301 combining",
    "风险点" * 30,  # wraps over several lines
    "A" * 40_000,  # past Excel's 32,767 characters
    "风" * 32_767,  # at the limit
    "y" * 32_768,  # one past it
    "😀" * 20_000,  # characters beyond the BMP
)


def rows_of(values: Iterable[str], width: int) -> tuple[tuple[str, ...], ...]:
    """Rows of `width` cells in which each value comes once in every column."""
    values = tuple(values)
    n = len(values)
    return tuple(tuple(values[(row + col) % n] for col in range(width)) for row in range(n))


def awkward_document(lang: str = "zh", subtitle: str = "副标题 =x") -> Document:
    return Document(
        "awkward",
        "廉政风险防控台帐",
        [
            Fields((("填报单位", "=某局\t办公室"), (" 周期 ", "2026"), ("\x02", ""), ("@", "-"))),
            Table(("序号", "=header", " 措施 ", "007"), rows_of(AWKWARD, 4), "甲"),
            HeatMap("热力", "机率", "危害", ("高", "中", "低"), ("严重", "一般"), ((9, 4), (1, 0))),
            # Counts past the columns and rows without counts, zero and large counts.
            HeatMap("热力", "", "危害", ("a", "b", "c"), ("x",), ((0, 7, 123456), (99,))),
            HeatMap("empty", "r", "c", (), (), ()),
            Fields((("before a page break", "x"),)),
            PageBreak(),
            Table(("given", "widths"), (("1", "2"), ("=3", "")), "乙", widths=(7, 30)),
            Table(("no rows",), (), "丙"),
            Table(("only",), (("x", "surplus", "cells", "=z"), ("",)), "丙"),  # same name
            Table((), (("no", "header"),), ""),
            Table(("a\tb", "", "c"), (("1", "2", "3"),), "[a]:b*c?/d\\e" * 3),
            Table(("history",), (("x",),), "History"),
        ],
        formats=("xlsx",),
        subtitle=subtitle,
    )


def openpyxl_xlsx(monkeypatch: pytest.MonkeyPatch, document: Document, **how: str) -> bytes:
    """The document written the plain way: every cell an openpyxl cell."""
    with monkeypatch.context() as patch:
        patch.setattr(xlsx.SheetWriter, "as_xml", False)
        return xlsx.render_xlsx(document, unit=how.get("unit", "某局"), lang=how.get("lang", "zh"))


def test_sheets_here_are_written_as_xml() -> None:
    """lxml is installed, so the comparisons below compare two ways of writing, not one."""
    assert xlsx.SheetWriter.as_xml


@pytest.mark.parametrize(
    "how",
    [{"lang": "zh", "unit": "某局"}, {"lang": "en", "unit": ""}, {"lang": "en", "unit": "Bureau"}],
)
def test_awkward_values_give_openpyxls_bytes(
    monkeypatch: pytest.MonkeyPatch, how: dict[str, str]
) -> None:
    for subtitle in ("副标题 =x", ""):
        document = awkward_document(how["lang"], subtitle)
        fast = xlsx.render_xlsx(document, unit=how["unit"], lang=how["lang"])
        assert_same_xlsx(fast, openpyxl_xlsx(monkeypatch, document, **how))


def test_every_character_gives_openpyxls_bytes(monkeypatch: pytest.MonkeyPatch) -> None:
    """Each character escaped, dropped or written as a reference as lxml does: all of the BMP
    and a sample of the planes above (all of them were checked once, slowly)."""
    characters = [*range(0x10000), *range(0x10000, 0x110000, 97), 0x10FFFF, 0x1F600, 0x20000]
    text = "".join(chr(c) for c in characters)
    cells = [text[i : i + 3000] for i in range(0, len(text), 3000)]
    document = Document("chars", "每个字符", [Table(("字符",), tuple((c,) for c in cells))])
    assert_same_xlsx(
        xlsx.render_xlsx(document, unit="", lang="zh"),
        openpyxl_xlsx(monkeypatch, document, unit=""),
    )


def test_a_document_without_tables_gives_openpyxls_bytes(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    document = Document("empty", "制度目录", [Paragraph("无")], subtitle="=x")
    assert_same_xlsx(
        xlsx.render_xlsx(document, unit="某局", lang="zh"), openpyxl_xlsx(monkeypatch, document)
    )


def test_many_sheets_give_openpyxls_bytes(monkeypatch: pytest.MonkeyPatch) -> None:
    tables = [Table(("步骤", "风险"), ((str(n), f"风险 {n}"),), "流程") for n in range(60)]
    document = Document("flows", "流程图", [*tables, Table(("x",), (), "Sheet")])
    assert_same_xlsx(
        xlsx.render_xlsx(document, unit="某局", lang="zh"), openpyxl_xlsx(monkeypatch, document)
    )


def test_a_large_sheet_is_deflated_in_parts_and_gives_openpyxls_bytes(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    rows = tuple(
        (str(n), f"风险点{n}" * 5, "=防控措施" if n % 7 == 0 else "措施\n第二行" * 3, "")
        for n in range(1, 4001)
    )
    document = Document("ledger", "台帐", [Table(("序号", "风险点", "措施", "备注"), rows, "台帐")])
    parts: list[int] = []
    stream = ZipStream.stream

    def counted(self: ZipStream, name: str, pieces: Iterable[bytes], ahead: int = 2) -> None:
        pieces = list(pieces)
        parts.append(len(pieces))
        stream(self, name, pieces, ahead)

    monkeypatch.setattr(ZipStream, "stream", counted)
    fast = xlsx.render_xlsx(document, unit="某局", lang="zh")
    assert max(parts) > 3  # the sheet went through the helper thread in several parts
    assert_same_xlsx(fast, openpyxl_xlsx(monkeypatch, document))


def test_sheets_as_xml_make_no_openpyxl_cells_and_use_no_sheet_writer() -> None:
    """Per-cell and per-sheet work avoided: no sheet writer, and only the cells that work out
    each look's style (one a look), however many rows."""
    original_init, original_write = Cell.__init__, WorksheetWriter.write
    made, written = [0], [0]

    def init(self: Cell, *args: object, **kwargs: object) -> None:
        made[0] += 1
        original_init(self, *args, **kwargs)  # type: ignore[arg-type]

    def write(self: WorksheetWriter) -> None:
        written[0] += 1
        original_write(self)

    counts = []
    for rows in (10, 300):
        document = awkward_document()
        table = Table(("序号", "风险点"), tuple((str(n), f"风险 {n}") for n in range(rows)))
        document.blocks.append(table)
        made[0] = 0
        with pytest.MonkeyPatch.context() as patch:
            patch.setattr(Cell, "__init__", init)
            patch.setattr(WorksheetWriter, "write", write)
            xlsx.render_xlsx(document, unit="某局", lang="zh")
        counts.append(made[0])
    assert written[0] == 0
    assert counts[0] == counts[1] < 30


def test_row_height_is_the_one_measuring_every_cell_gives() -> None:
    """_row_height leaves unmeasured the cells too short to wrap (the reference path shares it,
    so it is checked here against measuring every cell, as the writer always did)."""
    held = [xlsx._cell_xml(value)[0] for value in AWKWARD] + [0, 9, 12345678, None, "ab\n"]
    widths = (0.5, 1, 1.5, 2, 3, 4, 7.5, 8, 14, 60)
    for value in held:
        for width in widths:
            lines = wrapped_lines(str(value or ""), width - 1)
            assert xlsx._row_height([value], [width]) == lines * xlsx.LINE_HEIGHT + 3
    # Rows of several cells, in either order: a cell is left unmeasured once the row has as
    # many lines as it could need.
    for start in range(len(held)):
        row = held[start : start + 6]
        for ordered in (row, row[::-1]):
            cell_widths = [widths[(start + n) % len(widths)] for n in range(len(ordered))]
            lines = max(
                wrapped_lines(str(value or ""), width - 1)
                for value, width in zip(ordered, cell_widths, strict=True)
            )
            assert xlsx._row_height(ordered, cell_widths) == lines * xlsx.LINE_HEIGHT + 3
    assert xlsx._row_height(held, []) == xlsx.LINE_HEIGHT + 3


# ── ZipStream ─────────────────────────────────────────────────────────────────────────────────


def pieces(data: bytes, sizes: Iterable[int]) -> Iterator[bytes]:
    at = 0
    for size in sizes:
        yield data[at : at + size]
        at += size
    yield data[at:]


def test_zip_stream_makes_the_zip_normalise_zip_makes(tmp_path: Path) -> None:
    (tmp_path / "on-disk.xml").write_bytes(b"<disk/>")
    big = b"".join(f"<row r='{n}'>&#39118;{n * n}</row>".encode() for n in range(200_000))
    entries = [
        ("[Content_Types].xml", b"<Types/>"),
        ("folder/", b""),
        ("big.xml", big),
        ("one.xml", b"<one/>"),
        ("empty.xml", b""),
        ("text.xml", "文本"),
        ("on-disk.xml", b"<disk/>"),
    ]
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_STORED) as plain:
        for name, data in entries:
            plain.writestr(name, data)

    with ZipStream() as stream:
        stream.writestr("[Content_Types].xml", b"<Types/>")
        stream.writestr("folder/", b"")
        stream.stream("big.xml", pieces(big, [1, 7, 65_536, 3, 1 << 20, 100_000, 0, 5]), ahead=1)
        stream.stream("one.xml", [b"<one/>"])
        stream.stream("empty.xml", [])
        stream.writestr("text.xml", "文本")
        stream.write(str(tmp_path / "on-disk.xml"), "on-disk.xml")
        assert stream.namelist() == [name for name, _ in entries]
    assert stream.getvalue() == normalise_zip(buffer.getvalue())


def test_zip_stream_passes_on_a_failure_while_making_the_parts() -> None:
    def failing() -> Iterator[bytes]:
        yield b"a" * 100_000
        yield b"b" * 100_000
        raise ValueError("no third part")

    with ZipStream() as stream, pytest.raises(ValueError, match="no third part"):
        stream.stream("x.xml", failing())


def test_sheets_added_without_openpyxl_name_check_are_the_same_workbook(monkeypatch) -> None:
    """new_sheet skips openpyxl's check of each name against every earlier sheet (n² for a
    workbook of 10,000 flows); SheetNames has made the names unique, so the file is the one
    create_sheet gives, clashing and case-different titles included."""
    titles = ["流程", "Flow", "FLOW", "flow (2)", "History", "a" * 40, "流程"] * 40
    rows = (("受理", "窗口"),)
    document = Document("flows", "流程图", [Table(("环节", "岗位"), rows, title=t) for t in titles])
    fast = xlsx.render_xlsx(document, unit="某单位", lang="zh")
    monkeypatch.setattr(xlsx, "new_sheet", lambda workbook, name: workbook.create_sheet(name))
    assert fast == xlsx.render_xlsx(document, unit="某单位", lang="zh")
    with zipfile.ZipFile(io.BytesIO(fast)) as archive:
        workbook = archive.read("xl/workbook.xml").decode("utf-8")
    assert workbook.count("<sheet ") == len(titles)
