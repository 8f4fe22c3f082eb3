"""Policies applied to a register: load and check a policy, read inputs, grade, explain."""

from __future__ import annotations

import difflib
from collections.abc import Iterator
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

from pydantic import BaseModel

import lianneng.grading.methods  # noqa: F401 - registers the methods
from lianneng.check.schema import validate
from lianneng.errors import ConfigError
from lianneng.grading.base import METHODS, Grade, Inputs, PolicyFinding, matches, text
from lianneng.grading.methods.rules import rule_paths
from lianneng.grading.policy import Policy, Rule
from lianneng.model.org import Department, Post
from lianneng.model.power import PowerItem
from lianneng.model.risk import RiskPoint
from lianneng.problems import Problem, Severity, msg
from lianneng.register import Register
from lianneng.source.files import Sources, inside
from lianneng.source.records import read_documents

BUILTIN = "builtin:"

# Fields of other records a rule may read through a risk point's references.
_LINKED: dict[str, type[BaseModel]] = {"power": PowerItem, "department": Department}


@dataclass
class LoadedPolicy:
    policy: Policy
    rel: str  # key of its SourceFile in `Sources`
    warnings: list[Problem] = field(default_factory=list)


def builtin_policies() -> list[str]:
    folder = resources.files("lianneng") / "data" / "policies"
    return sorted(
        p.name.removesuffix(".yaml") for p in folder.iterdir() if p.name.endswith(".yaml")
    )


def load_policy(sources: Sources, reference: str) -> LoadedPolicy:
    """The policy `reference` names, checked; any error in it stops the run with its problems."""
    if reference.startswith(BUILTIN):
        name = reference.removeprefix(BUILTIN)
        path = Path(str(resources.files("lianneng") / "data" / "policies" / f"{name}.yaml"))
        rel = reference
        if not path.is_file():
            close = difflib.get_close_matches(name, builtin_policies(), n=1)
            hint = (
                msg("hint.didyoumean", suggestion=BUILTIN + close[0]) if close else msg("hint.none")
            )
            raise ConfigError(
                [
                    sources.problem(
                        "lianneng.yaml", (0, "policy"), msg("P001", policy=reference, hint=hint)
                    )
                ]
            )
        sources.add(rel, path=path, display=reference)
    else:
        path = sources.root / reference
        rel = Path(reference).as_posix()
        if not path.is_file() or not inside(sources.root, path):
            raise ConfigError(
                [
                    sources.problem(
                        "lianneng.yaml",
                        (0, "policy"),
                        msg("P001", policy=reference, hint=msg("hint.none")),
                    )
                ]
            )
    return load_policy_file(sources, rel)


def load_policy_file(sources: Sources, rel: str) -> LoadedPolicy:
    problems: list[Problem] = []
    documents = read_documents(sources, rel, problems)
    policy = None
    if documents:
        policy = validate(Policy, documents[0], sources, rel, (0,), problems)
    elif documents is not None:
        problems.append(sources.at(rel, 1, 1, msg("F013")))
    if policy is not None:
        problems += [
            sources.problem(rel, (0, *f.path), f.message, key=f.key) for f in check_policy(policy)
        ]
    if policy is None or any(p.severity is Severity.ERROR for p in problems):
        raise ConfigError(sorted(problems))
    return LoadedPolicy(policy, rel, sorted(problems))


# ── the policy checks itself ───────────────────────────────────────────────────────────────


def known_field(name: str) -> bool:
    head, _, rest = name.partition(".")
    if head in ("attributes", "scores") and rest:
        return True
    if head in _LINKED and rest:
        return rest in _LINKED[head].model_fields
    return name in RiskPoint.model_fields


def check_policy(policy: Policy) -> Iterator[PolicyFinding]:
    method = METHODS[policy.method]
    yield from method.check(policy)
    if policy.method == "rules":
        for path, name in rule_paths(policy):
            if not known_field(name):
                yield PolicyFinding(path, _unknown_field(name), key=True)
    elif policy.method in ("grid", "score"):
        for name in sorted(method.fields(policy)):
            if not known_field(name) and not known_field(f"scores.{name}"):
                yield PolicyFinding((policy.method,), _unknown_field(name))
    reachable = method.reachable(policy)
    for label in policy.labels:
        if label not in reachable:
            yield PolicyFinding(("labels", policy.labels.index(label)), msg("P006", level=label))
    for label in policy.levels:
        if label not in policy.labels:
            yield PolicyFinding(
                ("levels", label),
                msg("P005", level=label, labels="、".join(policy.labels)),
                key=True,
            )
    for whole, settings in policy.wholes.items():
        levels = [c.level for c in settings.counts] + [r.level for r in settings.force]
        levels += [r.level for r in settings.rules] + (
            [settings.default] if settings.default else []
        )
        for level in levels:
            if level not in policy.labels:
                yield PolicyFinding(
                    ("wholes", whole), msg("P005", level=level, labels="、".join(policy.labels))
                )
        if settings.method == "count" and not settings.counts:
            yield PolicyFinding(("wholes", whole), msg("P012", method="count", part="counts"))
        if settings.method == "rules" and not settings.rules:
            yield PolicyFinding(("wholes", whole), msg("P012", method="rules", part="rules"))
    for index, case in enumerate(policy.tests):
        if case.expect not in policy.labels:
            yield PolicyFinding(
                ("tests", index, "expect"),
                msg("P005", level=case.expect, labels="、".join(policy.labels)),
            )


def _unknown_field(name: str) -> Any:
    candidates = [
        *RiskPoint.model_fields,
        *(f"{head}.{f}" for head, model in _LINKED.items() for f in model.model_fields),
    ]
    close = difflib.get_close_matches(name, candidates, n=1)
    hint = msg("hint.didyoumean", suggestion=close[0]) if close else msg("hint.none")
    return msg("P007", field=name, hint=hint)


# ── inputs and grades ──────────────────────────────────────────────────────────────────────


def risk_inputs(risk: RiskPoint, register: Register | None) -> Inputs:
    def lookup(name: str) -> Any:
        head, _, rest = name.partition(".")
        if head == "attributes" and rest:
            return risk.attributes.get(rest)
        if head == "scores" and rest:
            return risk.scores.get(rest)
        if head in _LINKED and rest:
            target_id = getattr(risk, head)
            target = register.ids.get(target_id) if register and target_id else None
            return getattr(target, rest, None) if isinstance(target, _LINKED[head]) else None
        return getattr(risk, name, None)

    return lookup


def mapping_inputs(values: dict[str, Any]) -> Inputs:
    """Inputs from a plain mapping (policy test cases): dotted names may be given flat or nested."""

    def lookup(name: str) -> Any:
        if name in values:
            return values[name]
        head, _, rest = name.partition(".")
        nested = values.get(head)
        return nested.get(rest) if isinstance(nested, dict) and rest else None

    return lookup


def grade_inputs(policy: Policy, inputs: Inputs) -> Grade:
    return METHODS[policy.method].grade(policy, inputs)


def grade_risk(policy: Policy, risk: RiskPoint, register: Register | None = None) -> Grade:
    computed = grade_inputs(policy, risk_inputs(risk, register))
    if risk.override is None:
        return computed
    reason = risk.override.reason or "—"
    steps = (
        *computed.steps,
        text(
            f"按评级办法应为 {computed.level or '—'}", f"the policy gives {computed.level or '—'}"
        ),
        text(
            f"人工确定为 {risk.override.level}:{reason}",
            f"overridden to {risk.override.level}: {reason}",
        ),
    )
    return Grade(
        risk.override.level, text(f"人工确定:{reason}", f"manual override: {reason}"), steps
    )


def grade_all(policy: Policy, register: Register) -> dict[str, Grade]:
    return {risk.id: grade_risk(policy, risk, register) for risk in register.of(RiskPoint)}


# ── grading posts, departments and the unit as wholes ──────────────────────────────────────


@dataclass
class Whole:
    kind: str  # post | department | unit
    id: str
    name: str
    risks: list[RiskPoint] = field(default_factory=list)
    powers: list[PowerItem] = field(default_factory=list)


def wholes_of(register: Register) -> list[Whole]:
    posts = {post.id: Whole("post", post.id, post.name) for post in register.of(Post)}
    departments = {d.id: Whole("department", d.id, d.name) for d in register.of(Department)}
    unit = Whole(
        "unit",
        register.config.unit.code,
        register.config.unit.name,
        risks=register.of(RiskPoint),
        powers=register.of(PowerItem),
    )
    post_department = {post.id: post.department for post in register.of(Post)}
    for risk in register.of(RiskPoint):
        for post_id in risk.posts:
            if post_id in posts:
                posts[post_id].risks.append(risk)
        owners = {risk.department} | {post_department.get(p) for p in risk.posts}
        for department_id in owners:
            if department_id in departments:
                departments[department_id].risks.append(risk)
    for power in register.of(PowerItem):
        if power.department in departments:
            departments[power.department].powers.append(power)
    return [*posts.values(), *departments.values(), unit]


def grade_whole(policy: Policy, whole: Whole, grades: dict[str, Grade]) -> Grade | None:
    settings = policy.wholes.get(whole.kind)  # type: ignore[call-overload]
    if settings is None:
        return None
    levels = [level for r in whole.risks if r.id in grades and (level := grades[r.id].level)]
    inputs = _whole_inputs(whole, levels)
    for index, rule in enumerate(settings.force, start=1):
        if matches(rule.when, inputs):
            return Grade(
                rule.level,
                text(
                    f"强制条件 {index}:{rule.because or ''}",
                    f"forcing condition {index}: {rule.because or ''}",
                ),
            )
    count = len(whole.risks)
    if settings.method == "count":
        for rule in settings.counts:
            if count >= rule.min:
                return Grade(
                    rule.level,
                    text(f"风险点 {count} 个(≥ {rule.min})", f"{count} risk points (≥ {rule.min})"),
                )
    elif settings.method == "highest":
        ranked = sorted((policy.labels.index(lvl), lvl) for lvl in levels if lvl in policy.labels)
        if ranked:
            return Grade(
                ranked[0][1],
                text(
                    f"所含风险点的最高等级 {ranked[0][1]}",
                    f"highest level among its risk points: {ranked[0][1]}",
                ),
            )
    else:
        for index, rule in enumerate(settings.rules, start=1):
            if matches(rule.when, inputs):
                return Grade(rule.level, _rule_reason(index, rule))
    if settings.default:
        return Grade(settings.default, text("默认等级", "default level"))
    return Grade(None, text("无风险点", "no risk points"))


def _rule_reason(index: int, rule: Rule) -> Any:
    because = rule.because or ""
    return text(f"规则 {index}:{because}", f"rule {index}: {because}")


def _whole_inputs(whole: Whole, levels: list[str]) -> Inputs:
    values: dict[str, Any] = {
        "risks.level": levels,
        "risks.count": str(len(whole.risks)),
        "risks.tags": [tag for r in whole.risks for tag in r.tags],
        "risks.category": [r.category for r in whole.risks],
        "powers.category": [p.category for p in whole.powers],
        "powers.tags": [tag for p in whole.powers for tag in p.tags],
        "kind": whole.kind,
    }
    return values.get
