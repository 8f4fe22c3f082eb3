"""A change set as text, Markdown (for a pull-request comment) or JSON."""

from __future__ import annotations

import json
from typing import IO, Any

from lianneng.history.changes import ChangeSet, RecordChange, shown
from lianneng.model.kinds import KINDS

_STATUS = {
    "zh": {"added": "新增", "removed": "删除", "modified": "修改"},
    "en": {"added": "added", "removed": "removed", "modified": "modified"},
}
_CAUSE = {
    "zh": {"data": "数据变化", "policy": "评级办法变化", "both": "数据与评级办法均有变化"},
    "en": {"data": "data change", "policy": "policy change", "both": "data and policy change"},
}


def _kind(kind: str, lang: str) -> str:
    model = KINDS.get(kind)
    if model is None:
        return kind
    return model.LABEL_EN if lang == "en" else model.LABEL_ZH


def _value(value: Any) -> str:
    text = shown(value).replace("\n", " ⏎ ")
    return text if len(text) <= 80 else text[:79] + "…"


def write_text(changes: ChangeSet, out: IO[str], lang: str) -> None:
    words = _words(lang)
    if not changes:
        out.write(words["none"] + "\n")
        return
    if changes.policy:
        out.write(f"{words['policy']}: {changes.policy[0]} → {changes.policy[1]}\n")
    for change in changes.records:
        out.write(
            f"{_STATUS[_l(lang)][change.status]} {_kind(change.kind, lang)} {change.id}"
            f"  {change.title}\n"
        )
        for field in change.fields:
            out.write(f"    {field.path}: {_value(field.old)} → {_value(field.new)}\n")
    if changes.levels:
        out.write(words["levels"] + ":\n")
        for level in changes.levels:
            rule = f";{level.rule.render(lang)}" if level.rule else ""
            out.write(
                f"    {level.id} {level.title}: {level.old or '—'} → {level.new or '—'}"
                f"({_CAUSE[_l(lang)][level.cause]}{rule})\n"
            )
    out.write(_summary(changes, lang) + "\n")


def write_markdown(changes: ChangeSet, out: IO[str], lang: str) -> None:
    from lianneng.publish.markup import md_cell

    words = _words(lang)
    out.write(f"### {words['title']}\n\n")
    if not changes:
        out.write(words["none"] + "\n")
        return
    out.write(_summary(changes, lang) + "\n\n")
    if changes.policy:
        out.write(f"**{words['policy']}**:`{changes.policy[0]}` → `{changes.policy[1]}`\n\n")
    if changes.levels:
        out.write(
            f"#### {words['levels']}\n\n| {words['id']} | {words['record']} | "
            f"{words['from']} | {words['to']} | {words['cause']} |\n|---|---|---|---|---|\n"
        )
        for level in changes.levels:
            out.write(
                f"| {md_cell(level.id)} | {md_cell(level.title)} | {md_cell(level.old or '—')} "
                f"| {md_cell(level.new or '—')} | {_CAUSE[_l(lang)][level.cause]} |\n"
            )
        out.write("\n")
    out.write(
        f"#### {words['records']}\n\n| | {words['kind']} | {words['id']} | {words['record']} | "
        f"{words['fields']} |\n|---|---|---|---|---|\n"
    )
    for change in changes.records:
        fields = "<br>".join(
            md_cell(f"{f.path}: {_value(f.old)} → {_value(f.new)}") for f in change.fields
        )
        out.write(
            f"| {_STATUS[_l(lang)][change.status]} | {_kind(change.kind, lang)} | "
            f"{md_cell(change.id)} | {md_cell(change.title)} | {fields} |\n"
        )


def write_json(changes: ChangeSet, out: IO[str], lang: str) -> None:
    document = {
        "policy": list(changes.policy) if changes.policy else None,
        "counts": changes.counts(),
        "records": [_record_json(c) for c in changes.records],
        "levels": [
            {
                "id": c.id,
                "title": c.title,
                "old": c.old,
                "new": c.new,
                "cause": c.cause,
                "rule": c.rule.render(lang) if c.rule else None,
            }
            for c in changes.levels
        ],
    }
    json.dump(document, out, ensure_ascii=False, indent=2, default=str)
    out.write("\n")


def _record_json(change: RecordChange) -> dict[str, Any]:
    return {
        "kind": change.kind,
        "id": change.id,
        "title": change.title,
        "status": change.status,
        "file": change.file,
        "fields": [{"path": f.path, "old": f.old, "new": f.new} for f in change.fields],
    }


def _summary(changes: ChangeSet, lang: str) -> str:
    parts = []
    for kind, counts in changes.counts().items():
        shown = ", ".join(f"{_STATUS[_l(lang)][status]} {n}" for status, n in counts.items() if n)
        parts.append(f"{_kind(kind, lang)}: {shown}")
    levels = len(changes.levels)
    parts.append(f"level changes: {levels}" if lang == "en" else f"等级变化 {levels} 项")
    return ";".join(parts) if lang != "en" else "; ".join(parts)


def _l(lang: str) -> str:
    return "en" if lang == "en" else "zh"


def _words(lang: str) -> dict[str, str]:
    if lang == "en":
        return {
            "none": "no changes",
            "policy": "grading policy",
            "levels": "level changes",
            "title": "Register changes",
            "id": "id",
            "record": "record",
            "from": "from",
            "to": "to",
            "cause": "cause",
            "records": "records",
            "kind": "kind",
            "fields": "fields",
        }
    return {
        "none": "没有变化",
        "policy": "评级办法",
        "levels": "等级变化",
        "title": "登记册变化",
        "id": "编号",
        "record": "记录",
        "from": "原等级",
        "to": "新等级",
        "cause": "原因",
        "records": "记录变化",
        "kind": "类型",
        "fields": "字段",
    }


WRITERS = {"text": write_text, "markdown": write_markdown, "json": write_json}
