"""Everything the tool needs is in the package a wheel would ship."""

from __future__ import annotations

import tomllib

from conftest import REPO


def test_every_subpackage_is_listed_for_the_wheel() -> None:
    settings = tomllib.loads((REPO / "pyproject.toml").read_text())
    listed = set(settings["tool"]["setuptools"]["packages"])
    on_disk = {
        ".".join(path.parent.relative_to(REPO / "src").parts)
        for path in (REPO / "src" / "lianneng").rglob("__init__.py")
    } | {"lianneng.templates"}
    assert listed == on_disk
