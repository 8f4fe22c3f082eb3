"""Controls (防控措施)."""

from __future__ import annotations

from lianneng.model.base import Record
from lianneng.model.fields import Date, Strict, Text, filing, internal, public


class Review(Strict):
    """One review of a risk point or control (复核): who, when, what came of it."""

    date: Date = filing("复核日期")
    by: str | None = internal("复核人(姓名或岗位),仅内部", None)
    outcome: Text = filing("复核结论,如 维持、调整等级、补充措施、撤销")
    changes: str | None = filing("作出的调整", None)


class Control(Record):
    KIND = "control"
    LABEL_ZH, LABEL_EN, FOLDER = "防控措施", "control", "controls"

    description: Text = public("措施内容")
    type: str | None = public(
        "措施类型,取自代码表 control_types(分权制衡、规范裁量、健全制度…)",
        None,
        table="control_types",
    )
    timing: str | None = public("防控时段:事前、事中、事后", None, table="timings")
    owner: str | None = public("责任岗位编号", None, ref="post")
    department: str | None = public("责任部门编号", None, ref="department")
    risks: list[str] = public("所防控的风险点编号(单独成条的措施填写)", [], ref="risk")
    rules: list[str] = public("依据或配套的制度编号", [], ref="rule")
    due: Date | None = filing("完成期限", None)
    status: str | None = filing("落实状态:未落实、落实中、已落实", None, table="control_statuses")
    evidence: list[str] = internal("落实佐证材料(文件须在登记册目录内)", [])
    last_review: Date | None = filing("上次复核日期", None)
    next_review: Date | None = filing("下次复核日期", None)
    reviews: list[Review] = filing("复核记录(lianneng review 追加)", [])
