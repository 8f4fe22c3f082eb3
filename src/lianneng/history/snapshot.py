"""A register as it was at a git revision, loaded by the same pipeline as the working tree."""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path

from lianneng.errors import ConfigError, UsageError
from lianneng.gitrepo import RegisterRepo
from lianneng.pipeline import Checked, check_register
from lianneng.speed import current_speed


@contextmanager
def register_at(repo: RegisterRepo, root: Path, rev: str | None) -> Iterator[Checked]:
    """The register at `rev`, or the working tree when `rev` is None."""
    if rev is None:
        yield _checked(root, "working tree")
        return
    commit = repo.commit(rev)
    with tempfile.TemporaryDirectory(prefix="lianneng-") as folder:
        exported = repo.export(commit, Path(folder))
        yield _checked(exported, rev, cache=False)  # a cache in a folder about to go is waste


def _checked(root: Path, label: str, *, cache: bool = True) -> Checked:
    if not (root / "lianneng.yaml").is_file():
        raise UsageError(f"{label}: 此处还没有登记册(没有 lianneng.yaml) / no register here yet")
    speed = current_speed()
    try:
        return check_register(root, speed=speed if cache else replace(speed, cache=False))
    except ConfigError as exc:
        where = ", ".join(f"{p.path}:{p.line}" for p in exc.problems[:3])
        raise UsageError(
            f"{label}: lianneng.yaml 或评级办法有错误({where}) / the settings or policy "
            "have errors there"
        ) from None
