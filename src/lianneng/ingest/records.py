"""Rows → records of the target register, and the records as YAML text.

A row becomes a record only if everything in it can be said in the register's own terms:
department, post and people names resolve to ids, coded values are in the register's tables,
the level is one of the policy's. Anything else is a row error with the sheet's row number and
a reason, so the person fixes the ledger (or the register) rather than hunting through YAML.
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from pydantic import ValidationError

from lianneng.grading.policy import Policy
from lianneng.ingest import row_list, say
from lianneng.ingest.columns import (
    DEPARTMENT_HEAD,
    MULTI,
    NO,
    Assigned,
    ColumnMap,
    match_level,
)
from lianneng.ingest.sheet import DataRow, Table
from lianneng.model.base import Record
from lianneng.model.fields import ID_PATTERN
from lianneng.model.flow import Flow
from lianneng.model.org import Department, Person, Post
from lianneng.model.power import PowerItem
from lianneng.model.risk import RiskPoint
from lianneng.problems import Message
from lianneng.register import Register

ID_PREFIX = {"risk": "RP-IMP-", "power": "PW-IMP-"}
# Names in one cell: 会计岗、出纳岗 / 会计岗,出纳岗 / one per line.
NAME_SEPARATORS = re.compile(r"\s*[、,，;；\n]\s*")
# A title's tags as the ledger shows them: 报销审核把关不严〔三重一大〕.
TAG_MARK = re.compile(r"〔([^〔〕]+)〕")
# A numbered control: 1. / 1、 / 1) / (1) / ① / 一、 — a number not followed by another digit
# (1.5 万元 is not item 1).
NUMBERED = re.compile(
    r"^\s*(?:\(\d{1,2}\)|\d{1,2}(?:[.、)](?!\d))|[\u2460-\u2473]|[一二三四五六七八九十]{1,3}、)\s*"
)
INLINE_NUMBER = re.compile(r"(?:^|(?<=[;。,\s]))(\d{1,2})[.、](?!\d)")
# A ticked cell in a column per level: anything but a blank or an explicit no.
UNTICKED = {"", "否", "无", "×", "x", "0", "-"}


# ── names → ids ────────────────────────────────────────────────────────────────────────────


def loose(text: str) -> str:
    """A name as compared when the exact spelling fails: width, spaces and case folded."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text)).casefold()


@dataclass(frozen=True)
class Named:
    id: str
    name: str
    department: str | None = None
    aliases: tuple[str, ...] = ()  # other names the record is known by (a leader's public name)


@dataclass(frozen=True)
class Found:
    id: str
    note: Message | None = None  # said when the name matched only nearly


@dataclass(frozen=True)
class Missing:
    reason: Message


class Directory:
    """The records of one kind that a name in a cell may stand for."""

    def __init__(self, items: Iterable[Named], zh: str, en: str) -> None:
        self.items = list(items)
        self.zh, self.en = zh, en

    def names(self) -> list[str]:
        return [item.name for item in self.items]

    def find(
        self, text: str, department: str | None = None, variants: Iterable[str] = ()
    ) -> Found | Missing:
        """Exact name, then the name with width and spaces folded, then a unique near match
        (one name inside the other); otherwise a reason with a did-you-mean."""
        for wanted in (text, *variants):
            for same in (lambda a, b: a == b, lambda a, b: loose(a) == loose(b)):
                hits = [i for i in self.items if any(same(n, wanted) for n in (i.name, *i.aliases))]
                if hits:
                    return self._one(text, hits, department)
        near = [
            i
            for i in self.items
            if len(loose(text)) >= 2
            and (loose(text) in loose(i.name) or loose(i.name) in loose(text))
        ]
        if near:
            found = self._one(text, near, department)
            if isinstance(found, Found):
                item = next(i for i in self.items if i.id == found.id)
                return Found(
                    found.id,
                    say(
                        f"“{text}”按近似名称对应到{self.zh} {item.id}({item.name})",
                        f"'{text}' taken as {self.en} {item.id} ({item.name}), a near match",
                    ),
                )
            return found
        close = difflib.get_close_matches(text, self.names(), n=3, cutoff=0.4)
        hint_zh = f";是否指{'、'.join(f'“{c}”' for c in close)}?" if close else ""
        hint_en = f"; did you mean {', '.join(repr(c) for c in close)}?" if close else ""
        return Missing(
            say(f"{self.zh}“{text}”不存在{hint_zh}", f"no {self.en} named '{text}'{hint_en}")
        )

    def _one(self, text: str, hits: list[Named], department: str | None) -> Found | Missing:
        if len(hits) > 1 and department is not None:
            hits = [h for h in hits if h.department == department] or hits
        if len(hits) == 1:
            return Found(hits[0].id)
        ids = "、".join(h.id for h in hits)
        return Missing(
            say(
                f"{self.zh}“{text}”不唯一({ids});请写全名称",
                f"{self.en} '{text}' is ambiguous ({ids}); write the full name",
            )
        )


def directories(register: Register) -> dict[str, Directory]:
    posts = register.of(Post)
    people = register.of(Person)
    post_department = {p.id: p.department for p in posts}
    steps = [
        Named(f"{flow.id}/{step.id}", f"{flow.name}/{step.name}", None, (step.name,))
        for flow in register.of(Flow)
        for step in flow.steps
    ]
    return {
        "department": Directory(
            (Named(d.id, d.name) for d in register.of(Department)), "部门", "department"
        ),
        "post": Directory(
            (
                Named(p.id, p.name, p.department, (p.public_name,) if p.public_name else ())
                for p in posts
            ),
            "岗位",
            "post",
        ),
        "person": Directory(
            (
                Named(p.id, p.name, p.department or post_department.get(p.post or ""))
                for p in people
            ),
            "人员",
            "person",
        ),
        "power": Directory(
            (
                Named(p.id, p.name, p.department, (p.code,) if p.code else ())
                for p in register.of(PowerItem)
            ),
            "职权事项",
            "power item",
        ),
        "step": Directory(steps, "流程环节", "flow step"),
    }


# ── one row ────────────────────────────────────────────────────────────────────────────────


@dataclass
class RowResult:
    row: int
    record: dict[str, Any] | None  # None when the row failed
    errors: list[Message] = field(default_factory=list)
    notes: list[Message] = field(default_factory=list)


@dataclass
class Imported:
    results: list[RowResult]
    kind: str
    summary: list[Message] = field(default_factory=list)  # notes about many rows at once

    @property
    def good(self) -> list[RowResult]:
        return [r for r in self.results if r.record is not None]

    @property
    def bad(self) -> list[RowResult]:
        return [r for r in self.results if r.record is None]


@dataclass
class Builder:
    """Turns rows of one table into records of one register."""

    register: Register
    policy: Policy | None
    columns: ColumnMap
    taken: set[str]  # ids in use elsewhere in the register
    dirs: dict[str, Directory] = field(init=False)

    def __post_init__(self) -> None:
        self.loose_steps: list[int] = []
        self.dirs = directories(self.register)
        self.unit = self.register.config.unit.name
        self.departments = {d.id: d for d in self.register.of(Department)}
        self.persons = {p.id: p for p in self.register.of(Person)}

    # ── the rows ──────────────────────────────────────────────────────────────────────────

    def build(self, table: Table) -> Imported:
        results = []
        claimed: dict[str, int] = {}
        for row in table.rows:
            if self._empty(row):
                continue  # a blank (or only numbered) row in the middle says nothing
            result = RowResult(row.number, None)
            record = (
                self._risk(row, result) if self.columns.kind == "risk" else self._power(row, result)
            )
            self._explicit_id(row, record, result, claimed)
            if not result.errors:
                result.record = record
            results.append(result)
        imported = Imported(results, self.columns.kind)
        if self.loose_steps:
            imported.summary.append(
                say(
                    f"第 {row_list(self.loose_steps)} 行的重要环节不是登记册中的流程环节"
                    "(流程名称/环节名称),已记入备注(notes)",
                    f"the key step of rows {row_list(self.loose_steps, ', ')} names no flow step "
                    "of the register (flow name/step name); kept in notes",
                )
            )
        self._number(imported)
        return imported

    def _empty(self, row: DataRow) -> bool:
        """Nothing written in the row itself (values merged down from above do not count), or
        only its 序号: a pre-numbered blank line or a 填表人 line under the 序号 column."""
        silent = {a.header.column for a in self.columns.assigned if a.target.field == NO}
        silent |= {h.column for h in self.columns.ignored}
        return not any(
            value and own and column not in silent
            for column, (value, own) in enumerate(zip(row.values, row.own, strict=True))
        )

    def _cells(self, row: DataRow, name: str) -> list[tuple[Assigned, str]]:
        return [
            (a, row.value(a.header.column))
            for a in self.columns.assigned
            if a.target.field == name and row.value(a.header.column)
        ]

    def text(self, row: DataRow, name: str) -> str:
        """The row's text for a field (several columns joined), else the mapping's default."""
        cells = self._cells(row, name)
        if cells:
            joiner = "\n" if name in MULTI else ""
            return joiner.join(_unique(value for _, value in cells)).strip()
        return self.columns.defaults.get(name, "").strip()

    # ── risk points ───────────────────────────────────────────────────────────────────────

    def _risk(self, row: DataRow, result: RowResult) -> dict[str, Any]:
        record: dict[str, Any] = {}
        fields = self.columns.fields()
        # Without a 风险点 column, the ledger's 风险点表现形式 names the risk point.
        named_by_manifestation = "title" not in fields and "manifestation" in fields
        title = self.text(row, "manifestation" if named_by_manifestation else "title")
        title, tags = split_tags(title)
        self._required(record, "title", title, result, "风险点", "risk point")
        if not named_by_manifestation:
            self._plain(record, row, "manifestation")
        self._plain(record, row, "causes")
        self._coded(record, row, "category", "categories", result, required=True)
        for name, table in (
            ("nature", "natures"),
            ("scope", "scopes"),
            ("found_by", "finding_methods"),
        ):
            self._coded(record, row, name, table, result)
        department = self._department(record, row, result)
        self._ref_list(record, row, "posts", "post", department, result)
        if not department and record.get("posts"):
            department = self._post_department(record["posts"][0])  # as the ledger showed it
            if department:
                record["department"] = department
        self._ref(record, row, "power", "power", department, result)
        self._step(record, row, result)
        self._ref_list(record, row, "people", "person", department, result)
        for name in ("likelihood", "impact", "consequence"):
            self._plain(record, row, name)
        self._coded(record, row, "business_class", "business_classes", result)
        tags += split_list(self.text(row, "tags"))
        if tags:
            record["tags"] = _unique(tags)
        if criteria := split_list(self.text(row, "criteria")):
            record["criteria"] = criteria
        self._dotted(record, row, "attributes")
        self._dotted(record, row, "scores")
        self._level(record, row, result)
        self._ref(record, row, "supervisor", "post", department, result)
        self._leader(record, row, department, result)
        for name in ("source_detail", "last_review", "next_review"):
            self._plain(record, row, name)
        self._notes(record, row)
        self._controls(record, row, department, result)
        if not result.errors:
            self._validate(RiskPoint, record, result)
        return record

    def _required(
        self, record: dict[str, Any], name: str, value: str, result: RowResult, zh: str, en: str
    ) -> None:
        if value:
            record[name] = value
        else:
            result.errors.append(self._missing(name, zh, en))

    def _missing(self, name: str, zh: str, en: str) -> Message:
        """A required value missing; when the table has no such column at all, say how to give
        one value for every row."""
        fields = self.columns.fields()
        if name in fields or (name == "title" and "manifestation" in fields):
            return say(f"缺少{zh}({name})", f"{en} ({name}) is missing")
        return say(
            f"缺少{zh}({name}):表中没有这一列;可在 --mapping 文件中指定列,"
            f"或在其 defaults 中给出统一的取值",
            f"{en} ({name}) is missing: the table has no such column; name one in a "
            "--mapping file, or give a value under its defaults",
        )

    def _plain(self, record: dict[str, Any], row: DataRow, name: str) -> None:
        if value := self.text(row, name):
            record[name] = value

    def _coded(
        self,
        record: dict[str, Any],
        row: DataRow,
        name: str,
        table: str,
        result: RowResult,
        *,
        required: bool = False,
    ) -> None:
        """A value from a code table, as the table spells it (岗位职责风险 → 岗位职责)."""
        value = self.text(row, name)
        entries = self.register.config.table(table)
        allowed = (
            [*entries.values(), *entries.keys()] if isinstance(entries, dict) else list(entries)
        )
        label = _TABLE_LABELS.get(table, (name, name))
        if not value:
            if required:
                result.errors.append(self._missing(name, label[0], label[1]))
            elif allowed and name in ("nature", "scope"):
                default = RiskPoint.model_fields[name].default
                if default not in allowed:  # the model's default would fail the table check
                    result.errors.append(
                        say(
                            f"缺少{label[0]}({name}):默认值“{default}”不在本登记册的代码表中"
                            f"({'、'.join(allowed)});"
                            f"请加一列“{label[0]}”或在 --mapping 的 defaults 中给出",
                            f"{label[1]} ({name}) is missing and the default '{default}' is not "
                            f"in the register's table ({', '.join(allowed)}); "
                            "add a column or a default",
                        )
                    )
            return
        if not allowed:
            record[name] = value  # an empty table checks nothing
            return
        spelled = _in_table(value, allowed)
        if spelled is None:
            close = difflib.get_close_matches(value, allowed, n=1, cutoff=0.4)
            hint = (f";是否指“{close[0]}”?", f"; did you mean '{close[0]}'?") if close else ("", "")
            result.errors.append(
                say(
                    f"{label[0]}“{value}”不在代码表中({'、'.join(allowed)}){hint[0]}",
                    f"{label[1]} '{value}' is not in the table ({', '.join(allowed)}){hint[1]}",
                )
            )
        else:
            record[name] = spelled

    def _department(self, record: dict[str, Any], row: DataRow, result: RowResult) -> str | None:
        text = self.text(row, "department")
        if not text or loose(text) == loose(self.unit):
            return None  # the unit itself: a unit-level risk point has no department
        found = self.dirs["department"].find(text)
        return self._take(record, "department", found, result)

    def _take(
        self, record: dict[str, Any], name: str, found: Found | Missing, result: RowResult
    ) -> str | None:
        if isinstance(found, Missing):
            result.errors.append(found.reason)
            return None
        if found.note is not None:
            result.notes.append(found.note)
        record[name] = found.id
        return found.id

    def _post_department(self, post_id: str) -> str | None:
        post = self.register.ids.get(post_id)
        return post.department if isinstance(post, Post) else None

    def _ref(
        self,
        record: dict[str, Any],
        row: DataRow,
        name: str,
        kind: str,
        department: str | None,
        result: RowResult,
    ) -> None:
        if text := self.text(row, name):
            self._take(record, name, self.dirs[kind].find(text, department), result)

    def _ref_list(
        self,
        record: dict[str, Any],
        row: DataRow,
        name: str,
        kind: str,
        department: str | None,
        result: RowResult,
    ) -> None:
        directory = self.dirs[kind]
        ids = []
        for text in split_names(self.text(row, name), directory.names()):
            found = directory.find(text, department)
            if isinstance(found, Missing):
                result.errors.append(found.reason)
                continue
            if found.note is not None:
                result.notes.append(found.note)
            ids.append(found.id)
        if ids:
            record[name] = _unique(ids)

    def _step(self, record: dict[str, Any], row: DataRow, result: RowResult) -> None:
        """重要环节 names a flow's step (流程名称/环节名称); free text that names none is kept
        in the notes rather than lost."""
        text = self.text(row, "step")
        if not text:
            return
        found = self.dirs["step"].find(text)
        if isinstance(found, Found) and found.note is None:
            record["step"] = found.id
            flow_id = found.id.split("/", 1)[0]
            flow = self.register.ids.get(flow_id)
            if "power" not in record and isinstance(flow, Flow):
                record["power"] = flow.power
            return
        record.setdefault("notes", "")
        record["notes"] = (record["notes"] + "\n" if record["notes"] else "") + f"重要环节:{text}"
        self.loose_steps.append(result.row)  # reported once for the table, not row by row

    def _dotted(self, record: dict[str, Any], row: DataRow, head: str) -> None:
        values = {}
        for assigned in self.columns.assigned:
            name = assigned.target.field
            if name.startswith(head + ".") and (value := row.value(assigned.header.column)):
                values[name.partition(".")[2]] = value
        for name, value in self.columns.defaults.items():
            if name.startswith(head + "."):
                values.setdefault(name.partition(".")[2], value)
        if values:
            record[head] = values

    def _level(self, record: dict[str, Any], row: DataRow, result: RowResult) -> None:
        labels = self.policy.labels if self.policy else []
        ticked = [
            a.target.value
            for a, value in self._cells(row, "level")
            if a.target.value is not None and value.strip() not in UNTICKED
        ]
        if len(ticked) > 1:
            result.errors.append(
                say(
                    f"同时勾选了多个风险等级:{'、'.join(ticked)}",
                    f"several levels ticked: {', '.join(ticked)}",
                )
            )
            return
        # A ledger has either one 风险等级 column or one ticked column per level.
        text = ticked[0] if ticked else "" if self._marks() else self.text(row, "level")
        if not text:
            return
        if not labels:
            record["level"] = text
            return
        level = match_level(text, labels)
        if level is None:
            result.errors.append(
                say(
                    f"风险等级“{text}”不是评级办法的等级({'、'.join(labels)})",
                    f"level '{text}' is not a level of the policy ({', '.join(labels)})",
                )
            )
        else:
            record["level"] = level

    def _marks(self) -> bool:
        return any(a.target.field == "level" and a.target.value for a in self.columns.assigned)

    def _leader(
        self, record: dict[str, Any], row: DataRow, department: str | None, result: RowResult
    ) -> None:
        """责任领导 as the tool prints it: the post, with the leader's public name in brackets."""
        text = self.text(row, "responsible_leader")
        if not text:
            return
        bare = re.sub(r"[((][^()()]*[))]\s*$", "", text).strip()
        inner = re.findall(r"[((]([^()()]*)[))]\s*$", text)
        found = self.dirs["post"].find(text, department, variants=[bare, *inner])
        self._take(record, "responsible_leader", found, result)

    def _notes(self, record: dict[str, Any], row: DataRow) -> None:
        if text := self.text(row, "notes"):
            record["notes"] = (record["notes"] + "\n" + text) if record.get("notes") else text

    # ── controls ──────────────────────────────────────────────────────────────────────────

    def _controls(
        self, record: dict[str, Any], row: DataRow, department: str | None, result: RowResult
    ) -> None:
        items: list[tuple[str, str | None]] = []
        for assigned, value in self._cells(row, "controls"):
            for text in split_controls(value):
                if text not in [t for t, _ in items]:  # a merged cell read twice
                    items.append((text, assigned.target.timing))
        if not items:
            if "controls" in self.columns.fields():
                result.errors.append(say("没有防控措施", "no controls"))
            return
        owner = self._owner(row, department, record.get("responsible_leader"), result)
        if owner is None:
            return
        controls = []
        for text, timing in items:
            control: dict[str, Any] = {"description": text}
            if timing:
                control["timing"] = timing
            control["owner"] = owner
            controls.append(control)
        record["controls"] = controls

    def _owner(
        self, row: DataRow, department: str | None, leader: str | None, result: RowResult
    ) -> str | None:
        """Who answers for the controls: the 部门责任人 named in the row, else the department's
        head, else the responsible leader (a unit-level risk point has no department)."""
        text = self.text(row, DEPARTMENT_HEAD)
        if text:
            found = self.dirs["post"].find(text, department)
            if isinstance(found, Missing):
                person = self.dirs["person"].find(text, department)
                if isinstance(person, Found) and person.note is None:
                    post = self.persons[person.id].post
                    if post:
                        return post
                result.errors.append(found.reason)
                return None
            if found.note is not None:
                result.notes.append(found.note)
            return found.id
        head = self.departments[department].head if department in self.departments else None
        if head or leader:
            return head or leader
        if department is None and self.text(row, "department") and result.errors:
            return None  # the department was not found: that is the row's reason already
        result.errors.append(
            say(
                "无法确定防控措施的责任岗位:没有部门责任人,部门也未设负责人(head)",
                "no owner for the controls: no department head in the row or the register",
            )
        )
        return None

    # ── power items ───────────────────────────────────────────────────────────────────────

    def _power(self, row: DataRow, result: RowResult) -> dict[str, Any]:
        record: dict[str, Any] = {}
        self._plain(record, row, "code")
        self._required(record, "name", self.text(row, "name"), result, "事项名称", "item name")
        self._coded(record, row, "category", "power_categories", result, required=True)
        self._required(record, "basis", self.text(row, "basis"), result, "设定依据", "legal basis")
        department = self._department(record, row, result)
        self._ref_list(record, row, "posts", "post", department, result)
        if not department and record.get("posts"):
            department = self._post_department(record["posts"][0])
            if department:
                record["department"] = department
        for name in (
            "exercise_level",
            "commitment",
            "discipline",
            "time_limit",
            "fee_basis",
            "complaint",
            "discretion",
            "public",
            "private_reason",
            "no_risk_found",
        ):
            self._plain(record, row, name)
        if tags := split_list(self.text(row, "tags")):
            record["tags"] = tags
        self._notes(record, row)
        if not result.errors:
            self._validate(PowerItem, record, result)
        return record

    # ── ids and validation ────────────────────────────────────────────────────────────────

    def _explicit_id(
        self, row: DataRow, record: dict[str, Any], result: RowResult, claimed: dict[str, int]
    ) -> None:
        given = self.text(row, "id")
        if not given:
            return
        if not re.match(ID_PATTERN, given):
            result.errors.append(
                say(
                    f"编号“{given}”不能用作编号(不能含空格和 / # [ ] | , :)",
                    f"'{given}' cannot be an id (no spaces or / # [ ] | , :)",
                )
            )
        elif given in self.taken:
            result.errors.append(
                say(
                    f"编号“{given}”在登记册中已被使用",
                    f"id '{given}' is already used in the register",
                )
            )
        elif given in claimed:
            result.errors.append(
                say(
                    f"编号“{given}”与第 {claimed[given]} 行重复",
                    f"id '{given}' repeats row {claimed[given]}",
                )
            )
        else:
            claimed[given] = row.number
            record["id"] = given

    def _number(self, imported: Imported) -> None:
        """Ids for the rows without one (RP-IMP-001 …), skipping every id already in use; then
        the ids of their controls (<risk id>-C1 …)."""
        used = set(self.taken) | {
            r.record["id"] for r in imported.good if r.record and "id" in r.record
        }
        counter = 0
        for result in imported.good:
            record = result.record
            assert record is not None
            if "id" not in record:
                counter += 1
                while f"{ID_PREFIX[imported.kind]}{counter:03d}" in used:
                    counter += 1
                record["id"] = f"{ID_PREFIX[imported.kind]}{counter:03d}"
                used.add(record["id"])
            result.record = {"id": record.pop("id"), **record}
            for number, control in enumerate(result.record.get("controls", []), start=1):
                control_id = f"{result.record['id']}-C{number}"
                if control_id in used:
                    result.errors.append(
                        say(
                            f"措施编号“{control_id}”已被使用",
                            f"control id '{control_id}' is already used",
                        )
                    )
                used.add(control_id)
                control_fields = {"id": control_id, **control}
                result.record["controls"][number - 1] = control_fields
            if result.errors:
                result.record = None

    def _validate(self, model: type[Record], record: dict[str, Any], result: RowResult) -> None:
        """The record as the register will read it: fields valid, and graded as the ledger says."""
        trial = {"id": record.get("id", "TRIAL"), **record}
        if "controls" in trial:
            trial["controls"] = [
                {"id": f"TRIAL-C{n}", **c} for n, c in enumerate(trial["controls"])
            ]
        try:
            built = model.model_validate(trial)
        except ValidationError as exc:
            for error in exc.errors():
                where = ".".join(str(part) for part in error["loc"])
                result.errors.append(
                    say(f"字段 {where} 的值无效:{error['msg']}", f"{where}: {error['msg']}")
                )
            return
        if isinstance(built, RiskPoint) and self.policy is not None:
            self._grade(built, result)

    def _grade(self, risk: RiskPoint, result: RowResult) -> None:
        from lianneng.grading.engine import grade_risk

        grade = grade_risk(self.policy, risk, self.register)  # type: ignore[arg-type]
        if grade.problem is not None:
            text = say(grade.problem.render("zh"), grade.problem.render("en"))
            if grade.problem.code == "G002" and risk.level:
                # The ledger gives the level but not what it rests on: written as given, and
                # `validate` asks for the input, as it would of a record typed by hand.
                result.notes.append(
                    say(
                        f"{text.render('zh')}(按台帐的等级写入,请补填)",
                        f"{text.render('en')} (written with the ledger's level; fill it in)",
                    )
                )
            else:
                result.errors.append(text)
            return
        if risk.level and grade.level and risk.level != grade.level:
            result.errors.append(
                say(
                    f"风险等级“{risk.level}”与评级办法算出的“{grade.level}”不一致"
                    f"({grade.rule.render('zh')});请核对等级或评级要素",
                    f"level '{risk.level}' differs from '{grade.level}' given by the policy "
                    f"({grade.rule.render('en')}); check the level or its inputs",
                )
            )


# What a coded field is called, by its code table (a power item's category is not a risk's).
_TABLE_LABELS: dict[str, tuple[str, str]] = {
    "categories": ("风险类别", "category"),
    "power_categories": ("职权类别", "power category"),
    "natures": ("风险性质", "nature"),
    "scopes": ("风险层面", "scope"),
    "finding_methods": ("查找方式", "finding method"),
    "business_classes": ("业务类别", "business class"),
}


def _in_table(value: str, allowed: list[str]) -> str | None:
    for candidate in (value, value.removesuffix("风险"), value.removesuffix("类"), value + "类"):
        if candidate in allowed:
            return candidate
    folded = {loose(a): a for a in allowed}
    return folded.get(loose(value))


def _unique(values: Iterable[str]) -> list[str]:
    seen: list[str] = []
    for value in values:
        if value and value not in seen:
            seen.append(value)
    return seen


# ── cell texts ─────────────────────────────────────────────────────────────────────────────


def split_tags(title: str) -> tuple[str, list[str]]:
    """报销审核把关不严〔三重一大〕 → (报销审核把关不严, [三重一大])."""
    tags = TAG_MARK.findall(title)
    return TAG_MARK.sub("", title).strip(), [t.strip() for t in tags if t.strip()]


def split_list(text: str) -> list[str]:
    return _unique(part.strip() for part in NAME_SEPARATORS.split(text) if part.strip())


def split_names(text: str, known: list[str]) -> list[str]:
    """Names in a cell, keeping a known name whole even if it has a separator in it."""
    if not text:
        return []
    if text in known:
        return [text]
    parts = [p for p in NAME_SEPARATORS.split(text) if p]
    separators = NAME_SEPARATORS.findall(text)
    names, index = [], 0
    while index < len(parts):
        end = len(parts)
        while end > index + 1:  # the longest run of parts that is a known name
            joined = parts[index]
            for k in range(index + 1, end):
                joined += separators[k - 1] + parts[k] if k - 1 < len(separators) else parts[k]
            if joined in known:
                break
            end -= 1
        names.append(
            "".join(
                parts[k] + (separators[k] if k < end - 1 and k < len(separators) else "")
                for k in range(index, end)
            )
        )
        index = end
    return _unique(n.strip() for n in names)


def split_controls(text: str) -> list[str]:
    """The controls in one cell: numbered items (1. … 2. …, continuation lines kept with their
    item), else one per line. A one-line cell numbered inline (1.… ;2.…) is split at the numbers."""
    lines = [line.strip() for line in text.split("\n") if line.strip()]
    if len(lines) == 1:
        lines = _inline_items(lines[0])
    if not any(NUMBERED.match(line) for line in lines):
        return _unique(_tidy(line) for line in lines)
    items: list[str] = []
    for line in lines:
        marker = NUMBERED.match(line)
        if marker or not items:
            items.append(line[marker.end() :] if marker else line)
        else:
            items[-1] += "\n" + line  # the rest of a numbered item
    return _unique(_tidy(item) for item in items)


def _inline_items(line: str) -> list[str]:
    """1.严格审核;2.集体研究 (or ①…②…) → two items, when the numbers run 1, 2, 3 … from the
    start of the cell."""
    starts = _inline_starts(
        line, [(m.start(), int(m.group(1))) for m in INLINE_NUMBER.finditer(line)]
    )
    if len(starts) < 2:
        circled = [(n, ord(c) - 0x245F) for n, c in enumerate(line) if "\u2460" <= c <= "\u2473"]
        starts = _inline_starts(line, circled)
    if len(starts) < 2:
        return [line]
    bounds = [*starts, len(line)]
    return [line[bounds[n] : bounds[n + 1]].strip() for n in range(len(starts))]


def _inline_starts(line: str, marks: list[tuple[int, int]]) -> list[int]:
    """Where items 1, 2, 3 … begin, the first at the start of the line."""
    starts, expected = [], 1
    for position, number in marks:
        if number == expected and (expected > 1 or not line[:position].strip()):
            starts.append(position)
            expected += 1
    return starts


def _tidy(text: str) -> str:
    return text.strip().rstrip(";；,，").strip()


# ── YAML ───────────────────────────────────────────────────────────────────────────────────

PLAIN_ID = re.compile(r"^[\w.\-]+$")
ID_LISTS = {"posts", "people"}


def records_yaml(
    imported: Imported, *, source: Message, schema: str | None, quote: Callable[[str], str]
) -> str:
    """The good rows as one YAML list, each record under a comment naming its row."""
    zh, en = (" ".join(source.render(lang).split()) for lang in ("zh", "en"))  # one line each
    lines = [f"# yaml-language-server: $schema={schema}"] if schema else []
    lines += [
        f"# 由 lianneng import 从 {zh} 导入;每条记录上方注明它在表中的行号。",
        f"# Imported by lianneng import from {en}; each record notes its row in the table.",
    ]
    for result in imported.good:
        assert result.record is not None
        lines += ["", f"# 第 {result.row} 行 / row {result.row}"]
        lines += record_lines(result.record, quote)
    return "\n".join(lines) + "\n"


def record_lines(record: dict[str, Any], quote: Callable[[str], str]) -> list[str]:
    return _mapping(record, 2, True, quote)


def _mapping(
    data: dict[str, Any], column: int, dash: bool, quote: Callable[[str], str]
) -> list[str]:
    """A block mapping whose keys start at `column`; with `dash`, as a list item."""
    out = []
    for index, (key, value) in enumerate(data.items()):
        lead = " " * (column - 2) + "- " if dash and index == 0 else " " * column
        name = quote(str(key))
        if isinstance(value, str):
            out.append(f"{lead}{name}: {quote(value)}")
        elif isinstance(value, dict):
            out.append(f"{lead}{name}:")
            out += _mapping(value, column + 2, False, quote)
        elif isinstance(value, list):
            if key in ID_LISTS and all(PLAIN_ID.match(v) for v in value):
                out.append(f"{lead}{name}: [{', '.join(value)}]")
                continue
            out.append(f"{lead}{name}:")
            for item in value:
                if isinstance(item, dict):
                    out += _mapping(item, column + 4, True, quote)
                else:
                    out.append(f"{' ' * (column + 2)}- {quote(str(item))}")
    return out
