"""`lianneng report`: what a period brought, and the assessment (考核) of each department.

Seed 000 asks each unit to report by the 1st of every month what it found, graded, changed,
controlled, warned and closed. Changes come from git history (the register at the end of the
period against the register before it began); dated facts (warnings, signals, reviews) come from
the records themselves.
"""

from __future__ import annotations

import calendar
import re
from collections import Counter
from dataclasses import dataclass
from datetime import date

from lianneng.check.dynamic import cadence, review_due
from lianneng.errors import UsageError
from lianneng.grading.policy import Policy
from lianneng.history.changes import ChangeSet
from lianneng.manage.facts import department_of, target_department
from lianneng.manage.warnings import CLOSED, OPEN
from lianneng.manage.yellow import yellow_cards
from lianneng.model.control import Control
from lianneng.model.org import Department
from lianneng.model.risk import RiskPoint
from lianneng.model.warning import SignalRecord, Warning
from lianneng.publish.blocks import Block, Document, Fields, Heading, Paragraph, Table
from lianneng.publish.context import Context
from lianneng.publish.labels import words_for
from lianneng.register import Register


@dataclass(frozen=True)
class Period:
    label: str
    start: date  # first day
    end: date  # last day

    def __contains__(self, day: date | None) -> bool:
        return day is not None and self.start <= day <= self.end


def parse_period(text: str) -> Period:
    """`2026-10` (a month), `2026-Q4` (a quarter) or `2026` (a year)."""
    text = text.strip()
    if m := re.fullmatch(r"(\d{4})-(\d{1,2})", text):
        year, month = int(m.group(1)), int(m.group(2))
        if 1 <= month <= 12:
            return Period(
                f"{year}-{month:02d}",
                date(year, month, 1),
                date(year, month, calendar.monthrange(year, month)[1]),
            )
    if m := re.fullmatch(r"(\d{4})-[Qq]([1-4])", text):
        year, quarter = int(m.group(1)), int(m.group(2))
        last = quarter * 3
        return Period(
            f"{year}-Q{quarter}",
            date(year, last - 2, 1),
            date(year, last, calendar.monthrange(year, last)[1]),
        )
    if m := re.fullmatch(r"(\d{4})", text):
        year = int(m.group(1))
        return Period(str(year), date(year, 1, 1), date(year, 12, 31))
    raise UsageError(
        f"周期 {text!r} 应写作 2026-10、2026-Q4 或 2026 / a period is 2026-10, 2026-Q4 or 2026"
    )


def period_report(ctx: Context, period: Period, changes: ChangeSet | None, today: date) -> Document:
    register = ctx.register
    t = words_for(ctx.lang)
    title = t(f"廉能风险管理工作报告({period.label})", f"Integrity-risk report ({period.label})")
    blocks: list[Block] = []
    issued = [w for w in register.of(Warning) if w.issued in period and ctx.get(w.id)]
    closed = [
        w
        for w in register.of(Warning)
        if w.closed in period and w.status in (*CLOSED, "已升级") and ctx.get(w.id)
    ]
    signals = [s for s in register.of(SignalRecord) if s.date in period and ctx.get(s.id)]
    reviewed: list[RiskPoint | Control] = [*register.of(RiskPoint), *register.controls()]
    reviews = [
        (record, review)
        for record in reviewed
        for review in record.reviews
        if review.date in period
    ]
    found = [
        c for c in (changes.records if changes else []) if c.kind == "risk" and c.status == "added"
    ]
    controlled = [
        c
        for c in (changes.records if changes else [])
        if c.kind == "control"
        and (c.status == "added" or any(f.path == "status" and f.new == "已落实" for f in c.fields))
    ]
    modified = [c for c in (changes.records if changes else []) if c.status != "added"]
    rows = [
        [t("新查找风险点", "risk points found"), str(len(found))],
        [t("等级变化", "level changes"), str(len(changes.levels)) if changes else "—"],
        [
            t("修改或删除的记录", "records changed or removed"),
            str(len(modified)) if changes else "—",
        ],
        [
            t("新增或落实的防控措施", "controls added or put in place"),
            str(len(controlled)) if changes else "—",
        ],
        [t("收到的线索", "signals received"), str(len(signals))],
        [t("发出的预警", "warnings issued"), str(len(issued))],
        [t("关闭的预警", "warnings closed"), str(len(closed))],
        [t("完成的复核", "reviews done"), str(len(reviews))],
    ]
    blocks += [
        Fields(
            (
                (t("周期", "period"), f"{period.start} — {period.end}"),
                (t("统计截至", "as of"), today.isoformat()),
            )
        ),
        Heading(t("概况", "Summary")),
        Table((t("项目", "item"), t("数量", "count")), _rows(rows), t("概况", "Summary"), (30, 10)),
    ]
    if changes is None:
        blocks.append(
            Paragraph(
                t(
                    "登记册不在 git 仓库中,无法统计期间的改动;以下只列出有日期的记录。",
                    "The register is not in git: changes in the period cannot be "
                    "counted; only dated records are listed.",
                )
            )
        )
    else:
        if found:
            blocks += [
                Heading(t("新查找的风险点", "Risk points found")),
                Table(
                    (t("编号", "id"), t("风险点", "risk point")),
                    _rows([[c.id, c.title] for c in found]),
                    t("新查找", "found"),
                    (14, 50),
                ),
            ]
        if changes.levels:
            blocks += [
                Heading(t("等级变化", "Level changes")),
                Table(
                    (
                        t("编号", "id"),
                        t("风险点", "risk point"),
                        t("原等级", "from"),
                        t("新等级", "to"),
                    ),
                    _rows([[c.id, c.title, c.old or "—", c.new or "—"] for c in changes.levels]),
                    t("等级变化", "levels"),
                    (14, 40, 8, 8),
                ),
            ]
        if controlled:
            blocks += [
                Heading(t("新增或落实的防控措施", "Controls added or in place")),
                Table(
                    (t("编号", "id"), t("措施", "control")),
                    _rows([[c.id, c.title] for c in controlled]),
                    t("措施", "controls"),
                    (14, 50),
                ),
            ]
    if issued or closed:
        rows = [
            [
                w.id,
                ctx.name(w.target) or w.target,
                w.action or "",
                str(w.issued or ""),
                str(w.deadline or ""),
                w.status,
                str(w.closed or ""),
            ]
            for w in sorted({w.id: w for w in [*issued, *closed]}.values(), key=lambda w: w.id)
        ]
        blocks += [
            Heading(t("预警与处置", "Warnings and actions")),
            Table(
                (
                    t("编号", "id"),
                    t("对象", "target"),
                    t("处置方式", "action"),
                    t("发出", "issued"),
                    t("期限", "deadline"),
                    t("状态", "status"),
                    t("关闭", "closed"),
                ),
                _rows(rows),
                t("预警", "warnings"),
                (14, 20, 12, 12, 12, 8, 12),
            ),
        ]
    policy = ctx.policy
    if policy is not None and policy.yellow_card is not None:
        cards = yellow_cards(register, policy.yellow_card)
        if cards:
            blocks += [
                Heading(t("廉能风险黄牌警告", "Yellow cards")),
                Table(
                    (t("对象", "target"), t("理由", "reasons"), t("重点监督", "close supervision")),
                    _rows(
                        [
                            [
                                c.name,
                                ";".join(r[1] if ctx.lang == "en" else r[0] for r in c.reasons),
                                ctx.name(c.head) if c.head else "",
                            ]
                            for c in cards
                        ]
                    ),
                    t("黄牌", "yellow cards"),
                    (20, 50, 20),
                ),
            ]
    overdue = [
        r
        for r in register.of(RiskPoint)
        if (due := review_due(r, cadence(policy, r.level or _graded(ctx, r.id)))) and due < today
    ]
    if overdue:
        blocks += [
            Heading(t("逾期未复核的风险点", "Risk points overdue for review")),
            Table(
                (t("编号", "id"), t("风险点", "risk point")),
                _rows([[r.id, r.title] for r in overdue]),
                t("逾期复核", "overdue"),
                (14, 50),
            ),
        ]
    return Document(f"report-{period.label}", title, blocks, formats=("md", "html", "xlsx", "docx"))


# ── assessment (考核) ─────────────────────────────────────────────────────────────────────

FACT_LABELS = {
    "open_warnings": ("未关闭的预警", "open warnings"),
    "overdue_warnings": ("逾期的预警", "overdue warnings"),
    "overdue_reviews": ("逾期未复核", "overdue reviews"),
    "uncontrolled_risks": ("无措施的风险点", "risks without controls"),
    "controls_not_done": ("未落实的措施", "controls not in place"),
    "verified_complaints": ("查实的举报", "verified complaints"),
    "yellow_cards": ("黄牌警告", "yellow cards"),
}


def department_facts(
    register: Register, policy: Policy | None, as_of: date, since: date | None = None
) -> dict[str, Counter[str]]:
    """Counts, by department, of the facts an assessment sheet deducts for, as they stood on
    `as_of`; events (complaints) count only from `since` on, so a quarter is scored on its own."""
    facts: dict[str, Counter[str]] = {d.id: Counter() for d in register.of(Department)}

    def add(department: str | None, fact: str) -> None:
        if department in facts:
            facts[department][fact] += 1

    def in_window(day: date | None) -> bool:
        return day is not None and day <= as_of and (since is None or day >= since)

    controlled = {risk_id for c in register.of(Control) for risk_id in c.risks}
    for risk in register.of(RiskPoint):
        department = department_of(register, risk)
        due = review_due(risk, cadence(policy, risk.level))
        if due is not None and due < as_of:
            add(department, "overdue_reviews")
        if not risk.controls and risk.id not in controlled:
            add(department, "uncontrolled_risks")
    for control in register.controls():
        if control.status != "已落实":
            add(department_of(register, control), "controls_not_done")
    complaint_types = (
        set(policy.yellow_card.complaint_types) if policy and policy.yellow_card else {"信访举报"}
    )
    for warning in register.of(Warning):
        department = target_department(register, warning.target)
        issued_by_then = warning.issued is None or warning.issued <= as_of
        closed_by_then = warning.status not in OPEN and (
            warning.closed is None or warning.closed <= as_of
        )
        if issued_by_then and not closed_by_then:
            add(department, "open_warnings")
            if warning.deadline and warning.deadline < as_of:
                add(department, "overdue_warnings")
        signal = warning.signal
        if (
            signal is not None
            and signal.verified
            and signal.type in complaint_types
            and in_window(signal.date or warning.issued)
        ):
            add(department, "verified_complaints")
    for record in register.of(SignalRecord):
        if record.verified and record.type in complaint_types and in_window(record.date):
            add(target_department(register, record.target), "verified_complaints")
    if policy is not None and policy.yellow_card is not None:
        for card in yellow_cards(register, policy.yellow_card):
            add(
                card.id if card.kind == "department" else target_department(register, card.id),
                "yellow_cards",
            )
    return facts


def assessment(ctx: Context, policy: Policy, today: date, period: Period | None = None) -> Document:
    """Each department's score; for a period, as things stood at its end and with its events."""
    register = ctx.register
    t = words_for(ctx.lang)
    as_of = min(today, period.end) if period else today
    facts = department_facts(register, policy, as_of, period.start if period else None)
    items = policy.assessment
    columns = (
        t("部门", "department"),
        *(item.name for item in items),
        t("得分", "score"),
        t("扣分明细", "deductions"),
    )
    rows = []
    full = sum(item.points for item in items)
    for department in register.of(Department):
        counts = facts[department.id]
        scores, details = [], []
        for item in items:
            deducted = sum(d.points * counts[d.fact] for d in item.deductions)
            scores.append(max(0.0, item.points - deducted))
            details += [
                f"{t(*FACT_LABELS[d.fact])}×{counts[d.fact]}"
                for d in item.deductions
                if counts[d.fact]
            ]
        rows.append(
            [
                department.name,
                *(f"{s:g}" for s in scores),
                f"{sum(scores):g}/{full:g}",
                "、".join(details),
            ]
        )
    title = t("考核评分表", "Assessment") + (f"({period.label})" if period else "")
    return Document(
        f"assessment-{period.label}" if period else "assessment",
        title,
        [
            Fields(
                ((t("截至", "as of"), as_of.isoformat()),)
                + (((t("周期", "period"), period.label),) if period else ())
            ),
            Table(columns, _rows(rows), title, (16, *(10,) * len(items), 10, 30)),
        ],
        formats=("md", "html", "xlsx", "docx"),
    )


def _graded(ctx: Context, risk_id: str) -> str | None:
    grade = ctx.grades.get(risk_id)
    return grade.level if grade else None


def _rows(rows: list[list[str]]) -> tuple[tuple[str, ...], ...]:
    return tuple(tuple(row) for row in rows)
