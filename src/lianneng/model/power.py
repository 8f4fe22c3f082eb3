"""Power items (职权目录 / 权力清单)."""

from __future__ import annotations

from lianneng.model.base import Record
from lianneng.model.fields import Flag, Text, filing, internal, public


class PowerItem(Record):
    KIND = "power"
    LABEL_ZH, LABEL_EN, FOLDER = "职权事项", "power item", "powers"

    code: str | None = public("职权编码(按省级代码表)", None)
    name: Text = public("职权(事项)名称")
    category: Text = public("职权类别,取自代码表 power_categories", table="power_categories")
    basis: Text = public("行使依据(法律、法规、规章及“三定”方案条款)")
    department: str | None = public("责任部门编号", None, ref="department")
    posts: list[str] = public("责任岗位编号", [], ref="post")
    exercise_level: str | None = public("行使层级", None)
    commitment: str | None = public("服务承诺", None)
    discipline: str | None = public("工作纪律", None)
    time_limit: str | None = public("办理时限(法定时限/承诺时限)", None)
    fee_basis: str | None = public("收费依据与标准;不收费写“不收费”", None)
    complaint: str | None = public("监督投诉方式", None)
    discretion: str | None = public("处罚类事项的违法行为、处罚种类和幅度(裁量基准)", None)
    tags: list[str] = public("标记,如 三重一大", [])
    # Declared after every other public() call: from here on `public` in this body is the field.
    public: Flag = public("是否向社会公开", True)
    private_reason: str | None = internal("不公开的理由(仅内部文件显示)", None)
    no_risk_found: str | None = filing("经排查未发现廉政风险时,写明理由", None)
