"""Two writers at once: the second refuses with a clear message and changes nothing."""

from __future__ import annotations

from pathlib import Path

from lianneng.lock import register_lock


def test_a_second_writer_is_refused_while_the_first_writes(tmp_path: Path, run) -> None:  # type: ignore[no-untyped-def]
    root = tmp_path / "reg"
    assert run("init", str(root)).code == 0
    risk = root / "risks" / "RP-001.yaml"
    before = risk.read_bytes()
    with register_lock(root):
        result = run("review", "RP-001", "--repo", str(root), "--outcome", "维持", "--lang", "en")
        assert result.code == 2 and "another lianneng process" in result.err
        assert risk.read_bytes() == before
        result = run("grade", str(root), "--write")
        assert result.code == 2 and risk.read_bytes() == before
    assert run("review", "RP-001", "--repo", str(root), "--outcome", "维持").code == 0
    assert risk.read_bytes() != before
