"""Records that are mostly prose, usually kept as Markdown with YAML front matter."""

from __future__ import annotations

from lianneng.model.base import Record
from lianneng.model.fields import Date, Flag, Text, Visibility, filing, internal, public


class Rule(Record):
    KIND = "rule"
    LABEL_ZH, LABEL_EN, FOLDER = "制度", "rule", "rules"
    MARKDOWN_BODY = True

    title: Text = public("制度名称")
    number: str | None = public("文号", None)
    issued: Date | None = public("印发日期", None)
    department: str | None = public("制定部门编号", None, ref="department")
    status: str | None = public("状态:现行、修订中、废止", None, table="rule_statuses")
    risks: list[str] = public("本制度防控的风险点编号", [], ref="risk")
    body: str | None = public("制度正文(Markdown 文件的正文)", None)


class Commitment(Record):
    KIND = "commitment"
    LABEL_ZH, LABEL_EN, FOLDER = "承诺书", "commitment", "commitments"
    MARKDOWN_BODY = True
    REQUIRED_SECTIONS = ("承诺内容", "签名")

    title: Text = public("承诺书标题")
    scope: Text = public("承诺主体:单位、科室、个人", table="commitment_scopes")
    department: str | None = public("承诺部门编号", None, ref="department")
    post: str | None = public("承诺岗位编号", None, ref="post")
    person: str | None = internal("承诺人编号", None, ref="person")
    signed: Date | None = filing("签订日期", None)
    risks: list[str] = public("承诺防范的风险点编号", [], ref="risk")
    disclose: Flag = public("个人承诺书的正文也向社会公开(如河东分局“全部向系统和社会公开”)", False)
    body: str | None = public("承诺书正文(个人承诺书的正文默认仅内部可见)", None)

    def field_visibility(self, name: str, declared: Visibility) -> Visibility:
        # A personal commitment speaks of one person's conduct: its text stays inside the unit
        # unless the unit decided to publish it.
        if name == "body" and self.scope == "个人" and not self.disclose:
            return Visibility.INTERNAL
        return declared


class Plan(Record):
    KIND = "plan"
    LABEL_ZH, LABEL_EN, FOLDER = "实施方案", "implementation plan", "plans"
    MARKDOWN_BODY = True

    title: Text = public("方案名称")
    number: str | None = public("文号", None)
    issued: Date | None = public("印发日期", None)
    period: str | None = public("适用周期,如 2026 年度", None)
    body: str | None = filing("方案正文", None)


class Analysis(Record):
    KIND = "analysis"
    LABEL_ZH, LABEL_EN, FOLDER = "剖析材料", "written analysis", "analyses"
    MARKDOWN_BODY = True

    title: Text = internal("标题")
    subject: str | None = internal(
        "剖析对象(风险点、岗位、部门或人员编号)", None, ref="risk|post|department|person"
    )
    date: Date | None = internal("日期", None)
    body: str | None = internal("剖析正文", None)
