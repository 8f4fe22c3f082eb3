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
    _by_class: dict[type, list[Record]] = field(default_factory=dict, repr=False)
    _controls_by_risk: dict[str, list[Control]] | None = field(default=None, repr=False)

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
        # Asked for many times per run: each kind's list is made once (records never change kind).
        found = self._by_class.get(kind)
        if found is None:
            found = [record for record in self.records if isinstance(record, kind)]
            self._by_class[kind] = found
        return found  # type: ignore[return-value]

    def controls_of(self, risk: RiskPoint) -> list[Control]:
        """A risk point's controls: written in it, named by id in it, or naming it."""
        if self._controls_by_risk is None:
            by_id = {control.id: control for control in self.controls()}
            index: dict[str, list[Control]] = {}
            for record in self.of(RiskPoint):
                index[record.id] = [by_id[c] for c in record.control_ids() if c in by_id]
            for control in self.of(Control):
                for risk_id in control.risks:
                    if risk_id in index and control not in index[risk_id]:
                        index[risk_id].append(control)
            self._controls_by_risk = index
        return self._controls_by_risk.get(risk.id, [])

    def controls(self) -> list[Control]:
        return [*self.of(Control), *self.inline]

    def by_kind(self) -> dict[str, list[Record]]:
        grouped: dict[str, list[Record]] = defaultdict(list)
        for record in self.all_records():
            grouped[record.KIND].append(record)
        return grouped


def step_key(flow_id: str, step_id: str) -> str:
    return f"{flow_id}/{step_id}"
