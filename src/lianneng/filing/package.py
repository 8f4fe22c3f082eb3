"""`lianneng package`: the filing (备案) the supervising body receives, reproducible and checkable.

Contents: the filing audience's documents in every format, the register's data as the filing
audience sees it (canonical JSON, never the raw files: those hold names and complaint sources),
the grades, the policy, and `manifest.json` with the SHA-256 of every entry, the commit it was
built from and a summary of the changes since the previous filing.
"""

from __future__ import annotations

import hashlib
import json
import tempfile
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path
from typing import Any

from lianneng import __version__
from lianneng.check.markdown import LINK
from lianneng.errors import UsageError
from lianneng.filing.archive import write_zip
from lianneng.gitrepo import RegisterRepo
from lianneng.grading.engine import grade_whole, wholes_of
from lianneng.history.changes import ChangeSet, compare
from lianneng.history.snapshot import register_at
from lianneng.model.fields import Visibility, visibility_of
from lianneng.model.kinds import KINDS
from lianneng.pipeline import Checked, check_register
from lianneng.problems import Problem, Severity
from lianneng.publish.audience import Audience, Viewer
from lianneng.publish.context import Context
from lianneng.publish.site import FORMATS, publish
from lianneng.speed import current_speed

FORMAT = "lianneng-filing/1"
MANIFEST = "manifest.json"
CHECKSUM = "manifest.json.sha256"  # names the manifest itself when one of its bytes changed
SIGNATURE = "manifest.json.sig"


class PackageProblems(Exception):
    """The register has errors: a filing must not carry them."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__("register has errors")
        self.problems = problems


@dataclass
class Built:
    data: bytes
    manifest: dict[str, Any]
    period: str


def canonical(value: Any) -> bytes:
    return (
        json.dumps(value, ensure_ascii=False, sort_keys=True, indent=1, default=str) + "\n"
    ).encode("utf-8")


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def build(
    repo: RegisterRepo,
    root: Path,
    *,
    rev: str = "HEAD",
    since: str | None = None,
    period: str | None = None,
    allow_dirty: bool = False,
    sign: tuple[str, str] | None = None,
) -> Built:
    """Build the package of `rev` (the working tree too, with `allow_dirty`)."""
    commit = repo.commit(rev)
    info = repo.info(commit)
    dirty = repo.dirty() if rev == "HEAD" else []
    if dirty and not allow_dirty:
        shown = "、".join(dirty[:5]) + (" …" if len(dirty) > 5 else "")
        raise UsageError(
            f"工作区有未提交的改动({shown}),备案包只能从干净的提交生成;"
            "确需如此请加 --allow-dirty / the work tree has uncommitted changes: "
            "commit them, or pass --allow-dirty"
        )
    previous = _previous(repo, commit, since)
    with tempfile.TemporaryDirectory(prefix="lianneng-package-") as folder:
        work = Path(folder)
        source = root if dirty else repo.export(commit, work / "src")
        speed = current_speed()
        checked = check_register(source, speed=replace(speed, cache=speed.cache and bool(dirty)))
        errors = [p for p in checked.problems if p.severity is Severity.ERROR]
        if errors:
            raise PackageProblems(errors)
        config = checked.register.config
        chosen = period or quarter_of(info.when)
        entries = _documents(checked, work / "out")
        entries.update(_data(checked))
        policy = _policy(checked, entries)
        changes = None
        if previous is not None:
            with register_at(repo, root, previous[1]) as before:
                changes = _changes(compare(before, checked))
    manifest = {
        "format": FORMAT,
        "tool": {"name": "lianneng", "version": __version__},
        "unit": {
            "name": config.unit.name,
            "code": config.unit.code,
            "supervisor": config.unit.supervisor,
        },
        "period": chosen,
        "audience": Audience.FILING.value,
        "source": {
            "commit": info.sha,
            "tree": info.tree,
            "committed": info.when.isoformat(),
            "register": repo.subdir or ".",
            "dirty": bool(dirty),
            **({"dirty_files": dirty} if dirty else {}),
        },
        "policy": policy,
        "previous": (
            {"ref": previous[0], "commit": repo.commit(previous[1]).hexsha} if previous else None
        ),
        "changes": changes,
        "summary": _summary(checked),
        "entries": [
            {"path": name, "sha256": sha256(data), "size": len(data)}
            for name, data in sorted(entries.items())
        ],
    }
    manifest_bytes = canonical(manifest)
    entries[MANIFEST] = manifest_bytes
    entries[CHECKSUM] = (sha256(manifest_bytes) + "\n").encode("ascii")
    if sign is not None:
        from lianneng.filing.signing import sign_bytes

        entries[SIGNATURE] = sign_bytes(manifest_bytes, *sign)
    return Built(write_zip(entries, info.when), manifest, chosen)


def quarter_of(when: datetime) -> str:
    """The default filing period: the quarter of the commit, as in `filing/2026-Q4`."""
    return f"{when.year}-Q{(when.month - 1) // 3 + 1}"


def _previous(repo: RegisterRepo, commit: Any, since: str | None) -> tuple[str, str] | None:
    if since is not None:
        return since, repo.commit(since).hexsha
    found = repo.previous_filing(commit)
    return (found[0], found[1].hexsha) if found else None


def _documents(checked: Checked, out: Path) -> dict[str, bytes]:
    config = checked.register.config
    result = publish(
        checked,
        out,
        audiences=[Audience.FILING],
        formats=list(FORMATS),
        lang=config.locale,
        script=config.script,
    )
    if result.problems:
        raise PackageProblems(result.problems)
    folder = out / Audience.FILING.value
    return {
        f"documents/{p.relative_to(folder).as_posix()}": p.read_bytes()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def _data(checked: Checked) -> dict[str, bytes]:
    register = checked.register
    ctx = Context(register, Audience.FILING, register.config.locale)
    viewer = Viewer(Audience.FILING)
    records = []
    for record in register.records:
        if viewer.visible(record):
            shown = {**viewer.view(record), "kind": record.KIND}
            if isinstance(shown.get("body"), str):
                shown["body"] = withhold_links(ctx, shown["body"])
            records.append(shown)
    records.sort(key=lambda r: (r["kind"], r["id"]))
    grades: dict[str, Any] = {"risks": {}, "wholes": []}
    for risk_id, grade in sorted(checked.grades.items()):
        grades["risks"][risk_id] = {"level": grade.level, "rule": grade.rule.render("zh")}
    if checked.policy is not None:
        for whole in wholes_of(register):
            whole_grade = grade_whole(checked.policy.policy, whole, checked.grades)
            if whole_grade is not None:
                grades["wholes"].append(
                    {
                        "kind": whole.kind,
                        "id": whole.id,
                        "name": whole.name,
                        "level": whole_grade.level,
                        "rule": whole_grade.rule.render("zh"),
                    }
                )
    unit = register.config.unit
    return {
        "data/records.json": canonical(
            {"unit": {"name": unit.name, "code": unit.code}, "records": records}
        ),
        "data/grades.json": canonical(grades),
    }


def withhold_links(ctx: Context, markdown: str) -> str:
    """[[id]] links stay for records the audience sees; others (and their ids) are withheld."""
    return LINK.sub(
        lambda m: m.group(0) if ctx.get(m.group(1).strip()) else ctx.t("word.withheld"), markdown
    )


def _policy(checked: Checked, entries: dict[str, bytes]) -> dict[str, Any] | None:
    if checked.policy is None:
        return None
    policy = checked.policy.policy
    source = checked.sources.files[checked.policy.rel]
    data = source.path.read_bytes()
    entries[f"policy/{policy.id}.yaml"] = data
    return {"id": policy.id, "name": policy.name, "version": policy.version, "sha256": sha256(data)}


def _filing_field(kind: str, path: str) -> bool:
    """Whether a changed field may be named to the supervising body."""
    model = KINDS.get(kind)
    info = model.model_fields.get(path.split(".")[0]) if model else None
    return info is not None and visibility_of(info) <= Visibility.FILING


def _changes(changes: ChangeSet) -> dict[str, Any]:
    visible_kinds = {
        k
        for k, m in KINDS.items()
        if any(
            visibility_of(i) <= Visibility.FILING
            for n, i in m.model_fields.items()
            if n not in ("kind", "id", "notes")
        )
    }
    records: list[dict[str, Any]] = [
        {
            "kind": c.kind,
            "id": c.id,
            "status": c.status,
            "title": c.title,
            "fields": sorted(
                {f.path.split(".")[0] for f in c.fields if _filing_field(c.kind, f.path)}
            ),
        }
        for c in changes.records
        if c.kind in visible_kinds
    ]
    records = [r for r in records if r["status"] != "modified" or r["fields"]]
    counts: dict[str, dict[str, int]] = {}
    for record in records:
        counts.setdefault(record["kind"], {"added": 0, "removed": 0, "modified": 0})
        counts[record["kind"]][record["status"]] += 1
    return {
        "counts": counts,
        "records": records,
        "levels": [
            {"id": c.id, "title": c.title, "old": c.old, "new": c.new, "cause": c.cause}
            for c in changes.levels
        ],
        "policy": list(changes.policy) if changes.policy else None,
    }


def _summary(checked: Checked) -> dict[str, Any]:
    by_kind: dict[str, int] = {}
    viewer = Viewer(Audience.FILING)
    for record in checked.register.records:
        if viewer.visible(record):
            by_kind[record.KIND] = by_kind.get(record.KIND, 0) + 1
    levels: dict[str, int] = {}
    for grade in checked.grades.values():
        if grade.level:
            levels[grade.level] = levels.get(grade.level, 0) + 1
    return {"records": dict(sorted(by_kind.items())), "levels": dict(sorted(levels.items()))}


def read_manifest(entries: dict[str, bytes]) -> dict[str, Any]:
    manifest: dict[str, Any] = json.loads(entries[MANIFEST].decode("utf-8"))
    return manifest


__all__ = ["Built", "PackageProblems", "build", "quarter_of"]
