"""Stages 1–2 for every record file: bytes → text → YAML → typed records, one file at a time.

A file's result depends on nothing but its bytes, its path and the tool, so it is computed in a
process pool when many files need it, and kept in the register's cache (`cache.py`) under a hash
of exactly those: an unchanged file is never parsed twice, and a cached result is the very
result a fresh parse gives.
"""

from __future__ import annotations

import os
import pickle
import sys
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from lianneng.check.schema import build_records
from lianneng.model.base import Record
from lianneng.model.kinds import kind_named
from lianneng.problems import Problem
from lianneng.source.files import SourceFile, Sources
from lianneng.source.records import records_in_file
from lianneng.source.text import TextFault, read_bytes

# Below this many files to parse, starting worker processes costs more than it saves.
POOL_MIN_FILES = 1500
POOL_CHUNK = 64


@dataclass
class FileResult:
    """What one file gives: its records, its problems, and what later stages need of it."""

    rel: str
    source: SourceFile | None
    """None for a Markdown file without front matter (documentation, not a record)."""
    records: list[Record] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    claimed_ids: list[str] = field(default_factory=list)
    """Ids the file declares, valid or not: references to them are not reported as dangling."""


def check_file(root: Path, display_root: str, rel: str, data: bytes) -> FileResult:
    """Parse and validate one file's bytes (a pure function of its arguments and the tool)."""
    sources = Sources(root, display_root)
    problems: list[Problem] = []
    folder_kind = kind_named(rel.split("/")[0]) if "/" in rel else None
    raw = records_in_file(sources, rel, folder_kind, problems, data)
    records, schema_problems = build_records(raw, sources)
    source = sources.files.get(rel)
    claimed = [id_ for item in raw for id_ in claimed_ids(item.data)]
    if source is not None:
        claimed += source.salvaged_ids
        source.forget_text()  # read again only if a later check has a problem to locate in it
    return FileResult(rel, source, records, problems + schema_problems, claimed)


def claimed_ids(data: dict[str, object]) -> list[str]:
    """The ids a raw record declares: its own, its inline controls', its steps' (FLOW/STEP)."""
    own = data.get("id")
    if not isinstance(own, str):
        return []
    found = [own]
    for key in ("controls", "steps"):
        items = data.get(key)
        for item in items if isinstance(items, list) else []:
            if isinstance(item, dict) and isinstance(item.get("id"), str):
                found.append(item["id"] if key == "controls" else f"{own}/{item['id']}")
    return found


class FileCache:
    """The interface `load_files` needs of a cache (see `cache.RegisterCache`)."""

    def key(self, rel: str, data: bytes) -> bytes:
        raise NotImplementedError

    def get_many(self, keys: list[bytes]) -> dict[bytes, bytes]:
        raise NotImplementedError

    def put(self, key: bytes, blob: bytes) -> None:
        raise NotImplementedError


Progress = Callable[[int], None]


def load_files(
    sources: Sources,
    rels: list[str],
    *,
    cache: FileCache | None = None,
    workers: int = 1,
    progress: Progress | None = None,
) -> Iterator[FileResult]:
    """Each file's result, in the order of `rels`: from the cache, or parsed (in a pool of
    `workers` processes when there are enough files to pay for it)."""
    pending: list[tuple[int, str, bytes, bytes | None]] = []  # (index, rel, data, cache key)
    ready: dict[int, FileResult] = {}
    for index, rel in enumerate(rels):
        if sources.leads_outside(rel):
            ready[index] = _unreadable(sources, rel, None)
            continue
        data = read_bytes(sources.root / rel)
        if isinstance(data, TextFault):
            ready[index] = _unreadable(sources, rel, data)
            continue
        pending.append((index, rel, data, cache.key(rel, data) if cache else None))
    if cache is not None:
        found = cache.get_many([key for *_, key in pending if key is not None])
        still = []
        for index, rel, data, key in pending:
            blob = found.get(key) if key is not None else None
            if blob is None:
                still.append((index, rel, data, key))
            else:
                ready[index] = pickle.loads(blob)
        pending = still
    parsed = _parse_all(sources, pending, cache is not None, workers)
    waiting = iter(pending)
    for index in range(len(rels)):
        result = ready.pop(index, None)
        if result is None:
            _index, _rel, _data, key = next(waiting)
            result, blob = next(parsed)
            if cache is not None and key is not None and blob is not None:
                cache.put(key, blob)
        if progress is not None:
            progress(index + 1)
        yield result


def _parse_all(
    sources: Sources,
    pending: list[tuple[int, str, bytes, bytes | None]],
    keep_blobs: bool,
    workers: int,
) -> Iterator[tuple[FileResult, bytes | None]]:
    """Results of `check_file` for `pending`, in order, each with its pickle when it is to be
    cached (a worker's result arrives pickled anyway)."""
    root, display_root = sources.root, sources.display_root
    if workers > 1 and len(pending) >= POOL_MIN_FILES:
        jobs = [(root, display_root, rel, data) for _index, rel, data, _key in pending]
        with ProcessPoolExecutor(workers, mp_context=_pool_context()) as pool:
            for blob in pool.map(_check_pickled, jobs, chunksize=POOL_CHUNK):
                yield pickle.loads(blob), blob
        return
    for _index, rel, data, _key in pending:
        result = check_file(root, display_root, rel, data)
        yield result, pickle.dumps(result, pickle.HIGHEST_PROTOCOL) if keep_blobs else None


def _check_pickled(job: tuple[Path, str, str, bytes]) -> bytes:
    return pickle.dumps(check_file(*job), pickle.HIGHEST_PROTOCOL)


def _pool_context() -> Any:
    import multiprocessing

    # fork starts a worker in milliseconds with the tool already imported; elsewhere (Windows,
    # macOS) spawn is the only safe choice and costs an import per worker.
    method = "fork" if sys.platform.startswith("linux") else "spawn"
    return multiprocessing.get_context(method)


def _unreadable(sources: Sources, rel: str, fault: TextFault | None) -> FileResult:
    """A file that leads out of the register or cannot be read: its problem, no records."""
    problems: list[Problem] = []
    if fault is None:
        records_in_file(sources, rel, None, problems)  # reports the link (F014)
    else:
        problems.append(sources.at(rel, fault.line, fault.column, fault.message))
    source = sources.files.get(rel)
    return FileResult(rel, source, [], problems, [])
