"""Flows of power items (权力运行流程图): ordered steps, each naming its risk points."""

from __future__ import annotations

from pydantic import Field

from lianneng.model.base import Record
from lianneng.model.fields import Id, Strict, Text, public


class Step(Strict):
    id: Id = public("环节编号,在本流程内唯一,如 受理、审查、决定、办结")
    name: Text = public("环节名称")
    post: str | None = public("承办岗位编号", None, ref="post")
    department: str | None = public("承办部门编号", None, ref="department")
    external: str | None = public("本单位以外的办理方,如 检验机构、代收银行", None)
    conditions: str | None = public("办理条件", None)
    time_limit: str | None = public("办理时限", None)
    supervision: str | None = public("监督方式、监督制约", None)
    rights: str | None = public("相对人权利", None)
    complaint: str | None = public("投诉举报途径和方式", None)
    responsibility: str | None = public("责任事项", None)
    accountability: str | None = public("追责情形", None)
    risks: list[str] = public("本环节的风险点编号", [], ref="risk")


class Flow(Record):
    KIND = "flow"
    LABEL_ZH, LABEL_EN, FOLDER = "流程图", "flow", "flows"

    power: str = public("所属职权事项编号", ref="power")
    name: Text = public("流程名称")
    steps: list[Step] = Field(
        min_length=1,
        description="按办理顺序排列的环节",
        json_schema_extra={"x-visibility": "public"},
    )
