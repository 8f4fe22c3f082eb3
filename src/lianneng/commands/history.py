"""`lianneng diff`, `lianneng log` and `lianneng textconv`: the register through its git history."""

from __future__ import annotations

import sys
from pathlib import Path

from lianneng.errors import Exit, UsageError
from lianneng.gitrepo import RegisterRepo
from lianneng.history.changes import compare, field_changes, flatten, shown
from lianneng.history.snapshot import register_at
from lianneng.report.changes import WRITERS


def diff(root: Path, old: str, new: str | None, output_format: str, lang: str) -> int:
    repo = RegisterRepo(root)
    with register_at(repo, root, old) as before, register_at(repo, root, new) as after:
        changes = compare(before, after)
    WRITERS[output_format](changes, sys.stdout, lang)
    return Exit.OK


def log(root: Path, record_id: str, max_count: int, lang: str) -> int:
    from lianneng.history.changes import record_title

    repo = RegisterRepo(root)
    commits = list(repo.commits_touching(max_count=max_count))
    versions = []
    for commit in reversed(commits):  # oldest first
        with register_at(repo, root, commit.hexsha) as checked:
            record = next((r for r in checked.register.all_records() if r.id == record_id), None)
            grade = checked.grades.get(record_id)
            versions.append(
                (
                    repo.info(commit),
                    record,
                    grade.level if grade and grade.level else getattr(record, "level", None),
                )
            )
    if not any(record for _, record, _ in versions):
        raise UsageError(
            f"历史中没有编号为 {record_id} 的记录 / no record {record_id} in the history"
        )
    en = lang == "en"
    previous = None
    for info, record, level in versions:
        if record is None and previous is None:
            continue
        if record is not None and previous is not None and not field_changes(previous, record):
            previous = record
            continue
        status = (
            ("removed" if en else "删除")
            if record is None
            else (
                ("added" if en else "新增") if previous is None else ("modified" if en else "修改")
            )
        )
        head = f"{info.short}  {info.when:%Y-%m-%d}  {info.author}  {info.subject}"
        sys.stdout.write(head + "\n")
        title = record_title(record) if record is not None else ""
        level_text = f"  {'level' if en else '等级'}: {level}" if level else ""
        sys.stdout.write(f"    {status} {record_id} {title}{level_text}\n")
        if record is not None and previous is not None:
            for change in field_changes(previous, record):
                old, new = shown(change.old), shown(change.new)
                sys.stdout.write(f"      {change.path}: {old} → {new}\n")
        previous = record
    return Exit.OK


def textconv(path: Path) -> int:
    """A register file as one `id.field: value` line per value, for `git diff` to compare."""
    from lianneng.check.schema import build_records
    from lianneng.model.kinds import kind_named
    from lianneng.problems import Problem
    from lianneng.source.files import Sources
    from lianneng.source.records import records_in_file

    folder = path.resolve().parent
    sources = Sources(folder, ".")
    ignored: list[Problem] = []  # textconv shows content; validate reports problems
    raw = records_in_file(sources, path.name, kind_named(folder.name), ignored)
    records, _ = build_records(raw, sources)
    if not records:  # not a record file, or broken: show it as it is
        sys.stdout.write(path.read_text(encoding="utf-8", errors="replace"))
        return Exit.OK
    for record in records:
        for key, value in flatten(record).items():
            text = shown(value).replace("\n", "\\n")
            sys.stdout.write(f"{record.id}.{key}: {text}\n")
    return Exit.OK
