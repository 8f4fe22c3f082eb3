"""A ledger as a grid of text: XLSX or CSV read, merged cells filled, the header row found.

Offices lay their ledgers out for print, not for machines: a title merged across the table, a
label: value line, sometimes a two-row header where a merged top cell (风险等级, 防控措施) spans
sub-columns, and a 部门 cell merged down over the rows it applies to. Everything here turns that
back into one header per column and one row per record, keeping the sheet's row numbers so that
every later message can point at the row a person has to fix.
"""

from __future__ import annotations

import codecs
import csv
import io
import unicodedata
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, time
from pathlib import Path
from typing import Any

from openpyxl.utils import get_column_letter

from lianneng.ingest import IngestError
from lianneng.problems import Message, bilingual

Recognise = Callable[[str], bool]
"""True if a header text names a known column (of any kind of record this tool imports)."""

XLSX_SUFFIXES = (".xlsx", ".xlsm")
CSV_SUFFIXES = (".csv", ".txt")
HEADER_SCAN = 30  # a header further down than this is not a ledger's header
MIN_KNOWN = 2  # "several cells match": one known word alone is often a title or a note
CSV_DELIMITERS = (",", "\t", ";")


@dataclass(frozen=True)
class Span:
    """A merged range, 0-based and inclusive."""

    top: int
    left: int
    bottom: int
    right: int


@dataclass
class Grid:
    """One sheet as text. `own` is False where a value was copied in from a merged range."""

    source: Path
    sheet: str | None  # None for CSV
    encoding: str | None  # CSV only: how the bytes were decoded
    text: list[list[str]]
    own: list[list[bool]]
    spans: list[Span] = field(default_factory=list)
    merges_known: bool = True  # False for CSV: a merged header shows as blank cells instead
    simplified: bool = False  # read from traditional script, converted to the register's simplified

    @property
    def width(self) -> int:
        return max((len(row) for row in self.text), default=0)

    def cell(self, row: int, column: int) -> str:
        if row >= len(self.text) or column >= len(self.text[row]):
            return ""
        return self.text[row][column]


@dataclass(frozen=True)
class Header:
    """A column's header: its text, and under a spanning top cell, the sub-header's text too."""

    column: int  # 0-based
    parts: tuple[str, ...]

    @property
    def letter(self) -> str:
        return get_column_letter(self.column + 1)

    @property
    def text(self) -> str:
        return "/".join(self.parts)


@dataclass(frozen=True)
class DataRow:
    number: int  # the sheet's own row number (1-based), as the person sees it
    values: tuple[str, ...]
    own: tuple[bool, ...]

    def value(self, column: int) -> str:
        return self.values[column] if column < len(self.values) else ""


@dataclass
class Table:
    grid: Grid
    header_rows: tuple[int, ...]  # 1-based
    headers: list[Header]
    rows: list[DataRow]
    banners: list[int] = field(default_factory=list)
    """Rows below the header merged across the whole table (a section title, a signature line)."""
    other_sheets: list[str] = field(default_factory=list)

    def where(self) -> Message:
        name = self.grid.source.name
        if self.grid.sheet is None:
            zh, en = f"{name}(编码 {self.grid.encoding})", f"{name} (encoding {self.grid.encoding})"
        else:
            zh, en = f"{name} 工作表“{self.grid.sheet}”", f"{name}, sheet '{self.grid.sheet}'"
        if self.grid.simplified:
            zh, en = zh + "(繁体,已转为简体)", en + " (traditional script, read as simplified)"
        return bilingual(zh, en)


# ── reading ────────────────────────────────────────────────────────────────────────────────


def read_table(path: Path, sheet: str | None, recognise: Recognise) -> Table:
    """The table of `path` (the named sheet, or the first sheet with a header row)."""
    suffix = path.suffix.lower()
    if suffix in XLSX_SUFFIXES:
        grids = read_xlsx(path, sheet)
    elif suffix in CSV_SUFFIXES:
        if sheet is not None:
            raise IngestError("CSV 文件没有工作表,不能用 --sheet", "a CSV file has no sheets")
        grids = [read_csv(path, recognise)]
    elif suffix == ".xls":
        raise IngestError(
            f"{path.name}:不支持旧版 .xls 文件;请在 Excel 或 WPS 中另存为 .xlsx 或 CSV",
            f"{path.name}: old .xls files are not read; save it as .xlsx or CSV",
        )
    else:
        raise IngestError(
            f"{path.name}:只能导入 .xlsx 或 .csv 文件", f"{path.name}: only .xlsx or .csv files"
        )
    for grid in grids:
        table = _best_table(grid, recognise)
        if table is not None:
            table.other_sheets = [g.sheet for g in grids if g.sheet and g is not grid]
            return table
    where = f"{path.name} 工作表“{grids[0].sheet}”" if sheet else path.name
    raise IngestError(
        f"{where}:前 {HEADER_SCAN} 行中找不到表头行(至少两个可识别的列名,"
        "如 风险点、风险等级、防控措施 或 事项名称、设定依据);可用 --mapping 指明列名",
        f"{path.name}: no header row in the first {HEADER_SCAN} rows (two or more known column "
        "names such as 风险点, 风险等级, 防控措施 or 事项名称, 设定依据); see --mapping",
    )


def read_xlsx(path: Path, sheet: str | None) -> list[Grid]:
    """The workbook's sheets as grids (only `sheet` when given), merged ranges filled."""
    from openpyxl import load_workbook
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        # read_only is off: only then does openpyxl know the merged ranges.
        workbook = load_workbook(path, read_only=False, data_only=True)
    except (InvalidFileException, zipfile.BadZipFile, KeyError, ValueError, OSError) as exc:
        raise IngestError(
            f"{path.name}:无法作为 .xlsx 读取({type(exc).__name__})",
            f"{path.name}: cannot be read as .xlsx ({type(exc).__name__})",
        ) from None
    sheets = workbook.worksheets
    if sheet is not None:
        chosen = [ws for ws in sheets if ws.title == sheet] or [
            ws for ws in sheets if _loose(ws.title) == _loose(sheet)
        ]
        if not chosen:
            names = "、".join(ws.title for ws in sheets)
            raise IngestError(
                f"{path.name} 中没有工作表“{sheet}”;现有:{names}",
                f"{path.name} has no sheet '{sheet}'; it has: {names}",
            )
        sheets = chosen[:1]
    return [_sheet_grid(path, ws) for ws in sheets]


def _loose(name: str) -> str:
    return unicodedata.normalize("NFKC", name).strip().casefold()


def _sheet_grid(path: Path, ws: Any) -> Grid:
    text = [[cell_text(value) for value in row] for row in ws.iter_rows(values_only=True)]
    own = [[bool(value) for value in row] for row in text]
    spans = []
    for merged in ws.merged_cells.ranges:
        span = Span(merged.min_row - 1, merged.min_col - 1, merged.max_row - 1, merged.max_col - 1)
        spans.append(span)
        _fill(text, own, span)
    return _trimmed(Grid(path, ws.title, None, text, own, spans))


def _fill(text: list[list[str]], own: list[list[bool]], span: Span) -> None:
    """Copy a merged range's value into each of its cells: a 部门 merged down over three rows
    applies to each of them."""
    _ensure(text, own, span.bottom + 1, span.right + 1)
    value = text[span.top][span.left]
    for row in range(span.top, span.bottom + 1):
        for column in range(span.left, span.right + 1):
            if (row, column) != (span.top, span.left):
                text[row][column] = value
                own[row][column] = False


def _ensure(text: list[list[str]], own: list[list[bool]], rows: int, columns: int) -> None:
    while len(text) < rows:
        text.append([])
        own.append([])
    for row_text, row_own in zip(text, own, strict=True):
        row_text.extend([""] * (columns - len(row_text)))
        row_own.extend([False] * (columns - len(row_own)))


def _trimmed(grid: Grid) -> Grid:
    """Without the empty rows and columns after the data, every row as wide as the widest."""
    last_row = max((n for n, row in enumerate(grid.text) if any(row)), default=-1)
    last_column = max((c for row in grid.text for c, value in enumerate(row) if value), default=-1)
    grid.text = [row[: last_column + 1] for row in grid.text[: last_row + 1]]
    grid.own = [row[: last_column + 1] for row in grid.own[: last_row + 1]]
    _ensure(grid.text, grid.own, len(grid.text), last_column + 1)
    return grid


def cell_text(value: object) -> str:
    """A cell's value as the text a person sees: 3.0 as 3, a date as 2026-03-31."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == time() else value.isoformat(sep=" ")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    text = str(value).replace("_x000D_", "").replace("\r\n", "\n").replace("\r", "\n")
    return "\n".join(line.rstrip() for line in text.strip().split("\n"))


def read_csv(path: Path, recognise: Recognise) -> Grid:
    """A CSV as a grid: UTF-8 (with or without BOM), else GBK/GB18030 as Excel saves it in China;
    the delimiter is the one under which the header is recognised best."""
    text, encoding = decode(path.read_bytes(), path.name)
    best: tuple[int, Grid] | None = None
    for delimiter in CSV_DELIMITERS:
        rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))
        cells = [[cell_text(value) for value in row] for row in rows]
        grid = _trimmed(
            Grid(path, None, encoding, cells, [[bool(v) for v in row] for row in cells])
        )
        grid.merges_known = False
        score = max((_known_count(row, recognise) for row in grid.text[:HEADER_SCAN]), default=0)
        if best is None or score > best[0]:
            best = (score, grid)
    assert best is not None
    return best[1]


def decode(data: bytes, name: str) -> tuple[str, str]:
    """The text of a CSV file and the encoding it was read with."""
    if data.startswith(codecs.BOM_UTF8):
        try:
            return data[len(codecs.BOM_UTF8) :].decode("utf-8"), "UTF-8(BOM)"
        except UnicodeDecodeError:
            pass
    elif data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return data.decode("utf-16"), "UTF-16"  # Excel's "Unicode text" export
    else:
        try:
            return data.decode("utf-8"), "UTF-8"
        except UnicodeDecodeError:
            pass
    try:
        # GB18030 is a superset of GBK and GB2312: every GBK file decodes the same way.
        return data.decode("gb18030"), "GBK/GB18030"
    except UnicodeDecodeError as exc:
        raise IngestError(
            f"{name}:既不是 UTF-8 也不是 GBK/GB18030 编码(第 {exc.start} 字节);请另存为 UTF-8",
            f"{name}: neither UTF-8 nor GBK/GB18030 (byte {exc.start}); save it as UTF-8",
        ) from None


def _best_table(grid: Grid, recognise: Recognise) -> Table | None:
    """The table as read, or read in simplified script when that knows more of its headers
    (危害程度 and 防控措施 are written alike in both scripts; 風險點 is not)."""
    table = find_table(grid, recognise)
    if table is not None and _known_headers(table, recognise) == len(
        [h for h in table.headers if h.parts]
    ):
        return table
    converted = find_table(simplified(grid), recognise)
    if converted is None:
        return table
    if table is None or _known_headers(converted, recognise) > _known_headers(table, recognise):
        return converted
    return table


def _known_headers(table: Table, recognise: Recognise) -> int:
    return sum(1 for h in table.headers if any(recognise(part) for part in h.parts))


def simplified(grid: Grid) -> Grid:
    """The grid in simplified script: a ledger published in traditional script (seed 004 asks for
    it) names departments and posts the way the register spells them only once converted back."""
    import opencc

    convert = opencc.OpenCC("tw2s").convert  # the inverse of the s2tw that publishing uses
    text = [[convert(value) if value else value for value in row] for row in grid.text]
    return Grid(
        grid.source,
        grid.sheet,
        grid.encoding,
        text,
        grid.own,
        grid.spans,
        grid.merges_known,
        simplified=True,
    )


# ── the header ─────────────────────────────────────────────────────────────────────────────


def _known_count(row: list[str], recognise: Recognise) -> int:
    return len({value for value in row if value and recognise(value)})


def find_table(grid: Grid, recognise: Recognise) -> Table | None:
    """The table below the first row where several cells are known headers; None if none is."""
    for row in range(min(len(grid.text), HEADER_SCAN)):
        if _known_count(grid.text[row], recognise) >= MIN_KNOWN:
            return _table(grid, row, recognise)
    return None


def _table(grid: Grid, header: int, recognise: Recognise) -> Table:
    groups = _groups(grid, header)
    tops = _tops(grid, header, groups)
    sub = header + 1 if _is_sub_header(grid, header, groups, tops, recognise) else None
    if sub is None and not grid.merges_known:
        # Without a sub-header row, a blank CSV header is an unnamed column, not a span.
        groups, tops = [], [grid.cell(header, c) for c in range(grid.width)]
    grouped = {column for left, right in groups for column in range(left, right + 1)}
    headers = []
    for column in range(grid.width):
        top = tops[column]
        parts: tuple[str, ...] = (top,) if top else ()
        if sub is not None and column in grouped:
            below = grid.cell(sub, column)
            if below and below != top:
                parts = (*parts, below)
        headers.append(Header(column, parts))
    first = (sub if sub is not None else header) + 1
    rows, banners = _data_rows(grid, first, headers)
    numbers = (header + 1,) if sub is None else (header + 1, sub + 1)
    return Table(grid, numbers, headers, rows, banners)


def _groups(grid: Grid, row: int) -> list[tuple[int, int]]:
    """Column ranges under one header cell spanning several columns in `row`."""
    if grid.merges_known:
        return sorted(
            (span.left, span.right)
            for span in grid.spans
            if span.top <= row <= span.bottom and span.left < span.right
        )
    # A CSV cannot merge: the spanning text stands in its first cell, the rest are blank and
    # the row below names the sub-columns.
    groups = []
    column = 0
    while column < grid.width:
        end = column
        if grid.cell(row, column):
            while (
                end + 1 < grid.width and not grid.cell(row, end + 1) and grid.cell(row + 1, end + 1)
            ):
                end += 1
        if end > column:
            groups.append((column, end))
        column = end + 1
    return groups


def _tops(grid: Grid, row: int, groups: list[tuple[int, int]]) -> list[str]:
    tops = [grid.cell(row, column) for column in range(grid.width)]
    for left, right in groups:
        for column in range(left + 1, right + 1):
            tops[column] = tops[column] or tops[left]
    return tops


def _is_sub_header(
    grid: Grid,
    row: int,
    groups: list[tuple[int, int]],
    tops: list[str],
    recognise: Recognise,
) -> bool:
    """Whether the row below names sub-columns: it has text only under spanning cells (or the
    same text as above, where a single header is merged down over both rows)."""
    below = row + 1
    if not groups or below >= len(grid.text):
        return False
    grouped = {column for left, right in groups for column in range(left, right + 1)}
    named = False
    for column in range(grid.width):
        text = grid.cell(below, column)
        if column in grouped:
            named = named or bool(text and text != tops[column])
        elif text and text != tops[column]:
            return False  # text under a single header: this is a data row
    singles = [c for c in range(grid.width) if c not in grouped and tops[c]]
    known = any(recognise(grid.cell(below, c)) for c in grouped)
    return named and (bool(singles) or known)


def _data_rows(grid: Grid, first: int, headers: list[Header]) -> tuple[list[DataRow], list[int]]:
    named = [h.column for h in headers if h.parts]
    left, right = (min(named), max(named)) if named else (0, grid.width - 1)
    rows: list[DataRow] = []
    banners: list[int] = []
    for index in range(first, len(grid.text)):
        values = grid.text[index]
        if not any(values):
            continue  # an empty row in the middle says nothing
        if _is_banner(grid, index, left, right):
            banners.append(index + 1)
            continue
        rows.append(DataRow(index + 1, tuple(values), tuple(grid.own[index])))
    return rows, banners


def _is_banner(grid: Grid, row: int, left: int, right: int) -> bool:
    """One merged cell across the whole table: a section title or a 填表人 line, not a record."""
    return any(
        span.top <= row <= span.bottom and span.left <= left and span.right >= right
        for span in grid.spans
    )
