"""Filing packages, verify, semantic diff and item history, in real git repositories."""

from __future__ import annotations

import hashlib
import io
import json
import shutil
import subprocess
import zipfile
from pathlib import Path

import pytest
from conftest import DATA, EXAMPLES

from lianneng.model.fields import Visibility

GIT_ENV = {
    "GIT_AUTHOR_NAME": "张三",
    "GIT_AUTHOR_EMAIL": "z@example.invalid",
    "GIT_COMMITTER_NAME": "张三",
    "GIT_COMMITTER_EMAIL": "z@example.invalid",
    "GIT_AUTHOR_DATE": "2026-10-08T09:00:00+08:00",
    "GIT_COMMITTER_DATE": "2026-10-08T09:00:00+08:00",
    "PATH": "/usr/bin:/bin",
}


def git(root: Path, *args: str, date: str | None = None) -> str:
    env = dict(GIT_ENV)
    if date:
        env["GIT_AUTHOR_DATE"] = env["GIT_COMMITTER_DATE"] = date
    return subprocess.run(
        ["git", "-c", "init.defaultBranch=main", *args],
        cwd=root,
        env=env,
        check=True,
        capture_output=True,
        text=True,
    ).stdout


def commit_all(root: Path, message: str, date: str | None = None) -> str:
    git(root, "add", "-A")
    git(root, "commit", "-qm", message, date=date)
    return git(root, "rev-parse", "HEAD").strip()


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    root = tmp_path / "zhijianju"
    shutil.copytree(EXAMPLES / "zhijianju", root)
    git(root, "init", "-q")
    commit_all(root, "初始登记册")
    return root


def edit(path: Path, old: str, new: str, count: int = 1) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new, count), encoding="utf-8")


def entries_of(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def rezip(entries: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in entries.items():
            archive.writestr(name, data)
    return buffer.getvalue()


# ── package and verify ───────────────────────────────────────────────────────────────────


def test_two_builds_of_a_commit_are_identical_and_verify(repo: Path, run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    first, second = tmp_path / "a.zip", tmp_path / "b.zip"
    assert run("package", str(repo), "--out", str(first)).code == 0
    assert run("package", str(repo), "--out", str(second), "--no-tag").code == 0
    assert (
        hashlib.sha256(first.read_bytes()).digest() == hashlib.sha256(second.read_bytes()).digest()
    )
    assert git(repo, "tag").split() == ["filing/2026-Q4"]
    result = run("verify", str(first), "--repo", str(repo), "--lang", "en")
    assert result.code == 0 and "verified" in result.out and "matches the repository" in result.out
    manifest = json.loads(entries_of(first.read_bytes())["manifest.json"])
    assert manifest["source"]["commit"] == git(repo, "rev-parse", "HEAD").strip()
    assert manifest["source"]["dirty"] is False and manifest["period"] == "2026-Q4"
    names = {entry["path"] for entry in manifest["entries"]}
    assert {
        "documents/ledger.xlsx",
        "documents/flows.html",
        "documents/commitments.docx",
        "data/records.json",
        "data/grades.json",
        "policy/zhijianju.yaml",
    } <= names


@pytest.fixture
def package(repo: Path, run, tmp_path: Path) -> bytes:  # type: ignore[no-untyped-def]
    out = tmp_path / "filing.zip"
    assert run("package", str(repo), "--out", str(out), "--no-tag").code == 0
    return out.read_bytes()


def verify_bytes(run, data: bytes, tmp_path: Path) -> tuple[int, str]:  # type: ignore[no-untyped-def]
    path = tmp_path / "check.zip"
    path.write_bytes(data)
    result = run("verify", str(path), "--lang", "en")
    assert "Traceback" not in result.out + result.err
    return result.code, result.out


@pytest.mark.parametrize(
    "entry",
    [
        "manifest.json",
        "documents/ledger.md",
        "data/records.json",
        "documents/risk-list.xlsx",
        "policy/zhijianju.yaml",
    ],
)
def test_one_changed_byte_in_any_entry_fails_naming_it(
    package: bytes, entry: str, run, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    entries = entries_of(package)
    data = bytearray(entries[entry])
    data[len(data) // 2] ^= 0x01
    entries[entry] = bytes(data)
    code, out = verify_bytes(run, rezip(entries), tmp_path)
    assert code == 1 and f"{entry}:" in out, out


def test_a_flipped_byte_in_the_archive_itself_fails(package: bytes, run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    for offset in (200, len(package) // 3, len(package) // 2):
        damaged = bytearray(package)
        damaged[offset] ^= 0xFF
        code, out = verify_bytes(run, bytes(damaged), tmp_path)
        assert code == 1 and out.strip(), offset


def test_added_and_removed_entries_fail(package: bytes, run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    entries = entries_of(package)
    code, out = verify_bytes(run, rezip({**entries, "documents/extra.md": b"# x\n"}), tmp_path)
    assert code == 1 and "documents/extra.md: entry not in the manifest" in out
    del entries["data/grades.json"]
    code, out = verify_bytes(run, rezip(entries), tmp_path)
    assert code == 1 and "data/grades.json: listed in the manifest but missing" in out


@pytest.mark.parametrize(
    "name",
    [
        "../evil.txt",
        "documents/../../evil.txt",
        "/etc/evil",
        "C:/evil.txt",
        "documents\\..\\evil.txt",
    ],
)
def test_unsafe_entry_names_are_refused(package: bytes, name: str, run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    code, out = verify_bytes(run, rezip({**entries_of(package), name: b"x"}), tmp_path)
    assert code == 1 and name in out and "refused" in out


def test_link_entries_and_case_collisions_are_refused(package: bytes, run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        info = zipfile.ZipInfo("documents/link")
        info.external_attr = (0o120777) << 16
        archive.writestr(info, "/etc/passwd")
    code, out = verify_bytes(run, buffer.getvalue(), tmp_path)
    assert code == 1 and "documents/link: refused: link entry" in out
    entries = entries_of(package)
    code, out = verify_bytes(run, rezip({**entries, "DATA/records.json": b"{}"}), tmp_path)
    assert code == 1 and "refused" in out


def test_verify_against_the_repository_catches_a_rebuilt_fake(
    repo: Path, package: bytes, run, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    # A package whose manifest is internally consistent but whose content is not the commit's.
    entries = entries_of(package)
    manifest = json.loads(entries["manifest.json"])
    fake = entries["documents/ledger.md"].replace("一级".encode(), "三级".encode())
    entries["documents/ledger.md"] = fake
    for item in manifest["entries"]:
        if item["path"] == "documents/ledger.md":
            item["sha256"], item["size"] = hashlib.sha256(fake).hexdigest(), len(fake)
    entries["manifest.json"] = json.dumps(manifest, ensure_ascii=False).encode()
    # a forger recomputes the manifest's checksum as well
    checksum = hashlib.sha256(entries["manifest.json"]).hexdigest() + "\n"
    entries["manifest.json.sha256"] = checksum.encode()
    path = tmp_path / "fake.zip"
    path.write_bytes(rezip(entries))
    assert run("verify", str(path)).code == 0  # self-consistent on its own …
    result = run("verify", str(path), "--repo", str(repo), "--lang", "en")
    assert result.code == 1 and "documents/ledger.md: differs from a rebuild" in result.out


def test_dirty_tree_is_refused_unless_allowed(repo: Path, run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    edit(repo / "risks" / "XKK.yaml", "likelihood: 较高", "likelihood: 较高  # 待复核")
    result = run("package", str(repo), "--out", str(tmp_path / "p.zip"))
    assert result.code == 2 and "risks/XKK.yaml" in result.err
    assert run("package", str(repo), "--out", str(tmp_path / "p.zip"), "--allow-dirty").code == 0
    manifest = json.loads(entries_of((tmp_path / "p.zip").read_bytes())["manifest.json"])
    assert manifest["source"]["dirty"] is True and manifest["source"]["dirty_files"] == [
        "risks/XKK.yaml"
    ]
    assert git(repo, "tag") == ""  # a dirty build is never tagged


def test_the_lock_a_writing_command_leaves_does_not_make_the_tree_dirty(  # type: ignore[no-untyped-def]
    repo: Path, run, tmp_path: Path
) -> None:
    """A register whose `.gitignore` does not list the lock file (one made before `init` listed
    it, or by hand): a review, committed, is still packaged without --allow-dirty."""
    (repo / ".gitignore").write_text(".lianneng-cache/\n", encoding="utf-8")
    commit_all(repo, "忽略缓存")
    review = ["review", "RP-XKK-001", "--outcome", "维持", "--date", "2026-10-08"]
    assert run(*review, "--repo", str(repo)).code == 0
    assert (repo / ".lianneng.lock").is_file() and "lianneng.lock" in git(repo, "status", "-s")
    git(repo, "commit", "-qam", "复核")  # the review; the lock file stays untracked
    assert run("package", str(repo), "--out", str(tmp_path / "p.zip")).code == 0
    manifest = json.loads(entries_of((tmp_path / "p.zip").read_bytes())["manifest.json"])
    assert manifest["source"]["dirty"] is False
    assert ".lianneng.lock" not in entries_of((tmp_path / "p.zip").read_bytes())


def test_filing_package_holds_no_internal_value(tmp_path: Path, run) -> None:  # type: ignore[no-untyped-def]
    from test_publish import _canaries

    root = tmp_path / "canary"
    shutil.copytree(DATA / "canary", root)
    git(root, "init", "-q")
    commit_all(root, "canary")
    out = tmp_path / "p.zip"
    assert run("package", str(root), "--out", str(out), "--no-tag").code == 0
    internal, _ = _canaries(Visibility.INTERNAL)
    for name, data in entries_of(out.read_bytes()).items():
        if name.endswith((".xlsx", ".docx")):
            inner = entries_of(data)
            text = "".join(v.decode("utf-8", "replace") for v in inner.values())
        else:
            text = data.decode("utf-8", "replace")
        leaked = [value for value in internal if value in text]
        assert not leaked, (name, leaked)


# ── diff and log ─────────────────────────────────────────────────────────────────────────


def test_diff_names_exactly_the_changes_between_commits(repo: Path, run) -> None:  # type: ignore[no-untyped-def]
    first = git(repo, "rev-parse", "HEAD").strip()
    risks = repo / "risks" / "XKK.yaml"
    edit(
        risks,
        "  likelihood: 较高\n  impact: 较重\n  level: 二级",
        "  likelihood: 高\n  impact: 较重\n  level: 一级",
    )
    edit(repo / "controls" / "C-LG-001.yaml", "description: ", "description: (修订)")
    commit_all(repo, "调整")
    result = run("diff", first, "HEAD", "--repo", str(repo), "-f", "json")
    assert result.code == 0, result.err
    report = json.loads(result.out)
    changed = {
        (r["kind"], r["id"], r["status"]): [f["path"] for f in r["fields"]]
        for r in report["records"]
    }
    assert changed == {
        ("risk", "RP-XKK-001", "modified"): ["level", "likelihood"],
        ("control", "C-LG-001", "modified"): ["description"],
    }
    assert [(c["id"], c["old"], c["new"], c["cause"]) for c in report["levels"]] == [
        ("RP-XKK-001", "二级", "一级", "data")
    ]


def test_diff_attributes_a_level_change_to_the_policy(repo: Path, run) -> None:  # type: ignore[no-untyped-def]
    first = git(repo, "rev-parse", "HEAD").strip()
    edit(repo / "lianneng.yaml", "policy: policy/zhijianju.yaml", "policy: builtin:anyang-class")
    result = run("diff", first, "--repo", str(repo), "-f", "json")  # against the work tree
    report = json.loads(result.out)
    assert report["policy"] == ["zhijianju@1", "anyang-class@1"]
    # no business classes in this register: every 一级 and 二级 point falls to the default 三级
    assert report["levels"] and {c["cause"] for c in report["levels"]} == {"policy"}
    assert {c["new"] for c in report["levels"]} == {"三级"}
    assert report["records"] == []  # the data did not change


def test_diff_markdown_is_ready_for_a_pull_request(repo: Path, run) -> None:  # type: ignore[no-untyped-def]
    first = git(repo, "rev-parse", "HEAD").strip()
    shutil.rmtree(repo / "commitments")
    commit_all(repo, "删除承诺书")
    result = run("diff", first, "HEAD", "--repo", str(repo), "-f", "markdown")
    assert result.code == 0 and result.out.startswith("### 登记册变化")
    assert "| 删除 | 承诺书 | CM-BGS |" in result.out


def test_a_review_reads_in_diff_log_and_textconv_as_written_not_as_python(repo: Path, run) -> None:  # type: ignore[no-untyped-def]
    first = git(repo, "rev-parse", "HEAD").strip()
    reviewed = run(
        "review",
        "RP-XKK-001",
        "--outcome",
        "维持",
        "--by",
        "纪检监察室",
        "--date",
        "2026-10-08",
        "--repo",
        str(repo),
    )
    assert reviewed.code == 0, reviewed.err
    commit_all(repo, "复核")
    shown = "reviews: — → [{date: 2026-10-08, by: 纪检监察室, outcome: 维持}]"
    for command in (("diff", first, "HEAD"), ("log", "RP-XKK-001")):
        result = run(*command, "--repo", str(repo))
        assert result.code == 0, result.err
        assert shown in result.out
        assert "None" not in result.out and "'" not in result.out
    textconv = run("textconv", str(repo / "risks" / "XKK.yaml")).out
    assert "RP-XKK-001.reviews: [{date: 2026-10-08, by: 纪检监察室, outcome: 维持}]" in textconv


def test_log_shows_a_records_level_across_commits(repo: Path, run) -> None:  # type: ignore[no-untyped-def]
    risks = repo / "risks" / "XKK.yaml"
    edit(
        risks,
        "  likelihood: 较高\n  impact: 较重\n  level: 二级",
        "  likelihood: 高\n  impact: 较重\n  level: 一级",
    )
    commit_all(repo, "提高为一级", date="2026-10-09T10:00:00+08:00")
    edit(
        risks,
        "  likelihood: 高\n  impact: 较重\n  level: 一级",
        "  likelihood: 较小\n  impact: 一般\n  level: 三级",
    )
    commit_all(repo, "整改后降为三级", date="2026-10-10T10:00:00+08:00")
    result = run("log", "RP-XKK-001", "--repo", str(repo), "--lang", "en")
    assert result.code == 0, result.err
    lines = result.out.splitlines()
    levels = [line.split("level: ")[1] for line in lines if "level: " in line and "RP-XKK" in line]
    assert levels == ["二级", "一级", "三级"]
    assert "2026-10-09  张三  提高为一级" in result.out and "likelihood: 高 → 较小" in result.out


def test_markdown_records_are_diffed_like_others(repo: Path, run) -> None:  # type: ignore[no-untyped-def]
    first = git(repo, "rev-parse", "HEAD").strip()
    rule = next((repo / "rules").glob("*.md"))
    rule.write_text(
        rule.read_text(encoding="utf-8") + "\n## 补充\n\n新增一条。\n", encoding="utf-8"
    )
    commit_all(repo, "补充制度")
    report = json.loads(run("diff", first, "HEAD", "--repo", str(repo), "-f", "json").out)
    [change] = report["records"]
    assert change["kind"] == "rule" and [f["path"] for f in change["fields"]] == ["body"]
    assert "(+4 −0)" in change["fields"][0]["new"]  # a blank line, heading, blank, text


def test_textconv_prints_one_field_per_line(repo: Path, run) -> None:  # type: ignore[no-untyped-def]
    result = run("textconv", str(repo / "controls" / "C-LG-001.yaml"))
    assert result.code == 0 and result.out.startswith("C-LG-001.")
    assert all(line.startswith("C-LG-001.") for line in result.out.splitlines())


# ── git in all its states ────────────────────────────────────────────────────────────────


def test_git_states_give_clear_messages(tmp_path: Path, run) -> None:  # type: ignore[no-untyped-def]
    root = tmp_path / "reg"
    assert run("init", str(root)).code == 0
    result = run("package", str(root), "--out", str(tmp_path / "p.zip"))
    assert result.code == 2 and "git" in result.err and "Traceback" not in result.err
    git(root, "init", "-q")
    result = run("diff", "HEAD", "--repo", str(root))
    assert result.code == 2 and "no commits" in result.err
    commit_all(root, "初始")
    git(root, "checkout", "-q", "--detach")
    assert run("package", str(root), "--out", str(tmp_path / "p.zip"), "--no-tag").code == 0
    result = run("diff", "no-such-rev", "--repo", str(root))
    assert result.code == 2 and "unknown revision" in result.err
    git(root, "checkout", "-q", "main")
    git(root, "checkout", "-q", "-b", "other")
    edit(root / "risks" / "RP-001.yaml", "likelihood: 较高", "likelihood: 高")
    commit_all(root, "other")
    git(root, "checkout", "-q", "main")
    edit(root / "risks" / "RP-001.yaml", "likelihood: 较高", "likelihood: 较小")
    commit_all(root, "main")
    subprocess.run(["git", "merge", "other"], cwd=root, env=GIT_ENV, capture_output=True)
    result = run("package", str(root), "--out", str(tmp_path / "p.zip"))
    assert result.code == 2 and "merge" in result.err


def test_shallow_clone_says_so(repo: Path, run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    edit(repo / "risks" / "XKK.yaml", "likelihood: 较高", "likelihood: 高")
    commit_all(repo, "second")
    clone = tmp_path / "shallow"
    subprocess.run(
        ["git", "clone", "-q", "--depth", "1", f"file://{repo}", str(clone)],
        check=True,
        env=GIT_ENV,
    )
    result = run("diff", "HEAD~1", "--repo", str(clone))
    assert result.code == 2 and "shallow" in result.err
