"""DOCX: a document for Word and WPS — forms as real tables, rules and letters as formatted text.

Users' Markdown bodies are rendered from a small, fixed subset (headings, paragraphs, lists,
bold, [[id]] links, fenced code); anything else, HTML included, stays the literal text typed.
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from itertools import islice

import docx
from docx.document import Document as WordDocument
from docx.enum.section import WD_ORIENT
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK
from docx.opc.constants import RELATIONSHIP_TYPE
from docx.oxml import OxmlElement
from docx.oxml.ns import nsmap, qn
from docx.oxml.parser import element_class_lookup
from docx.oxml.xmlchemy import BaseOxmlElement
from docx.shared import Emu, Length, Mm, Pt, RGBColor
from docx.styles.style import ParagraphStyle
from docx.table import Table as WordTable
from docx.table import _Cell
from docx.text.paragraph import Paragraph as WordParagraph
from lxml import etree  # type: ignore[import-untyped,unused-ignore]  # no stubs

from lianneng.check.markdown import FENCE, HEADING, LINK
from lianneng.publish.blocks import (
    Block,
    Body,
    Document,
    Fields,
    FlowChart,
    Heading,
    HeatMap,
    PageBreak,
    Paragraph,
    Table,
)
from lianneng.publish.formats.ooxml import (
    AUTHOR,
    FIXED_TIME,
    ZipStream,
    char_width,
    column_count,
    column_widths,
    heat_fill,
    lxml_text,
    padded,
    title_line,
    xml_text,
)
from lianneng.publish.labels import label

LATIN_FONT = "Times New Roman"
BODY_FONT = "宋体"  # SimSun: the body face of Chinese official documents
HEADING_FONT = "黑体"  # SimHei: their heading face
CODE_FONT = "Courier New"
HEADING_SIZES = {1: 16, 2: 15, 3: 14}  # points; deeper levels use the body size
BODY_SIZE, TABLE_SIZE, TITLE_SIZE = 12, 10.5, 18  # 小四, 五号, 小二
HEADER_FILL = "D9E1F2"
TABLE_STYLE = "Table Text"
PORTRAIT_COLUMNS = 6  # more columns than this and the pages turn landscape

BULLET = re.compile(r"^( *)[-*+][ \t]+(.*)$")
ORDERED = re.compile(r"^( *)([0-9]{1,9}[.)])[ \t]+(.*)$")
BOLD = re.compile(r"\*\*(?=\S)(.+?)(?<=\S)\*\*")


def render_docx(document: Document, *, unit: str, lang: str) -> bytes:
    word = docx.Document()
    setup(word, lang, landscape=_is_wide(document))
    writer = Writer(word, lang, splice=True)
    writer.title(title_line(document.title, unit, lang), document.subtitle)
    for block in document.blocks:
        writer.block(block)
    return save(word, document.title, lang, writer.spliced)


def _is_wide(document: Document) -> bool:
    for block in document.blocks:
        if isinstance(block, Table) and column_count(block.columns, block.rows) > PORTRAIT_COLUMNS:
            return True
        if isinstance(block, HeatMap) and len(block.columns) + 1 > PORTRAIT_COLUMNS:
            return True
    return False


# ── page, styles and fonts ───────────────────────────────────────────────────────────────────


def setup(word: WordDocument, lang: str, *, landscape: bool) -> None:
    """A4 pages with page numbers; Chinese faces on every style the document uses."""
    section = word.sections[0]
    short, long = Mm(210), Mm(297)
    section.orientation = WD_ORIENT.LANDSCAPE if landscape else WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = (long, short) if landscape else (short, long)
    section.top_margin = section.bottom_margin = Mm(25)
    section.left_margin = section.right_margin = Mm(20)
    _page_numbers(section.footer.paragraphs[0])
    _fonts(word, lang)
    table_text = word.styles.add_style(TABLE_STYLE, WD_STYLE_TYPE.PARAGRAPH)
    assert isinstance(table_text, ParagraphStyle)
    table_text.base_style = word.styles["Normal"]
    table_text.font.size = Pt(TABLE_SIZE)
    table_text.paragraph_format.space_after = Pt(0)
    table_text.paragraph_format.line_spacing = 1.0


def _fonts(word: WordDocument, lang: str) -> None:
    defaults = word.styles.element.find(f"{qn('w:docDefaults')}/{qn('w:rPrDefault')}/{qn('w:rPr')}")
    if defaults is not None:
        _set_faces(defaults, LATIN_FONT, BODY_FONT)
        language = defaults.find(qn("w:lang"))
        if language is not None:
            language.set(qn("w:val"), "en-US" if lang == "en" else "zh-CN")
            language.set(qn("w:eastAsia"), "zh-CN")
    normal = word.styles["Normal"]
    normal.font.size = Pt(BODY_SIZE)
    _set_faces(_rpr(normal.element), LATIN_FONT, BODY_FONT)
    for level in range(1, 10):
        style = word.styles[f"Heading {level}"]
        _set_faces(_rpr(style.element), LATIN_FONT, HEADING_FONT)
        style.font.color.rgb = RGBColor(0, 0, 0)  # black, as official documents are printed
        style.font.size = Pt(HEADING_SIZES.get(level, BODY_SIZE))


def _rpr(element: BaseOxmlElement) -> BaseOxmlElement:
    found: BaseOxmlElement | None = element.find(qn("w:rPr"))
    if found is None:
        found = OxmlElement("w:rPr")
        element.append(found)  # last: after w:pPr in a paragraph style, alone in w:rPrDefault
    return found


def _set_faces(rpr: BaseOxmlElement, latin: str, east_asian: str) -> None:
    """Explicit faces on w:rFonts; the theme attributes go, since Word prefers them when present."""
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        rpr.insert(0, fonts)  # w:rFonts comes first in w:rPr
    for theme in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
        fonts.attrib.pop(qn(theme), None)
    for attribute, face in (
        ("w:ascii", latin),
        ("w:hAnsi", latin),
        ("w:cs", latin),
        ("w:eastAsia", east_asian),
    ):
        fonts.set(qn(attribute), face)


def _page_numbers(paragraph: WordParagraph) -> None:
    """ "— 3 —" centred in the footer, the page number being a PAGE field Word fills in."""
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    paragraph.add_run("— ")
    field = OxmlElement("w:fldSimple", {qn("w:instr"): "PAGE"})
    run, text = OxmlElement("w:r"), OxmlElement("w:t")
    text.text = "1"
    run.append(text)
    field.append(run)
    paragraph._p.append(field)
    paragraph.add_run(" —")


# ── blocks ───────────────────────────────────────────────────────────────────────────────────


class Writer:
    """Appends blocks to one Word document, remembering the last heading to avoid repeating it.

    With `splice`, table rows are left out of the document's tree, a marker where they go, and
    kept in `spliced` for save() to write into document.xml (see "table rows as XML" below);
    without, they are in the tree at once, for a caller that reads tables back before saving.
    """

    def __init__(self, word: WordDocument, lang: str, *, splice: bool = False) -> None:
        self.word = word
        self.lang = lang
        self.splice = splice
        self.spliced: list[Rows] = []  # in document order, as their markers come
        self.last_heading = ""
        self.table_style_id = word.styles[TABLE_STYLE].style_id
        # Style ids looked up once: python-docx's `style=` setters search every style by name,
        # and then for the default, on each call.
        self.grid_style_id = word.styles.get_style_id("Table Grid", WD_STYLE_TYPE.TABLE)
        self.style_ids: dict[str, str | None] = {}  # paragraph style name → id (None: default)
        section = word.sections[0]
        width = section.page_width or Mm(210)
        self.usable = Emu(width - (section.left_margin or 0) - (section.right_margin or 0))

    def title(self, text: str, subtitle: str) -> None:
        paragraph = self.word.add_paragraph()
        paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
        paragraph.paragraph_format.space_after = Pt(12)
        run = paragraph.add_run(xml_text(text))
        run.bold = True
        run.font.size = Pt(TITLE_SIZE)
        if subtitle:
            self.word.add_paragraph(xml_text(subtitle)).alignment = WD_ALIGN_PARAGRAPH.CENTER

    def block(self, block: Block) -> None:
        heading = ""
        match block:
            case Heading(text=text, level=level):
                self.heading(xml_text(text), level)
                heading = text
            case Paragraph(text=text):
                self.word.add_paragraph(xml_text(text))
            case Fields():
                self.fields(block)
            case Table():
                self.table(block.columns, block.rows, block.widths)
            case Body(markdown=markdown, shift=shift):
                self.body(markdown, shift)
            case FlowChart():
                self.flow_chart(block)
            case HeatMap():
                self.heat_map(block)
            case PageBreak():
                self.word.add_paragraph().add_run().add_break(WD_BREAK.PAGE)
        self.last_heading = heading

    def paragraph(self, style: str, text: str = "") -> WordParagraph:
        """A new paragraph in the named style, set by its id as `add_paragraph(style=…)` does."""
        if style not in self.style_ids:
            self.style_ids[style] = self.word.styles.get_style_id(style, WD_STYLE_TYPE.PARAGRAPH)
        paragraph = self.word.add_paragraph(text)
        paragraph._p.style = self.style_ids[style]
        return paragraph

    def heading(self, text: str, level: int) -> WordParagraph:
        """A heading, as python-docx's add_heading makes it (levels beyond Word's 1-9 clamped)."""
        return self.paragraph(f"Heading {max(1, min(level, 9))}", text)

    def caption(self, text: str) -> None:
        """A bold line naming a chart, unless the heading just above already does."""
        if text and text != self.last_heading:
            self.word.add_paragraph().add_run(xml_text(text)).bold = True

    # ── tables ──────────────────────────────────────────────────────────────────────────────

    def table(
        self,
        columns: Sequence[str],
        rows: Sequence[Sequence[str]],
        widths: Sequence[int] = (),
        *,
        in_tree: bool = False,
    ) -> WordTable:
        """A bordered table whose bold header row repeats at the top of every page; `in_tree`:
        its rows in the document's tree even when splicing, to be changed after."""
        count = column_count(columns, rows)
        header = padded(columns, count)
        body = [padded(row, count) for row in rows]
        sizes = self.sizes(column_widths(widths, header, body, count, bounds=(4, 40)))
        self.apart_from_table()
        table = self.new_table(count, sizes)
        table.alignment = WD_TABLE_ALIGNMENT.CENTER
        twips = _twips(sizes)
        style = self.table_style_id
        header_row = Rows([header], twips, style, [HEAD] * count, repeat=True)
        self.add_rows(table._tbl, header_row, in_tree=in_tree)
        self.add_rows(table._tbl, Rows(body, twips, style, [PLAIN] * count), in_tree=in_tree)
        return table

    def add_rows(self, tbl: BaseOxmlElement, rows: Rows, *, in_tree: bool = False) -> None:
        """The rows at the end of the table: parsed into it, or marked there to be spliced."""
        if self.splice and not in_tree:
            tbl.append(etree.Comment(ROWS_MARK))
            self.spliced.append(rows)
        else:
            xml = "".join(rows.xml())
            # Inside a wrapper declaring w:, as the document's root does. Moved into the table,
            # the rows use the root's declaration, and keep no declaration of their own.
            parsed = etree.fromstring(f'<w:tbl xmlns:w="{W_NAMESPACE}">{xml}</w:tbl>', _PARSER)
            tbl.extend(list(parsed))

    def new_table(self, count: int, sizes: Sequence[Length]) -> WordTable:
        """An empty fixed-layout grid table with these column widths; rows are added as XML."""
        table: WordTable = self.word.add_table(rows=0, cols=count)
        table._tbl.tblStyle_val = self.grid_style_id  # as `table.style = "Table Grid"` sets it
        table.autofit = False  # fixed layout: Word keeps the widths given
        for column, size in zip(table.columns, sizes, strict=True):
            column.width = size
        return table

    def apart_from_table(self) -> None:
        """An empty paragraph after a table about to be followed by another: Word joins tables
        that touch into one, whatever their columns."""
        last = self.word.element.body[-1]
        if last.tag == qn("w:sectPr"):
            last = last.getprevious()
        if last is not None and last.tag == qn("w:tbl"):
            self.word.add_paragraph()

    def sizes(self, relative: Sequence[float]) -> list[Length]:
        """Relative widths as EMU filling the text width (the last column takes the rest)."""
        total = sum(relative) or 1.0
        sizes = [Emu(int(self.usable * width / total)) for width in relative[:-1]]
        return [*sizes, Emu(self.usable - sum(sizes))]

    def fields(self, fields: Fields) -> None:
        """A form's label: value lines as a compact two-column table, labels shaded."""
        if not fields.items:
            return
        self.apart_from_table()
        sizes = self.sizes([1.0, 3.0])
        table = self.new_table(2, sizes)
        rows = Rows(fields.items, _twips(sizes), self.table_style_id, [LABEL, PLAIN])
        self.add_rows(table._tbl, rows)

    def heat_map(self, heat: HeatMap) -> None:
        self.caption(heat.title)
        corner = " \\ ".join(text for text in (heat.row_label, heat.column_label) if text)
        header = [corner, *heat.columns]
        rows = [
            [name, *(str(n) for n in counts)]
            for name, counts in zip(heat.rows, heat.counts, strict=False)
        ]
        measured = column_widths(
            (), header, [padded(row, len(header)) for row in rows], len(header), bounds=(8, 30)
        )
        # In the tree: its cells are shaded below, through python-docx.
        table = self.table(header, rows, [round(width) for width in measured], in_tree=True)
        maximum = max((n for counts in heat.counts for n in counts), default=0)
        for row, counts in zip(table.rows[1:], heat.counts, strict=False):
            row_cells = row.cells
            _shade(row_cells[0], HEADER_FILL)
            for cell, count in zip(row_cells[1:], counts, strict=False):
                cell.paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.CENTER
                _heat(cell, count, maximum)

    # ── flow charts and bodies ──────────────────────────────────────────────────────────────

    def flow_chart(self, chart: FlowChart) -> None:
        """The steps as a numbered list, each step's risk points (with levels) beneath it."""
        self.caption(chart.title)
        colon, comma = (": ", ", ") if self.lang == "en" else ("：", "，")
        for number, step in enumerate(chart.steps, start=1):
            paragraph = self.paragraph("List")
            paragraph.add_run(f"{number}.\t")
            paragraph.add_run(xml_text(step.name)).bold = True
            detail = comma.join(part for part in (step.post, step.time_limit) if part)
            if detail:
                _add_run(paragraph, f" ({detail})" if self.lang == "en" else f"（{detail}）")
            for mark in step.risks:
                item = self.paragraph("List Bullet 2")
                if mark.level:
                    item.add_run(xml_text(mark.level + colon)).bold = True
                item.add_run(xml_text(mark.title))
        if not any(step.risks for step in chart.steps):
            self.word.add_paragraph(label("word.no_flow_risks", self.lang))

    def body(self, markdown: str, shift: int) -> None:
        """A user's Markdown; its headings move down `shift` levels to nest as in the HTML."""
        for part in parse_body(markdown):
            if part.kind == "heading":
                self.runs(self.heading("", part.level + shift), part.text)
            elif part.kind == "bullet":
                self.runs(self.paragraph(_list_style("List Bullet", part.level)), part.text)
            elif part.kind == "ordered":
                paragraph = self.paragraph(_list_style("List", part.level))
                paragraph.add_run(f"{part.marker}\t")
                self.runs(paragraph, part.text)
            elif part.kind == "code":
                self.word.add_paragraph().add_run(xml_text(part.text)).font.name = CODE_FONT
            else:
                self.runs(self.word.add_paragraph(), part.text)

    def runs(self, paragraph: WordParagraph, text: str) -> None:
        """Inline Markdown: **bold** as bold runs, [[id]] links as the id, the rest literal."""
        for piece, bold in inline(text):
            if piece:
                _add_run(paragraph, piece, bold=bold)


def _add_run(paragraph: WordParagraph, text: str, *, bold: bool = False) -> None:
    run = paragraph.add_run(xml_text(text))
    if bold:  # only then: an unset property inherits, and writes no empty w:rPr
        run.bold = True


def _list_style(base: str, depth: int) -> str:
    return base if depth == 0 else f"{base} {depth + 1}"


# ── table rows as XML ────────────────────────────────────────────────────────────────────────
#
# A register's ledger is thousands of cells. Through python-docx each cell costs a dozen child
# searches (every property setter looks for its place among the siblings in schema order); even
# made one by one with lxml, its ten or so elements cost more than all the rest of the document.
# A table's rows are therefore written as XML text: the very elements python-docx would have
# produced (same children, order and attributes), written as lxml serialises them. The text is
# spliced into document.xml where the table's marker is when the document is saved, so the rows
# are neither built, nor serialised, nor deflated twice (python-docx's zip and then the
# reproducible one); a table changed through python-docx after (the heat map's) has its rows
# parsed into the tree instead.

W_NAMESPACE = nsmap["w"]
ROWS_MARK = "lianneng rows"  # a comment: text in a document cannot make one, its < is escaped
RUN_BREAKS = re.compile(r"([\t\r\n])")  # python-docx writes these as w:tab and w:br
ROWS_PER_PART = 1000  # of document.xml, deflated while the next part is written

# Parses rows into python-docx's element classes (CT_Row, CT_Tc …), as its own parser does, so
# that they read back through its API. Not its parser itself, which refuses a text node over
# 10 MB (huge_tree lifts libxml2's limit) and drops whitespace it deems ignorable.
_PARSER = etree.XMLParser(resolve_entities=False, huge_tree=True)
_PARSER.set_element_class_lookup(element_class_lookup)

# What lxml escapes in an attribute: what it escapes in text (ooxml.lxml_text), and quotes, tabs
# and line ends. Any other character is written as itself.
_ATTRIBUTE_ESCAPES = str.maketrans(
    {
        "&": "&amp;",
        "<": "&lt;",
        ">": "&gt;",
        '"': "&quot;",
        "\t": "&#9;",
        "\n": "&#10;",
        "\r": "&#13;",
    }
)


@dataclass(frozen=True)
class CellLook:
    """How a table cell is dressed."""

    bold: bool = False
    fill: str = ""  # RRGGBB shading, none if empty
    centred: bool = False
    vertical: str = "top"  # w:vAlign


PLAIN = CellLook()
HEAD = CellLook(bold=True, fill=HEADER_FILL, centred=True, vertical="center")
LABEL = CellLook(bold=True, fill=HEADER_FILL)  # a form field's name


def _twips(sizes: Sequence[Length]) -> list[str]:
    """Column widths as w:tcW writes them (python-docx rounds EMU to twips the same way)."""
    return [str(Emu(size).twips) for size in sizes]


@dataclass(frozen=True)
class Rows:
    """Table rows: a w:tr of one cell per value for each row of `values`, each column `twips`
    wide and dressed as its look says; `repeat` makes them header rows, repeated on every page
    (and kept whole)."""

    values: Sequence[Sequence[str]]
    twips: Sequence[str]
    style_id: str  # of the cells' paragraphs
    looks: Sequence[CellLook]
    repeat: bool = False

    def xml(self) -> Iterator[str]:
        """Each row's XML as lxml serialises it. A column's cells differ only in their text, so
        each column's opening (cell properties, paragraph properties) is written once."""
        openings = [
            _cell_opening(width, self.style_id, look)
            for width, look in zip(self.twips, self.looks, strict=True)
        ]
        bold = [look.bold for look in self.looks]
        start = "<w:tr><w:trPr><w:cantSplit/><w:tblHeader/></w:trPr>" if self.repeat else "<w:tr>"
        for values in self.values:
            parts = [start]
            for value, opening, strong in zip(values, openings, bold, strict=True):
                parts.append(opening)
                if value:  # none: no run at all, as in a cell python-docx leaves empty
                    parts.append(_run(xml_text(value), bold=strong))
                parts.append("</w:p></w:tc>")
            parts.append("</w:tr>")
            yield "".join(parts)


def _cell_opening(width: str, style_id: str, look: CellLook) -> str:
    """A w:tc up to its paragraph's content: w:tcPr (width, shading, vertical alignment) and
    w:pPr (style, centring), in schema order."""
    shading = f'<w:shd w:val="clear" w:color="auto" w:fill="{_attribute(look.fill)}"/>'
    centring = '<w:jc w:val="center"/>'
    return (
        f'<w:tc><w:tcPr><w:tcW w:type="dxa" w:w="{_attribute(width)}"/>'
        + (shading if look.fill else "")
        + f'<w:vAlign w:val="{_attribute(look.vertical)}"/></w:tcPr>'
        + f'<w:p><w:pPr><w:pStyle w:val="{_attribute(style_id)}"/>'
        + (centring if look.centred else "")
        + "</w:pPr>"
    )


def _run(text: str, *, bold: bool) -> str:
    """A w:r as python-docx's add_run(text) writes it. Empty (a text made only of characters
    xml_text drops, not bold), lxml writes it as an empty-element tag."""
    properties = "<w:rPr><w:b/></w:rPr>" if bold else ""
    content = _run_content(text)
    return f"<w:r>{properties}{content}</w:r>" if properties or content else "<w:r/>"


def _run_content(text: str) -> str:
    """Text in w:t (space-preserving when it has outer whitespace), tabs as w:tab, line ends as
    w:br; nothing for an empty text."""
    if "\t" not in text and "\n" not in text and "\r" not in text:
        return _t(text) if text else ""  # most cells: one w:t
    content = []
    for piece in RUN_BREAKS.split(text):
        if piece == "\t":
            content.append("<w:tab/>")
        elif piece in ("\r", "\n"):
            content.append("<w:br/>")
        elif piece:
            content.append(_t(piece))
    return "".join(content)


def _t(text: str) -> str:
    start = '<w:t xml:space="preserve">' if len(text.strip()) < len(text) else "<w:t>"
    if "&" in text or "<" in text or ">" in text:
        text = lxml_text(text)
    return f"{start}{text}</w:t>"


def _attribute(value: str) -> str:
    return value.translate(_ATTRIBUTE_ESCAPES)


def _spliced(xml: bytes, spliced: Sequence[Rows]) -> Iterator[bytes]:
    """document.xml with each marker replaced by its rows, in parts."""
    pieces = xml.split(f"<!--{ROWS_MARK}-->".encode())
    yield pieces[0]
    for rows, piece in zip(spliced, pieces[1:], strict=True):
        lines = rows.xml()
        while part := "".join(islice(lines, ROWS_PER_PART)):
            yield part.encode()
        yield piece


def _shade(cell: _Cell, fill: str) -> None:
    properties = cell._tc.get_or_add_tcPr()
    for old in properties.findall(qn("w:shd")):
        properties.remove(old)
    shading = OxmlElement(
        "w:shd", {qn("w:val"): "clear", qn("w:color"): "auto", qn("w:fill"): fill}
    )
    # w:shd follows w:tcW/w:gridSpan/w:vMerge/w:tcBorders and precedes the rest of w:tcPr
    before = [
        child
        for child in properties
        if child.tag in {qn("w:tcW"), qn("w:gridSpan"), qn("w:vMerge"), qn("w:tcBorders")}
    ]
    properties.insert(properties.index(before[-1]) + 1 if before else 0, shading)


def _heat(cell: _Cell, count: int, maximum: int) -> None:
    fill = heat_fill(count, maximum)
    if fill is None:
        return
    colour, white_text = fill
    _shade(cell, colour)
    if white_text:
        for run in cell.paragraphs[0].runs:
            run.font.color.rgb = RGBColor(0xFF, 0xFF, 0xFF)
            run.bold = True


# ── the Markdown subset ──────────────────────────────────────────────────────────────────────


@dataclass(frozen=True)
class Part:
    """One block of a user's Markdown body."""

    kind: str  # heading, paragraph, bullet, ordered, code
    text: str
    level: int = 0  # heading level, or list depth from 0
    marker: str = ""  # "1." of an ordered item, kept as typed


def parse_body(markdown: str) -> list[Part]:
    """Blocks of the subset: ATX headings, paragraphs, -/*/+ and 1. items, fenced code."""
    parts: list[Part] = []
    open_part: Part | None = None  # the paragraph or item that following lines continue
    lines: list[str] = []
    fence: list[str] | None = None

    def close() -> None:
        nonlocal open_part, lines
        if open_part is not None:
            parts.append(Part(open_part.kind, join_lines(lines), open_part.level, open_part.marker))
        open_part, lines = None, []

    for raw in markdown.replace("\r\n", "\n").replace("\r", "\n").split("\n"):
        line = raw.expandtabs(4)
        if fence is not None:
            if FENCE.match(line.strip()):
                parts.append(Part("code", "\n".join(fence)))
                fence = None
            else:
                fence.append(raw)
            continue
        if FENCE.match(line.strip()):
            close()
            fence = []
        elif not line.strip():
            close()
        elif match := HEADING.match(line):
            close()
            parts.append(Part("heading", match.group(2).strip(), len(match.group(1))))
        elif match := BULLET.match(line):
            close()
            open_part, lines = Part("bullet", "", _depth(match.group(1))), [match.group(2)]
        elif match := ORDERED.match(line):
            close()
            open_part = Part("ordered", "", _depth(match.group(1)), match.group(2))
            lines = [match.group(3)]
        else:
            open_part = open_part or Part("paragraph", "")
            lines.append(line)
    close()
    if fence:  # an unclosed fence runs to the end of the body, as in CommonMark
        parts.append(Part("code", "\n".join(fence)))
    return parts


def _depth(indent: str) -> int:
    return min(len(indent) // 2, 2)  # Word's list styles go three deep


def join_lines(lines: Sequence[str]) -> str:
    """A paragraph's lines as one text: soft breaks become a space (none between CJK characters),
    a line ending in two spaces or a backslash keeps its break."""
    text = ""
    for index, raw in enumerate(lines):
        line = raw.strip()
        hard = raw.endswith("  ") or line.endswith("\\")
        if line.endswith("\\") and index < len(lines) - 1:
            line = line[:-1]
        text += line
        if index < len(lines) - 1:
            following = lines[index + 1].strip()
            text += "\n" if hard else _soft_break(line, following)
    return text


def _soft_break(before: str, after: str) -> str:
    if before and after and (char_width(before[-1]) == 2 or char_width(after[0]) == 2):
        return ""
    return " "


def inline(text: str) -> Iterator[tuple[str, bool]]:
    """(text, bold) pieces; an [[id]] link left in the body (the builders resolve links to names
    for the audience first) shows as its id."""

    def links(piece: str) -> str:
        return LINK.sub(lambda match: match.group(1).strip(), piece)

    position = 0
    for match in BOLD.finditer(text):
        yield links(text[position : match.start()]), False
        yield links(match.group(1)), True
        position = match.end()
    yield links(text[position:]), False


# ── saving ───────────────────────────────────────────────────────────────────────────────────


def save(word: WordDocument, title: str, lang: str, spliced: Sequence[Rows] = ()) -> bytes:
    """The document's bytes, the same for the same content on any day; `spliced`: the rows of
    the tables marked for them, in document order (see Writer)."""
    properties = word.core_properties
    properties.author = properties.last_modified_by = AUTHOR
    properties.title = xml_text(title)
    properties.comments = label("word.generated", lang)  # replaces "generated by python-docx"
    properties.created = properties.modified = properties.last_printed = FIXED_TIME
    properties.revision = 1
    _drop_thumbnail(word)
    buffer = io.BytesIO()
    word.save(buffer)
    # normalise_zip's re-packing, the rows written into document.xml on the way
    document_xml = word.part.partname.membername
    with zipfile.ZipFile(buffer) as source, ZipStream() as target:
        for entry in source.infolist():
            if entry.filename == document_xml:
                target.stream(entry.filename, _spliced(source.read(entry), spliced))
            else:
                target.writestr(entry.filename, source.read(entry))
    return target.getvalue()


def _drop_thumbnail(word: WordDocument) -> None:
    """The template's preview image shows a blank page, not this document; leave none."""
    relationships = word.part.package.rels
    for key, relationship in list(relationships.items()):
        if relationship.reltype == RELATIONSHIP_TYPE.THUMBNAIL:
            del relationships[key]
