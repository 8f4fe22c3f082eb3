"""The register as one audience sees it: views of the visible records, names, levels, words."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from lianneng.grading.base import Grade
from lianneng.grading.policy import Policy
from lianneng.model.control import Control
from lianneng.model.risk import RiskPoint
from lianneng.publish.audience import Audience, Viewer
from lianneng.publish.labels import label
from lianneng.register import Register

View = dict[str, Any]
T = TypeVar("T")


@dataclass
class Context:
    register: Register
    audience: Audience
    lang: str
    grades: dict[str, Grade] = field(default_factory=dict)
    policy: Policy | None = None
    _views: dict[str, View] = field(default_factory=dict, init=False)
    _by_kind: dict[str, list[View]] | None = field(default=None, init=False)
    _by_risk: dict[str, list[View]] | None = field(default=None, init=False)
    _controls: dict[str, list[View]] = field(default_factory=dict, init=False)
    _once: dict[str, Any] = field(default_factory=dict, init=False)

    def __post_init__(self) -> None:
        hidden = self.hidden_kinds()
        viewer = Viewer(self.audience)
        views = self._views
        # A control written inside a risk point is viewed with it; that view is the control's
        # own view too, not made again (a third of the views of a large register).
        viewed_inside: dict[int, View] = {}
        for record in self.register.all_records():
            kind = record.KIND
            if kind in hidden or record.id in views or not viewer.visible(record):
                continue
            shown = viewed_inside.pop(id(record), None)
            if shown is None:
                shown = viewer.view(record)
            shown["kind"] = kind
            views[record.id] = shown
            if type(record) is RiskPoint and "controls" in shown:
                for item, item_view in zip(record.controls, shown["controls"], strict=True):
                    if type(item) is Control:
                        viewed_inside[id(item)] = item_view

    def hidden_kinds(self) -> set[str]:
        """Kinds the unit keeps from this audience as a whole: seed 000 shows its risk points
        and their controls only inside the unit (`disclosure.risk_list: internal`)."""
        if (
            self.audience is Audience.PUBLIC
            and self.register.config.disclosure.risk_list == "internal"
        ):
            return {"risk", "control"}
        return set()

    def once(self, key: str, make: Callable[[], T]) -> T:
        """What `make` gives, made once for this audience: several documents ask for it."""
        if key not in self._once:
            self._once[key] = make()
        return self._once[key]  # type: ignore[no-any-return]

    # ── records ──────────────────────────────────────────────────────────────────────────

    def records(self, kind: str) -> list[View]:
        """Views of the visible top-level records of a kind, in register order (listed once)."""
        if self._by_kind is None:  # every kind in one pass: the documents ask for a dozen
            self._by_kind = {}
            for record in self.register.records:
                shown = self._views.get(record.id)
                if shown is not None:
                    self._by_kind.setdefault(record.KIND, []).append(shown)
        return self._by_kind.setdefault(kind, [])

    def get(self, record_id: str | None) -> View | None:
        return self._views.get(record_id) if record_id else None

    def name(self, record_id: str | None) -> str:
        """The display name of a referenced record, if the audience may see it; else blank."""
        record = self.get(record_id)
        if record is None:
            return ""
        return str(record.get("name") or record.get("title") or record_id)

    def link_text(self, record_id: str) -> str:
        """What a [[id]] link in a body shows this audience: a record it may not see stays unnamed,
        down to its id (ids can carry names)."""
        from lianneng.publish.markup import md_text

        name = self.name(record_id)
        if not name:
            return self.t("word.withheld")
        # The text lands inside Markdown: a name must not turn into formatting.
        return md_text(record_id if name == record_id else f"{name}({record_id})")

    def resolve_links(self, markdown: str) -> str:
        from lianneng.check.markdown import LINK

        return LINK.sub(lambda m: self.link_text(m.group(1).strip()), markdown)

    def names(self, ids: list[str] | None) -> str:
        return "、".join(filter(None, (self.name(i) for i in ids or [])))

    def leader(self, post_id: str | None) -> str:
        """责任领导: the post's name, with the public name where the unit discloses it."""
        post = self.get(post_id)
        if post is None:
            return ""
        public_name = post.get("public_name")
        if public_name and self.register.config.disclosure.leader_names:
            return f"{post['name']}({public_name})" if public_name != post["name"] else public_name
        return str(post["name"])

    def level(self, risk: View) -> str:
        stored = risk.get("level")
        if stored:
            return str(stored)
        grade = self.grades.get(risk["id"])
        return grade.level or "" if grade else ""

    def rank(self, level: str) -> int:
        if self.policy is not None and level in self.policy.labels:
            return self.policy.labels.index(level)
        return 99

    def controls(self, risk: View) -> list[View]:
        """A risk point's controls: written in place, named by id, or naming the risk point
        (worked out once per risk point: every list and form asks)."""
        known = self._controls.get(risk["id"])
        if known is None:
            known = self._controls[risk["id"]] = self._find_controls(risk)
        return known

    def _find_controls(self, risk: View) -> list[View]:
        found: list[View] = []
        for item in risk.get("controls", []):
            control = self.get(item) if isinstance(item, str) else item
            if control is not None and control not in found:
                found.append(control)
        for control in self._controls_naming().get(risk["id"], ()):
            if control not in found:
                found.append(control)
        return found

    def _controls_naming(self) -> dict[str, list[View]]:
        """Controls by the risk points they name, in register order: built once, as every risk
        point of a large register asks."""
        if self._by_risk is None:
            self._by_risk = {}
            for control in self.records("control"):
                for risk_id in dict.fromkeys(control.get("risks", [])):
                    self._by_risk.setdefault(risk_id, []).append(control)
        return self._by_risk

    def posts_of(self, department_id: str) -> list[View]:
        return [p for p in self.records("post") if p.get("department") == department_id]

    def people_of(self, risk: View) -> str:
        """Names of the people exposed (internal audience only: the field is internal)."""
        return self.names(risk.get("people"))

    def department_head(self, department_id: str | None) -> str:
        department = self.get(department_id)
        return self.name(department.get("head")) if department else ""

    # ── words ────────────────────────────────────────────────────────────────────────────

    def t(self, key: str) -> str:
        return label(key, self.lang)

    @property
    def unit(self) -> View:
        return {
            "name": self.register.config.unit.name,
            "code": self.register.config.unit.code,
            "supervisor": self.register.config.unit.supervisor or "",
            "period": self.register.config.period or "",
        }
