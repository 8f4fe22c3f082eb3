"""Which column feeds which field: guessed from the headers offices use, or given in a mapping.

The guess knows the common Chinese headers with their synonyms, the tool's own column labels in
both languages (a ledger `lianneng publish` wrote reads back), and the grading inputs of the
register's policy (a column headed 权力行使 feeds `attributes.权力行使` when the policy grades by
it). A mapping file (`--mapping`, YAML: header text → field) overrides any guess. A column
nothing claims is reported, never silently dropped.
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

from lianneng.grading.policy import Policy
from lianneng.ingest import IngestError
from lianneng.ingest.sheet import Header, Table
from lianneng.model.power import PowerItem
from lianneng.model.risk import RiskPoint
from lianneng.publish.labels import LABELS

IGNORE = "ignore"
IGNORE_WORDS = {"ignore", "忽略", "不导入", "-", ""}
NO = "no"  # 序号: known, never imported (records are numbered by their ids)
DEPARTMENT_HEAD = "department_head"  # 部门责任人: the owner of the row's controls

RISK_HEADERS: dict[str, tuple[str, ...]] = {
    NO: ("序号", "编号序号", "顺序号"),
    "id": ("编号", "风险点编号", "风险编号"),
    "department": (
        "责任部门",
        "部门",
        "单位(科室)",
        "科室",
        "单位",
        "股室",
        "处室",
        "科室(单位)",
        "部门(单位)",
        "所在部门",
        "责任科室",
        "责任单位",
    ),
    "category": ("风险类别", "类别", "风险类型", "风险种类"),
    "step": ("重要环节", "环节", "流程环节", "关键环节", "业务环节"),
    "title": ("风险点", "风险点名称", "廉政风险点", "风险点内容", "风险点描述", "风险名称"),
    "manifestation": (
        "主要内容及表现形式",
        "表现形式",
        "风险点表现形式",
        "主要表现形式",
        "具体表现",
        "风险表现",
        "主要内容",
    ),
    "causes": ("产生原因", "原因", "风险成因", "成因"),
    "posts": ("涉及岗位", "涉险岗位", "岗位", "风险岗位", "所在岗位"),
    "power": ("职权名称", "所涉职权", "职权事项", "权力事项"),
    "likelihood": ("发生机率", "发生几率", "发生概率"),
    "impact": ("危害程度", "危害后果"),
    "consequence": ("可能后果", "后果"),
    "business_class": ("业务类别", "业务类型"),
    "criteria": ("评级标准", "符合标准"),
    "level": ("风险等级", "等级"),
    "controls": (
        "防控措施",
        "防控要点及措施",
        "防范措施",
        "防控措施及要点",
        "主要防控措施",
        "防控要点",
        "防范措施及要点",
    ),
    "people": ("直接责任人",),
    DEPARTMENT_HEAD: ("部门责任人", "部门负责人"),
    "responsible_leader": ("责任领导", "分管领导"),
    "supervisor": ("监督责任岗位", "监督岗位"),
    "nature": ("风险性质",),
    "scope": ("风险层面",),
    "found_by": ("查找方式",),
    "tags": ("标记",),
    "notes": ("备注",),
}

POWER_HEADERS: dict[str, tuple[str, ...]] = {
    NO: ("序号",),
    "id": ("编号",),
    "name": ("事项名称", "职权名称", "权力名称", "职权(事项)名称", "权力事项名称", "名称"),
    "code": ("编码", "职权编码", "事项编码", "权力编码"),
    "category": ("事项类型", "职权类别", "权力类型", "事项类别", "权力类别", "类别"),
    "basis": ("设定依据", "行使依据", "法律依据", "实施依据", "依据"),
    "department": ("实施主体", "责任部门", "承办部门", "责任主体", "部门", "科室", "责任科室"),
    "posts": ("责任岗位", "承办岗位", "岗位"),
    "exercise_level": ("行使层级",),
    "time_limit": ("法定时限", "办理时限", "承诺时限", "时限"),
    "fee_basis": ("收费依据", "收费依据及标准", "收费标准"),
    "complaint": ("监督投诉方式", "投诉方式", "监督投诉渠道", "投诉举报途径"),
    "commitment": ("服务承诺",),
    "discipline": ("工作纪律",),
    "discretion": ("裁量基准", "处罚种类和幅度", "违法行为、处罚种类和幅度"),
    "public": ("是否公开",),
    "private_reason": ("不公开理由", "不公开的理由"),
    "no_risk_found": ("未发现风险的理由",),
    "tags": ("标记",),
    "notes": ("备注",),
}

# The tool's own column labels (publish.labels), read back in either language.
RISK_LABELS: dict[str, tuple[str, ...]] = {
    NO: ("col.no",),
    "id": ("col.id",),
    "department": ("col.department", "col.unit_department"),
    "category": ("col.category",),
    "step": ("col.important_step",),
    "title": ("col.risk",),
    "manifestation": ("col.manifestation",),
    "causes": ("col.causes",),
    "posts": ("col.exposed_posts",),
    "power": ("col.power",),
    "likelihood": ("word.likelihood",),
    "impact": ("word.impact",),
    "consequence": ("col.consequence",),
    "business_class": ("col.business_class",),
    "criteria": ("col.criteria",),
    "level": ("col.level",),
    "controls": ("col.controls",),
    "people": ("col.people",),
    DEPARTMENT_HEAD: ("col.department_head",),
    "responsible_leader": ("col.leader",),
    "supervisor": ("col.supervisor",),
    "nature": ("col.nature",),
    "scope": ("col.scope",),
    "found_by": ("col.found_by",),
    "tags": ("col.tags",),
}

POWER_LABELS: dict[str, tuple[str, ...]] = {
    NO: ("col.no",),
    "id": ("col.id",),
    "code": ("col.code",),
    "name": ("col.power",),
    "category": ("col.power_category",),
    "basis": ("col.basis",),
    "department": ("col.department",),
    "posts": ("col.posts",),
    "commitment": ("col.commitment",),
    "discipline": ("col.discipline",),
    "time_limit": ("col.time_limit",),
    "fee_basis": ("col.fee_basis",),
    "complaint": ("col.complaint",),
    "tags": ("col.tags",),
    "public": ("word.power_public",),
}

# Fields no single cell can give: the kind is the folder's; attributes and scores are named one
# by one (attributes.权力行使); overrides and reviews are decisions, not ledger entries.
NOT_FROM_CELLS = {"kind", "override", "reviews", "attributes", "scores"}
# Fields that may take several columns: their texts are joined (controls, names, marks).
MULTI = {"controls", "posts", "people", "tags", "criteria", "notes"}
TIMINGS = ("事前", "事中", "事后")
# What a person may write for a field in a mapping file, besides the field names themselves.
FIELD_NAMES_ZH = {
    NO: "序号(不导入)",
    DEPARTMENT_HEAD: "部门责任人(措施责任岗位)",
}


def norm(text: str) -> str:
    """A header as compared: full-width folded, no spaces, no required-field star or colon."""
    folded = unicodedata.normalize("NFKC", text)
    folded = re.sub(r"\s+", "", folded).strip("*:").casefold()
    return folded


def _unbracketed(text: str) -> str:
    """风险等级(一、二、三级) → 风险等级: a note in brackets does not change the column."""
    return re.sub(r"\([^()]*\)|\[[^\[\]]*\]|【[^【】]*】", "", text)


@dataclass(frozen=True)
class Vocabulary:
    """The headers one kind of record is guessed from: normalised text → field."""

    kind: str
    headers: dict[str, str]
    fields: tuple[str, ...]  # every target a mapping may name for this kind

    def field_of(self, text: str) -> str | None:
        key = norm(text)
        return self.headers.get(key) or self.headers.get(_unbracketed(key))

    def recognises(self, text: str) -> bool:
        return self.field_of(text) is not None

    def knows(self, name: str) -> bool:
        head, _, rest = name.partition(".")
        if self.kind == "risk" and head in ("attributes", "scores") and rest:
            return True
        return name in self.fields


def vocabulary(kind: str, policy: Policy | None) -> Vocabulary:
    synonyms, labels = (
        (RISK_HEADERS, RISK_LABELS) if kind == "risk" else (POWER_HEADERS, POWER_LABELS)
    )
    headers: dict[str, str] = {}
    for name, keys in labels.items():
        for key in keys:
            for text in LABELS[key]:
                headers.setdefault(norm(text), name)
    for name, texts in synonyms.items():
        for text in texts:
            headers.setdefault(norm(text), name)
    if kind == "risk":
        for name in grading_fields(policy):
            head, _, rest = name.partition(".")
            if head in ("attributes", "scores") and rest:
                headers.setdefault(norm(rest), name)
            elif head not in RiskPoint.model_fields and not rest:
                headers.setdefault(norm(name), f"scores.{name}")  # a score factor such as L
    model = RiskPoint if kind == "risk" else PowerItem
    fields = tuple(
        [n for n in model.model_fields if n not in NOT_FROM_CELLS]
        + [NO]
        + ([DEPARTMENT_HEAD] if kind == "risk" else [])
    )
    return Vocabulary(kind, headers, fields)


def grading_fields(policy: Policy | None) -> list[str]:
    if policy is None:
        return []
    from lianneng.grading.base import METHODS

    return sorted(METHODS[policy.method].fields(policy))


def recogniser(policy: Policy | None) -> Vocabulary:
    """Headers of any kind: used to find the header row before the kind is known."""
    risk, power = vocabulary("risk", policy), vocabulary("power", policy)
    return Vocabulary("any", {**power.headers, **risk.headers}, ())


def guess_kind(headers: list[Header], policy: Policy | None) -> str:
    """`risk` unless the headers look like a power catalogue (事项名称, 设定依据 …)."""
    risk, power = vocabulary("risk", policy), vocabulary("power", policy)
    risk_only = {"title", "manifestation", "level", "controls", "likelihood", "impact"}
    power_only = {"name", "basis", "fee_basis", "complaint", "time_limit", "code", "commitment"}
    texts = [text for h in headers for text in h.parts]
    risk_score = sum(1 for t in texts if risk.field_of(t) in risk_only)
    power_score = sum(1 for t in texts if power.field_of(t) in power_only)
    return "power" if power_score > risk_score else "risk"


# ── mapping file ───────────────────────────────────────────────────────────────────────────


@dataclass
class Mapping:
    """A mapping file: header text → field (or `ignore`), and `defaults:` field → value."""

    source: Path
    columns: dict[str, str]  # normalised header → target as written
    defaults: dict[str, str] = field(default_factory=dict)
    written: list[str] = field(default_factory=list)  # the headers as the file spells them

    def target_for(self, header: Header) -> str | None:
        for text in candidates(header, for_mapping=True):
            found = self.columns.get(norm(text))
            if found is not None:
                return found
        return None


def load_mapping(path: Path) -> Mapping:
    from lianneng.source.text import TextFault, read_text
    from lianneng.source.yamldoc import parse

    if not path.is_file():
        raise IngestError(f"找不到对应关系文件 {path}", f"no such mapping file: {path}")
    text = read_text(path)
    if isinstance(text, TextFault):
        raise IngestError(
            f"{path}:{text.line}:{text.column}: {text.message.render('zh')}",
            f"{path}:{text.line}:{text.column}: {text.message.render('en')}",
        )
    parsed = parse(text)
    if parsed.faults:
        fault = parsed.faults[0]
        raise IngestError(
            f"{path}:{fault.line}:{fault.column}: {fault.message.render('zh')}",
            f"{path}:{fault.line}:{fault.column}: {fault.message.render('en')}",
        )
    data = parsed.documents[0] if parsed.documents else {}
    if not isinstance(data, dict):
        raise IngestError(
            f"{path}:对应关系文件应为“列名: 字段”的映射",
            f"{path}: a mapping file maps column headers to fields",
        )
    defaults = data.pop("defaults", None) or {}
    if not isinstance(defaults, dict) or not all(isinstance(v, str) for v in defaults.values()):
        raise IngestError(
            f"{path}:defaults 应为“字段: 取值”的映射", f"{path}: defaults maps fields to values"
        )
    columns: dict[str, str] = {}
    written: list[str] = []
    for header, target in data.items():
        written.append(str(header))
        if isinstance(target, list | dict):
            raise IngestError(
                f"{path}:列“{header}”应对应一个字段名",
                f"{path}: column '{header}' must map to one field name",
            )
        columns[norm(str(header))] = IGNORE if target is None else str(target).strip()
    return Mapping(path, columns, {str(k): v for k, v in defaults.items()}, written)


def resolve_target(name: str, vocab: Vocabulary, mapping: Mapping) -> str:
    """A mapping file's target: a field name, `ignore`, or a header the guess knows (风险点)."""
    if name.casefold() in IGNORE_WORDS:
        return IGNORE
    if vocab.knows(name):
        return name
    guessed = vocab.field_of(name)
    if guessed is not None:
        return guessed
    close = difflib.get_close_matches(name, list(vocab.fields), n=1)
    hint = f";是否指 '{close[0]}'?" if close else ""
    hint_en = f"; did you mean '{close[0]}'?" if close else ""
    raise IngestError(
        f"{mapping.source}:'{name}' 不是{'风险点' if vocab.kind == 'risk' else '职权事项'}的字段"
        f"{hint}(可用:{'、'.join(vocab.fields)}、ignore)",
        f"{mapping.source}: '{name}' is not a field of a {vocab.kind} record{hint_en} "
        f"(fields: {', '.join(vocab.fields)}, ignore)",
    )


# ── the column map ─────────────────────────────────────────────────────────────────────────


@dataclass(frozen=True)
class Target:
    field: str
    value: str | None = None  # a ticked column stands for this value (风险等级 → 一级 | 二级 …)
    timing: str | None = None  # controls under a 事前 / 事中 / 事后 sub-header


@dataclass(frozen=True)
class Assigned:
    header: Header
    target: Target
    explicit: bool  # named in the mapping file rather than guessed


@dataclass
class ColumnMap:
    kind: str
    assigned: list[Assigned] = field(default_factory=list)
    unmapped: list[Header] = field(default_factory=list)
    ignored: list[Header] = field(default_factory=list)
    duplicates: list[tuple[Header, Header]] = field(default_factory=list)
    """(column left out, column that already feeds the same field)."""
    defaults: dict[str, str] = field(default_factory=dict)
    absent: list[str] = field(default_factory=list)  # mapping file headers the table lacks

    def fields(self) -> set[str]:
        return {a.target.field for a in self.assigned}


def candidates(header: Header, *, for_mapping: bool = False) -> list[str]:
    """Texts a header may be known by, most specific first: the sub-header, both rows joined,
    then the spanning top cell."""
    if len(header.parts) < 2:
        return list(header.parts)
    top, sub = header.parts[0], header.parts[-1]
    found = [sub, top + sub]
    return ([header.text] if for_mapping else []) + found + [top]


def match_level(text: str, labels: list[str]) -> str | None:
    """A level as the policy spells it: 一级风险 → 一级, A → A级, Ⅰ级 stays unknown."""
    wanted = unicodedata.normalize("NFKC", text).strip()
    for candidate in (wanted, wanted.removesuffix("风险"), wanted + "级", wanted + "类"):
        if candidate in labels:
            return candidate
    folded = {norm(label): label for label in labels}
    return folded.get(norm(wanted)) or folded.get(norm(wanted.removesuffix("风险")))


def timing_of(text: str) -> str | None:
    folded = norm(text)
    return next((t for t in TIMINGS if folded.startswith(t)), None)


def map_columns(
    table: Table,
    vocab: Vocabulary,
    mapping: Mapping | None,
    labels: list[str],
) -> ColumnMap:
    result = ColumnMap(vocab.kind, defaults=dict(mapping.defaults) if mapping else {})
    used_columns = _columns_with_data(table)
    chosen: dict[int, Assigned] = {}
    # Columns the mapping file names come first: an explicit choice beats any guess.
    if mapping is not None:
        for written in [*mapping.columns.values(), *mapping.defaults]:
            resolve_target(written, vocab, mapping)  # a misspelt field stops the run, found or not
        texts = {norm(t) for h in table.headers for t in candidates(h, for_mapping=True)}
        result.absent = [key for key in mapping.written if norm(key) not in texts]
        for header in table.headers:
            named = mapping.target_for(header) if header.parts else None
            if named is None:
                continue
            target = resolve_target(named, vocab, mapping)
            if target == IGNORE:
                result.ignored.append(header)
            else:
                chosen[header.column] = Assigned(header, Target(target), explicit=True)
    fallbacks: set[str] = set()
    for header in table.headers:
        if header.column in chosen or header in result.ignored:
            continue
        if not header.parts:
            if header.column in used_columns:
                result.unmapped.append(header)
            continue
        guessed = _guess(header, vocab, labels, fallbacks)
        if guessed is None:
            result.unmapped.append(header)
        else:
            chosen[header.column] = Assigned(header, guessed, explicit=False)
    _keep_one_per_field(sorted(chosen.values(), key=_priority), result)
    return result


def _priority(assigned: Assigned) -> tuple[int, int]:
    return (0 if assigned.explicit else 1, assigned.header.column)


def _keep_one_per_field(ordered: list[Assigned], result: ColumnMap) -> None:
    """A field takes one column (the mapping's, else the leftmost); a second is reported."""
    first: dict[str, Assigned] = {}
    kept = []
    for assigned in ordered:
        name = assigned.target.field
        several = name in MULTI or (name == "level" and assigned.target.value is not None)
        earlier = first.get(name)
        if earlier is not None and not (
            several and (name != "level" or earlier.target.value is not None)
        ):
            result.duplicates.append((assigned.header, earlier.header))
            continue
        first.setdefault(name, assigned)
        kept.append(assigned)
    result.assigned = sorted(kept, key=lambda a: a.header.column)


def _guess(
    header: Header, vocab: Vocabulary, labels: list[str], fallbacks: set[str]
) -> Target | None:
    if len(header.parts) < 2:
        name = vocab.field_of(header.parts[0])
        return Target(name) if name else None
    top, sub = header.parts[0], header.parts[-1]
    for text in (sub, top + sub):
        name = vocab.field_of(text)
        if name:
            return Target(name)
    name = vocab.field_of(top)
    if name == "level" and match_level(sub, labels):
        return Target("level", value=match_level(sub, labels))  # ticked level columns
    if name == "controls" and timing_of(sub):
        return Target("controls", timing=timing_of(sub))
    # An unknown sub-header takes the top cell's field once (措施内容 under 防控措施); the next
    # unknown one under the same cell (责任人 …) is reported rather than mixed in.
    if name and top not in fallbacks:
        fallbacks.add(top)
        return Target(name)
    return None


def _columns_with_data(table: Table) -> set[int]:
    return {
        column
        for row in table.rows
        for column, value in enumerate(row.values)
        if value and row.own[column]
    }
