"""`lianneng package` and `lianneng verify`."""

from __future__ import annotations

import sys
from pathlib import Path

from lianneng.console import stdout
from lianneng.errors import Exit, UsageError
from lianneng.gitrepo import RegisterRepo
from lianneng.report import REPORTERS, Report
from lianneng.write import write_atomic_bytes


def package(
    root: Path,
    out: Path,
    *,
    since: str | None,
    period: str | None,
    allow_dirty: bool,
    sign: bool,
    tag: bool,
    lang: str,
) -> int:
    from lianneng.filing.package import PackageProblems, build

    repo = RegisterRepo(root)
    if repo.merge_in_progress():
        raise UsageError(
            "仓库中有未完成的合并,请先完成或放弃 / a merge is in progress; finish or abort it first"
        )
    key = None
    if sign:
        from lianneng.filing.signing import signing_key

        key = signing_key(repo.config("gpg.format"), repo.config("user.signingkey"))
    if tag:  # refuse before building: a clashing tag would otherwise fail after the file is out
        from lianneng.filing.package import quarter_of

        head = repo.commit("HEAD")
        name = f"filing/{period or quarter_of(repo.info(head).when)}"
        owner = dict((n, c.hexsha) for n, c in repo.filing_tags()).get(name)
        if owner is not None and owner != head.hexsha:
            raise UsageError(
                f"标签 {name} 已指向提交 {owner[:10]};请用 --period 指定新的周期,或 "
                f"--no-tag / tag {name} already names {owner[:10]}: pass --period or "
                "--no-tag"
            )
    try:
        built = build(repo, root, since=since, period=period, allow_dirty=allow_dirty, sign=key)
    except PackageProblems as exc:
        REPORTERS["text"](Report(exc.problems, lang), sys.stdout)
        return Exit.PROBLEMS
    out.parent.mkdir(parents=True, exist_ok=True)
    write_atomic_bytes(out, built.data)
    console = stdout()
    manifest = built.manifest
    console.print(
        f"{out}  {len(manifest['entries'])} entries  commit {manifest['source']['commit'][:10]}"
        + ("  (dirty)" if manifest["source"]["dirty"] else "")
    )
    if manifest["previous"]:
        console.print(("since " if lang == "en" else "自上次备案 ") + manifest["previous"]["ref"])
    if tag and not manifest["source"]["dirty"]:
        name = f"filing/{built.period}"
        if repo.tag(name, repo.commit("HEAD")):
            console.print(("tagged " if lang == "en" else "已设标签 ") + name)
    return Exit.OK


def verify(path: Path, repo_root: Path | None, allowed_signers: Path | None, lang: str) -> int:
    from lianneng.filing.verify import verify as check

    try:
        data = path.read_bytes()
    except OSError as exc:
        raise UsageError(f"{path}: {exc.strerror}") from None
    result = check(data, repo_root=repo_root, allowed_signers=allowed_signers)
    for finding in result.findings:
        print(f"{path}: {finding.text(lang)}")
    for note in result.notes:
        print(f"{path}: {note.text(lang)}")
    if result.ok:
        manifest = result.manifest or {}
        unit = (manifest.get("unit") or {}).get("name", "")
        commit = str((manifest.get("source") or {}).get("commit", ""))[:10]
        ok = "verified" if lang == "en" else "核验通过"
        matched = (
            (" (matches the repository)" if lang == "en" else "(与仓库一致)") if repo_root else ""
        )
        print(f"{path}: {ok} — {unit} {manifest.get('period', '')} commit {commit}{matched}")
        return Exit.OK
    return Exit.PROBLEMS
