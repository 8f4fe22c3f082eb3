"""Killing a writer at any moment loses nothing: every file is its old or its new content.

`grade --write` is killed with SIGKILL at random moments while it rewrites many files; after each
kill the files are compared with their two possible states, and the register must still validate.
KILLS=200 (make fuzz) runs the long version; the test suite runs a few.
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "benchmarks"))
from generate import generate  # noqa: E402

LIANNENG = str(Path(sys.executable).parent / "lianneng")
KILLS = int(os.environ.get("KILLS", "15"))


@pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="needs SIGKILL")
def test_sigkill_during_grade_write_leaves_old_or_new_content(tmp_path: Path) -> None:
    root = tmp_path / "register"
    generate(root, 150)
    risks = sorted((root / "risks").glob("*.yaml"))
    # Old: every level blanked (with a note the writer must keep). New: what a full run writes.
    old = {p: p.read_bytes().replace(b"\nlevel: ", b"\nlevel:  # ") for p in risks}
    for path, data in old.items():
        path.write_bytes(data)
    assert subprocess.run([LIANNENG, "grade", str(root), "--write"], capture_output=True).returncode == 0
    new = {p: p.read_bytes() for p in risks}
    assert all(new[p] != old[p] for p in risks)
    rng = random.Random(2026)
    interrupted = 0
    for _ in range(KILLS):
        for path, data in old.items():
            path.write_bytes(data)
        process = subprocess.Popen([LIANNENG, "grade", str(root), "--write"],
                                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(rng.uniform(0.3, 1.6))
        if process.poll() is None:
            process.send_signal(signal.SIGKILL)
            interrupted += 1
        process.wait()
        for path in risks:
            assert path.read_bytes() in (old[path], new[path]), path.name
        leftovers = [p.name for p in (root / "risks").iterdir() if p.suffix == ".tmp"]
        (root / ".lianneng.lock").unlink(missing_ok=True)
        for name in leftovers:  # a killed writer may leave its temporary file, never a half file
            (root / "risks" / name).unlink()
    assert interrupted > 0, "no kill landed while writing: widen the timing window"
    for path, data in old.items():
        path.write_bytes(data)
    assert subprocess.run([LIANNENG, "grade", str(root), "--write"], capture_output=True).returncode == 0
    assert subprocess.run([LIANNENG, "validate", str(root)], capture_output=True).returncode == 0
    assert {p: p.read_bytes() for p in risks} == new
