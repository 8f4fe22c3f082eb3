"""Ids are unique across the register, and every reference resolves to a record of the right
kind."""

from __future__ import annotations

import difflib
from collections.abc import Callable

from lianneng.model.base import Record
from lianneng.model.flow import Flow
from lianneng.model.kinds import KINDS
from lianneng.model.risk import RiskPoint
from lianneng.problems import Message, Problem, bilingual, msg
from lianneng.register import Register, step_key
from lianneng.source.files import Sources

STEP = "step"


def check_references(register: Register, sources: Sources) -> list[Problem]:
    """Ids are unique, and flows and risk points agree; each reference itself is checked by
    `Resolver` during the walk over marked fields (`check.fields`)."""
    return _duplicates(register, sources) + _link_consistency(register, sources)


class Resolver:
    """Whether an id names a record of one of the kinds a field refers to."""

    def __init__(self, register: Register) -> None:
        self.register = register
        self._ids_by_kind: dict[str, list[str]] | None = None

    def found(self, value: str, kinds: tuple[str, ...]) -> bool:
        """Whether the id plainly names a record (or flow step) of one of the kinds (true when
        the field refers to none): the quick answer for the usual case, no message made."""
        if not kinds:
            return True
        if STEP in kinds:
            return value in self.register.steps
        target = self.register.ids.get(value)
        return target is not None and target.KIND in kinds

    def __call__(self, value: str, kinds: tuple[str, ...]) -> Message | None:
        return _resolve(self.register, value, kinds, self._candidates)

    def _candidates(self) -> dict[str, list[str]]:
        """Ids by kind, for suggestions; made only when a reference is broken."""
        if self._ids_by_kind is None:
            ids_by_kind: dict[str, list[str]] = {}
            for record in self.register.all_records():
                ids_by_kind.setdefault(record.KIND, []).append(record.id)
            ids_by_kind[STEP] = list(self.register.steps)
            self._ids_by_kind = ids_by_kind
        return self._ids_by_kind


def _duplicates(register: Register, sources: Sources) -> list[Problem]:
    problems = []
    first: dict[str, Record] = {}
    for record in register.all_records():
        assert record.origin is not None
        seen = first.setdefault(record.id, record)
        if seen is not record and seen.origin is not None:
            where = sources.position(seen.origin.file, seen.origin.path + ("id",))
            problems.append(
                sources.problem(
                    record.origin.file,
                    record.origin.path + ("id",),
                    msg("R001", id=record.id, first=where),
                )
            )
    for flow in register.of(Flow):
        assert flow.origin is not None
        seen_steps: dict[str, int] = {}
        for index, step in enumerate(flow.steps):
            if step.id in seen_steps:
                where = sources.position(
                    flow.origin.file, flow.origin.path + ("steps", seen_steps[step.id], "id")
                )
                problems.append(
                    sources.problem(
                        flow.origin.file,
                        flow.origin.path + ("steps", index, "id"),
                        msg("R001", id=step_key(flow.id, step.id), first=where),
                    )
                )
            seen_steps.setdefault(step.id, index)
    return problems


def _resolve(
    register: Register,
    value: str,
    kinds: tuple[str, ...],
    ids_by_kind: Callable[[], dict[str, list[str]]],
) -> Message | None:
    if value in register.broken_ids:
        return None  # the record exists; its own problems are reported where it is
    if STEP in kinds:
        if value in register.steps:
            return None
    else:
        target = register.ids.get(value)
        if target is not None:
            if target.KIND in kinds:
                return None
            return msg(
                "R003",
                target=value,
                actual=bilingual(target.LABEL_ZH, target.LABEL_EN),
                kind=_kinds_label(kinds),
            )
    candidates = [id_ for kind in kinds for id_ in ids_by_kind().get(kind, [])]
    close = difflib.get_close_matches(value, candidates, n=1, cutoff=0.6)
    hint = msg("hint.didyoumean", suggestion=close[0]) if close else msg("hint.none")
    return msg("R002", kind=_kinds_label(kinds), target=value, hint=hint)


def _kinds_label(kinds: tuple[str, ...]) -> Message:
    zh = "或".join("流程环节" if kind == STEP else KINDS[kind].LABEL_ZH for kind in kinds)
    en = " or ".join("flow step" if kind == STEP else KINDS[kind].LABEL_EN for kind in kinds)
    return bilingual(zh, en)


def _link_consistency(register: Register, sources: Sources) -> list[Problem]:
    """A step and the risk points on it should agree about the power item and about each other."""
    problems = []
    for flow in register.of(Flow):
        assert flow.origin is not None
        for index, step in enumerate(flow.steps):
            for position, risk_id in enumerate(step.risks):
                risk = register.ids.get(risk_id)
                if isinstance(risk, RiskPoint) and risk.power and risk.power != flow.power:
                    detail = msg(
                        "detail.link_step_power",
                        flow=flow.id,
                        step=step.id,
                        risk=risk_id,
                        risk_power=risk.power,
                        flow_power=flow.power,
                    )
                    problems.append(
                        sources.problem(
                            flow.origin.file,
                            flow.origin.path + ("steps", index, "risks", position),
                            msg("R004", detail=detail),
                        )
                    )
    for risk in register.of(RiskPoint):
        assert risk.origin is not None
        if risk.step and risk.step in register.steps:
            _flow, step = register.steps[risk.step]
            if risk.id not in step.risks:
                detail = msg("detail.link_risk_step", risk=risk.id, step=risk.step)
                problems.append(
                    sources.problem(
                        risk.origin.file, risk.origin.path + ("step",), msg("R004", detail=detail)
                    )
                )
    return problems
