"""A document as format-neutral blocks; each output format renders the same blocks."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Heading:
    text: str
    level: int = 2


@dataclass(frozen=True)
class Paragraph:
    text: str


@dataclass(frozen=True)
class Fields:
    """Label: value pairs heading a form (部门名称、填表日期 …)."""

    items: tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class Table:
    columns: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    title: str = ""  # also the sheet name in XLSX
    widths: tuple[int, ...] = ()  # relative column widths (characters); computed when empty


@dataclass(frozen=True)
class Body:
    """Markdown written by the register's users (a rule's text, a commitment letter)."""

    markdown: str
    shift: int = 2  # heading levels to add, so the body nests under the document's own headings


@dataclass(frozen=True)
class RiskMark:
    id: str
    title: str
    level: str
    rank: int  # 0 for the highest level of the policy


@dataclass(frozen=True)
class FlowStep:
    id: str
    name: str
    post: str
    time_limit: str
    risks: tuple[RiskMark, ...]


@dataclass(frozen=True)
class FlowChart:
    title: str
    steps: tuple[FlowStep, ...]


@dataclass(frozen=True)
class HeatMap:
    title: str
    row_label: str
    column_label: str
    rows: tuple[str, ...]
    columns: tuple[str, ...]
    counts: tuple[tuple[int, ...], ...]


@dataclass(frozen=True)
class PageBreak:
    pass


Block = Heading | Paragraph | Fields | Table | Body | FlowChart | HeatMap | PageBreak


@dataclass
class Document:
    name: str  # file stem: power-catalogue, risk-list …
    title: str
    blocks: list[Block] = field(default_factory=list)
    formats: tuple[str, ...] = ("md", "html", "xlsx")
    subtitle: str = ""

    def tables(self) -> list[Table]:
        return [block for block in self.blocks if isinstance(block, Table)]
