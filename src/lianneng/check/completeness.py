"""Nothing is left half done: every power assessed, every risk controlled, every control owned."""

from __future__ import annotations

from lianneng.model.base import Record
from lianneng.model.control import Control
from lianneng.model.flow import Flow
from lianneng.model.power import PowerItem
from lianneng.model.risk import RiskPoint
from lianneng.problems import Message, Problem, msg
from lianneng.register import Register
from lianneng.source.files import Sources


def check_completeness(register: Register, sources: Sources) -> list[Problem]:
    problems: list[Problem] = []

    def report(record: Record, key: str, message: Message) -> None:
        assert record.origin is not None
        problems.append(sources.problem(record.origin.file, record.origin.path + (key,), message))

    assessed = _assessed_powers(register)
    with_flow = {flow.power for flow in register.of(Flow)}
    for power in register.of(PowerItem):
        if power.id not in assessed and not power.no_risk_found:
            report(power, "id", msg("C001", id=power.id))
        if power.id not in with_flow:
            report(power, "id", msg("C004", id=power.id))
        if not power.public and not power.private_reason:
            report(power, "public", msg("C006"))

    controlled = {risk_id for control in register.of(Control) for risk_id in control.risks}
    for risk in register.of(RiskPoint):
        if not risk.controls and risk.id not in controlled:
            report(risk, "id", msg("C002", id=risk.id))
        if risk.override is not None and not risk.override.reason:
            report(risk, "override", msg("C005"))

    for control in register.controls():
        if not control.owner:
            report(control, "id", msg("C003", id=control.id))
    return problems


def _assessed_powers(register: Register) -> set[str]:
    powers = {risk.power for risk in register.of(RiskPoint) if risk.power}
    for risk in register.of(RiskPoint):
        if risk.step in register.steps:
            powers.add(register.steps[risk.step][0].power)
    for flow in register.of(Flow):
        if any(step.risks for step in flow.steps):
            powers.add(flow.power)
    return powers
