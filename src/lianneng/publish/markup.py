"""Turning values into safe Markdown and HTML: escaping, users' Markdown bodies, flow charts."""

from __future__ import annotations

import contextlib
import re
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from typing import Any, TypeVar, get_args

from markdown_it import MarkdownIt
from markupsafe import Markup, escape

from lianneng.publish.blocks import Block, Body, Document, FlowChart, HeatMap, RiskMark, Table

# ── Markdown ───────────────────────────────────────────────────────────────────────────────

_MD_SPECIAL = re.compile(r"([\\`*_\[\]<>|])")
_LINE_START = re.compile(r"^(\s*)([#>+\-]|\d+[.)])", re.M)


def _md_inline(value: object) -> str:
    return _MD_SPECIAL.sub(r"\\\1", str(value)).replace("&", "&amp;")


def md_text(value: object) -> str:
    """A value as literal Markdown text: no formatting, links, HTML or block can come from data."""
    return _LINE_START.sub(lambda m: m.group(1) + "\\" + m.group(2), _md_inline(value))


# What md_cell must work on: characters to escape and every line break str.splitlines knows.
_MD_CELL_WORK = re.compile(r"[\\`*_\[\]<>|&\n\r\v\f\x1c-\x1e\x85\u2028\u2029]")


def md_cell(value: object) -> str:
    """A value inside a Markdown table cell: escaped, and kept on one row (a cell holds no
    blocks, so a line starting with `1.` or `#` needs no escape there)."""
    text = str(value)
    if not _MD_CELL_WORK.search(text):  # most cells: one line of plain words
        return text.strip() or " "
    lines = [_md_inline(line.strip()) for line in text.splitlines()]
    return "<br>".join(line for line in lines if line) or " "


def html_lines(value: object) -> Markup:
    """A value inside an HTML table cell: escaped, its line breaks kept as <br>."""
    return Markup(str(escape(value)).replace("\n", "<br>"))


def html_cells(row: tuple[object, ...]) -> Markup:
    """A table row's cells, each `<td>` holding its value as `html_lines` does (one call per
    row: a large register's tables have ten million cells)."""
    return Markup(_html_cells(row))


def _html_cells(row: tuple[object, ...]) -> str:
    try:
        joined = "\0".join(row)  # type: ignore[arg-type]
    except TypeError:  # not all text
        joined = ""
    if row and joined.count("\0") == len(row) - 1:  # the whole row escaped at once, then cut
        body = str(escape(joined)).replace("\n", "<br>").replace("\0", "</td><td>")
        return f"<td>{body}</td>"
    return "".join(f"<td>{html_lines(cell)}</td>" for cell in row)


def md_lines(value: object) -> str:
    """Escaped text whose line breaks survive Markdown (for multi-line paragraphs)."""
    return "  \n".join(md_text(line) for line in str(value).splitlines())


def _shift_headings(markdown: str, by: int) -> str:
    def shift(match: re.Match[str]) -> str:
        return "#" * min(6, len(match.group(1)) + by) + match.group(2)

    out, fenced = [], False
    for line in markdown.splitlines():
        if line.lstrip().startswith(("```", "~~~")):
            fenced = not fenced
        out.append(line if fenced else re.sub(r"^(#{1,6})(\s)", shift, line))
    return "\n".join(out)


def body_markdown(markdown: str, shift: int = 2) -> str:
    """A user's Markdown body for Markdown output: headings nested, no raw HTML.

    Its [[id]] links were resolved for the audience when the document was built.
    """
    text = _shift_headings(markdown, shift)
    out, fenced = [], False
    for line in text.splitlines():
        if line.lstrip().startswith(("```", "~~~")):
            fenced = not fenced
        out.append(line if fenced else line.replace("<", "&lt;").replace(">", "&gt;"))
    return "\n".join(out).strip() + "\n"


_MARKDOWN = MarkdownIt("commonmark", {"html": False, "linkify": False}).enable("table")


def body_html(markdown: str, shift: int = 2) -> Markup:
    """A user's Markdown body as HTML; raw HTML in it is escaped, unsafe links are dropped."""
    return Markup(_MARKDOWN.render(_shift_headings(markdown, shift)))


# ── flow charts ────────────────────────────────────────────────────────────────────────────

LEVEL_COLOURS = ("#c0392b", "#e67e22", "#d4ac0d", "#27ae60")  # by rank: highest level first
LEVEL_FILLS = ("#fdecea", "#fdf2e6", "#fcf7e1", "#e9f7ef")


def _colour(rank: int) -> tuple[str, str]:
    index = min(rank, len(LEVEL_COLOURS) - 1)
    return LEVEL_COLOURS[index], LEVEL_FILLS[index]


def _mermaid_label(text: str) -> str:
    for raw, code in (("&", "#amp;"), ('"', "#quot;"), ("<", "#lt;"), (">", "#gt;")):
        text = text.replace(raw, code)
    return text.replace("\n", "<br/>")


def mermaid(chart: FlowChart) -> str:
    """The flow as a Mermaid chart: steps top to bottom, risk points hung on their steps."""
    lines = ["flowchart TD"]
    ranks: set[int] = set()
    for index, step in enumerate(chart.steps, start=1):
        detail = " · ".join(filter(None, (step.post, step.time_limit)))
        label = step.name + (f"\n{detail}" if detail else "")
        lines.append(f'  S{index}["{_mermaid_label(label)}"]')
        if index > 1:
            lines.append(f"  S{index - 1} --> S{index}")
        for number, mark in enumerate(step.risks, start=1):
            node = f"R{index}_{number}"
            ranks.add(min(mark.rank, len(LEVEL_COLOURS) - 1))
            text = f"{mark.level} {mark.title}"
            lines.append(f'  {node}(["{_mermaid_label(text)}"]):::level{min(mark.rank, 3)}')
            lines.append(f"  S{index} -.- {node}")
    for rank in sorted(ranks):
        stroke, fill = _colour(rank)
        lines.append(f"  classDef level{rank} fill:{fill},stroke:{stroke},color:#222")
    return "\n".join(lines)


def _wrap(text: str, width: int) -> list[str]:
    """Lines of at most `width` columns, a CJK character counting as two."""
    lines, current, used = [], "", 0
    for char in text:
        size = 2 if ord(char) > 0x2E80 else 1
        if used + size > width and current:
            lines.append(current)
            current, used = "", 0
        current += char
        used += size
    if current:
        lines.append(current)
    return lines or [""]


def svg(chart: FlowChart) -> Markup:
    """The flow as inline SVG: no script, no external resources, text escaped."""
    box_w, gap, risk_w, pad, line_h = 250, 34, 270, 14, 18
    x_box, x_risk = 20, 20 + box_w + 40
    parts: list[str] = []
    y = 20
    for index, step in enumerate(chart.steps):
        detail = " · ".join(filter(None, (step.post, step.time_limit)))
        lines = _wrap(step.name, 30) + (_wrap(detail, 34) if detail else [])
        risk_lines = [(_wrap(f"{m.level} {m.title}", 32), m) for m in step.risks]
        risk_h = sum(len(lines_) * line_h + 2 * 8 for lines_, _ in risk_lines) + 8 * max(
            0, len(risk_lines) - 1
        )
        box_h = max(len(lines) * line_h + 2 * pad, 48)
        row_h = max(box_h, risk_h)
        top = y + (row_h - box_h) / 2
        parts.append(
            f'<rect x="{x_box}" y="{top:.0f}" width="{box_w}" height="{box_h}" rx="8" '
            f'fill="#eef3fb" stroke="#3c6eb4"/>'
        )
        for n, text in enumerate(lines):
            weight = ' font-weight="bold"' if n < len(_wrap(step.name, 30)) else ""
            parts.append(
                f'<text x="{x_box + box_w / 2:.0f}" y="{top + pad + (n + 1) * line_h - 4:.0f}" '
                f'text-anchor="middle"{weight}>{escape(text)}</text>'
            )
        if index:
            parts.append(
                f'<line x1="{x_box + box_w / 2:.0f}" y1="{y - gap + 2}" '
                f'x2="{x_box + box_w / 2:.0f}" y2="{top - 2:.0f}" stroke="#3c6eb4" '
                f'stroke-width="1.5" marker-end="url(#arrow)"/>'
            )
        risk_y = y + (row_h - risk_h) / 2
        for risk_text, mark in risk_lines:
            height = len(risk_text) * line_h + 16
            stroke, fill = _colour(mark.rank)
            parts.append(
                f'<line x1="{x_box + box_w}" y1="{top + box_h / 2:.0f}" x2="{x_risk}" '
                f'y2="{risk_y + height / 2:.0f}" stroke="{stroke}" stroke-dasharray="4 3"/>'
            )
            parts.append(
                f'<rect x="{x_risk}" y="{risk_y:.0f}" width="{risk_w}" height="{height}" '
                f'rx="4" fill="{fill}" stroke="{stroke}"/>'
            )
            for n, text in enumerate(risk_text):
                parts.append(
                    f'<text x="{x_risk + 10}" y="{risk_y + 8 + (n + 1) * line_h - 4:.0f}">'
                    f"{escape(text)}</text>"
                )
            risk_y += height + 8
        y += row_h + gap
    width = x_risk + risk_w + 20
    height = y - gap + 20
    head = (
        '<svg xmlns="http://www.w3.org/2000/svg" class="flowchart" '
        f'viewBox="0 0 {width} {height:.0f}" '
        f'width="{width}" height="{height:.0f}" role="img" aria-label="{escape(chart.title)}" '
        f'font-size="13" font-family="sans-serif">'
        '<defs><marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" '
        'markerHeight="7" orient="auto-start-reverse"><path d="M 0 0 L 10 5 L 0 10 z" '
        'fill="#3c6eb4"/></marker></defs>'
    )
    return Markup(head + "".join(parts) + "</svg>")


def legend(marks: list[RiskMark]) -> list[tuple[str, str, str]]:
    """(level, stroke, fill) for each level used, highest first."""
    seen: dict[str, int] = {}
    for mark in marks:
        seen.setdefault(mark.level, mark.rank)
    return [(level, *_colour(rank)) for level, rank in sorted(seen.items(), key=lambda kv: kv[1])]


def md_table(
    columns: tuple[str, ...], rows: tuple[tuple[str, ...], ...], align: tuple[str, ...] = ()
) -> str:
    """A GitHub-flavoured Markdown table; every cell escaped and kept on its row."""
    rule = [("---:" if a == "right" else "---") for a in align] or ["---"] * len(columns)
    lines = ["| " + " | ".join(md_cell(c) for c in columns) + " |", "| " + " | ".join(rule) + " |"]
    lines += [_md_row(row) for row in rows]
    return "\n".join(lines)


def _md_row(row: tuple[object, ...]) -> str:
    """One table row. A cell with nothing to escape or break (most of a large register's ten
    million) is only trimmed, as `md_cell` would, without a call for it."""
    cells = [
        cell.strip() or " "
        if type(cell) is str and not _MD_CELL_WORK.search(cell)
        else md_cell(cell)
        for cell in row
    ]
    return "| " + " | ".join(cells) + " |"


def table_markdown(table: Table) -> str:
    return md_table(table.columns, table.rows)


def table_html_rows(table: Table) -> Markup:
    """A table's body rows, a `<tr>` line each."""
    return Markup("".join(f"<tr>{_html_cells(row)}</tr>\n" for row in table.rows))


def body_markdown_of(body: Body) -> str:
    return body_markdown(body.markdown, body.shift)


def body_html_of(body: Body) -> Markup:
    return body_html(body.markdown, body.shift)


_RenderedBlock = TypeVar("_RenderedBlock", Table, FlowChart, Body)
_R = TypeVar("_R")


class BlockRenderings:
    """Renderings of blocks, kept for one publish run. A rendering is a pure function of its
    block, and the audiences' documents share most of their tables and charts (those show public
    fields only), so each distinct block is rendered once per function, not once per audience.

    Told which documents are to be rendered (expect), it keeps each rendering only until the
    last of them that shows the block has asked for it: kept to the end of the run, they added
    about 450 MB to the peak of publishing a large register."""

    def __init__(self) -> None:
        self._done: dict[tuple[Callable[..., Any], object], Any] = {}
        # How often the expected documents show each block (and each document's blocks),
        # and how often each rendering has been asked for; None until told.
        self._shown: Counter[object] | None = None
        self._asked: Counter[tuple[Callable[..., Any], object]] = Counter()

    def expect(self, documents: Iterable[Document]) -> None:
        shown = self._shown if self._shown is not None else Counter()
        for document in documents:
            blocks = [block for block in document.blocks if type(block) in _KEPT]
            for each in (*blocks, tuple(document.blocks)):
                with contextlib.suppress(TypeError):  # a block holding a list: never kept
                    shown[each] += 1
        self._shown = shown

    def once(self, render: Callable[[_RenderedBlock], _R]) -> Callable[[_RenderedBlock], _R]:
        def rendered(block: _RenderedBlock) -> _R:
            if type(block) not in _KEPT:  # a register's template may pass anything at all
                return render(block)
            # A block is frozen: equal blocks, equal renderings.
            return self._kept(render, block, lambda: render(block))

        return rendered

    def once_all(self, render: Callable[[Sequence[Block]], _R]) -> Callable[[object], _R]:
        """`render` of a document's blocks, made once for equal blocks: an audience's document
        is often another's, or equal to it (a large register's flows: ten thousand charts, a
        second and a half a time)."""

        def rendered(blocks: object) -> _R:
            if not isinstance(blocks, list | tuple) or not _BLOCKS.issuperset(map(type, blocks)):
                return render(blocks)  # type: ignore[arg-type]  # a template's own: as it is
            return self._kept(render, tuple(blocks), lambda: render(blocks))

        return rendered

    def _kept(self, render: Callable[..., Any], shown: object, make: Callable[[], _R]) -> _R:
        key = (render, shown)
        try:
            done = self._done.get(key, _NOT_YET)
        except TypeError:  # a block holding a list: made each time
            return make()
        if done is _NOT_YET:
            done = make()
        if self._shown is None:  # not told what is to come: kept to the end
            self._done[key] = done
        else:
            self._asked[key] += 1
            if self._asked[key] < self._shown[shown]:
                self._done[key] = done
            else:  # its last expected use
                self._done.pop(key, None)
        result: _R = done
        return result


_KEPT = frozenset({Table, FlowChart, Body})
_BLOCKS = frozenset(get_args(Block))
_NOT_YET = object()


def heat_rows(block: HeatMap) -> tuple[tuple[str, ...], ...]:
    return tuple(
        (row, *(str(count) for count in counts))
        for row, counts in zip(block.rows, block.counts, strict=True)
    )
