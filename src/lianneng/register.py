"""The whole register as one typed value: its settings and every record, indexed."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar

from lianneng.model.base import Origin, Record
from lianneng.model.config import Config
from lianneng.model.control import Control
from lianneng.model.flow import Flow, Step
from lianneng.model.risk import RiskPoint

R = TypeVar("R", bound=Record)


@dataclass
class Register:
    root: Path
    config: Config
    records: list[Record]
    """Top-level records in file order; controls written inside a risk point are in `inline`."""
    inline: list[Control] = field(default_factory=list)
    ids: dict[str, Record] = field(default_factory=dict)
    steps: dict[str, tuple[Flow, Step]] = field(default_factory=dict)
    broken_ids: set[str] = field(default_factory=set)
    """Ids of records that exist but failed validation: references to them are not reported."""

    def __post_init__(self) -> None:
        for risk in self.of(RiskPoint):
            assert risk.origin is not None
            for index, item in enumerate(risk.controls):
                if isinstance(item, Control):
                    item._origin = Origin(risk.origin.file, risk.origin.path + ("controls", index))
                    self.inline.append(item)
        for record in self.all_records():
            self.ids.setdefault(record.id, record)
        for flow in self.of(Flow):
            for step in flow.steps:
                self.steps.setdefault(step_key(flow.id, step.id), (flow, step))

    def all_records(self) -> list[Record]:
        return [*self.records, *self.inline]

    def of(self, kind: type[R]) -> list[R]:
        return [record for record in self.records if isinstance(record, kind)]

    def controls(self) -> list[Control]:
        return [*self.of(Control), *self.inline]

    def by_kind(self) -> dict[str, list[Record]]:
        grouped: dict[str, list[Record]] = defaultdict(list)
        for record in self.all_records():
            grouped[record.KIND].append(record)
        return grouped


def step_key(flow_id: str, step_id: str) -> str:
    return f"{flow_id}/{step_id}"
