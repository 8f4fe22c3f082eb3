"""XLSX: each table of a document on its own sheet, ready to filter, print and file.

A sheet holds a merged title row, the form's label: value line when the table heads a form, a
bold header row, then the data. Every value is written as text or a plain integer, never as a
formula, so a register entry such as "=HYPERLINK(…)" reaches the reader as the words typed.
"""

from __future__ import annotations

import io
import re
import unicodedata
import zipfile
from collections.abc import Iterator, Sequence
from copy import copy
from dataclasses import dataclass

from openpyxl import Workbook
from openpyxl.cell.cell import Cell
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.styles.cell_style import StyleArray
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.properties import PageSetupProperties
from openpyxl.worksheet.worksheet import Worksheet
from openpyxl.writer.excel import ExcelWriter

from lianneng.publish.blocks import Document, Fields, HeatMap, PageBreak, Table
from lianneng.publish.formats.ooxml import (
    AUTHOR,
    FIXED_TIME,
    column_count,
    column_widths,
    heat_fill,
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
        worksheet = workbook.create_sheet(names.claim(title))
        if isinstance(sheet.block, Table):
            writer.table(worksheet, sheet.block, sheet.fields)
        else:
            writer.heat_map(worksheet, sheet.block)
    if not workbook.worksheets:  # a workbook needs a sheet; say what the document is
        writer.title_rows(workbook.create_sheet(names.claim(document.title)), 1)
    return save(workbook, document.title)


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


class SheetWriter:
    """Writes the sheets of one document: shared title, fonts and language."""

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

    # ── tables ──────────────────────────────────────────────────────────────────────────────

    def table(self, ws: Worksheet, table: Table, fields: Fields | None) -> None:
        count = column_count(table.columns, table.rows)
        header = padded(table.columns, count)
        rows = [padded(row, count) for row in table.rows]
        widths = column_widths(table.widths, header, rows, count)
        row = self.title_rows(ws, count, widths)
        if fields is not None and fields.items:
            row = self.fields_row(ws, fields, row, count, widths)
        self.header_row(ws, row, header, widths)
        looks = [self.data] * count
        for offset, values in enumerate(rows, start=1):
            self.data_row(ws, row + offset, values, widths, looks)
        _finish(ws, header_row=row, last_row=row + len(rows), widths=widths, frozen_column=1)

    def title_rows(self, ws: Worksheet, count: int, widths: Sequence[float] = ()) -> int:
        """The document title (and subtitle) merged across the sheet; returns the next row."""
        total = sum(widths) or 40.0
        for row, text in enumerate(self.titles, start=1):
            self.put(ws, row, 1, text, self.heading if row == 1 else self.subheading)
            if count > 1:
                ws.merge_cells(start_row=row, start_column=1, end_row=row, end_column=count)
            size = 14 if row == 1 else 11
            ws.row_dimensions[row].height = wrapped_lines(text, total / (size / 11)) * size * 1.5
        return len(self.titles) + 1

    def fields_row(
        self, ws: Worksheet, fields: Fields, row: int, count: int, widths: Sequence[float]
    ) -> int:
        """The form's heading line, 部门名称：… 填表日期：…, merged across the sheet."""
        colon, gap = (": ", "    ") if self.lang == "en" else ("：", "\u3000\u3000")
        text = gap.join(f"{label}{colon}{value}" for label, value in fields.items)
        cell = self.put(ws, row, 1, text, self.form_line)
        if count > 1:
            ws.merge_cells(start_row=row, start_column=1, end_row=row, end_column=count)
        ws.row_dimensions[row].height = _height([cell], [sum(widths)])
        return row + 1

    def header_row(
        self, ws: Worksheet, row: int, values: Sequence[str], widths: Sequence[float]
    ) -> None:
        cells = [
            self.put(ws, row, column, value, self.head)
            for column, value in enumerate(values, start=1)
        ]
        ws.row_dimensions[row].height = _height(cells, widths)

    def data_row(
        self,
        ws: Worksheet,
        row: int,
        values: Sequence[str | int],
        widths: Sequence[float],
        looks: Sequence[Look],
    ) -> None:
        cells = [
            self.put(ws, row, column, value, look)
            for column, (value, look) in enumerate(zip(values, looks, strict=True), start=1)
        ]
        ws.row_dimensions[row].height = _height(cells, widths)

    # ── heat map ────────────────────────────────────────────────────────────────────────────

    def heat_map(self, ws: Worksheet, heat: HeatMap) -> None:
        count = len(heat.columns) + 1
        corner = " \\ ".join(label for label in (heat.row_label, heat.column_label) if label)
        header = [corner, *heat.columns]
        grid = [
            padded([label, *(str(n) for n in counts)], count)
            for label, counts in zip(heat.rows, heat.counts, strict=False)
        ]
        widths = [max(w, 8.0) for w in column_widths((), header, grid, count)]
        row = self.title_rows(ws, count, widths)
        self.header_row(ws, row, header, widths)
        maximum = max((n for counts in heat.counts for n in counts), default=0)
        for offset, (label, counts) in enumerate(zip(heat.rows, heat.counts, strict=False), 1):
            values: list[str | int] = [label, *counts]
            looks = [self.heat_label, *(self.heat_cell(n, maximum) for n in counts)]
            missing = count - len(values)
            self.data_row(
                ws, row + offset, values + [""] * missing, widths, looks + [self.data] * missing
            )
        _finish(
            ws,
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

    # ── cells ───────────────────────────────────────────────────────────────────────────────

    def put(self, ws: Worksheet, row: int, column: int, value: str | int, look: Look) -> Cell:
        """Write one value as data: integers as numbers, everything else as literal text."""
        cell = ws.cell(row=row, column=column)
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


def _cell_text(value: str) -> str:
    text = xml_text(value)
    return text if len(text) <= MAX_CELL else text[: MAX_CELL - 1] + "…"


def _height(cells: Sequence[Cell], widths: Sequence[float]) -> float:
    """Row height fitting the wrapped text, set because not every program fits rows on opening."""
    lines = max(
        (
            wrapped_lines(str(cell.value or ""), width - 1)
            for cell, width in zip(cells, widths, strict=False)
        ),
        default=1,
    )
    return lines * LINE_HEIGHT + 3


def _finish(
    ws: Worksheet,
    *,
    header_row: int,
    last_row: int,
    widths: Sequence[float],
    frozen_column: int,
    filter_rows: bool = True,
) -> None:
    """Widths, frozen header, filter and print setup: landscape A4, one page wide."""
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


def save(workbook: Workbook, title: str) -> bytes:
    """The workbook's bytes, the same for the same content on any day."""
    properties = workbook.properties
    properties.creator = properties.lastModifiedBy = AUTHOR
    properties.title = xml_text(title)
    properties.created = properties.modified = properties.lastPrinted = FIXED_TIME
    buffer = io.BytesIO()
    # ExcelWriter, not Workbook.save: save() stamps the modified time with the clock. Stored,
    # not deflated: normalise_zip compresses every entry again, so compressing here is wasted.
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_STORED) as archive:
        ExcelWriter(workbook, archive).write_data()
    return normalise_zip(buffer.getvalue())
