"""A document as format-neutral blocks; each output format renders the same blocks."""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from typing import Any


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


def _kept_hash(block: Any) -> int:
    """A large block's hash, worked out once: each rendering of it is looked up by it
    (`BlockRenderings`), and a hash of a 100,000-row table walks every row."""
    kept = block.__dict__.get("_hash")
    if kept is None:
        kept = block.__dict__["_hash"] = hash(_field_values(block))
    return kept  # type: ignore[no-any-return]


def _without_kept_hash(block: Any) -> dict[str, Any]:
    """What a block pickles as: not its hash (a text's hash differs from process to process)."""
    return {name: value for name, value in block.__dict__.items() if name != "_hash"}


def _field_values(block: Any) -> tuple[Any, ...]:
    return tuple(getattr(block, f.name) for f in fields(block))


@dataclass(frozen=True)
class Table:
    columns: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    title: str = ""  # also the sheet name in XLSX
    widths: tuple[int, ...] = ()  # relative column widths (characters); computed when empty

    __hash__ = _kept_hash
    __getstate__ = _without_kept_hash


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

    __hash__ = _kept_hash
    __getstate__ = _without_kept_hash


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
