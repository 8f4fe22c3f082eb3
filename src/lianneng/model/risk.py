"""Risk points (风险点) with their grading inputs, level and controls."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import Discriminator, Tag

from lianneng.model.base import Record
from lianneng.model.control import Control, Review
from lianneng.model.fields import Date, Strict, Text, filing, internal, public


class Override(Strict):
    level: Text = filing("人工确定的风险等级")
    reason: str | None = filing("人工调整的理由(必填)", None)
    approved_by: str | None = internal("审定人", None)
    date: Date | None = filing("调整日期", None)


def _control_item_kind(value: Any) -> str:
    return "ref" if isinstance(value, str) else "inline"


ControlItem = Annotated[
    Annotated[str, Tag("ref")] | Annotated[Control, Tag("inline")],
    Discriminator(_control_item_kind),
]
"""A control given in place, or the id of a control record."""


class RiskPoint(Record):
    KIND = "risk"
    LABEL_ZH, LABEL_EN, FOLDER = "风险点", "risk point", "risks"

    title: Text = public("风险点")
    manifestation: str | None = public("主要内容及表现形式", None)
    causes: str | None = filing("产生原因", None)
    category: Text = public("风险类别,取自代码表 categories", table="categories")
    nature: str = public("风险性质:廉政 或 监管", "廉政", table="natures")
    scope: str = public("风险层面:岗位、部门、单位、领导(廉洁自律)、班子", "岗位", table="scopes")
    department: str | None = public("所在部门编号", None, ref="department")
    posts: list[str] = public("涉险岗位编号", [], ref="post")
    power: str | None = public("所涉职权事项编号", None, ref="power")
    step: str | None = public("所在流程环节,写作 流程编号/环节编号", None, ref="step")
    people: list[str] = internal("涉险人员编号", [], ref="person")
    found_by: str | None = filing(
        "查找方式:自己找、群众提、互相查、领导点、组织评", None, table="finding_methods"
    )
    source_detail: str | None = internal("线索来源详情(如信访举报件),仅内部", None)
    likelihood: str | None = filing("发生机率(按评级办法的刻度)", None)
    impact: str | None = filing("危害程度(按评级办法的刻度)", None)
    consequence: str | None = filing("可能后果,如 追究刑事责任、党纪政纪处分、批评教育", None)
    business_class: str | None = public(
        "业务类别,如 行政许可类、行政处罚类(设了代码表 business_classes 时据此检查)",
        None,
        table="business_classes",
    )
    tags: list[str] = public("标记,如 三重一大", [])
    criteria: list[str] = filing("符合的评级标准条目(用于计数评级)", [])
    attributes: dict[str, str] = filing("评级办法需要的其他要素,如 权力行使: 直接", {})
    scores: dict[str, float] = internal("评分(如 L、C),仅内部", {})
    level: str | None = public("风险等级(由 lianneng grade --write 写入)", None)
    override: Override | None = filing("人工确定等级及理由", None)
    controls: list[ControlItem] = public("防控措施:直接写出,或引用措施编号", [], ref="control")
    supervisor: str | None = public("监督责任岗位编号", None, ref="post")
    responsible_leader: str | None = public("责任领导岗位编号", None, ref="post")
    last_review: Date | None = filing("上次复核日期", None)
    next_review: Date | None = filing("下次复核日期", None)
    reviews: list[Review] = filing("复核记录(lianneng review 追加)", [])

    def inline_controls(self) -> list[Control]:
        return [item for item in self.controls if isinstance(item, Control)]

    def control_ids(self) -> list[str]:
        return [item if isinstance(item, str) else item.id for item in self.controls]
