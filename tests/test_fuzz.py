"""A few hundred fuzz cases in every test run (`make fuzz` runs many more): broken files give
located problems, never an exception."""

from __future__ import annotations

from pathlib import Path

from lianneng import fuzz


def test_mutated_registers_never_raise(tmp_path: Path, run) -> None:  # type: ignore[no-untyped-def]
    root = tmp_path / "reg"
    assert run("init", str(root)).code == 0
    assert fuzz.run(root, cases=300, seed=2026, save=tmp_path / "failures", quiet=True) == 0


def test_every_mutation_changes_something() -> None:
    import random

    sample = (Path(__file__).parent.parent / "src/lianneng/data/init/risks/RP-001.yaml").read_bytes()
    for mutation in fuzz.MUTATIONS:
        changed = [mutation(random.Random(seed), sample) != sample for seed in range(20)]
        assert any(changed), mutation.__name__
