"""The installed `lianneng` command ends its process at once (`cli.console_main`): what it
prints, its exit code and the files it writes are exactly those of `main` run in-process."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from conftest import DATA, EXAMPLES

LIANNENG = str(Path(sys.executable).parent / "lianneng")
PROBLEMS = DATA / "invalid" / "all-problems-at-once" / "register"


def _command(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [LIANNENG, *args], capture_output=True, text=True, encoding="utf-8", check=False
    )


def test_the_command_prints_every_problem_and_ends_with_its_code(run, copy_register) -> None:  # type: ignore[no-untyped-def]
    register = copy_register(PROBLEMS)
    for options in (["-f", "parsable"], ["--lang", "en"], ["-f", "json"]):
        expected = run("validate", str(register), "--no-cache", *options)
        command = _command("validate", str(register), "--no-cache", *options)
        assert expected.code == 1 and expected.out.count("\n") >= 8
        assert (command.returncode, command.stdout, command.stderr) == (
            expected.code,
            expected.out,
            expected.err,
        )


def test_files_the_command_wrote_are_whole_when_it_ends(run, copy_register, tmp_path) -> None:  # type: ignore[no-untyped-def]
    register = copy_register(EXAMPLES / "zhijianju")
    here, there = tmp_path / "in-process", tmp_path / "command"
    assert run("publish", str(register), "--out", str(here), "--quiet").code == 0
    command = _command("publish", str(register), "--out", str(there), "--quiet")
    assert command.returncode == 0, command.stderr
    written = sorted(p.relative_to(here) for p in here.rglob("*") if p.is_file())
    assert written and written == sorted(
        p.relative_to(there) for p in there.rglob("*") if p.is_file()
    )
    for rel in written:
        assert (there / rel).read_bytes() == (here / rel).read_bytes(), rel


def test_a_reader_that_stops_early_gets_no_traceback(copy_register) -> None:  # type: ignore[no-untyped-def]
    register = copy_register(PROBLEMS)
    with subprocess.Popen(
        [LIANNENG, "validate", str(register), "--no-cache", "-f", "parsable"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    ) as process:
        assert process.stdout is not None and process.stderr is not None
        process.stdout.close()  # like `| head -0`: nobody reads what it prints
        error = process.stderr.read()
        code = process.wait()
    assert error == b""
    assert code == 1
