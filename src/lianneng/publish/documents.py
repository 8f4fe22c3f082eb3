"""The documents the seeds ask for, each built from the audience's views as format-neutral
blocks."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from lianneng.model.fields import Visibility
from lianneng.publish.audience import Audience
from lianneng.publish.blocks import (
    Block,
    Body,
    Document,
    Fields,
    FlowChart,
    FlowStep,
    Heading,
    HeatMap,
    PageBreak,
    Paragraph,
    RiskMark,
    Table,
)
from lianneng.publish.context import Context, View

Builder = Callable[[Context], Document | None]


@dataclass(frozen=True)
class DocumentSpec:
    name: str
    build: Builder
    audiences: frozenset[Audience]
    core: bool = True  # published by default; forms of one seed are published when configured
    # The most the document reads. One that reads nothing only the unit may see (no internal
    # field, no link or name of a person) is the same inside the unit as in the filing: it is
    # made once for both (see build_documents; the tests hold each such document to it).
    reads: Visibility = Visibility.INTERNAL


ALL = frozenset(Audience)
NOT_PUBLIC = frozenset({Audience.FILING, Audience.INTERNAL})


def _text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, list):
        return "、".join(_text(v) for v in value)
    return str(value)


def _rows(rows: list[list[str]]) -> tuple[tuple[str, ...], ...]:
    return tuple(tuple(row) for row in rows)


def _columns(ctx: Context, *keys: str) -> tuple[str, ...]:
    return tuple(ctx.t(f"col.{key}") for key in keys)


def _controls_text(ctx: Context, risk: View) -> str:
    controls = ctx.controls(risk)
    if len(controls) == 1:
        return _text(controls[0].get("description"))
    return "\n".join(f"{n}. {_text(c.get('description'))}" for n, c in enumerate(controls, 1))


def _tagged(record: View) -> str:
    """A title with its tags as marks: 报销审核把关不严〔三重一大〕."""
    tags = "".join(f"〔{tag}〕" for tag in record.get("tags") or [])
    return _text(record.get("title")) + tags


def _department_of(ctx: Context, risk: View) -> str:
    if risk.get("department"):
        return ctx.name(risk["department"])
    for post_id in risk.get("posts", []):
        post = ctx.get(post_id)
        if post and post.get("department"):
            return ctx.name(post["department"])
    return str(ctx.unit["name"])


def _sorted_risks(ctx: Context) -> list[View]:
    """Risk points by department then level (highest first), as ledgers list them (sorted once
    per audience: the list, the ledger and the filed controls all ask)."""
    return ctx.once("sorted_risks", lambda: _sort_risks(ctx))


def _sort_risks(ctx: Context) -> list[View]:
    risks = ctx.records("risk")
    order = {d["id"]: n for n, d in enumerate(ctx.records("department"))}
    return sorted(
        risks,
        key=lambda r: (order.get(r.get("department") or "", len(order)), ctx.rank(ctx.level(r))),
    )


# ── catalogues ─────────────────────────────────────────────────────────────────────────────


def power_catalogue(ctx: Context) -> Document:
    keys = [
        "no",
        "code",
        "power",
        "power_category",
        "basis",
        "department",
        "posts",
        "commitment",
        "discipline",
        "time_limit",
        "fee_basis",
        "complaint",
    ]
    rows = []
    for n, power in enumerate(ctx.records("power"), 1):
        rows.append(
            [
                str(n),
                _text(power.get("code")),
                _text(power.get("name")),
                _text(power.get("category")),
                _text(power.get("basis")),
                ctx.name(power.get("department")),
                ctx.names(power.get("posts")),
                _text(power.get("commitment")),
                _text(power.get("discipline")),
                _text(power.get("time_limit")),
                _text(power.get("fee_basis")),
                _text(power.get("complaint")),
            ]
        )
    widths: tuple[int, ...] = (5, 12, 18, 8, 30, 10, 12, 20, 20, 10, 10, 16)
    if any(p.get("tags") for p in ctx.records("power")):  # 三重一大, 六个公开 …
        keys.append("tags")
        widths += (10,)
        for row, power in zip(rows, ctx.records("power"), strict=True):
            row.append(_text(power.get("tags")))
    title = ctx.t("doc.power-catalogue")
    blocks: list[Block] = [Table(_columns(ctx, *keys), _rows(rows), title, widths)]
    if ctx.audience is Audience.INTERNAL:
        withheld = [
            [str(n), _text(p.get("name")), _text(p.get("private_reason"))]
            for n, p in enumerate((p for p in ctx.records("power") if not p.get("public")), 1)
        ]
        if withheld:
            blocks += [
                Heading(ctx.t("doc.withheld")),
                Table(
                    (ctx.t("col.no"), ctx.t("col.power"), ctx.t("col.reason")),
                    _rows(withheld),
                    ctx.t("doc.withheld"),
                    (5, 30, 40),
                ),
            ]
    return Document("power-catalogue", title, blocks)


def flow_catalogue(ctx: Context) -> Document:
    rows = []
    for n, flow in enumerate(ctx.records("flow"), 1):
        power = ctx.get(flow.get("power"))
        if power is None:
            continue  # the power item is not disclosed to this audience
        steps = " → ".join(_text(step.get("name")) for step in flow.get("steps", []))
        limits = "；".join(
            f"{step['name']} {step['time_limit']}"
            for step in flow.get("steps", [])
            if step.get("time_limit")
        )
        rows.append([str(n), _text(flow.get("name")), _text(power.get("name")), steps, limits])
    title = ctx.t("doc.flow-catalogue")
    return Document(
        "flow-catalogue",
        title,
        [
            Table(
                _columns(ctx, "no", "flow", "power", "steps", "time_limit"),
                _rows(rows),
                title,
                (5, 24, 20, 40, 30),
            )
        ],
    )


def flows(ctx: Context) -> Document:
    title = ctx.t("doc.flows")
    blocks: list[Block] = []
    for flow in ctx.records("flow"):
        power = ctx.get(flow.get("power"))
        if power is None:
            continue
        steps = []
        rows = []
        for step in flow.get("steps", []):
            marks = []
            for risk_id in step.get("risks", []):
                risk = ctx.get(risk_id)
                if risk is None:
                    continue
                level = ctx.level(risk)
                marks.append(RiskMark(risk_id, _text(risk.get("title")), level, ctx.rank(level)))
            steps.append(
                FlowStep(
                    _text(step.get("id")),
                    _text(step.get("name")),
                    ctx.name(step.get("post")),
                    _text(step.get("time_limit")),
                    tuple(marks),
                )
            )
            rows.append(
                [
                    _text(step.get("name")),
                    ctx.name(step.get("post")),
                    _text(step.get("conditions")),
                    _text(step.get("time_limit")),
                    _text(step.get("supervision")),
                    _text(step.get("rights")),
                    _text(step.get("complaint")),
                    "\n".join(f"{m.title}({m.level})" for m in marks),
                ]
            )
        heading = f"{_text(flow.get('name'))}({_text(power.get('name'))})"
        keys = [
            "step",
            "handler",
            "conditions",
            "time_limit",
            "supervision",
            "rights",
            "complaint",
            "step_risks",
        ]
        widths: tuple[int, ...] = (10, 12, 20, 10, 18, 18, 16, 24)
        if "risk" in ctx.hidden_kinds():  # no column that could only ever be empty
            keys, widths, rows = keys[:-1], widths[:-1], [row[:-1] for row in rows]
        blocks += [
            Heading(heading),
            FlowChart(heading, tuple(steps)),
            Table(_columns(ctx, *keys), _rows(rows), _text(flow.get("name")), widths),
        ]
    return Document("flows", title, blocks)


# ── the disclosure list and the ledger ─────────────────────────────────────────────────────


def risk_list(ctx: Context) -> Document | None:
    if ctx.audience is Audience.PUBLIC and ctx.register.config.disclosure.risk_list == "internal":
        return None  # seed 000: the list is shown inside the unit, not published to society
    rows = []
    for n, risk in enumerate(_sorted_risks(ctx), 1):
        rows.append(
            [
                str(n),
                _department_of(ctx, risk),
                _text(risk.get("category")),
                _text(risk.get("title")),
                _text(risk.get("manifestation")),
                ctx.level(risk),
                _controls_text(ctx, risk),
                ctx.leader(risk.get("responsible_leader")),
            ]
        )
    title = ctx.t("doc.risk-list")
    return Document(
        "risk-list",
        title,
        [
            Table(
                _columns(
                    ctx,
                    "no",
                    "unit_department",
                    "category",
                    "risk",
                    "manifestation",
                    "level",
                    "controls",
                    "leader",
                ),
                _rows(rows),
                title,
                (5, 12, 10, 24, 30, 8, 40, 12),
            )
        ],
    )


def grading_inputs(ctx: Context) -> list[tuple[str, str]]:
    """(field, column label) of what the policy grades by: the ledger records the basis of each
    level, and an import of the ledger can grade again from it."""
    if ctx.policy is None:
        return []
    from lianneng.grading.base import METHODS

    labels = {
        "likelihood": ctx.t("word.likelihood"),
        "impact": ctx.t("word.impact"),
        "consequence": ctx.t("col.consequence"),
        "business_class": ctx.t("col.business_class"),
        "criteria": ctx.t("col.criteria"),
    }
    found = []
    for name in sorted(METHODS[ctx.policy.method].fields(ctx.policy)):
        head, _, rest = name.partition(".")
        if head in ("attributes", "scores") and rest:
            found.append((name, rest))
        elif name in labels:
            found.append((name, labels[name]))
    return found


def _input_value(risk: View, name: str) -> str:
    head, _, rest = name.partition(".")
    if head in ("attributes", "scores") and rest:
        return _text((risk.get(head) or {}).get(rest))
    return _text(risk.get(name))


def ledger(ctx: Context) -> Document:
    inputs = grading_inputs(ctx)
    columns = [
        ctx.t(f"col.{k}")
        for k in (
            "no",
            "department",
            "category",
            "important_step",
            "risk",
            "manifestation",
            "exposed_posts",
        )
    ]
    columns += [label for _, label in inputs]
    columns += [ctx.t(f"col.{k}") for k in ("level", "controls")]
    if ctx.audience is Audience.INTERNAL:
        columns.append(ctx.t("col.people"))
    columns += [ctx.t(f"col.{k}") for k in ("department_head", "leader")]
    rows = []
    for n, risk in enumerate(_sorted_risks(ctx), 1):
        step = ""
        if risk.get("step") and risk["step"] in ctx.register.steps:
            flow, flow_step = ctx.register.steps[risk["step"]]
            step = f"{flow.name}/{flow_step.name}" if ctx.get(flow.id) else ""
        row = [
            str(n),
            _department_of(ctx, risk),
            _text(risk.get("category")),
            step,
            _tagged(risk),
            _text(risk.get("manifestation")),
            ctx.names(risk.get("posts")),
        ]
        row += [_input_value(risk, name) for name, _ in inputs]
        row += [ctx.level(risk), _controls_text(ctx, risk)]
        if ctx.audience is Audience.INTERNAL:
            row.append(ctx.people_of(risk))
        row += [
            ctx.department_head(risk.get("department")),
            ctx.leader(risk.get("responsible_leader")),
        ]
        rows.append(row)
    title = ctx.t("doc.ledger")
    widths = (
        5,
        12,
        10,
        16,
        24,
        30,
        14,
        *(8,) * len(inputs),
        8,
        40,
        *((12,) if ctx.audience is Audience.INTERNAL else ()),
        12,
        12,
    )
    return Document("ledger", title, [Table(tuple(columns), _rows(rows), title, widths)])


# ── statistics ─────────────────────────────────────────────────────────────────────────────


def statistics(ctx: Context) -> Document | None:
    if "risk" in ctx.hidden_kinds():
        return None  # counts of risk points the unit keeps to itself would tell about them
    risks = ctx.records("risk")
    total = len(risks)
    title = ctx.t("doc.statistics")
    blocks: list[Block] = [Fields(((ctx.t("word.total_risks"), str(total)),))]

    def counted(heading: str, values: list[str], order: list[str] | None = None) -> None:
        counts = Counter(values)
        keys = order or sorted(counts, key=lambda k: (-counts[k], k))
        rows = [
            [k, str(counts.get(k, 0)), f"{counts.get(k, 0) / total:.0%}" if total else "—"]
            for k in keys
            if counts.get(k, 0) or order
        ]
        blocks.extend(
            [
                Heading(heading),
                Table(
                    (ctx.t("col.item"), ctx.t("col.count"), ctx.t("col.share")),
                    _rows(rows),
                    heading,
                    (24, 8, 8),
                ),
            ]
        )

    labels = ctx.policy.labels if ctx.policy else None
    counted(ctx.t("word.by_level"), [ctx.level(r) or "—" for r in risks], labels)
    counted(ctx.t("word.by_category"), [_text(r.get("category")) for r in risks])
    counted(ctx.t("word.by_department"), [_department_of(ctx, r) for r in risks])
    counted(ctx.t("word.by_nature"), [_text(r.get("nature")) for r in risks])
    classes = [_text(r.get("business_class")) for r in risks if r.get("business_class")]
    if classes:
        counted(ctx.t("word.by_business_class"), classes)
    heat = heat_map(ctx)
    if heat is not None:
        blocks += [Heading(heat.title), heat]
    powers = ctx.records("power")
    assessed = {r.get("power") for r in risks} | {
        ctx.register.steps[r["step"]][0].power for r in risks if r.get("step") in ctx.register.steps
    }
    assessed_count = sum(1 for p in powers if p["id"] in assessed or p.get("no_risk_found"))
    controlled = sum(1 for r in risks if ctx.controls(r))
    controls = list({c["id"]: c for r in risks for c in ctx.controls(r)}.values())
    done = sum(1 for c in controls if c.get("status") == "已落实")
    rows = [
        [ctx.t("word.powers_assessed"), f"{assessed_count}/{len(powers)}"],
        [ctx.t("word.risks_controlled"), f"{controlled}/{total}"],
    ]
    if ctx.audience is not Audience.PUBLIC:
        rows.append([ctx.t("word.controls_done"), f"{done}/{len(controls)}"])
    blocks += [
        Heading(ctx.t("word.coverage")),
        Table(
            (ctx.t("col.item"), ctx.t("col.value")), _rows(rows), ctx.t("word.coverage"), (30, 12)
        ),
    ]
    return Document("statistics", title, blocks)


def heat_map(ctx: Context) -> HeatMap | None:
    """Counts on the likelihood × impact grid: the policy's scales, else the values in use."""
    if ctx.audience is Audience.PUBLIC:
        return None  # likelihood and impact are grading inputs, not public fields
    risks = [r for r in ctx.records("risk") if r.get("likelihood") and r.get("impact")]
    if not risks:
        return None
    policy = ctx.policy
    if policy is not None and policy.grid is not None:
        rows, columns = list(policy.grid.rows.scale), list(policy.grid.columns.scale)
    else:
        rows = sorted({str(r["likelihood"]) for r in risks})
        columns = sorted({str(r["impact"]) for r in risks})
    counts = Counter((str(r["likelihood"]), str(r["impact"])) for r in risks)
    return HeatMap(
        ctx.t("word.heat_map"),
        ctx.t("word.likelihood"),
        ctx.t("word.impact"),
        tuple(rows),
        tuple(columns),
        tuple(tuple(counts[(row, col)] for col in columns) for row in rows),
    )


# ── rules and commitments (Markdown bodies) ────────────────────────────────────────────────


def rules(ctx: Context) -> Document | None:
    title = ctx.t("doc.rules")
    records = ctx.records("rule")
    if not records:
        return None
    rows = [
        [
            str(n),
            _text(r.get("title")),
            _text(r.get("number")),
            _text(r.get("issued")),
            _text(r.get("status")),
            ctx.names(r.get("risks")),
        ]
        for n, r in enumerate(records, 1)
    ]
    blocks: list[Block] = [
        Table(
            _columns(ctx, "no", "rule", "number", "issued", "rule_status")
            + (ctx.t("word.answers"),),
            _rows(rows),
            title,
            (5, 30, 16, 12, 8, 30),
        )
    ]
    for rule in records:
        if rule.get("body"):
            blocks += [
                PageBreak(),
                *_titled_body(_text(rule.get("title")), ctx.resolve_links(str(rule["body"]))),
            ]
    return Document("rules", title, blocks, formats=("md", "html", "xlsx", "docx"))


def commitments(ctx: Context) -> Document | None:
    title = ctx.t("doc.commitments")
    blocks: list[Block] = []
    for commitment in ctx.records("commitment"):
        if blocks:
            blocks.append(PageBreak())
        blocks.append(Heading(_text(commitment.get("title")), 1))
        fields = [(ctx.t("word.unit"), ctx.unit["name"])]
        if commitment.get("department"):
            fields.append((ctx.t("word.department"), ctx.name(commitment["department"])))
        if commitment.get("post"):
            fields.append((ctx.t("word.post"), ctx.name(commitment["post"])))
        if commitment.get("signed"):
            fields.append((ctx.t("word.signed"), _text(commitment["signed"])))
        blocks.append(Fields(tuple(fields)))
        if commitment.get("body"):
            body = _titled_body(
                _text(commitment.get("title")), ctx.resolve_links(str(commitment["body"]))
            )
            blocks += [b for b in body if not isinstance(b, Heading)]  # titled above already
            if isinstance(body[0], Body):
                blocks[-1] = Body(_without_title(body[0].markdown), shift=1)
    return Document("commitments", title, blocks, formats=("md", "html", "docx"))


def _without_title(markdown: str) -> str:
    """The body less its opening `# title` line (the document already shows the title)."""
    lines = markdown.splitlines()
    first = next((n for n, line in enumerate(lines) if line.strip()), None)
    if first is not None and lines[first].startswith("# "):
        del lines[first]
    return "\n".join(lines).strip() + "\n"


def _titled_body(title: str, body: str) -> list[Block]:
    """A body under its title; a body that opens with its own `# title` keeps that heading."""
    first = next((line for line in body.splitlines() if line.strip()), "")
    if first.startswith("# "):
        return [Body(body, shift=1)]
    return [Heading(title), Body(body)]


# ── forms of the seeds ─────────────────────────────────────────────────────────────────────


def _per_department(
    ctx: Context,
    name: str,
    build_rows: Callable[[View], list[list[str]]],
    keys: tuple[str, ...],
    widths: tuple[int, ...],
) -> Document:
    title = ctx.t(f"doc.{name}")
    blocks: list[Block] = []
    for department in ctx.records("department"):
        rows = build_rows(department)
        if blocks:
            blocks.append(PageBreak())
        blocks += [
            Heading(f"{title}({department['name']})"),
            Fields(
                (
                    (ctx.t("word.filled"), f"{ctx.unit['name']} {department['name']}"),
                    (ctx.t("word.period"), ctx.unit["period"]),
                )
            ),
            Table(_columns(ctx, *keys), _rows(rows), _text(department["name"]), widths),
        ]
    return Document(name, title, blocks, formats=("md", "html", "xlsx", "docx"))


def _department_risks(ctx: Context, department: View, scope: str | None = None) -> list[View]:
    posts = {p["id"] for p in ctx.posts_of(department["id"])}
    found = [
        r
        for r in _sorted_risks(ctx)
        if r.get("department") == department["id"] or posts & set(r.get("posts", []))
    ]
    return [r for r in found if scope is None or r.get("scope") == scope]


def _per_post(
    ctx: Context,
    name: str,
    keys: tuple[str, ...],
    widths: tuple[int, ...],
    build_rows: Callable[[View], list[list[str]]],
) -> Document:
    title = ctx.t(f"doc.{name}")
    blocks: list[Block] = []
    for post in ctx.records("post"):
        rows = build_rows(post)
        if not rows:
            continue
        if blocks:
            blocks.append(PageBreak())
        fields = [(ctx.t("word.post"), _text(post.get("name")))]
        if post.get("department"):
            fields.append((ctx.t("word.department"), ctx.name(post["department"])))
        if post.get("duties"):
            fields.append((ctx.t("col.duties"), _text(post["duties"])))
        if ctx.audience is Audience.INTERNAL and post.get("holders"):
            fields.append((ctx.t("col.people"), ctx.names(post["holders"])))
        blocks += [
            Heading(f"{title}({post['name']})"),
            Fields(tuple(fields)),
            Table(_columns(ctx, *keys), _rows(rows), _text(post.get("name")), widths),
        ]
    return Document(name, title, blocks, formats=("md", "html", "xlsx", "docx"))


def _post_risks(ctx: Context, post: View) -> list[View]:
    return [r for r in _sorted_risks(ctx) if post["id"] in r.get("posts", [])]


def form_004_1(ctx: Context) -> Document:
    """表1 部门权力登记表 (seed 004)."""

    def rows(department: View) -> list[list[str]]:
        return [
            [
                str(n),
                _text(p.get("name")),
                _text(p.get("category")),
                _text(p.get("basis")),
                ctx.names(p.get("posts")),
                _text(p.get("time_limit")),
            ]
            for n, p in enumerate(
                (p for p in ctx.records("power") if p.get("department") == department["id"]), 1
            )
        ]

    return _per_department(
        ctx,
        "form-004-1",
        rows,
        ("no", "power", "power_category", "basis", "posts", "time_limit"),
        (5, 24, 10, 36, 14, 10),
    )


def form_004_4(ctx: Context) -> Document:
    """表4 部门风险防控措施登记表 (seed 004): every control of the department's risk points."""

    def rows(department: View) -> list[list[str]]:
        found = []
        for risk in _department_risks(ctx, department):
            for control in ctx.controls(risk):
                found.append(
                    [
                        _text(risk.get("title")),
                        ctx.level(risk),
                        _text(control.get("description")),
                        _text(control.get("type")),
                        _text(control.get("timing")),
                        ctx.name(control.get("owner")),
                        _text(control.get("due")),
                        _text(control.get("status")),
                    ]
                )
        return [[str(n), *row] for n, row in enumerate(found, 1)]

    return _per_department(
        ctx,
        "form-004-4",
        rows,
        ("no", "risk", "level", "controls", "control_type", "timing", "owner", "due", "status"),
        (5, 20, 8, 36, 10, 8, 12, 10, 8),
    )


# Columns a risk-point form can have: how each is read from a risk point the audience sees.
RISK_COLUMNS: dict[str, Callable[[Context, View], str]] = {
    "category": lambda ctx, r: _text(r.get("category")),
    "risk": lambda ctx, r: _text(r.get("title")),
    "manifestation": lambda ctx, r: _text(r.get("manifestation")),
    "causes": lambda ctx, r: _text(r.get("causes")),
    "exposed_posts": lambda ctx, r: ctx.names(r.get("posts")),
    "power": lambda ctx, r: ctx.name(r.get("power")),
    "level": lambda ctx, r: ctx.level(r),
    "controls": _controls_text,
    "leader": lambda ctx, r: ctx.leader(r.get("responsible_leader")),
}


def risk_form(name: str, per: str, keys: tuple[str, ...], widths: tuple[int, ...]) -> Builder:
    """A seed's form: one table of risk points per department (or per post), with these columns."""

    def rows(ctx: Context, owner: View) -> list[list[str]]:
        risks = _department_risks(ctx, owner) if per == "department" else _post_risks(ctx, owner)
        return [
            [str(n), *(RISK_COLUMNS[key](ctx, risk) for key in keys)]
            for n, risk in enumerate(risks, 1)
        ]

    def build(ctx: Context) -> Document:
        columns, sizes = ("no", *keys), (5, *widths)
        if per == "department":
            return _per_department(ctx, name, lambda d: rows(ctx, d), columns, sizes)
        return _per_post(ctx, name, columns, sizes, lambda p: rows(ctx, p))

    return build


# 000 附表1 部门 / 附表2 个人廉能风险识别防控表
form_000_1 = risk_form(
    "form-000-1",
    "department",
    ("category", "risk", "manifestation", "level", "controls", "leader"),
    (10, 24, 30, 8, 40, 12),
)
form_000_2 = risk_form(
    "form-000-2",
    "post",
    ("category", "risk", "manifestation", "level", "controls"),
    (10, 24, 30, 8, 40),
)
# 004 表2 部门 / 表3 个人职务犯罪风险点自查登记表: with causes and the posts exposed
form_004_2 = risk_form(
    "form-004-2",
    "department",
    ("category", "risk", "manifestation", "causes", "exposed_posts", "level"),
    (10, 24, 28, 24, 14, 8),
)
form_004_3 = risk_form(
    "form-004-3",
    "post",
    ("category", "risk", "manifestation", "causes", "level"),
    (10, 24, 28, 24, 8),
)
# 003 廉政风险自查表: along the powers of the department
form_003 = risk_form(
    "form-003",
    "department",
    ("power", "risk", "manifestation", "category", "level", "controls"),
    (18, 24, 28, 10, 8, 36),
)


def controls_filing(ctx: Context) -> Document | None:
    """The controls a policy files elsewhere (报局党组备案): of risk points at such a level, and of
    departments graded at such a level as a whole (腐败风险等级评估办法)."""
    policy = ctx.policy
    if policy is None:
        return None
    where = {
        level: c.file_controls_with for level, c in policy.levels.items() if c.file_controls_with
    }
    if not where:
        return None
    from lianneng.grading.engine import grade_whole, wholes_of

    departments = {}
    for whole in wholes_of(ctx.register):
        grade = grade_whole(policy, whole, ctx.grades) if whole.kind == "department" else None
        if grade is not None and grade.level in where:
            departments[whole.id] = grade.level
    blocks: list[Block] = []
    for level, body in where.items():
        rows = []
        for risk in _sorted_risks(ctx):
            department = risk.get("department") or ""
            if ctx.level(risk) != level and departments.get(department) != level:
                continue
            for control in ctx.controls(risk):
                rows.append(
                    [
                        _department_of(ctx, risk),
                        _text(risk.get("title")),
                        ctx.level(risk),
                        _text(control.get("description")),
                        ctx.name(control.get("owner")),
                    ]
                )
        if rows:
            heading = f"{level} · {body}"
            blocks += [
                Heading(heading),
                Table(
                    _columns(ctx, "department", "risk", "level", "controls", "owner"),
                    _rows([[str(n), *row][1:] for n, row in enumerate(rows, 1)]),
                    heading,
                    (12, 24, 8, 40, 12),
                ),
            ]
    if not blocks:
        return None
    return Document(
        "controls-filing",
        ctx.t("doc.controls-filing"),
        blocks,
        formats=("md", "html", "xlsx", "docx"),
    )


def warnings_ledger(ctx: Context) -> Document | None:
    """预警处置台账: every warning with its signal, action, deadline and outcome."""
    records = ctx.records("warning")
    if not records:
        return None
    rows = []
    for n, warning in enumerate(records, 1):
        signal = warning.get("signal") or {}
        kinds = [_text(signal.get("type"))] if signal.get("type") else []
        kinds += [_text((ctx.get(s) or {}).get("type")) for s in warning.get("signals", [])]
        row = [
            str(n),
            _text(warning.get("id")),
            ctx.name(warning.get("target")) or _text(warning.get("target")),
            "、".join(filter(None, kinds)),
            _text(warning.get("level")),
            _text(warning.get("action")),
            _text(warning.get("issued")),
            _text(warning.get("deadline")),
            _text(warning.get("status")),
            _text(warning.get("closed")),
            _text(warning.get("outcome")),
        ]
        rows.append(row)
    title = ctx.t("doc.warnings")
    columns = tuple(
        ctx.t(f"col.{k}")
        for k in (
            "no",
            "id",
            "target",
            "signal",
            "warning_level",
            "action",
            "issued_on",
            "deadline",
            "warning_status",
            "closed_on",
            "outcome",
        )
    )
    return Document(
        "warnings",
        title,
        [Table(columns, _rows(rows), title, (5, 12, 14, 10, 8, 10, 11, 11, 8, 11, 30))],
    )


DOCUMENTS: dict[str, DocumentSpec] = {
    spec.name: spec
    for spec in (
        DocumentSpec("power-catalogue", power_catalogue, ALL),
        DocumentSpec("flow-catalogue", flow_catalogue, ALL, reads=Visibility.FILING),
        DocumentSpec("flows", flows, ALL, reads=Visibility.FILING),
        DocumentSpec("risk-list", risk_list, ALL, reads=Visibility.FILING),
        DocumentSpec("ledger", ledger, NOT_PUBLIC),
        DocumentSpec("statistics", statistics, ALL, reads=Visibility.FILING),
        DocumentSpec("rules", rules, ALL),
        DocumentSpec("commitments", commitments, ALL),
        DocumentSpec("controls-filing", controls_filing, NOT_PUBLIC, reads=Visibility.FILING),
        DocumentSpec("warnings", warnings_ledger, NOT_PUBLIC),
        DocumentSpec("form-000-1", form_000_1, NOT_PUBLIC, core=False),
        DocumentSpec("form-000-2", form_000_2, NOT_PUBLIC, core=False),
        DocumentSpec("form-004-1", form_004_1, NOT_PUBLIC, core=False),
        DocumentSpec("form-004-2", form_004_2, NOT_PUBLIC, core=False),
        DocumentSpec("form-004-3", form_004_3, NOT_PUBLIC, core=False),
        DocumentSpec("form-004-4", form_004_4, NOT_PUBLIC, core=False),
        DocumentSpec("form-003", form_003, NOT_PUBLIC, core=False),
    )
}


def build_documents(
    ctx: Context,
    selected: list[str] | None,
    made: dict[tuple[Audience, str], Document | None] | None = None,
) -> list[Document]:
    """The selected documents (by default the core ones) for the context's audience. `made`
    keeps what is built for each audience over a run: a document that reads nothing internal
    is then taken from the filing audience's, if it was made, rather than made again."""
    return list(each_document(ctx, selected, made))


def each_document(
    ctx: Context,
    selected: list[str] | None,
    made: dict[tuple[Audience, str], Document | None] | None = None,
) -> Iterator[Document]:
    """build_documents' documents, each as soon as it is built."""
    names = selected if selected is not None else [n for n, s in DOCUMENTS.items() if s.core]
    made = {} if made is None else made
    for name in names:
        spec = DOCUMENTS[name]
        if ctx.audience not in spec.audiences:
            continue
        as_filed = (Audience.FILING, name)
        if (
            ctx.audience is Audience.INTERNAL
            and spec.reads <= Visibility.FILING
            and as_filed in made
        ):
            document = made[as_filed]
        else:
            document = spec.build(ctx)
        made[(ctx.audience, name)] = document
        if document is not None and document.blocks:
            yield document


__all__ = ["DOCUMENTS", "Paragraph", "build_documents", "each_document"]
