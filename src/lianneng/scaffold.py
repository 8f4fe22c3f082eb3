"""`lianneng init`: a small register that validates clean, to start from."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

from lianneng.errors import UsageError
from lianneng.schemas import write_schemas
from lianneng.write import write_atomic


def create_register(
    directory: Path, *, unit_name: str, unit_code: str, force: bool = False
) -> list[Path]:
    if directory.exists() and any(directory.iterdir()) and not force:
        raise UsageError(
            f"{directory}: 目录不为空,如确需写入请加 --force / "
            "folder is not empty; use --force to add files anyway"
        )
    template = resources.files("lianneng") / "data" / "init"
    written: list[Path] = []
    for source, rel in _walk(template, ""):
        target = directory / rel
        if target.exists():
            continue  # never overwrite a user's file
        target.parent.mkdir(parents=True, exist_ok=True)
        text = source.read_text(encoding="utf-8")
        text = text.replace("__UNIT_NAME__", unit_name).replace("__UNIT_CODE__", unit_code)
        write_atomic(target, text)
        written.append(target)
    written += write_schemas(directory / "schemas")
    return written


def _walk(node: resources.abc.Traversable, prefix: str):  # type: ignore[no-untyped-def]
    for child in sorted(node.iterdir(), key=lambda c: c.name):
        rel = f"{prefix}{child.name}"
        if child.is_dir():
            yield from _walk(child, rel + "/")
        else:
            yield child, rel
