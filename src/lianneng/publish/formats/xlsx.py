"""XLSX: each table of a document on its own sheet, ready to filter, print and file.

A sheet holds a merged title row, the form's label: value line when the table heads a form, a
bold header row, then the data. Every value is written as text or a plain integer, never as a
formula, so a register entry such as "=HYPERLINK(…)" reaches the reader as the words typed.

openpyxl makes the workbook (sheet names, styles, print titles, the package), but each sheet's
own XML is written here (SheetXml), as openpyxl writes it for the same cells and settings: its
cell objects and sheet writer cost tens of microseconds a cell and a millisecond or two a sheet,
and a register's documents run to a million cells or a thousand sheets. The XML is made as the
zip is written, each part deflated on a helper thread while the next is made (ZipStream), as
deflating is then most of the time. SheetCells writes a sheet the plain way, through openpyxl's
cells and zip; the tests hold SheetXml to its bytes, but for one thing: SheetXml writes UTF-8
(XML's own encoding), where openpyxl's lxml writes each character beyond ASCII as a reference
(&#39118;). A Chinese character is then 3 bytes, not 8: a large register's sheets are a sixth
smaller, and a tenth quicker to make and deflate.
"""

from __future__ import annotations

import io
import re
import unicodedata
import zipfile
from collections.abc import Iterator, Sequence
from copy import copy
from dataclasses import dataclass
from typing import Protocol

from openpyxl import Workbook
from openpyxl.cell._writer import lxml_write_cell, write_cell
from openpyxl.cell.cell import Cell
from openpyxl.compat import safe_string
from openpyxl.drawing.spreadsheet_drawing import SpreadsheetDrawing
from openpyxl.packaging.relationship import RelationshipList
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.styles.cell_style import StyleArray
from openpyxl.utils import get_column_letter
from openpyxl.utils.indexed_list import IndexedList
from openpyxl.worksheet.cell_range import CellRange, MultiCellRange
from openpyxl.worksheet.properties import PageSetupProperties
from openpyxl.worksheet.worksheet import Worksheet
from openpyxl.writer.excel import ExcelWriter

from lianneng.publish.blocks import Document, Fields, HeatMap, PageBreak, Table
from lianneng.publish.formats.ooxml import (
    AUTHOR,
    FIXED_TIME,
    ZipStream,
    column_count,
    column_widths,
    heat_fill,
    lxml_text,
    normalise_zip,
    padded,
    title_line,
    wrapped_lines,
    xml_text,
)

FONTS = {"zh": "宋体", "en": "Calibri"}
HEADER_FILL = PatternFill("solid", fgColor="D9E1F2")
THIN = Side(style="thin", color="808080")
BORDER = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
WRAP_TOP = Alignment(wrap_text=True, vertical="top")
WRAP_CENTRE = Alignment(wrap_text=True, horizontal="center", vertical="center")
WRAP_LEFT = Alignment(wrap_text=True, horizontal="left", vertical="center")

MAX_CELL = 32767  # Excel's limit: a longer cell makes it "repair" the file and drop the text
SHEET_NAME_LIMIT = 31
LINE_HEIGHT = 15.0  # points per wrapped line at 11 pt, with leading

# Excel evaluates these leads as formulas when a cell is edited; the quote prefix keeps them text.
FORMULA_LEADS = ("=", "+", "-", "@", "\t")
# Whole numbers without a leading zero and within Excel's 15 significant digits become numbers
# (序号, counts) so they sort and sum; codes such as "007" stay text.
INTEGER = re.compile(r"0|[1-9][0-9]{0,14}")
# Characters Excel forbids in sheet names, swapped for their full-width forms to keep the meaning.
SHEET_NAME_SWAPS = str.maketrans(
    {
        "[": "［",
        "]": "］",
        ":": "：",
        "*": "＊",
        "?": "？",
        "/": "／",
        "\\": "＼",
        "\n": " ",
        "\t": " ",
    }
)


@dataclass(frozen=True)
class Sheet:
    """One sheet to write: a table (with the form fields heading it) or a heat map."""

    block: Table | HeatMap
    fields: Fields | None = None


def render_xlsx(document: Document, *, unit: str, lang: str) -> bytes:
    workbook = Workbook()
    for default in list(workbook.worksheets):  # sheets are named after the document's tables
        workbook.remove(default)
    names = SheetNames(document.title)
    writer = SheetWriter(document, unit, lang)
    for sheet in sheets(document):
        title = sheet.block.title or document.title
        out = writer.sheet(new_sheet(workbook, names.claim(title)))
        if isinstance(sheet.block, Table):
            writer.table(out, sheet.block, sheet.fields)
        else:
            writer.heat_map(out, sheet.block)
    if not workbook.worksheets:  # a workbook needs a sheet; say what the document is
        # (through openpyxl: a sheet of titles alone, without print settings, is not SheetXml's)
        ws = workbook.create_sheet(names.claim(document.title))
        writer.title_rows(SheetCells(ws, writer.styles), 1)
    return save(workbook, document.title, writer.xml_sheets)


def new_sheet(workbook: Workbook, name: str) -> Worksheet:
    """`workbook.create_sheet(name)` without openpyxl's check of the name against every sheet
    already there, which made a workbook of n sheets cost n² (10,000 flows: most of publishing
    them). SheetNames has made the name valid and unique, so the check would change nothing."""
    ws = Worksheet(parent=None)  # no parent: openpyxl sets no title and checks nothing
    ws._parent = workbook  # type: ignore[attr-defined]
    ws._WorkbookChild__title = name  # type: ignore[attr-defined]  # the title setter's field
    workbook._add_sheet(ws)  # type: ignore[attr-defined]
    return ws


def sheets(document: Document) -> Iterator[Sheet]:
    """Tables and heat maps in order; a Fields block heads the next table, up to a page break."""
    fields: Fields | None = None
    for block in document.blocks:
        if isinstance(block, Fields):
            fields = block
        elif isinstance(block, PageBreak):
            fields = None
        elif isinstance(block, Table):
            yield Sheet(block, fields)
            fields = None
        elif isinstance(block, HeatMap):
            yield Sheet(block)


class SheetNames:
    """Sheet names as Excel accepts them: ≤ 31 characters, no []:*?/\\, unique ignoring case."""

    def __init__(self, fallback: str) -> None:
        self.fallback = fallback
        self.used: set[str] = set()

    def claim(self, wanted: str) -> str:
        base = self.clean(wanted) or self.clean(self.fallback) or "Sheet"
        name, number = _truncate(base, SHEET_NAME_LIMIT), 1
        while self.key(name) in self.used:
            number += 1
            suffix = f" ({number})"
            name = _truncate(base, SHEET_NAME_LIMIT - len(suffix)) + suffix
        self.used.add(self.key(name))
        return name

    @staticmethod
    def clean(text: str) -> str:
        name = xml_text(text).translate(SHEET_NAME_SWAPS).strip().strip("'").strip()
        return name + "_" if name.casefold() == "history" else name  # Excel reserves "History"

    @staticmethod
    def key(name: str) -> str:
        # Excel compares names ignoring case (and, to be safe, full-/half-width differences).
        return unicodedata.normalize("NFKC", name).casefold()


def _truncate(text: str, limit: int) -> str:
    """At most `limit` UTF-16 units (Excel's measure), never ending in a space or apostrophe."""
    out, used = "", 0
    for char in text:
        size = 2 if ord(char) > 0xFFFF else 1
        if used + size > limit:
            break
        out, used = out + char, used + size
    return out.rstrip(" '")


@dataclass(frozen=True)
class Look:
    """A kind of cell's style: the attributes the writer sets on it, in the order it sets them
    (the order in which the workbook's style lists fill). Cells are matched to a look by name,
    which costs no hashing of style objects, so a name must stand for one list of steps."""

    name: str
    steps: tuple[tuple[str, object], ...]

    def then(self, name: str, *steps: tuple[str, object]) -> Look:
        """This look with more steps after, named after both."""
        return Look(f"{self.name} {name}", self.steps + steps)


class SheetOut(Protocol):
    """Where a sheet's rows and settings go: openpyxl's cells (SheetCells) or XML (SheetXml)."""

    def row(
        self,
        row: int,
        values: Sequence[str | int],
        looks: Sequence[Look],
        *,
        height: float | None = None,
        fit: Sequence[float] = (),
    ) -> None:
        """`values` in the row from column A. The row is `height` high, or else as high as the
        cells' wrapped text needs in columns `fit` wide."""

    def merge(self, row: int, count: int) -> None: ...

    def finish(
        self,
        *,
        header_row: int,
        last_row: int,
        widths: Sequence[float],
        frozen_column: int,
        filter_rows: bool = True,
    ) -> None: ...


class SheetWriter:
    """Writes the sheets of one document: shared title, fonts and language."""

    # Sheets as XML; the tests turn this off to have them written through openpyxl's cells and
    # compare. Off by itself when openpyxl writes cells without lxml: SheetXml copies lxml.
    as_xml = write_cell is lxml_write_cell

    def __init__(self, document: Document, unit: str, lang: str) -> None:
        self.lang = lang
        self.titles = [xml_text(title_line(document.title, unit, lang))]
        if document.subtitle:
            self.titles.append(xml_text(document.subtitle))
        font = FONTS.get(lang, FONTS["zh"])
        self.font = Font(name=font, size=11)
        self.bold = Font(name=font, size=11, bold=True)
        self.title_font = Font(name=font, size=14, bold=True)
        self.white = Font(name=font, size=11, bold=True, color="FFFFFF")
        self.heading = Look("title", (("font", self.title_font), ("alignment", WRAP_CENTRE)))
        self.subheading = Look("subtitle", (("font", self.font), ("alignment", WRAP_CENTRE)))
        self.form_line = Look("fields", (("font", self.font), ("alignment", WRAP_LEFT)))
        self.head = Look(
            "header",
            (
                ("font", self.bold),
                ("fill", HEADER_FILL),
                ("border", BORDER),
                ("alignment", WRAP_CENTRE),
            ),
        )
        self.data = Look("data", (("font", self.font), ("border", BORDER), ("alignment", WRAP_TOP)))
        # A heat map's row label: a data cell, then shaded as a header.
        self.heat_label = self.data.then("label", ("font", self.bold), ("fill", HEADER_FILL))
        self.styles = CellStyles()
        self.xml_sheets: dict[Worksheet, SheetXml] = {}

    def sheet(self, ws: Worksheet) -> SheetOut:
        """Where the rows of a new sheet go."""
        if not self.as_xml:
            return SheetCells(ws, self.styles)
        sheet = self.xml_sheets[ws] = SheetXml(ws, self.styles)
        return sheet

    # ── tables ──────────────────────────────────────────────────────────────────────────────

    def table(self, out: SheetOut, table: Table, fields: Fields | None) -> None:
        count = column_count(table.columns, table.rows)
        header = padded(table.columns, count)
        rows = [padded(row, count) for row in table.rows]
        widths = column_widths(table.widths, header, rows, count)
        row = self.title_rows(out, count, widths)
        if fields is not None and fields.items:
            row = self.fields_row(out, fields, row, count, widths)
        self.header_row(out, row, header, widths)
        looks = [self.data] * count
        for offset, values in enumerate(rows, start=1):
            self.data_row(out, row + offset, values, widths, looks)
        out.finish(header_row=row, last_row=row + len(rows), widths=widths, frozen_column=1)

    def title_rows(self, out: SheetOut, count: int, widths: Sequence[float] = ()) -> int:
        """The document title (and subtitle) merged across the sheet; returns the next row."""
        total = sum(widths) or 40.0
        for row, text in enumerate(self.titles, start=1):
            size = 14 if row == 1 else 11
            height = wrapped_lines(text, total / (size / 11)) * size * 1.5
            out.row(row, [text], [self.heading if row == 1 else self.subheading], height=height)
            if count > 1:
                out.merge(row, count)
        return len(self.titles) + 1

    def fields_row(
        self, out: SheetOut, fields: Fields, row: int, count: int, widths: Sequence[float]
    ) -> int:
        """The form's heading line, 部门名称：… 填表日期：…, merged across the sheet."""
        colon, gap = (": ", "    ") if self.lang == "en" else ("：", "\u3000\u3000")
        text = gap.join(f"{label}{colon}{value}" for label, value in fields.items)
        out.row(row, [text], [self.form_line], fit=[sum(widths)])
        if count > 1:
            out.merge(row, count)
        return row + 1

    def header_row(
        self, out: SheetOut, row: int, values: Sequence[str], widths: Sequence[float]
    ) -> None:
        out.row(row, values, [self.head] * len(values), fit=widths)

    def data_row(
        self,
        out: SheetOut,
        row: int,
        values: Sequence[str | int],
        widths: Sequence[float],
        looks: Sequence[Look],
    ) -> None:
        out.row(row, values, looks, fit=widths)

    # ── heat map ────────────────────────────────────────────────────────────────────────────

    def heat_map(self, out: SheetOut, heat: HeatMap) -> None:
        count = len(heat.columns) + 1
        corner = " \\ ".join(label for label in (heat.row_label, heat.column_label) if label)
        header = [corner, *heat.columns]
        grid = [
            padded([label, *(str(n) for n in counts)], count)
            for label, counts in zip(heat.rows, heat.counts, strict=False)
        ]
        widths = [max(w, 8.0) for w in column_widths((), header, grid, count)]
        row = self.title_rows(out, count, widths)
        self.header_row(out, row, header, widths)
        maximum = max((n for counts in heat.counts for n in counts), default=0)
        for offset, (label, counts) in enumerate(zip(heat.rows, heat.counts, strict=False), 1):
            values: list[str | int] = [label, *counts]
            looks = [self.heat_label, *(self.heat_cell(n, maximum) for n in counts)]
            missing = count - len(values)
            self.data_row(
                out, row + offset, values + [""] * missing, widths, looks + [self.data] * missing
            )
        out.finish(
            header_row=row,
            last_row=row + len(heat.rows),
            widths=widths,
            frozen_column=2,
            filter_rows=False,
        )

    def heat_cell(self, count: int, maximum: int) -> Look:
        """A count's cell: a data cell, centred, shaded darker with the count."""
        look = self.data.then("count", ("alignment", WRAP_CENTRE))
        fill = heat_fill(count, maximum)
        if fill is not None:
            colour, white_text = fill
            look = look.then(colour, ("fill", PatternFill("solid", fgColor=colour)))
            if white_text:
                look = look.then("white", ("font", self.white))
        return look


class CellStyles:
    """Each distinct look of one workbook worked out once, then copied onto its cells.

    Setting cell.font (or fill, border, alignment) makes openpyxl hash the whole style object to
    find its number in the workbook's list — most of a large workbook's time. A cell's style is
    just those numbers (its StyleArray), so the first cell with a look is styled the ordinary way
    and later ones get a copy of its array, as openpyxl's own copy_worksheet does. The lists fill
    in the same order as styling every cell would, so the file is the same.
    """

    def __init__(self) -> None:
        self.arrays: dict[str, StyleArray] = {}

    def dress(self, cell: Cell, look: Look) -> None:
        # (_style is a slot of every cell that the type stubs leave out.)
        array = self.arrays.get(look.name)
        if array is None:
            for attribute, value in look.steps:
                setattr(cell, attribute, value)
            self.arrays[look.name] = copy(cell._style)  # type: ignore[attr-defined]
        else:
            cell._style = copy(array)  # type: ignore[attr-defined]

    def array(self, ws: Worksheet, look: Look) -> StyleArray:
        """The look's style array for a cell that is not an openpyxl cell: the first time, a cell
        outside the sheet is dressed, filling the workbook's style lists as a real one would."""
        if look.name not in self.arrays:
            self.dress(Cell(ws, row=1, column=1), look)  # (where does not matter)
        return self.arrays[look.name]


# ── a sheet through openpyxl ────────────────────────────────────────────────────────────────


class SheetCells:
    """A sheet as openpyxl cells and settings, written by openpyxl: the plain way, which
    SheetXml's bytes are tested against."""

    def __init__(self, ws: Worksheet, styles: CellStyles) -> None:
        self.ws = ws
        self.styles = styles

    def row(
        self,
        row: int,
        values: Sequence[str | int],
        looks: Sequence[Look],
        *,
        height: float | None = None,
        fit: Sequence[float] = (),
    ) -> None:
        cells = [
            self.put(row, column, value, look)
            for column, (value, look) in enumerate(zip(values, looks, strict=True), start=1)
        ]
        if height is None:
            height = _row_height([cell.value for cell in cells], fit)
        self.ws.row_dimensions[row].height = height

    def merge(self, row: int, count: int) -> None:
        self.ws.merge_cells(start_row=row, start_column=1, end_row=row, end_column=count)

    def finish(
        self,
        *,
        header_row: int,
        last_row: int,
        widths: Sequence[float],
        frozen_column: int,
        filter_rows: bool = True,
    ) -> None:
        """Widths, frozen header, filter and print setup: landscape A4, one page wide."""
        ws = self.ws
        for column, width in enumerate(widths, start=1):
            ws.column_dimensions[get_column_letter(column)].width = width
        ws.freeze_panes = f"{get_column_letter(frozen_column)}{header_row + 1}"
        last_column = get_column_letter(len(widths))
        if filter_rows and last_row > header_row:
            ws.auto_filter.ref = f"A{header_row}:{last_column}{last_row}"
        ws.print_title_rows = f"{header_row}:{header_row}"
        ws.page_setup.orientation = "landscape"
        ws.page_setup.paperSize = ws.PAPERSIZE_A4
        ws.page_setup.fitToWidth = 1
        ws.page_setup.fitToHeight = 0  # as many pages down as the rows need
        ws.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)
        ws.print_options.horizontalCentered = True
        if ws.oddFooter is not None:
            ws.oddFooter.center.text = "&P / &N"  # page numbers on the printed pages

    def put(self, row: int, column: int, value: str | int, look: Look) -> Cell:
        """Write one value as data: integers as numbers, everything else as literal text."""
        cell = self.ws.cell(row=row, column=column)
        assert isinstance(cell, Cell)  # values go only to a merged range's first cell
        quote = False
        if isinstance(value, int) or INTEGER.fullmatch(value):
            cell.value = int(value)
        elif text := _cell_text(value):
            cell.value = text
            cell.data_type = "s"  # openpyxl reads "=…" as a formula and "#N/A" as an error
            quote = text.startswith(FORMULA_LEADS)
        self.styles.dress(cell, look)
        if quote:  # after dressing: the quote belongs to this cell, not to the look
            cell.quotePrefix = True
        return cell


# ── a sheet as XML ──────────────────────────────────────────────────────────────────────────

# The parts of every sheet that SheetCells.finish makes the same, as openpyxl writes them.
SHEET_START = (
    '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
    '<sheetPr><outlinePr summaryBelow="1" summaryRight="1"/><pageSetUpPr fitToPage="1"/></sheetPr>'
)
SHEET_FORMAT = '<sheetFormatPr baseColWidth="8" defaultRowHeight="15"/>'
SHEET_END = (
    '<printOptions horizontalCentered="1"/>'
    '<pageMargins left="0.75" right="0.75" top="1" bottom="1" header="0.5" footer="0.5"/>'
    '<pageSetup orientation="landscape" paperSize="9" fitToHeight="0" fitToWidth="1"/>'
    "<headerFooter><oddHeader></oddHeader><oddFooter>&amp;C&amp;P / &amp;N</oddFooter>"
    "<evenHeader></evenHeader><evenFooter></evenFooter><firstHeader></firstHeader>"
    "<firstFooter></firstFooter></headerFooter></worksheet>"
)
# A cell without a value, as openpyxl writes it after its r and s attributes (typed as a number).
EMPTY_CELL = ' t="n"></c>'


class SheetXml:
    """A sheet as the XML openpyxl's sheet writer (with lxml) writes for SheetCells' cells and
    settings, made without its objects; only what the workbook's own XML needs of the sheet (the
    print titles and filter, named in workbook.xml) is set on the openpyxl sheet.

    The rows are kept as given and turned into XML when the workbook is saved, part by part, each
    part deflated while the next is made (see ZipStream). That is also where openpyxl numbers the
    cells' styles: a cell's s attribute is its style's place in the workbook's list of cell
    styles, which openpyxl fills as it writes cell after cell.
    """

    def __init__(self, ws: Worksheet, styles: CellStyles) -> None:
        self.ws = ws
        self.styles = styles
        # Row number, values, looks, and the height or the widths to fit it to.
        self.rows: list[
            tuple[int, Sequence[str | int], Sequence[Look], float | None, Sequence[float]]
        ]
        self.rows = []
        self.merged: list[tuple[int, int]] = []  # (row, last column) of each merged title line
        self.views = self.cols = self.filter = ""
        self.finished = False

    def row(
        self,
        row: int,
        values: Sequence[str | int],
        looks: Sequence[Look],
        *,
        height: float | None = None,
        fit: Sequence[float] = (),
    ) -> None:
        if self.rows and row <= self.rows[-1][0]:
            raise ValueError(f"row {row} after row {self.rows[-1][0]}: rows go in order")
        if len(values) != len(looks):
            raise ValueError(f"{len(values)} values but {len(looks)} looks in row {row}")
        # Each new look is worked out now, filling the workbook's style lists in the order
        # SheetCells.put fills them, cell after cell.
        known = self.styles.arrays
        for look in looks:
            if look.name not in known:
                self.styles.array(self.ws, look)
        self.rows.append((row, values, looks, height, fit))

    def merge(self, row: int, count: int) -> None:
        self.merged.append((row, count))

    def finish(
        self,
        *,
        header_row: int,
        last_row: int,
        widths: Sequence[float],
        frozen_column: int,
        filter_rows: bool = True,
    ) -> None:
        """SheetCells.finish's settings as openpyxl writes them; the filter and print titles are
        also set on the openpyxl sheet, as workbook.xml names them."""
        self.cols = "".join(
            f'<col width="{safe_string(float(width))}" customWidth="1" min="{n}" max="{n}"/>'
            for n, width in enumerate(widths, start=1)
        )
        self.views = _sheet_views(header_row, frozen_column)
        if filter_rows and last_row > header_row:
            self.filter = f"A{header_row}:{get_column_letter(len(widths))}{last_row}"
            self.ws.auto_filter.ref = self.filter
        self.ws.print_title_rows = f"{header_row}:{header_row}"
        self.finished = True

    def dimension(self) -> str:
        """The used range, as Worksheet.calculate_dimension gives it for SheetCells' cells (the
        merged cells of a title line among them)."""
        if not self.rows:
            return "A1:A1"
        width = max([len(values) for _, values, *_ in self.rows] + [n for _, n in self.merged])
        return f"A{self.rows[0][0]}:{get_column_letter(width)}{self.rows[-1][0]}"

    def parts(
        self, cell_styles: IndexedList[StyleArray], size: int = 1 << 16, largest: int = 1 << 19
    ) -> Iterator[bytes]:
        """The sheet's XML in parts, numbering its styles in the workbook's `cell_styles` as
        openpyxl does while it writes the sheet. The first part holds about `size` characters of
        cells, so that deflating starts soon; each next one twice as many up to `largest`, as
        each part costs the deflating thread a wait for the GIL (up to 5 ms) or two."""
        if not self.finished:
            raise ValueError("a sheet is written as XML only once finish() has set it up")
        width = max(len(values) for _, values, *_ in self.rows)
        letters = [get_column_letter(column) for column in range(1, width + 1)]
        styles: dict[tuple[str, bool], str] = {}  # (look, quote prefix) → s attribute
        # Registers repeat their values (posts, levels, measures): each is made into XML once.
        made: dict[str | int, tuple[str | int | None, bool, str]] = {}
        parts = [SHEET_START, f'<dimension ref="{self.dimension()}"/>', self.views, SHEET_FORMAT]
        parts += ["<cols>", self.cols, "</cols><sheetData>"]
        written = 0
        for row, values, looks, height, fit in self.rows:
            cells, held = [], []
            for letter, value, look in zip(letters, values, looks, strict=False):
                cell = made.get(value)
                if cell is None:
                    cell = made[value] = _cell_xml(value)
                stored, quote, xml = cell
                style = styles.get((look.name, quote))
                if style is None:
                    style = styles[(look.name, quote)] = self.style(look, quote, cell_styles)
                held.append(stored)
                # A cell without style or value is left out, as openpyxl does (every look here
                # has a style, but the rule is kept).
                if style or xml is not EMPTY_CELL:
                    cells.append(f'<c r="{letter}{row}"{style}{xml}')
                    written += len(xml)
            if height is None:
                height = _row_height(held, fit)
            # (RowDimension.ht holds a float, written by safe_string.)
            parts.append(f'<row r="{row}" ht="{safe_string(float(height))}" customHeight="1">')
            parts += cells
            parts.append("</row>")
            if written > size:
                yield "".join(parts).encode()
                parts, written, size = [], 0, min(2 * size, largest)
        parts.append("</sheetData>")
        if self.filter:
            parts.append(f'<autoFilter ref="{self.filter}"/>')
        if self.merged:
            parts.append(_merge_cells(self.merged))
        parts.append(SHEET_END)
        yield "".join(parts).encode()

    def style(self, look: Look, quote: bool, cell_styles: IndexedList[StyleArray]) -> str:
        """The s attribute of a cell with `look` (and the quote prefix or not): SheetCells.put's
        style, numbered as openpyxl numbers it when it writes the cell."""
        array = copy(self.styles.arrays[look.name])
        if quote:
            array.quotePrefix = True
        return f' s="{cell_styles.add(array)}"' if any(array) else ""


def _sheet_views(header_row: int, frozen_column: int) -> str:
    """<sheetViews> as openpyxl writes it once freeze_panes is set to the cell below the header in
    `frozen_column` (below row 1 at least, as the title comes first: the pane always splits rows).
    """
    top_left = f"{get_column_letter(frozen_column)}{header_row + 1}"
    if frozen_column > 1:
        pane = (
            f'<pane xSplit="{frozen_column - 1}" ySplit="{header_row}" topLeftCell="{top_left}"'
            ' activePane="bottomRight" state="frozen"/><selection pane="topRight"/>'
            '<selection pane="bottomLeft"/>'
            '<selection pane="bottomRight" activeCell="A1" sqref="A1"/>'
        )
    else:
        pane = (
            f'<pane ySplit="{header_row}" topLeftCell="{top_left}" activePane="bottomLeft"'
            ' state="frozen"/><selection pane="bottomLeft" activeCell="A1" sqref="A1"/>'
        )
    return f'<sheetViews><sheetView workbookViewId="0">{pane}</sheetView></sheetViews>'


def _merge_cells(merged: Sequence[tuple[int, int]]) -> str:
    """<mergeCells> in openpyxl's order: that of its set of ranges (ws.merged_cells), so the set
    is made the same way."""
    ranges = MultiCellRange()
    for row, count in merged:
        ranges.add(CellRange(min_col=1, min_row=row, max_col=count, max_row=row))
    refs = [f'<mergeCell ref="{cell_range.coord}"/>' for cell_range in ranges]
    return f'<mergeCells count="{len(refs)}">{"".join(refs)}</mergeCells>'


def _cell_xml(value: str | int) -> tuple[str | int | None, bool, str]:
    """What SheetCells.put stores for `value`, whether the cell gets the quote prefix, and the
    cell's XML after its r and s attributes as openpyxl's lxml cell writer writes it."""
    if isinstance(value, int) or INTEGER.fullmatch(value):
        number = int(value)
        return number, False, f' t="n"><v>{safe_string(number)}</v></c>'
    text = _cell_text(value)
    if not text:
        return None, False, EMPTY_CELL
    escaped = lxml_text(text)
    space = ' xml:space="preserve"' if text != text.strip() else ""
    xml = f' t="inlineStr"><is><t{space}>{escaped}</t></is></c>'
    return text, text.startswith(FORMULA_LEADS), xml


def _cell_text(value: str) -> str:
    text = xml_text(value)
    return text if len(text) <= MAX_CELL else text[: MAX_CELL - 1] + "…"


def _row_height(values: Sequence[object], widths: Sequence[float]) -> float:
    """Height of a row of cells holding `values`, fitting the wrapped text: set because not
    every program fits rows on opening."""
    lines = 1
    for value, width in zip(values, widths, strict=False):
        if not value:  # no text: one line
            continue
        text = value if isinstance(value, str) else str(value)
        # A character is at most two columns wide, so a line that could not need more lines
        # than the row has already (most cells of a row: one text is the longest) needs no
        # measuring.
        if "\n" in text or -(-len(text) * 2 // int(max(width - 1, 1.0))) > lines:
            lines = max(lines, wrapped_lines(text, width - 1))
    return lines * LINE_HEIGHT + 3


# ── the workbook ────────────────────────────────────────────────────────────────────────────


def save(workbook: Workbook, title: str, xml_sheets: dict[Worksheet, SheetXml]) -> bytes:
    """The workbook's bytes, the same for the same content on any day."""
    properties = workbook.properties
    properties.creator = properties.lastModifiedBy = AUTHOR
    properties.title = xml_text(title)
    properties.created = properties.modified = properties.lastPrinted = FIXED_TIME
    # ExcelWriter, not Workbook.save: save() stamps the modified time with the clock.
    if not xml_sheets:  # every sheet through openpyxl: to a zip, then normalised
        buffer = io.BytesIO()
        # Stored, not deflated: normalise_zip compresses every entry again.
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_STORED) as archive:
            ExcelWriter(workbook, archive).write_data()
        return normalise_zip(buffer.getvalue())
    with ZipStream() as stream:  # the same zip, deflated as the sheets' XML is made
        XmlSheetsWriter(workbook, stream, xml_sheets).write_data()
    return stream.getvalue()


class XmlSheetsWriter(ExcelWriter):
    """openpyxl's workbook writer, taking the XML of the sheets written as SheetXml."""

    def __init__(
        self, workbook: Workbook, archive: ZipStream, xml_sheets: dict[Worksheet, SheetXml]
    ) -> None:
        # (ZipStream has what ExcelWriter uses of a ZipFile.)
        super().__init__(workbook, archive)  # type: ignore[arg-type]
        self.stream = archive
        self.xml_sheets = xml_sheets

    def write_worksheet(self, ws: Worksheet) -> None:
        sheet = self.xml_sheets.get(ws)
        if sheet is None:
            super().write_worksheet(ws)
            return
        # What ExcelWriter.write_worksheet (openpyxl 3.1) leaves on the sheet for the rest of
        # the workbook: no drawing, and no relationships (no links, comments or tables).
        # (These are attributes of openpyxl's sheets that its type stubs leave out.)
        ws._drawing = SpreadsheetDrawing()  # type: ignore[attr-defined]
        ws._drawing.charts = ws._charts  # type: ignore[attr-defined]
        ws._drawing.images = ws._images  # type: ignore[attr-defined]
        ws._rels = RelationshipList()  # type: ignore[attr-defined]
        cell_styles = self.workbook._cell_styles  # type: ignore[attr-defined]
        self.stream.stream(ws.path[1:], sheet.parts(cell_styles))
        self.manifest.append(ws)
