"""`lianneng aggregate`: the supervising body's view of what its units filed.

Each package is verified first (a tampered one is refused and named), then reduced to a small
summary of counts; only the summaries are kept, so memory stays flat however many packages come
in. The combined view is built as documents and rendered like any other publication.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from lianneng.filing.archive import read_zip
from lianneng.filing.package import MANIFEST
from lianneng.filing.verify import Finding, verify
from lianneng.publish.blocks import Block, Document, Fields, Heading, HeatMap, Paragraph, Table
from lianneng.publish.labels import words_for


@dataclass
class UnitSummary:
    package: str
    name: str
    code: str
    period: str
    commit: str
    risks: int = 0
    levels: Counter[str] = field(default_factory=Counter)
    categories: Counter[str] = field(default_factory=Counter)
    natures: Counter[str] = field(default_factory=Counter)
    kinds: Counter[str] = field(default_factory=Counter)
    heat: Counter[tuple[str, str]] = field(default_factory=Counter)
    open_warnings: list[str] = field(default_factory=list)
    overdue_warnings: list[str] = field(default_factory=list)
    overdue_reviews: list[str] = field(default_factory=list)
    changes: dict[str, Any] | None = None
    previous: str | None = None
    labels: list[str] = field(default_factory=list)  # the unit's policy labels, highest first
    supervisor: str = ""  # the body the unit files with, as its manifest names it


@dataclass
class Refused:
    package: str
    findings: list[Finding]


@dataclass
class Aggregate:
    units: list[UnitSummary] = field(default_factory=list)
    refused: list[Refused] = field(default_factory=list)
    labels: list[str] = field(default_factory=list)  # level labels in the order first met

    def supervisor(self) -> str:
        """The supervising body, as most of the verified units name it ("" if none does)."""
        names = Counter(unit.supervisor for unit in self.units if unit.supervisor)
        return names.most_common(1)[0][0] if names else ""

    def total(self, attribute: str) -> Counter[Any]:
        combined: Counter[Any] = Counter()
        for unit in self.units:
            combined.update(getattr(unit, attribute))
        return combined


def package_paths(arguments: Iterable[Path]) -> Iterator[Path]:
    """The packages named, a folder standing for the .zip files in it (sorted)."""
    for path in arguments:
        if path.is_dir():
            yield from sorted(path.rglob("*.zip"))
        else:
            yield path


def aggregate(
    paths: list[Path],
    *,
    today: date,
    allowed_signers: Path | None = None,
    progress: Callable[[str], None] | None = None,
) -> Aggregate:
    result = Aggregate()
    for path in paths:
        if progress:
            progress(path.name)
        try:
            data = path.read_bytes()
        except OSError as exc:
            result.refused.append(
                Refused(
                    str(path),
                    [Finding("(file)", f"无法读取:{exc.strerror}", f"cannot read: {exc.strerror}")],
                )
            )
            continue
        checked = verify(data, allowed_signers=allowed_signers)
        if not checked.ok:
            result.refused.append(Refused(str(path), checked.findings))
            continue
        entries = {entry.name: entry.data for entry in read_zip(data)}
        unit = summarise(str(path), entries, today)
        for label in [*unit.labels, *unit.levels]:
            if label not in result.labels:
                result.labels.append(label)
        result.units.append(unit)
    result.units.sort(key=lambda u: (u.code, u.period, u.package))
    return result


def summarise(package: str, entries: dict[str, bytes], today: date) -> UnitSummary:
    manifest = json.loads(entries[MANIFEST])
    data = json.loads(entries.get("data/records.json", b'{"records": []}'))
    grades = json.loads(entries.get("data/grades.json", b'{"risks": {}}')).get("risks", {})
    unit = manifest.get("unit") or {}
    summary = UnitSummary(
        package,
        str(unit.get("name", "")),
        str(unit.get("code", "")),
        str(manifest.get("period", "")),
        str((manifest.get("source") or {}).get("commit", ""))[:10],
        changes=manifest.get("changes"),
        previous=(manifest.get("previous") or {}).get("ref"),
        supervisor=str(unit.get("supervisor") or ""),
    )
    summary.labels = _policy_labels(manifest, entries)
    for record in data.get("records", []):
        kind = record.get("kind", "")
        summary.kinds[kind] += 1
        if kind == "risk":
            _risk(summary, record, grades, today)
        elif kind == "control" and _overdue(record, today):
            summary.overdue_reviews.append(record["id"])
        elif kind == "warning" and record.get("status") == "已发出":
            summary.open_warnings.append(record["id"])
            deadline = _date(record.get("deadline"))
            if deadline is not None and deadline < today:
                summary.overdue_warnings.append(record["id"])
    return summary


def _risk(
    summary: UnitSummary, record: dict[str, Any], grades: dict[str, Any], today: date
) -> None:
    summary.risks += 1
    level = (grades.get(record["id"]) or {}).get("level") or record.get("level") or "—"
    summary.levels[level] += 1
    summary.categories[str(record.get("category") or "—")] += 1
    summary.natures[str(record.get("nature") or "—")] += 1
    if record.get("likelihood") and record.get("impact"):
        summary.heat[(str(record["likelihood"]), str(record["impact"]))] += 1
    if _overdue(record, today):
        summary.overdue_reviews.append(record["id"])
    for control in record.get("controls") or []:
        if isinstance(control, dict) and _overdue(control, today):
            summary.overdue_reviews.append(control["id"])


def _policy_labels(manifest: dict[str, Any], entries: dict[str, bytes]) -> list[str]:
    """The level labels of the policy the package carries, in its order (highest first)."""
    from lianneng.source.text import decode
    from lianneng.source.yamldoc import parse

    policy = manifest.get("policy") or {}
    text = decode(entries.get(f"policy/{policy.get('id')}.yaml", b""))
    if not isinstance(text, str):
        return []
    documents = parse(text).documents
    labels = documents[0].get("labels") if documents and isinstance(documents[0], dict) else None
    return [str(label) for label in labels] if isinstance(labels, list) else []


def _overdue(record: dict[str, Any], today: date) -> bool:
    due = _date(record.get("next_review"))
    return due is not None and due < today


def _date(value: Any) -> date | None:
    try:
        return date.fromisoformat(str(value)) if value else None
    except ValueError:
        return None


# ── the combined view as documents ─────────────────────────────────────────────────────────


def documents(result: Aggregate, lang: str, today: date) -> list[Document]:
    t = words_for(lang)
    labels = result.labels
    columns = (
        t("单位", "unit"),
        t("周期", "period"),
        t("提交", "commit"),
        t("风险点", "risks"),
        *labels,
        t("未关闭预警", "open warnings"),
        t("逾期复核", "overdue reviews"),
        t("自上次备案", "since last filing"),
    )
    rows = [
        (
            u.name,
            u.period,
            u.commit,
            str(u.risks),
            *(str(u.levels.get(k, 0)) for k in labels),
            str(len(u.open_warnings)),
            str(len(u.overdue_reviews)),
            _since(u, t),
        )
        for u in result.units
    ]
    totals = (
        t("合计", "total"),
        "",
        "",
        str(sum(u.risks for u in result.units)),
        *(str(result.total("levels").get(k, 0)) for k in labels),
        str(sum(len(u.open_warnings) for u in result.units)),
        str(sum(len(u.overdue_reviews) for u in result.units)),
        "",
    )
    overview: list[Block] = [
        Fields(
            (
                (
                    t("收到备案包", "packages received"),
                    str(len(result.units) + len(result.refused)),
                ),
                (t("核验通过", "verified"), str(len(result.units))),
                (t("拒收", "refused"), str(len(result.refused))),
                (t("统计截至", "as of"), today.isoformat()),
            )
        )
    ]
    if result.refused:
        overview += [
            Heading(t("拒收的备案包", "Refused packages")),
            Table(
                (t("备案包", "package"), t("原因", "reason")),
                tuple(
                    (r.package, ";".join(f.text(lang) for f in r.findings[:3]))
                    for r in result.refused
                ),
                t("拒收", "refused"),
                (30, 60),
            ),
        ]
    overview += [
        Heading(t("各单位情况", "Unit by unit")),
        Table(
            columns,
            (*rows, totals),
            t("各单位", "units"),
            (20, 10, 11, 8, *(8,) * len(labels), 10, 10, 24),
        ),
    ]
    counts: list[Block] = []
    for heading, attribute in (
        (t("按风险等级", "By level"), "levels"),
        (t("按风险类别", "By category"), "categories"),
        (t("按风险性质", "By nature"), "natures"),
        (t("按记录类型", "By kind of record"), "kinds"),
    ):
        combined = result.total(attribute)
        keys = (
            labels if attribute == "levels" else sorted(combined, key=lambda k: (-combined[k], k))
        )
        unit_names = [u.name for u in result.units]
        table_rows = tuple(
            (
                key,
                str(combined.get(key, 0)),
                *(str(getattr(u, attribute).get(key, 0)) for u in result.units),
            )
            for key in keys
        )
        counts += [
            Heading(heading),
            Table(
                (t("项目", "item"), t("合计", "total"), *unit_names),
                table_rows,
                heading,
                (16, 8, *(10,) * len(unit_names)),
            ),
        ]
    heat: list[Block] = []
    overall = result.total("heat")
    if overall:
        heat += [Heading(t("全部单位", "All units")), _heat_map(overall, t)]
        for unit in result.units:
            if unit.heat:
                heat += [Heading(unit.name), _heat_map(unit.heat, t)]
    attention: list[Block] = []
    for unit in result.units:
        if unit.open_warnings or unit.overdue_reviews:
            attention += [
                Heading(unit.name),
                Fields(
                    (
                        (t("未关闭预警", "open warnings"), "、".join(unit.open_warnings) or "—"),
                        (t("其中逾期", "overdue"), "、".join(unit.overdue_warnings) or "—"),
                        (t("逾期复核", "overdue reviews"), "、".join(unit.overdue_reviews) or "—"),
                    )
                ),
            ]
    if not attention:
        attention = [
            Paragraph(
                t(
                    "没有逾期复核或未关闭预警的单位。",
                    "No unit has overdue reviews or open warnings.",
                )
            )
        ]
    formats = ("md", "html", "xlsx", "docx")
    built = [
        Document("aggregate", t("备案汇总", "Combined filings"), overview, formats),
        Document("counts", t("分类统计", "Counts"), counts, formats),
        Document("attention", t("需关注的单位", "Units needing attention"), attention, formats),
    ]
    if heat:
        built.insert(
            2, Document("heat-maps", t("发生机率 × 危害程度", "Likelihood × impact"), heat, formats)
        )
    return built


def _since(unit: UnitSummary, t: Callable[[str, str], str]) -> str:
    if not unit.changes:
        return t("首次备案", "first filing")
    counts: dict[str, dict[str, int]] = unit.changes.get("counts") or {}
    added = sum(c.get("added", 0) for c in counts.values())
    removed = sum(c.get("removed", 0) for c in counts.values())
    modified = sum(c.get("modified", 0) for c in counts.values())
    levels = len(unit.changes.get("levels") or [])
    return (
        f"+{added} −{removed} ~{modified}; "
        + t(f"等级变化 {levels}", f"{levels} level changes")
        + (f"({unit.previous})" if unit.previous else "")
    )


# Scales differ by unit; words the seeds use are put in their order of severity, others after.
_ORDER = [
    "高",
    "较高",
    "中",
    "较小",
    "低",
    "很可能",
    "可能",
    "不太可能",
    "严重",
    "较重",
    "一般",
    "轻微",
]


def _ordered(values: Iterable[str]) -> list[str]:
    unique = set(values)
    return sorted(unique, key=lambda v: (_ORDER.index(v) if v in _ORDER else len(_ORDER), v))


def _heat_map(counts: Counter[tuple[str, str]], t: Callable[[str, str], str]) -> HeatMap:
    rows = _ordered(k[0] for k in counts)
    columns = _ordered(k[1] for k in counts)
    return HeatMap(
        t("发生机率 × 危害程度", "Likelihood × impact"),
        t("发生机率", "likelihood"),
        t("危害程度", "impact"),
        tuple(rows),
        tuple(columns),
        tuple(tuple(counts.get((r, c), 0) for c in columns) for r in rows),
    )
