"""Killing a writer at any moment loses nothing: every file is its old or its new content.

Every command that writes the register (`grade --write`, `review`, `warnings issue|close|escalate`,
`import`) is killed with SIGKILL many times while it runs: half the kills at a random moment of
its run, half just after it starts writing (when its first temporary file appears). After each kill
every file is compared with its two possible states (a new file is absent or whole, and nothing
else appears), and `validate` must pass or report exactly what it reported before or after the
command. The tool's own state (`.lianneng.lock`, `.lianneng-cache/`) is no register content and
is not compared, but `validate` reads it after every kill.

Where the kills landed is counted and shown (`pytest -s`): before writing, inside a write (a
temporary file left behind), between two writes (some files new, some old), after writing; each
command must have kills inside or between writes, or the test proves nothing about writing (when
the kills aimed at writing all miss, up to ten more are aimed, and counted). KILLS=200 (make fuzz)
kills each command 200 times; the test suite runs a few.
"""

from __future__ import annotations

import contextlib
import csv
import io
import json
import os
import random
import re
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest

from lianneng.cli import main

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "benchmarks"))
from generate import generate  # noqa: E402

LIANNENG = str(Path(sys.executable).parent / "lianneng")
KILLS = int(os.environ.get("KILLS", "0"))  # 0: each test's own small number
TEMPORARY = re.compile(r"^\..+\.tmp$")  # write_atomic's temporary file
MID_WRITE = ("inside a write", "between writes")

pytestmark = pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="needs SIGKILL")


def snapshot(root: Path) -> tuple[dict[str, bytes], list[str]]:
    """Every register file's content, and the temporary files a killed writer left."""
    files: dict[str, bytes] = {}
    temporary: list[str] = []
    for folder, subfolders, names in os.walk(root):
        subfolders[:] = [s for s in subfolders if not s.startswith((".lianneng", ".git"))]
        for name in names:
            path = Path(folder) / name
            rel = path.relative_to(root).as_posix()
            if TEMPORARY.match(name):
                temporary.append(rel)
            elif not name.startswith(".lianneng"):
                files[rel] = path.read_bytes()
    return files, temporary


def restore(root: Path, old: dict[str, bytes]) -> None:
    current, temporary = snapshot(root)
    for rel in [*temporary, *(r for r in current if r not in old)]:
        (root / rel).unlink()
    for rel, data in old.items():
        if current.get(rel) != data:
            (root / rel).write_bytes(data)


def validated(root: Path) -> tuple[int, set[tuple[str, int, str, str]]]:
    """`lianneng validate`'s exit code and problems (run in this process: it is the same code)."""
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(["validate", str(root), "--format", "json", "--lang", "en"])
    shown = f"validate exits {code}: {out.getvalue()}{err.getvalue()}"
    assert out.getvalue().startswith("{"), shown
    report = json.loads(out.getvalue())
    found = {(p["path"], p["line"], p["code"], p["message"]) for p in report["problems"]}
    return code, found


def wait_for_writing(folders: list[Path], process: subprocess.Popen[bytes], limit: float) -> None:
    """Until a temporary file appears in one of `folders` (or the process ends)."""
    deadline = time.monotonic() + limit
    while process.poll() is None and time.monotonic() < deadline:
        for folder in folders:
            with contextlib.suppress(FileNotFoundError):
                if any(TEMPORARY.match(name) for name in os.listdir(folder)):
                    return
        time.sleep(0.0003)


def kill_many(
    root: Path, args: list[str], watched: list[Path], kills: int, seed: int = 2026
) -> Counter[str]:
    """Run `lianneng ARGS` once to learn its new files, then kill it `kills` times; check after
    each kill. Returns where the kills landed."""
    argv = [LIANNENG, *args]
    old, _ = snapshot(root)
    old_check = validated(root)
    started = time.monotonic()
    first = subprocess.run(argv, capture_output=True, text=True)
    duration = time.monotonic() - started
    assert first.returncode == 0, first.stdout + first.stderr
    new, _ = snapshot(root)
    changed = {rel for rel in old.keys() | new.keys() if old.get(rel) != new.get(rel)}
    assert changed, "the command wrote nothing"
    new_check = validated(root)
    rng = random.Random(seed)
    landed: Counter[str] = Counter()

    def kill_once(number: int, at_writing: bool) -> str:
        restore(root, old)
        process = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        if at_writing:  # as soon as it writes; for a writer of many files, a few files in
            wait_for_writing(watched, process, duration * 3)
            if len(changed) > 2:
                time.sleep(rng.uniform(0, 0.002 * len(changed)))
        else:  # at any moment of its run
            time.sleep(rng.uniform(0, duration))
        killed = process.poll() is None
        if killed:
            process.send_signal(signal.SIGKILL)
        process.wait()
        current, temporary = snapshot(root)
        for rel in old.keys() | new.keys() | current.keys():
            state = current.get(rel)
            assert state in (old.get(rel), new.get(rel)), f"kill {number}: {rel} is half written"
        done = {rel for rel in changed if current.get(rel) == new.get(rel)}
        if not killed:
            where = "finished"
        elif temporary:
            where = "inside a write"
        elif done and done != changed:
            where = "between writes"
        else:
            where = "after writing" if done else "before writing"
        code, found = validated(root)
        assert code == 0 or (code, found) in (old_check, new_check), (
            f"kill {number} ({where}): validate exits {code}: {sorted(found)}"
        )
        return where

    for number in range(kills):
        landed[kill_once(number, at_writing=bool(number % 2))] += 1
    extra = 0  # the write takes a millisecond or so: a kill aimed at it may miss; aim again
    while sum(landed[w] for w in MID_WRITE) == 0 and extra < 10:
        extra += 1
        landed[kill_once(kills + extra, at_writing=True)] += 1
    restore(root, old)
    print(f"\n{' '.join(args[:2])}: {kills + extra} kills: {dict(landed)}")
    assert sum(landed[w] for w in MID_WRITE) > 0, (
        f"no kill landed while writing ({dict(landed)}): tighten the timing"
    )
    return landed


def test_sigkill_during_grade_write_leaves_old_or_new_content(tmp_path: Path) -> None:
    root = tmp_path / "register"
    generate(root, 150)
    # Old: every level blanked (with a note the writer must keep). New: what a full run writes.
    for path in (root / "risks").glob("*.yaml"):
        path.write_bytes(path.read_bytes().replace(b"\nlevel: ", b"\nlevel:  # "))
    kill_many(root, ["grade", str(root), "--write"], [root / "risks"], KILLS or 15)


# ── the other writers, on a register with a year of warnings in one file ───────────────────


def small_register(tmp_path: Path) -> Path:
    root = tmp_path / "register"
    generate(root, 30)
    (root / "warnings").mkdir(exist_ok=True)
    warnings = [
        f"- id: W-2026-{n:03d}\n  target: P-0000-S\n  action: 提醒谈话\n  issued: 2026-01-05\n"
        f"  deadline: 2026-12-31\n  status: 已发出\n"
        for n in range(1, 201)
    ]
    text = "# 2026 年预警\n" + "\n".join(warnings)
    (root / "warnings" / "2026.yaml").write_text(text, encoding="utf-8")
    return root


def ledger(tmp_path: Path, root: Path) -> Path:
    """A ledger of 200 risk points in the register's departments, as a unit keeps it in Excel."""
    names = [
        re.search(r"\nname: (.*)\n", p.read_text(encoding="utf-8")).group(1)  # type: ignore[union-attr]
        for p in sorted((root / "departments").glob("*.yaml"))
    ]
    rows = [["序号", "部门", "风险类别", "风险点", "发生机率", "危害程度", "风险等级", "防控措施"]]
    for n in range(200):
        department = names[n % len(names)]
        rows.append([str(n + 1), department, "岗位职责", f"导入的风险点{n}", "较小", "一般"])
        rows[-1] += ["三级", f"两人复核,留痕备查{n}"]
    buffer = io.StringIO()
    csv.writer(buffer).writerows(rows)
    path = tmp_path / "ledger.csv"
    path.write_text(buffer.getvalue(), encoding="utf-8")
    return path


WRITERS = {
    "review": (["review", "RP-000001", "--outcome", "维持", "--date", "2026-03-01"], "risks"),
    "warnings-issue": (
        ["warnings", "issue", "--target", "P-0000-S", "--action", "提醒谈话"]
        + ["--date", "2026-05-01", "--deadline", "2026-05-31", "--signal", "信访举报"]
        + ["--source", "来信"],
        "warnings",
    ),
    "warnings-close": (
        ["warnings", "close", "W-2026-001", "--outcome", "已整改", "--date", "2026-03-08"],
        "warnings",
    ),
    "warnings-escalate": (
        ["warnings", "escalate", "W-2026-002", "--action", "警示诫勉", "--date", "2026-06-05"]
        + ["--deadline", "2026-07-05", "--outcome", "逾期未整改"],
        "warnings",
    ),
    "import": (["import"], "risks"),
}


@pytest.mark.parametrize("writer", list(WRITERS))
def test_sigkill_during_any_writer_leaves_old_or_new_content(tmp_path: Path, writer: str) -> None:
    root = small_register(tmp_path)
    args, folder = WRITERS[writer]
    if writer == "import":
        args = [*args, str(ledger(tmp_path, root)), "--into", str(root)]
    else:
        args = [*args, "--repo", str(root)]
    kill_many(root, args, [root / folder], KILLS or 4)
