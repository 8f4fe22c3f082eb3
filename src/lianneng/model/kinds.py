"""The registry of record kinds: name, aliases (English and Chinese) and default folder."""

from __future__ import annotations

from lianneng.model.base import Record
from lianneng.model.control import Control
from lianneng.model.documents import Analysis, Commitment, Plan, Rule
from lianneng.model.flow import Flow
from lianneng.model.org import Department, Person, Post
from lianneng.model.power import PowerItem
from lianneng.model.risk import RiskPoint
from lianneng.model.warning import SignalRecord, Warning

KINDS: dict[str, type[Record]] = {
    model.KIND: model
    for model in (
        Department,
        Post,
        Person,
        PowerItem,
        Flow,
        RiskPoint,
        Control,
        Rule,
        Commitment,
        Plan,
        Analysis,
        SignalRecord,
        Warning,
    )
}

_ALIASES: dict[str, str] = {}
for _name, _model in KINDS.items():
    for _alias in (_name, _model.FOLDER, _model.LABEL_ZH, _model.LABEL_EN):
        _ALIASES[_alias.lower()] = _name
_ALIASES.update(
    {
        "power_item": "power",
        "risk_point": "risk",
        "职权": "power",
        "职权目录": "power",
        "风险": "risk",
        "措施": "control",
        "科室": "department",
        "制度目录": "rule",
        "布控": "warning",
        "预警处置": "warning",
    }
)


def kind_named(name: str) -> str | None:
    """The kind a `kind:` value or a folder name stands for."""
    return _ALIASES.get(name.strip().lower())


def known_kind_names() -> list[str]:
    return sorted(set(_ALIASES))
