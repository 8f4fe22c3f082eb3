"""A few hundred fuzz cases in every test run (`make fuzz` runs 100,000): broken registers, policies
and templates give located problems, never an exception; and the fuzzer's own parts work.

A case in data/invalid/ may also hold, beside `register/` and `expected.txt`:
- `command`: lianneng command lines, one a line, run in the register (`{out}`: a fresh folder);
  each must end with exit 0, 1 or 2 within its time bound, with no traceback, template problems
  located in a template file, and nothing of a `secret.txt` beside the register in the output;
- `timeout`: that bound in seconds (20 by default);
- `known`: a finding reported and not yet fixed; the case is expected to fail until it is (strict:
  when it passes, delete `known`).
The fuzzer saves each failing case in this form (`python -m lianneng.fuzz --save DIR`).
"""

from __future__ import annotations

import random
import shlex
import shutil
import time
from pathlib import Path

import pytest
from conftest import DATA, EXAMPLES

from lianneng import fuzz


def test_mutated_registers_policies_and_templates_never_raise(tmp_path: Path, run) -> None:  # type: ignore[no-untyped-def]
    root = tmp_path / "reg"
    assert run("init", str(root)).code == 0
    tally = fuzz.fuzz_example(root, 300, 2026, tmp_path / "failures", quiet=True)
    assert set(tally.cases) == set(fuzz.KINDS)
    assert not tally.failures, "\n\n".join(f.error for f in tally.failures)


def test_an_example_with_a_policy_of_its_own(tmp_path: Path) -> None:
    tally = fuzz.fuzz_example(
        EXAMPLES / "city-government", 80, 7, tmp_path, kinds=("policy", "template"), quiet=True
    )
    assert tally.cases["policy"] > 20 and tally.cases["template"] > 20
    assert not tally.failures, "\n\n".join(f.error for f in tally.failures)


def test_every_mutation_changes_something() -> None:
    sample = (
        Path(__file__).parent.parent / "src/lianneng/data/init/risks/RP-001.yaml"
    ).read_bytes()
    for mutation in fuzz.MUTATIONS:
        changed = [mutation(random.Random(seed), sample) != sample for seed in range(20)]
        assert any(changed), mutation.__name__


def test_policy_and_template_mutations_change_them_and_say_how() -> None:
    policy = (Path(fuzz.__file__).parent / "data/policies/three-levels.yaml").read_bytes()
    template = (Path(fuzz.__file__).parent.parent.parent / "templates/document.md.j2").read_bytes()
    policies, templates = [], []
    for seed in range(30):
        done: list[str] = []
        policies.append(fuzz.mutate_policy(random.Random(seed), policy, done) != policy)
        assert done
        done = []
        templates.append(fuzz.mutate_template(random.Random(seed), template, False, done))
        assert done and not any(s in step for step in done for s in fuzz.HANGS)
    # Some byte mutations find nothing to change (a policy has no references to break).
    assert sum(policies) >= 25 and sum(t != template for t in templates) >= 25


def test_the_time_bound_stops_a_hang() -> None:
    started = time.monotonic()
    with pytest.raises(fuzz.Hang), fuzz.time_bound(0.2):
        while True:
            pass
    assert time.monotonic() - started < 2


def bench_of(tmp_path: Path, run) -> fuzz.Bench:  # type: ignore[no-untyped-def]
    assert run("init", str(tmp_path / "reg")).code == 0
    (tmp_path / "bench").mkdir()
    return fuzz.Bench.create(tmp_path / "reg", tmp_path / "bench")


def test_a_case_that_hangs_is_stopped_and_the_bench_put_back(tmp_path: Path, run) -> None:  # type: ignore[no-untyped-def]
    bench = bench_of(tmp_path, run)
    target = bench.root / "templates" / "index.md.j2"
    target.write_text("{{ unit.name }}", encoding="utf-8")
    case = fuzz.Case("template", target, ["hang"], [], lambda: time.sleep(30))
    started = time.monotonic()
    failure = fuzz.run_case(bench, case, timeout=0.5)
    assert failure is not None and failure.signature == "template: hang", failure
    assert time.monotonic() - started < 10
    assert not target.exists()


def test_once_hanging_templates_end_within_their_bound(tmp_path: Path, run) -> None:  # type: ignore[no-untyped-def]
    bench = bench_of(tmp_path, run)
    target = bench.root / "templates" / "index.md.j2"
    rng = random.Random(1)
    for snippet in fuzz.LOOPS[-3:]:
        target.write_text(snippet, encoding="utf-8")
        case = fuzz.Case(
            "template",
            target,
            [snippet],
            [],
            lambda: fuzz.exercise_template(bench, rng, "public", "md", "en", "simplified"),
        )
        assert fuzz.run_case(bench, case, timeout=5) is None, snippet


def test_a_failure_is_saved_as_a_case_for_data_invalid(tmp_path: Path, run) -> None:  # type: ignore[no-untyped-def]
    bench = bench_of(tmp_path, run)
    target = bench.root / "risks" / "RP-001.yaml"
    original = target.read_bytes()
    target.write_bytes(b"id: [")

    def bug() -> None:
        raise RuntimeError("a bug")

    case = fuzz.Case("register", target, ["by hand"], ["validate . --lang en"], bug)
    saved: list[Path] = []
    failure = fuzz.run_case(
        bench, case, on_failure=lambda f: saved.append(fuzz.save_failure(tmp_path, bench, f, 1))
    )
    assert failure is not None and failure.known is None
    assert "RuntimeError" in failure.signature and "RuntimeError: a bug" in failure.error
    (folder,) = saved
    assert (folder / "register" / "risks" / "RP-001.yaml").read_bytes() == b"id: ["
    assert (folder / "command").read_text(encoding="utf-8") == "validate . --lang en\n"
    assert "RuntimeError" in (folder / "failure.txt").read_text(encoding="utf-8")
    assert target.read_bytes() == original


REPLAYED = sorted(p for p in (DATA / "invalid").iterdir() if (p / "command").is_file())


def _replayed(case: Path) -> object:
    known = case / "known"
    if not known.is_file():
        return pytest.param(case, id=case.name)
    reason = known.read_text(encoding="utf-8").strip()
    return pytest.param(case, id=case.name, marks=pytest.mark.xfail(reason=reason, strict=True))


@pytest.mark.parametrize("case", [_replayed(p) for p in REPLAYED])
def test_saved_fuzz_case_commands_end_well(
    case: Path,
    run,  # type: ignore[no-untyped-def]
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("LIANNENG_DEBUG", "1")  # an internal error shows its traceback here
    copy = tmp_path / "case"
    shutil.copytree(case, copy, symlinks=True)  # links out of the register keep their target
    out = tmp_path / "out"
    timeout = float((case / "timeout").read_text()) if (case / "timeout").is_file() else 20.0
    secret = copy / "secret.txt"
    lines = (case / "command").read_text(encoding="utf-8").splitlines()
    for line in filter(None, lines):
        args = shlex.split(line.replace("{out}", str(out)))
        with fuzz.time_bound(timeout):
            result = run(*args, cwd=copy / "register")
        shown = result.out + result.err
        assert result.code in (0, 1, 2), f"{line}: exit {result.code}\n{shown}"
        assert "Traceback" not in shown, line
        if "T001" in shown:
            assert ".j2" in shown, f"{line}: template problem not located\n{shown}"
        if secret.is_file():
            words = secret.read_text(encoding="utf-8").split()[0]
            published = [p for p in out.rglob("*") if p.is_file()] if out.is_dir() else []
            leaked = [p for p in published if words.encode() in p.read_bytes()]
            assert not leaked and words not in shown, f"{line}: published {leaked}"
