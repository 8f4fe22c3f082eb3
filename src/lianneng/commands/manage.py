"""`lianneng review`, `lianneng warnings …` and `lianneng report`."""

from __future__ import annotations

import json
import sys
from datetime import date
from pathlib import Path

from lianneng.console import stdout
from lianneng.errors import ConfigError, Exit, UsageError
from lianneng.pipeline import Checked, check_register
from lianneng.report import REPORTERS, Report


def _checked(root: Path, lang: str) -> Checked:
    try:
        return check_register(root)
    except ConfigError as exc:
        REPORTERS["text"](Report(exc.problems, lang), sys.stdout)
        raise UsageError(
            "lianneng.yaml 或评级办法有错误 / the settings or policy have errors"
        ) from None


def review(
    root: Path,
    record_id: str,
    *,
    on: date,
    outcome: str,
    by: str | None,
    changes: str | None,
    next_review: date | None,
    lang: str,
) -> int:
    from lianneng.manage.reviews import add_review

    checked = _checked(root, lang)
    policy = checked.policy.policy if checked.policy else None
    path, following = add_review(
        checked.register,
        record_id,
        on=on,
        outcome=outcome,
        by=by,
        changes=changes,
        next_review=next_review,
        policy=policy,
        grades=checked.grades,
    )
    stdout().print(
        f"{path}: {record_id} "
        + (
            f"reviewed {on}, next review {following}"
            if lang == "en"
            else f"已记录 {on} 的复核,下次复核 {following}"
        )
    )
    return Exit.OK


def list_warnings(root: Path, today: date, output_format: str, lang: str) -> int:
    from lianneng.manage.warnings import open_warnings
    from lianneng.manage.yellow import yellow_cards

    checked = _checked(root, lang)
    register = checked.register
    found = open_warnings(register, today)
    policy = checked.policy.policy if checked.policy else None
    cards = yellow_cards(register, policy.yellow_card) if policy and policy.yellow_card else []
    en = lang == "en"
    if output_format == "json":
        json.dump(
            {
                "today": today.isoformat(),
                "open": [
                    {
                        "id": o.warning.id,
                        "target": o.warning.target,
                        "action": o.warning.action,
                        "deadline": str(o.warning.deadline or ""),
                        "overdue_days": o.overdue_days,
                    }
                    for o in found
                ],
                "yellow_cards": [
                    {
                        "kind": c.kind,
                        "id": c.id,
                        "name": c.name,
                        "complaints": c.complaints,
                        "ratings": c.ratings,
                        "supervise": c.head,
                    }
                    for c in cards
                ],
            },
            sys.stdout,
            ensure_ascii=False,
            indent=2,
        )
        sys.stdout.write("\n")
        return Exit.OK
    console = stdout()
    if not found:
        console.print("no open warnings" if en else "没有未关闭的预警")
    for item in found:
        w = item.warning
        target = register.ids.get(w.target)
        name = getattr(target, "name", None) or getattr(target, "title", None) or w.target
        late = (
            (f"  overdue {item.overdue_days} days" if en else f"  逾期 {item.overdue_days} 天")
            if item.overdue_days
            else ""
        )
        console.print(
            f"{w.id}  {name}  {f'[{w.level}]  ' if w.level else ''}{w.action or ''}  "
            f"{'deadline' if en else '期限'} {w.deadline or '—'}{late}",
            style="bold red" if item.overdue_days else None,
            markup=False,
        )
    for card in cards:
        reasons = ";".join(r[1] if en else r[0] for r in card.reasons)
        head = register.ids.get(card.head or "")
        watch = getattr(head, "name", "") if head else ""
        console.print(
            ("yellow card: " if en else "黄牌警告:")
            + f"{card.name}({reasons})"
            + (
                (f"; close supervision of {watch}" if en else f";对{watch}实行重点监督")
                if watch
                else ""
            ),
            markup=False,
        )
    return Exit.OK


def issue(
    root: Path,
    *,
    target: str,
    action: str,
    on: date,
    deadline: date | None,
    level: str | None,
    signal: str | None,
    signals: list[str],
    source: str | None,
    summary: str | None,
    record_id: str | None,
    lang: str,
) -> int:
    from lianneng.manage.warnings import issue as write

    checked = _checked(root, lang)
    path = write(
        checked.register,
        target=target,
        action=action,
        issued=on,
        deadline=deadline,
        level=level,
        signal_type=signal,
        signals=signals,
        source=source,
        summary=summary,
        record_id=record_id,
    )
    return _recheck(root, path, lang)


def close(root: Path, warning_id: str, *, outcome: str, on: date, status: str, lang: str) -> int:
    from lianneng.manage.warnings import close as write

    checked = _checked(root, lang)
    path = write(checked.register, warning_id, outcome=outcome, on=on, status=status)
    return _recheck(root, path, lang)


def escalate(
    root: Path,
    warning_id: str,
    *,
    action: str,
    on: date,
    deadline: date | None,
    outcome: str | None,
    lang: str,
) -> int:
    from lianneng.manage.warnings import escalate as write

    checked = _checked(root, lang)
    old, new = write(
        checked.register, warning_id, action=action, on=on, deadline=deadline, outcome=outcome
    )
    stdout().print(str(old))
    return _recheck(root, new, lang)


def _recheck(root: Path, path: Path, lang: str) -> int:
    """Show what was written, and any problem the new content has (the file is kept either way)."""
    stdout().print(str(path))
    checked = check_register(root)
    rel = path.resolve().relative_to(root.resolve()).as_posix()
    mine = [p for p in checked.problems if p.path.endswith(rel)]
    if mine:
        REPORTERS["text"](Report(mine, lang), sys.stdout)
        return Exit.PROBLEMS
    return Exit.OK


def report(
    root: Path,
    *,
    period: str | None,
    assessment: bool,
    today: date,
    out: Path,
    formats: list[str],
    audience: str,
    lang: str,
) -> int:
    from lianneng.manage.report import assessment as assess
    from lianneng.manage.report import parse_period, period_report
    from lianneng.publish.audience import Audience
    from lianneng.publish.site import publish

    if period is None and not assessment:
        raise UsageError(
            "请给出 --period(如 2026-10、2026-Q4、2026)或 --assessment / "
            "give --period or --assessment"
        )
    checked = _checked(root, lang)
    policy = checked.policy.policy if checked.policy else None
    if assessment and (policy is None or not policy.assessment):
        raise UsageError("评级办法中没有考核评分表(assessment)/ the policy has no assessment sheet")
    chosen = parse_period(period) if period else None
    changes = _period_changes(root, chosen) if chosen else None

    def build(ctx):  # type: ignore[no-untyped-def]
        documents = []
        if chosen is not None:
            documents.append(period_report(ctx, chosen, changes, today))
        if assessment and policy is not None:
            documents.append(assess(ctx, policy, today, chosen))
        return documents

    result = publish(
        checked,
        out,
        audiences=[Audience(audience)],
        formats=formats,
        lang=lang,
        script=checked.register.config.script,
        builder=build,
    )
    if result.problems:
        REPORTERS["text"](Report(result.problems, lang), sys.stdout)
        return Exit.PROBLEMS
    folder = out / audience
    for path in sorted(folder.glob("*.md")):
        if path.name != "index.md":
            stdout().print(str(path))
    return Exit.OK


def _period_changes(root: Path, period):  # type: ignore[no-untyped-def]
    """Changes between the register before the period and at its end; None outside git."""
    from datetime import UTC, datetime, time, timedelta

    from lianneng.gitrepo import RegisterRepo
    from lianneng.history.changes import compare
    from lianneng.history.snapshot import register_at

    try:
        repo = RegisterRepo(root)
        repo.require_commits()
    except UsageError:
        return None
    start = datetime.combine(period.start, time.min, tzinfo=UTC)
    end = datetime.combine(period.end + timedelta(days=1), time.min, tzinfo=UTC)
    before = after = None
    for commit in repo.commits_touching(max_count=10000):
        when = repo.info(commit).when
        if after is None and when < end:
            after = commit.hexsha
        if when < start:
            before = commit.hexsha
            break
    if after is None:
        return None
    if before is None:  # the register began within the period: everything in it is new
        from lianneng.history.changes import ChangeSet, RecordChange, record_title

        with register_at(repo, root, after) as current:
            return ChangeSet(
                [
                    RecordChange(r.KIND, r.id, record_title(r), "added")
                    for r in current.register.all_records()
                ]
            )
    with register_at(repo, root, before) as old, register_at(repo, root, after) as new:
        return compare(old, new)
