"""Organisation: departments (科/股/室), posts (岗位) and people (internal only)."""

from __future__ import annotations

from lianneng.model.base import Record
from lianneng.model.fields import Flag, Text, internal, public


class Department(Record):
    KIND = "department"
    LABEL_ZH, LABEL_EN, FOLDER = "部门", "department", "departments"

    name: Text = public("部门(科室、股室、大队、直属单位)名称")
    type: str | None = public("部门类别,如 科室、股室、大队、直属单位", None)
    parent: str | None = public("上级部门编号", None, ref="department")
    head: str | None = public("部门负责人岗位编号", None, ref="post")
    leader: str | None = public("分管领导岗位编号", None, ref="post")
    duties: str | None = public("主要职责", None)


class Post(Record):
    KIND = "post"
    LABEL_ZH, LABEL_EN, FOLDER = "岗位", "post", "posts"

    name: Text = public("岗位名称")
    department: str | None = public("所在部门编号(单位领导岗位可不填)", None, ref="department")
    duties: str | None = public("岗位职责", None)
    leader: Flag = public("是否领导岗位", False)
    roles: list[str] = public(
        "角色,如 主要领导、分管领导、纪检监察(评级办法据此核对监督责任)", [], table="post_roles"
    )
    risk_post: Flag = public("是否风险岗位(公权力集中、易发多发腐败的重要岗位)", False)
    public_name: str | None = public(
        "对外公布的在岗领导姓名(仅领导岗位填写,用于公示表“责任领导”)", None
    )
    holders: list[str] = internal("在岗人员编号", [], ref="person")


class Person(Record):
    KIND = "person"
    LABEL_ZH, LABEL_EN, FOLDER = "人员", "person", "people"

    name: Text = internal("姓名")
    post: str | None = internal("岗位编号", None, ref="post")
    department: str | None = internal("部门编号", None, ref="department")
    title: str | None = internal("职务", None)
    contact: str | None = internal("联系方式", None)
    party_member: Flag | None = internal("是否党员", None)
