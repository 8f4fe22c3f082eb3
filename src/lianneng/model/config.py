"""`lianneng.yaml`: the unit, its settings and its code tables."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from lianneng.model.fields import Flag, Strict, Text, internal, public

CONFIG_FILE = "lianneng.yaml"

Table = list[str] | dict[str, str]
"""A code table: a list of names, or a mapping of code → name (records may use either)."""

DEFAULT_TABLES: dict[str, Table] = {
    "categories": ["思想道德", "岗位职责", "业务流程", "制度机制", "外部环境", "工作效率"],
    "natures": ["廉政", "监管"],
    "scopes": ["岗位", "部门", "单位", "领导", "班子"],
    "finding_methods": ["自己找", "群众提", "互相查", "领导点", "组织评"],
    "power_categories": {
        "XK": "行政许可",
        "CF": "行政处罚",
        "QZ": "行政强制",
        "ZS": "行政征收",
        "JF": "行政给付",
        "JC": "行政检查",
        "QR": "行政确认",
        "JL": "行政奖励",
        "CJ": "行政裁决",
        "QT": "其他行政权力",
        "GF": "公共服务",
        "RS": "人事管理",
        "CW": "财务管理",
        "ZC": "资产管理",
        "CG": "物资采购",
    },
    "control_types": [
        "分权制衡",
        "规范裁量",
        "健全制度",
        "教育",
        "科技监控",
        "公开",
        "轮岗",
        "承诺",
        "监督检查",
    ],
    "timings": ["事前", "事中", "事后"],
    "control_statuses": ["未落实", "落实中", "已落实"],
    "rule_statuses": ["现行", "修订中", "废止"],
    "commitment_scopes": ["单位", "科室", "个人"],
    "signal_types": [
        "信访举报",
        "审计",
        "执法检查",
        "监督检查",
        "电子监察",
        "民主测评",
        "网络舆情",
        "问卷调查",
        "干部考核",
    ],
    "warning_actions": [
        "提醒谈话",
        "谈话函询",
        "警示诫勉",
        "诫勉谈话",
        "责令纠错",
        "责令整改",
        "预警通知",
        "风险布控",
    ],
    "warning_statuses": ["已发出", "已关闭", "已升级", "已解除"],
    "post_roles": ["主要领导", "常务副职", "分管领导", "纪检监察", "部门负责人", "一般干部"],
    "business_classes": [],  # empty: any value; a unit that lists its classes gets them checked
}

TABLE_LABELS: dict[str, tuple[str, str]] = {
    "categories": ("风险类别代码表", "risk category table"),
    "natures": ("风险性质代码表", "risk nature table"),
    "scopes": ("风险层面代码表", "risk scope table"),
    "finding_methods": ("查找方式代码表", "finding method table"),
    "power_categories": ("职权类别代码表", "power category table"),
    "control_types": ("措施类型代码表", "control type table"),
    "timings": ("防控时段代码表", "control timing table"),
    "control_statuses": ("落实状态代码表", "control status table"),
    "rule_statuses": ("制度状态代码表", "rule status table"),
    "commitment_scopes": ("承诺主体代码表", "commitment scope table"),
    "signal_types": ("线索类型代码表", "signal type table"),
    "warning_actions": ("处置方式代码表", "warning action table"),
    "warning_statuses": ("预警状态代码表", "warning status table"),
    "post_roles": ("岗位角色代码表", "post role table"),
    "business_classes": ("业务类别代码表", "business class table"),
}


class Unit(Strict):
    name: Text = public("单位名称")
    code: Text = public("单位代码(用于编号和备案包文件名)")
    supervisor: str | None = public("上一级纪检监察机构(备案接收单位)", None)
    parent: str | None = public("上级主管单位", None)
    contact: str | None = internal("登记册联系人", None)


class Disclosure(Strict):
    risk_list: Literal["public", "internal"] = public(
        "风险点公示范围:public 向社会公开;internal 仅在本单位内公示", "public"
    )
    leader_names: Flag = public("公示表是否列出责任领导姓名", True)


class Config(Strict):
    unit: Unit = public("本单位")
    locale: Literal["zh", "en"] = public("提示信息的语言:zh 中文,en 英文", "zh")
    script: Literal["simplified", "traditional"] = public("发布文件的字形:简体或繁体", "simplified")
    period: str | None = public("当前周期,如 2026", None)
    policy: str | None = public("评级办法文件(相对登记册目录),如 policy/three-levels.yaml", None)
    disclosure: Disclosure = Field(
        default_factory=Disclosure,
        description="公开与公示设置",
        json_schema_extra={"x-visibility": "public"},
    )
    tables: dict[str, Table] = public("代码表,覆盖默认值(categories、power_categories…)", {})
    checks: dict[str, Literal["error", "warning", "info", "off"]] = public(
        "检查项的严重程度,如 C004: error", {}
    )
    exclude: list[str] = public("不作为记录读取的路径(glob),相对登记册目录", [])
    forms: list[str] = public("另外发布的表格,如 form-000-1(附表1)、form-004-2(表2)、form-003", [])

    def table(self, name: str) -> Table:
        return self.tables.get(name, DEFAULT_TABLES[name])
