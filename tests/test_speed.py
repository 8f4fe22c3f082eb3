"""Speed never changes an answer: the cache, worker processes, `--changed-since` and the
progress bar (timings themselves live in `make bench`, not here)."""

from __future__ import annotations

import gc
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from conftest import DATA, example_dirs

from lianneng import cache as cache_module
from lianneng import loading, pipeline, progress, source
from lianneng.errors import ConfigError
from lianneng.pipeline import check_register
from lianneng.publish.site import OfficeWorkers
from lianneng.speed import Speed

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "benchmarks"))
from generate import generate  # noqa: E402

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
LIANNENG = str(Path(sys.executable).parent / "lianneng")


def _age(root: Path, seconds: float = 3600) -> None:
    """Make every file and folder look long unchanged, so the cache trusts their recorded stat."""
    past = time.time() - seconds
    for path in [*root.rglob("*"), root]:
        if ".lianneng-cache" not in path.parts:
            os.utime(path, (past, past))


@pytest.fixture
def register(tmp_path: Path) -> Path:
    root = tmp_path / "zhijianju"
    shutil.copytree(EXAMPLES / "zhijianju", root, ignore=shutil.ignore_patterns(".lianneng-cache"))
    _age(root)
    return root


def _validate(run, root: Path, *extra: str, cache: bool, monkeypatch) -> tuple[int, str]:  # type: ignore[no-untyped-def]
    if cache:
        monkeypatch.delenv("LIANNENG_NO_CACHE", raising=False)
    else:
        monkeypatch.setenv("LIANNENG_NO_CACHE", "1")
    result = run("validate", str(root), "-f", "parsable", "--today", "2026-06-01", *extra)
    return result.code, result.out


@pytest.mark.parametrize("split", [False, True], ids=["one process", "checks split"])
def test_the_cache_never_changes_a_result(run, register: Path, monkeypatch, split: bool) -> None:  # type: ignore[no-untyped-def]
    """...whether the checks across records all run in this process or half of them in a
    forked copy (what a cached report depends on, such as the evidence files looked for, is
    noted by the half run here)."""
    forked = _forks_counted(monkeypatch)
    if split:
        monkeypatch.setattr(pipeline, "BESIDE_MIN_RECORDS", 1)
        monkeypatch.setenv("LIANNENG_JOBS", "2")

    def same(label: str, *extra: str) -> tuple[int, str]:
        fresh = _validate(run, register, *extra, cache=False, monkeypatch=monkeypatch)
        cached = _validate(run, register, *extra, cache=True, monkeypatch=monkeypatch)
        assert cached == fresh, label
        return fresh

    clean = same("cold")
    assert clean[0] == 0

    # Warm: answered without reading the register (the pipeline is not even called).
    def refuse(*_args, **_kwargs):  # type: ignore[no-untyped-def]
        raise AssertionError("a warm validate read the register")

    with monkeypatch.context() as patch:
        patch.setattr("lianneng.pipeline.check_register", refuse)
        assert _validate(run, register, cache=True, monkeypatch=monkeypatch) == clean

    risk = next((register / "risks").glob("*.yaml"))
    edits: list[tuple[str, Callable[[], None]]] = [
        (
            "a record edited",
            lambda: risk.write_text(
                risk.read_text(encoding="utf-8").replace("likelihood:", "likelyhood:", 1),
                encoding="utf-8",
            ),
        ),
        (
            "the edit undone",
            lambda: risk.write_text(
                risk.read_text(encoding="utf-8").replace("likelyhood:", "likelihood:", 1),
                encoding="utf-8",
            ),
        ),
        ("the policy edited", lambda: _edit_policy(register)),
        (
            "the settings edited",
            lambda: _append(register / "lianneng.yaml", "checks:\n  D001: off\n"),
        ),
        (
            "a file added",
            lambda: (register / "risks" / "RP-NEW.yaml").write_text(
                "id: RP-NEW\ntitle: 新增\n", encoding="utf-8"
            ),
        ),
        ("a file removed", lambda: (register / "risks" / "RP-NEW.yaml").unlink()),
        (
            "a Markdown record edited",
            lambda: _append(next(register.rglob("*.md")), "\n[[NOPE-1]]\n"),
        ),
        ("evidence named", lambda: _name_evidence(register)),
        ("the evidence file removed", lambda: (register / "证据" / "监察记录.pdf").unlink()),
        (
            "the evidence file restored",
            lambda: (register / "证据" / "监察记录.pdf").write_bytes(b"%PDF"),
        ),
    ]
    for label, edit in edits:
        edit()
        same(label)
    same("another day", "--today", "2027-01-01")  # later --today wins in typer
    with monkeypatch.context() as patch:
        patch.setattr(cache_module, "tool_fingerprint", lambda: b"another version of the tool")
        same("another version of the tool")
    assert bool(forked) == split


def _append(path: Path, text: str) -> None:
    path.write_text(path.read_text(encoding="utf-8") + text, encoding="utf-8")


def _edit_policy(root: Path) -> None:
    policy = root / "policy" / "zhijianju.yaml"
    text = policy.read_text(encoding="utf-8")
    assert "一级" in text
    policy.write_text(text.replace("一级", "特级", 1), encoding="utf-8")


def _name_evidence(root: Path) -> None:
    (root / "证据").mkdir()
    (root / "证据" / "监察记录.pdf").write_bytes(b"%PDF")
    _append(root / "controls" / "C-DZJC-001.yaml", "evidence: [证据/监察记录.pdf]\n")


def test_a_file_edited_with_its_size_and_time_kept_is_still_noticed(  # type: ignore[no-untyped-def]
    run, register: Path, monkeypatch
) -> None:
    """The racy case: a file edited within the clock's resolution of the cache being written
    keeps its size and time; the cache must hash it rather than trust its stat."""
    risk = next((register / "risks").glob("*.yaml"))
    os.utime(risk)  # changed just now: within the racy window of the run below
    before = _validate(run, register, cache=True, monkeypatch=monkeypatch)
    stat = risk.stat()
    text = risk.read_text(encoding="utf-8")
    edited = text.replace("title:", "titlf:", 1)
    assert edited != text and len(edited) == len(text)
    risk.write_text(edited, encoding="utf-8")
    os.utime(risk, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    assert risk.stat().st_size == stat.st_size and risk.stat().st_mtime_ns == stat.st_mtime_ns
    after = _validate(run, register, cache=True, monkeypatch=monkeypatch)
    assert after != before and "titlf" in after[1]
    assert after == _validate(run, register, cache=False, monkeypatch=monkeypatch)


def test_a_warm_run_walks_the_register_only_when_a_folder_changed(  # type: ignore[no-untyped-def]
    run, register: Path, monkeypatch
) -> None:
    """Adding, removing or renaming a file changes its folder's time: with no folder changed,
    a warm run checks the stat of the files it knows and walks nothing. When times moved but
    contents did not, the report is kept under a new inventory that the next run can trust."""
    first = _validate(run, register, cache=True, monkeypatch=monkeypatch)
    walks: list[Path] = []
    walk = cache_module.candidate_files

    def counted(root: Path, folders: list[str] | None = None) -> list[str]:
        walks.append(root)
        return walk(root, folders)

    def refuse(*_args, **_kwargs):  # type: ignore[no-untyped-def]
        raise AssertionError("a warm validate read the register")

    monkeypatch.setattr(cache_module, "candidate_files", counted)
    _age(register)  # every time moved, no content changed
    with monkeypatch.context() as patch:
        patch.setattr("lianneng.pipeline.check_register", refuse)
        assert _validate(run, register, cache=True, monkeypatch=monkeypatch) == first
        assert len(walks) == 1  # contents compared once, the report kept under the new times
        assert _validate(run, register, cache=True, monkeypatch=monkeypatch) == first
        assert len(walks) == 1  # vouched for by the file system alone

    (register / "risks" / "RP-NEW.yaml").write_text("id: RP-NEW\ntitle: 新增\n", encoding="utf-8")
    added = _validate(run, register, cache=True, monkeypatch=monkeypatch)
    assert len(walks) > 1 and added != first and "RP-NEW" in added[1]
    assert added == _validate(run, register, cache=False, monkeypatch=monkeypatch)


def test_a_folder_changed_just_before_the_run_is_judged_by_its_names(  # type: ignore[no-untyped-def]
    run, register: Path, monkeypatch
) -> None:
    """The first run creates the cache folder, so the register's own folder has a time too
    recent to prove anything: the next run compares the names in it instead of walking, and
    still notices a file added there."""
    first = _validate(run, register, cache=True, monkeypatch=monkeypatch)
    walks: list[Path] = []
    walk = cache_module.candidate_files
    monkeypatch.setattr(
        cache_module,
        "candidate_files",
        lambda root, folders=None: walks.append(root) or walk(root, folders),
    )
    assert _validate(run, register, cache=True, monkeypatch=monkeypatch) == first
    assert walks == []
    (register / "RP-TOP.yaml").write_text("kind: risk\nid: RP-TOP\ntitle: 新增\n", encoding="utf-8")
    added = _validate(run, register, cache=True, monkeypatch=monkeypatch)
    assert added != first and "RP-TOP" in added[1]
    assert added == _validate(run, register, cache=False, monkeypatch=monkeypatch)


def test_a_cold_run_reads_each_record_file_once(run, register: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """The report's inventory takes each record file's digest from the bytes the loader
    parsed, not from a second read; only files read elsewhere (settings, policy) are hashed."""
    hashed: list[str] = []
    hash_file = cache_module._hash_file

    def counted(path: str) -> bytes | None:
        hashed.append(path)
        return hash_file(path)

    monkeypatch.setattr(cache_module, "_hash_file", counted)
    _validate(run, register, cache=True, monkeypatch=monkeypatch)
    record_files = {str(register / rel) for rel in cache_module.candidate_files(register)}
    assert hashed and not record_files & set(hashed)


def test_a_run_finds_unchanged_files_by_their_stat_without_reading_them(  # type: ignore[no-untyped-def]
    register: Path, monkeypatch
) -> None:
    """After a run, the next one (a publish, a grade, a validate with one file edited) reads
    only the files whose stat changed, or was too recent to prove anything when they were read;
    its answer is the answer without the cache."""
    risks = sorted((register / "risks").glob("*.yaml"))
    os.utime(risks[1])  # changed just now: its stat proves nothing yet
    check_register(register, speed=Speed(cache=True))
    _append(risks[0], "notes: 改\n")
    read: list[str] = []
    read_bytes_and_stat = loading.read_bytes_and_stat
    monkeypatch.setattr(
        loading,
        "read_bytes_and_stat",
        lambda path, **how: read.append(path) or read_bytes_and_stat(path, **how),
    )
    again = check_register(register, speed=Speed(cache=True))
    assert sorted(read) == [str(risks[0]), str(risks[1])]
    fresh = check_register(register, speed=Speed())
    assert again.problems == fresh.problems and again.register.ids == fresh.register.ids


@pytest.mark.parametrize("when", ["before the read", "after the read"])
def test_a_file_edited_during_a_run_is_judged_by_the_bytes_read(  # type: ignore[no-untyped-def]
    run, register: Path, monkeypatch, when: str
) -> None:
    """Edited after the inventory was taken but before it is read, the report speaks of the
    new text and may stand; edited after it is read, the report is of the old text and the
    next run must not trust it."""
    risk = next((register / "risks").glob("*.yaml"))
    edited = risk.read_text(encoding="utf-8").replace("title:", "titlf:", 1)
    read = loading.read_bytes_and_stat

    def edit_around_the_read(path: str, **how: bool):  # type: ignore[no-untyped-def]
        if path != str(risk):
            return read(path, **how)
        if when == "before the read":
            risk.write_text(edited, encoding="utf-8")
            return read(path, **how)
        data = read(path, **how)
        risk.write_text(edited, encoding="utf-8")
        return data

    with monkeypatch.context() as patch:
        patch.setattr(loading, "read_bytes_and_stat", edit_around_the_read)
        during = _validate(run, register, cache=True, monkeypatch=monkeypatch)
    assert ("titlf" in during[1]) == (when == "before the read")
    fresh = _validate(run, register, cache=False, monkeypatch=monkeypatch)
    assert "titlf" in fresh[1]
    assert _validate(run, register, cache=True, monkeypatch=monkeypatch) == fresh


def test_worker_processes_and_the_file_cache_give_the_same_register(  # type: ignore[no-untyped-def]
    tmp_path: Path, monkeypatch
) -> None:
    root = tmp_path / "register"
    generate(root, 300)
    (root / "risks" / "RP-000007.yaml").write_text("id: RP-000007\ntitle: [\n", encoding="utf-8")
    monkeypatch.setattr(loading, "POOL_MIN_FILES", 10)

    def answer(speed: Speed) -> tuple[list[object], list[dict[str, object]], set[str]]:
        checked = check_register(root, speed=speed)
        dumps = [r.model_dump() for r in checked.register.all_records()]
        return checked.problems, dumps, checked.register.broken_ids

    plain = answer(Speed())
    assert plain[0], "the broken file gives problems"
    assert answer(Speed(workers=2)) == plain  # every file parsed in the workers
    with monkeypatch.context() as shared:  # a worker parses part of each chunk, here the rest
        shared.setattr(loading, "POOL_MIN_FILES", 100_000)
        shared.setattr(loading, "SHARE_MIN_FILES", 10)
        assert answer(Speed(workers=2)) == plain
        assert answer(Speed(cache=True, workers=2)) == plain
        shutil.rmtree(root / ".lianneng-cache")
    assert answer(Speed(cache=True)) == plain  # writes the file cache
    assert (root / ".lianneng-cache" / "files.sqlite").exists()
    assert answer(Speed(cache=True)) == plain  # reads it
    assert answer(Speed(cache=True, workers=2)) == plain
    # Every file's time moved (a fresh clone, a checkout): the workers read the files and find
    # their results in the cache by content.
    for path in root.rglob("*.*"):
        if ".lianneng-cache" not in path.parts:
            os.utime(path, (time.time() - 60, time.time() - 60))
    parsed = tmp_path / "parsed"  # a file: a worker's calls are not seen in this process
    check_file = loading.check_file

    def noted(*args):  # type: ignore[no-untyped-def]
        with parsed.open("a", encoding="utf-8") as note:
            note.write(f"{args[2]}\n")
        return check_file(*args)

    monkeypatch.setattr(loading, "check_file", noted)
    assert answer(Speed(cache=True, workers=2)) == plain
    assert not parsed.exists()  # not one file parsed again, here or in a worker
    (root / "risks" / "RP-000003.yaml").write_text("id: RP-000003\ntitle: 改过\n", "utf-8")
    answer(Speed(cache=True, workers=2))
    assert parsed.read_text(encoding="utf-8").split() == ["risks/RP-000003.yaml"]


def test_a_cold_run_in_the_pool_leaves_reading_to_the_workers(  # type: ignore[no-untyped-def]
    tmp_path: Path, monkeypatch
) -> None:
    root = tmp_path / "register"
    generate(root, 300)
    _age(root)
    monkeypatch.setattr(loading, "POOL_MIN_FILES", 10)
    reads = tmp_path / "reads"  # a file: a worker's calls are not seen in this process
    read_bytes_and_stat = loading.read_bytes_and_stat

    def noted(path, **options):  # type: ignore[no-untyped-def]
        with reads.open("a", encoding="utf-8") as note:
            note.write(f"{os.getpid()} {os.path.relpath(path, root)}\n")
        return read_bytes_and_stat(path, **options)

    def readers() -> dict[str, set[str]]:
        found: dict[str, set[str]] = {}
        for line in reads.read_text(encoding="utf-8").splitlines():
            pid, rel = line.split(" ", 1)
            found.setdefault("here" if int(pid) == os.getpid() else "workers", set()).add(rel)
        reads.unlink()
        return found

    monkeypatch.setattr(loading, "read_bytes_and_stat", noted)
    checked = check_register(root, speed=Speed(cache=True, workers=2))
    record_files = set(source.record_files(root, []))
    assert len(record_files) > 300
    assert readers() == {"workers": record_files}  # none read here
    # The digests of what the workers read, for validate's cached report.
    assert {os.path.relpath(path, root) for path in checked.sources.digests} == record_files
    assert check_register(root, speed=Speed(cache=True, workers=2)).problems == checked.problems
    assert not reads.exists()  # all found by their stat: none read again
    _age(root, 60)  # every time moved (a checkout): read here, and found by their content
    assert check_register(root, speed=Speed(cache=True, workers=2)).problems == checked.problems
    assert readers() == {"here": record_files}


def test_office_files_rendered_by_workers_are_the_same_bytes(  # type: ignore[no-untyped-def]
    tmp_path: Path, run, monkeypatch
) -> None:
    from lianneng.publish.formats import docx, xlsx

    root = tmp_path / "register"
    generate(root, 40)
    monkeypatch.setattr(OfficeWorkers, "MIN_RECORDS", 10)
    monkeypatch.setattr(OfficeWorkers, "take_over", False)  # every office file is the workers'
    here: list[str] = []  # office files rendered in this process (a worker's calls stay there)
    for module, name in ((xlsx, "render_xlsx"), (docx, "render_docx")):
        render = getattr(module, name)
        monkeypatch.setattr(
            module,
            name,
            lambda *a, _render=render, _name=name, **k: here.append(_name) or _render(*a, **k),
        )

    ran, alone = _published(run, monkeypatch, root, tmp_path / "alone", jobs="1")
    assert ran.code == 0 and {"render_xlsx", "render_docx"} <= set(here)
    here.clear()
    ran, together = _published(run, monkeypatch, root, tmp_path / "together", jobs="2")
    assert ran.code == 0 and here == []  # the workers rendered every office file
    assert together == alone


def _published(
    run, monkeypatch, root: Path, out: Path, *, jobs: str
) -> tuple[Any, dict[str, bytes]]:  # type: ignore[no-untyped-def]
    """`publish` of `root` into `out` with `jobs` processes: how it ran and every file written."""
    monkeypatch.setenv("LIANNENG_JOBS", jobs)
    result = run("publish", str(root), "--out", str(out), "--quiet")
    return result, {p.relative_to(out).as_posix(): p.read_bytes() for p in out.rglob("*.*")}


def test_files_no_worker_has_started_are_rendered_here_largest_first_and_once(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from lianneng.publish import site
    from lianneng.publish.blocks import Document, Table

    rendered: list[str] = []
    render_office = site.render_office
    monkeypatch.setattr(
        site,
        "render_office",
        lambda *a: rendered.append(f"{a[1].name}.{a[0]}") or render_office(*a),
    )
    workers = OfficeWorkers(0)  # no worker ever free: every file waits for this process
    rules = Document("rules", "制度", [Table(("编号", "名称"), (("R-1", "制度"),))])
    rows = tuple((f"RP-{n}", "审批把关不严" * 5) for n in range(200))
    ledger = Document("ledger", "台账", [Table(("编号", "风险"), rows)])
    jobs = [("xlsx", rules, "某局", "zh"), ("xlsx", ledger, "某局", "zh")]
    jobs.append(("docx", ledger, "某局", "zh"))
    small, big, big_docx = workers.render(jobs)
    files = workers.collect(
        {
            "rules.xlsx": small,
            "filing/ledger.xlsx": big,
            "internal/ledger.xlsx": big,  # the same file in two folders
            "ledger.docx": big_docx,
        }
    )
    assert rendered == ["ledger.xlsx", "ledger.docx", "rules.xlsx"]  # largest first, once each
    rendered.clear()
    assert files == {
        "rules.xlsx": render_office(*jobs[0]),
        "filing/ledger.xlsx": render_office(*jobs[1]),
        "internal/ledger.xlsx": render_office(*jobs[1]),
        "ledger.docx": render_office(*jobs[2]),
    }
    assert workers.pool is None  # and no worker was started


def test_what_audiences_share_is_rendered_once_and_the_files_are_the_same(  # type: ignore[no-untyped-def]
    tmp_path: Path, register: Path, run, monkeypatch
) -> None:
    from lianneng.publish import markup, site

    monkeypatch.setenv("LIANNENG_JOBS", "1")

    def published(name: str) -> dict[str, bytes]:
        out = tmp_path / name
        assert run("publish", str(register), "--out", str(out), "--quiet").code == 0
        return {p.relative_to(out).as_posix(): p.read_bytes() for p in out.rglob("*.*")}

    office: list[str] = []
    tables: list[int] = []
    render_office, table_rows = site.render_office, markup.table_html_rows
    monkeypatch.setattr(
        site, "render_office", lambda *a: office.append(a[1].name) or render_office(*a)
    )
    monkeypatch.setattr(
        markup, "table_html_rows", lambda table: tables.append(id(table)) or table_rows(table)
    )
    once = published("once")
    office_files = [name for name in once if name.endswith((".xlsx", ".docx"))]
    html_tables = sum(page.count(b"<tbody>") for name, page in once.items() if "html" in name)
    assert 0 < len(office) < len(office_files) and 0 < len(tables) < html_tables

    # Each audience's every file made afresh: the same bytes.
    monkeypatch.setattr(site.Renderer, "earlier_office_file", lambda self, *job: None)
    monkeypatch.setattr(markup.BlockRenderings, "once", lambda self, render: render)
    monkeypatch.setattr(markup.BlockRenderings, "once_all", lambda self, render: render)
    assert published("each") == once


def test_the_cache_folder_ignores_itself(tmp_path: Path, register: Path, run, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    _validate(run, register, cache=True, monkeypatch=monkeypatch)
    folder = register / ".lianneng-cache"
    assert folder.is_dir()
    assert (folder / ".gitignore").read_text(encoding="utf-8").splitlines()[-1] == "*"


def test_a_cache_that_cannot_be_written_changes_nothing(register: Path, run, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    (register / ".lianneng-cache").write_text("not a folder", encoding="utf-8")
    fresh = _validate(run, register, cache=False, monkeypatch=monkeypatch)
    assert _validate(run, register, cache=True, monkeypatch=monkeypatch) == fresh


@pytest.mark.skipif(sys.platform == "win32", reason="links need privileges on Windows")
def test_a_link_is_read_where_it_leads_inside_and_refused_outside(  # type: ignore[no-untyped-def]
    register: Path, tmp_path: Path, run, monkeypatch
) -> None:
    """Files are opened without following links, so a link is found by the opening itself:
    one leading inside the register reads as its target, one leading out is refused, with the
    cache or without, the first time and the next."""
    before = _validate(run, register, "--lang", "en", cache=False, monkeypatch=monkeypatch)
    departments = register / "departments" / "departments.yaml"
    (register / "_shared").mkdir()
    departments.rename(register / "_shared" / "departments.yaml")
    departments.symlink_to(Path("..") / "_shared" / "departments.yaml")
    outside = tmp_path / "outside.yaml"
    outside.write_text("- id: D-OUT\n  name: 外面\n  type: 科室\n", encoding="utf-8")
    (register / "departments" / "outside.yaml").symlink_to(outside)
    _age(register)

    refused = f"{register}/departments/outside.yaml:1:1: error F014 "
    fresh = _validate(run, register, "--lang", "en", cache=False, monkeypatch=monkeypatch)
    lines = fresh[1].splitlines()
    assert [line for line in lines if line.startswith(refused)] == [
        refused + "cannot read file: the link leads outside the register"
    ]
    assert [line for line in lines if not line.startswith(refused)] == before[1].splitlines()
    for _ in range(2):  # a cold cache, then a warm one
        cached = _validate(run, register, "--lang", "en", cache=True, monkeypatch=monkeypatch)
        assert cached == fresh


def test_a_corrupt_cache_is_a_miss_and_is_made_anew(register: Path, run, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    import sqlite3

    fresh = _validate(run, register, cache=True, monkeypatch=monkeypatch)
    for entry in (register / ".lianneng-cache").iterdir():
        if entry.suffix in (".pickle", ".sqlite"):
            entry.write_bytes(b"\x80\x05garbage")
    assert _validate(run, register, cache=True, monkeypatch=monkeypatch) == fresh
    # Not a cache turned off for good: the database was made again, and holds the results.
    database = sqlite3.connect(register / ".lianneng-cache" / "files.sqlite")
    (rows,) = database.execute("SELECT COUNT(*) FROM files").fetchone()
    database.close()
    assert rows > 0


def test_reports_of_options_no_longer_used_are_pruned(register: Path, run, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.delenv("LIANNENG_NO_CACHE", raising=False)
    folder = register / ".lianneng-cache"

    def validate(day: int) -> tuple[int, str]:
        result = run("validate", str(register), "-f", "parsable", "--today", f"2026-06-{day:02d}")
        return result.code, result.out

    first = validate(1)
    (kept,) = folder.glob("report-*.pickle")
    written = kept.read_bytes()  # a report made again differs (the time its inventory was taken)
    for day in range(2, 13):  # a new report for each day: the date is one of the options
        validate(day)
        assert validate(1) == first  # the first day's, used again each time: kept, and a hit
    assert len(list(folder.glob("report-*.pickle"))) == cache_module._REPORTS_KEPT
    assert kept.read_bytes() == written


def test_the_cache_forgets_files_no_longer_in_the_register(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    import sqlite3

    root = tmp_path / "register"
    generate(root, 60)
    _age(root)
    monkeypatch.setattr(cache_module, "_PRUNE_SLACK", 0)

    def kept() -> tuple[set[str], int]:
        database = sqlite3.connect(root / ".lianneng-cache" / "files.sqlite")
        paths = {path for (path,) in database.execute("SELECT path FROM seen")}
        (results,) = database.execute("SELECT COUNT(*) FROM files").fetchone()
        database.close()
        return paths, results

    first = check_register(root, speed=Speed(cache=True))
    paths, results = kept()
    assert paths == set(source.record_files(root, [])) and results == len(paths)
    risks = sorted((root / "risks").iterdir())
    for path in risks[: len(risks) // 2]:  # some removed, but fewer than are left: all kept
        path.unlink()
    check_register(root, speed=Speed(cache=True))
    assert kept() == (paths, results)
    for path in risks[len(risks) // 2 :] + sorted((root / "controls").iterdir()):
        path.unlink()  # now most are gone: what the cache keeps of them goes too
    again = check_register(root, speed=Speed(cache=True))
    left = set(source.record_files(root, []))
    assert kept() == (left, len(left))
    assert again.problems != first.problems  # the removed records are missed, and reported


def _git(root: Path, *args: str) -> None:
    subprocess.run(
        ["git", "-c", "user.name=t", "-c", "user.email=t@example.org", *args],
        cwd=root,
        check=True,
        capture_output=True,
    )


def test_changed_since_reports_only_changed_files(register: Path, run, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    _git(register, "init", "-q")
    first, second = (
        register / "controls" / "C-DZJC-001.yaml",
        register / "controls" / "C-LG-001.yaml",
    )
    # A problem already committed in one file; after the commit, a new one in another, and a
    # reference from the changed file to a record in an unchanged one (still resolved).
    _append(first, "unknown_one: 1\n")
    _git(register, "add", ".")
    _git(register, "commit", "-q", "-m", "start")
    _append(second, "unknown_two: 1\n")
    code, out = _validate(
        run, register, "--changed-since", "HEAD", cache=True, monkeypatch=monkeypatch
    )
    assert code == 1
    assert "unknown_two" in out and "unknown_one" not in out
    assert "R002" not in out
    located = [line for line in out.splitlines() if ": error " in line or ": warning " in line]
    assert located and all("C-LG-001.yaml" in line for line in located)
    # Nothing changed: nothing reported, even though the register has a problem.
    _git(register, "commit", "-q", "-am", "more")
    code, out = _validate(
        run, register, "--changed-since", "HEAD", cache=False, monkeypatch=monkeypatch
    )
    assert code == 0 and "unknown" not in out
    # An unknown revision is a usage error.
    assert run("validate", str(register), "--changed-since", "no-such-rev").code == 2


def test_the_register_is_left_to_the_end_of_the_process_only_where_it_ends_at_once(  # type: ignore[no-untyped-def]
    register: Path, tmp_path: Path, run, monkeypatch
) -> None:
    from lianneng import speed
    from lianneng.pipeline import Checked

    monkeypatch.setenv("LIANNENG_NO_CACHE", "1")
    assert run("validate", str(register)).code == 0
    assert speed._kept_until_exit is None  # a process that goes on (here, the tests) keeps nothing
    monkeypatch.setattr(speed, "_kept_until_exit", [])  # as `lianneng` itself (console_main)
    try:
        for command in (
            ("validate", str(register)),
            ("grade", str(register), "--check"),
            ("publish", str(register), "--out", str(tmp_path / "site"), "--quiet"),
        ):
            assert run(*command).code == 0
    finally:
        gc.unfreeze()  # what the runs froze, as a process that ends at once does
    kept = speed._kept_until_exit
    assert [type(value) for value in kept][:3] == [Checked, Checked, Checked]
    assert len(kept) == 4  # and publish's documents


REGISTERS_OF_EVERY_SHAPE = [
    DATA / "canary",  # every field filled, internal ones too
    *example_dirs(),
    *sorted(p / "register" for p in (DATA / "invalid").iterdir() if (p / "register").is_dir()),
]


@pytest.mark.parametrize(
    "root", REGISTERS_OF_EVERY_SHAPE, ids=lambda p: p.parent.name + "/" + p.name
)
def test_a_checked_register_holds_no_cycles(root: Path) -> None:
    """`check_register` pauses the cycle collector (`speed.building_to_last`): sound as long as
    what it builds, kept or thrown away, is freed by reference counting alone. The invalid
    cases send files through ruamel's loader too, itself made of cycles until taken apart."""

    def checked() -> object:
        try:
            return check_register(root, today=date(2026, 6, 1))
        except ConfigError as exc:
            return exc

    checked()  # modules imported on first use, caches filled
    gc.collect()
    result = checked()
    assert gc.isenabled()  # the collector runs again once the register is built
    gc.set_debug(gc.DEBUG_SAVEALL)  # what it would free, kept in gc.garbage to be looked at
    try:
        del result
        gc.collect()
        garbage = [type(value).__qualname__ for value in gc.garbage]
    finally:
        gc.set_debug(0)
        gc.garbage.clear()
    assert garbage == []


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="workers forked here")
def test_parse_workers_collect_while_the_register_is_built(  # type: ignore[no-untyped-def]
    tmp_path: Path, monkeypatch
) -> None:
    """The pause is for what lasts the run: a worker's parse results are dropped once sent."""
    root = tmp_path / "register"
    generate(root, 300)
    monkeypatch.setattr(loading, "POOL_MIN_FILES", 10)
    parse = loading.check_file

    def noting_the_collector(*args: Any) -> loading.FileResult:
        result = parse(*args)
        result.claimed_ids.append(f"collecting={gc.isenabled()} in {os.getpid()}")
        return result

    monkeypatch.setattr(loading, "check_file", noting_the_collector)  # inherited by the fork
    checked = check_register(root, speed=Speed(workers=2))
    noted = {i for i in checked.register.broken_ids if i.startswith("collecting=")}
    assert noted and all(i.startswith("collecting=True") for i in noted)
    assert not any(i.endswith(f" {os.getpid()}") for i in noted)  # all parsed in the workers


def test_what_a_run_built_is_put_out_of_the_collectors_sight_only_where_the_process_ends_at_once(  # type: ignore[no-untyped-def]
    monkeypatch,
) -> None:
    from lianneng import speed

    root = DATA / "canary"
    gc.unfreeze()
    check_register(root)
    assert gc.get_freeze_count() == 0  # a process that goes on (here, the tests)
    monkeypatch.setattr(speed, "_kept_until_exit", [])  # as `lianneng` itself (console_main)
    try:
        checked = check_register(root)
        assert gc.isenabled() and gc.get_freeze_count() > 0
        in_sight = {id(value) for value in gc.get_objects()}  # the frozen are not listed
        assert not any(id(record) in in_sight for record in checked.register.records)
    finally:
        gc.unfreeze()


def test_no_progress_bar_in_ci_or_a_pipe(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("CI", "true")
    assert not progress.wanted()
    monkeypatch.delenv("CI")
    monkeypatch.setattr(sys.stderr, "isatty", lambda: False)
    assert not progress.wanted()


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="needs a pseudo-terminal")
def test_a_progress_bar_on_a_terminal_for_a_large_register(tmp_path: Path) -> None:
    import pty

    root = tmp_path / "register"
    generate(root, progress.SHOW_FROM)
    env = {k: v for k, v in os.environ.items() if k not in ("CI", "LIANNENG_NO_PROGRESS")}
    env["TERM"] = "xterm"

    def on_terminal(extra_env: dict[str, str]) -> bytes:
        pid, fd = pty.fork()
        if pid == 0:  # the child: lianneng with a terminal for stdout and stderr
            os.execve(
                LIANNENG, [LIANNENG, "validate", str(root), "--no-cache"], {**env, **extra_env}
            )
        output = b""
        while True:
            try:
                chunk = os.read(fd, 65536)
            except OSError:
                break
            if not chunk:
                break
            output += chunk
        os.waitpid(pid, 0)
        return output

    assert "读取登记册".encode() in on_terminal({})
    assert "读取登记册".encode() not in on_terminal({"CI": "true"})


def test_ruamel_is_imported_only_for_text_the_fast_path_will_not_take(tmp_path: Path) -> None:
    """ruamel (yamlguard) is loaded only for a file libyaml could misread or cannot parse: a
    register whose files all take the fast path is validated, its problems located, without it."""
    script = (
        "import sys\nfrom lianneng.cli import main\n"
        "code = main(sys.argv[1:])\n"
        "print(code, sorted({m.split('.')[0] for m in sys.modules} & {'ruamel'}))\n"
    )
    edits = {
        "clean": ("", "0 []"),
        "unknown field": ("  bogus: 1\n", "1 []"),  # located with libyaml's nodes
        "tab": ("\tbogus: 1\n", "1 ['ruamel']"),  # a YAML error, described by ruamel
    }
    for name, (added, expected) in edits.items():
        root = tmp_path / name
        shutil.copytree(EXAMPLES / "mca", root)
        record = root / "risks" / "CWC.yaml"
        first = "- id: RP-CWC-001\n"
        text = record.read_text(encoding="utf-8").replace(first, first + added, 1)
        record.write_text(text, encoding="utf-8")
        result = subprocess.run(
            [sys.executable, "-c", script, "validate", str(root), "--no-cache", "-f", "parsable"],
            capture_output=True,
            text=True,
            check=False,
        )
        assert result.stdout.splitlines()[-1] == expected, result.stdout + result.stderr
        if name != "clean":
            assert "CWC.yaml:" in result.stdout


@pytest.mark.parametrize(
    "root", REGISTERS_OF_EVERY_SHAPE, ids=lambda p: p.parent.name + "/" + p.name
)
def test_checks_run_beside_find_the_same_problems(root: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """A large register's checks across records run half in a forked copy of the process
    (validate, grade), or all of them there where its files hold no error and the caller goes on
    (publish builds its documents meanwhile): once settled, the problems are the same, in the
    same order, dated checks included."""
    monkeypatch.setattr(pipeline, "BESIDE_MIN_RECORDS", 0)  # even none
    forked = _forks_counted(monkeypatch)
    day = date(2026, 6, 1)
    try:
        alone = check_register(root, today=day).problems
    except ConfigError:
        return  # a register whose settings cannot be read is checked no further either way
    assert not forked
    split = check_register(root, today=day, speed=Speed(workers=2))
    assert forked == [None] and split.beside is None
    assert split.problems == alone
    forked.clear()
    checked = check_register(root, today=day, speed=Speed(workers=2), beside=True)
    assert forked == [None]
    if root.parent.parent.name != "invalid":
        assert checked.beside is not None  # files without an error: all ran beside
    assert checked.settle().problems == alone
    assert checked.beside is None


def _forks_counted(monkeypatch) -> list[None]:  # type: ignore[no-untyped-def]
    forked: list[None] = []
    beside = pipeline.ChecksBeside
    monkeypatch.setattr(
        pipeline, "ChecksBeside", lambda checks: forked.append(None) or beside(checks)
    )
    return forked


def test_publish_with_its_checks_beside_writes_the_same_files_or_none(  # type: ignore[no-untyped-def]
    tmp_path: Path, run, monkeypatch
) -> None:
    root = tmp_path / "register"
    generate(root, 40)
    # A category given as its code: written by name before the checks go beside.
    power = root / "powers" / "QL-00001.yaml"
    power.write_text(
        power.read_text(encoding="utf-8").replace("category: 行政许可", "category: XK")
    )
    monkeypatch.setattr(pipeline, "BESIDE_MIN_RECORDS", 10)
    forked = _forks_counted(monkeypatch)

    def published(jobs: str, name: str) -> tuple[Any, dict[str, bytes]]:
        return _published(run, monkeypatch, root, tmp_path / name, jobs=jobs)

    alone, files = published("1", "alone")
    beside, same = published("2", "beside")
    assert forked and alone.code == beside.code == 0
    assert same == files
    assert "XK" not in files["public/power-catalogue.md"].decode()
    # A reference to nothing: an error only the checks across records find.
    risk = root / "risks" / "RP-000003.yaml"
    risk.write_text(risk.read_text(encoding="utf-8").replace("power: QL-00003", "power: QL-9"))
    forked.clear()
    alone, nothing = published("1", "alone-wrong")
    beside, none = published("2", "beside-wrong")
    assert forked and alone.code == beside.code == 1
    assert "R002" in beside.out and beside.out == alone.out and beside.err == alone.err
    assert nothing == none == {}


def test_checks_beside_abandoned_leave_nothing_behind() -> None:
    def slow() -> list[Any]:
        time.sleep(60)
        return []

    started = time.monotonic()
    beside = pipeline.ChecksBeside(slow)
    beside.abandon()
    assert time.monotonic() - started < 30  # stopped, not waited for
    assert not Path(beside.path).exists()
    with pytest.raises(ChildProcessError):  # and reaped: no process of that number is left
        os.waitpid(beside.pid, os.WNOHANG)


def test_checks_that_fail_beside_fail_the_run() -> None:
    def failing() -> list[Any]:
        raise ValueError("a check went wrong")

    with pytest.raises(RuntimeError, match="a check went wrong"):
        pipeline.ChecksBeside(failing).problems()
