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
from typing import Any, Protocol

from lianneng.cache import content_digest
from lianneng.check.schema import build_records
from lianneng.model.base import Record
from lianneng.model.kinds import kind_named
from lianneng.problems import Problem
from lianneng.source.files import SourceFile, Sources
from lianneng.source.records import records_in_file
from lianneng.source.text import TextFault, read_bytes_and_stat

# From this many files to parse, one worker process parses part of each chunk while this
# process parses the rest (forking it takes a few milliseconds; each file, a fifth of one).
SHARE_MIN_FILES = 256
# From this many, every file is parsed in the workers, and this process takes their results:
# unpickling them and keeping them in the cache is a core's work of its own.
POOL_MIN_FILES = 1500
# Files per task sent to a worker. Each task costs this process more than its pickling: the
# pool's feeder and manager threads take the GIL from it on every one. At 100,000 files, tasks
# of 256 made a cold run 6-9% faster than tasks of 64; 512 was no faster still.
POOL_CHUNK = 256


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


class FileCache(Protocol):
    """What `load_files` needs of a cache (`cache.RegisterCache` is the one there is)."""

    def key(self, rel: str, digest: bytes) -> bytes: ...

    def known_digests(self, rels: list[str]) -> dict[str, bytes]: ...

    def saw(self, rel: str, stat: os.stat_result, digest: bytes) -> None: ...

    def get_many(self, keys: list[bytes]) -> dict[bytes, bytes]: ...

    def put(self, key: bytes, blob: bytes) -> None: ...


Progress = Callable[[int], None]


def load_files(
    sources: Sources,
    rels: list[str],
    *,
    cache: FileCache | None = None,
    workers: int = 1,
    progress: Progress | None = None,
) -> Iterator[FileResult]:
    """Each file's result, in the order of `rels`: from the cache, or parsed (with up to
    `workers` processes when there are enough files to pay for them).

    Files go in chunks, one chunk being read while the pool parses the one before, so only two
    chunks' bytes are ever held and the workers never wait for the reader."""
    parser = _Parser(sources, workers, len(rels))
    done = 0
    try:
        previous: list[_Entry] | None = None
        for start in range(0, len(rels), CHUNK):
            entries = _read_chunk(sources, rels[start : start + CHUNK], cache)
            parser.submit(entries)
            if previous is not None:
                for result in parser.finish(previous, cache):
                    done += 1
                    if progress is not None:
                        progress(done)
                    yield result
            previous = entries
        for result in parser.finish(previous or [], cache):
            done += 1
            if progress is not None:
                progress(done)
            yield result
    finally:
        parser.close()


CHUNK = 512


@dataclass
class _Entry:
    """One file on its way: a result already known, or its bytes and cache key to parse."""

    rel: str
    result: FileResult | None = None
    data: bytes = b""
    key: bytes | None = None
    future: Any = None


def _read_chunk(sources: Sources, rels: list[str], cache: FileCache | None) -> list[_Entry]:
    """The chunk's files: their results from the cache where it has them, else their bytes.
    A file the cache knows unchanged by its stat is not read at all, unless its result is
    missing."""
    entries = []
    known = cache.known_digests(rels) if cache is not None else {}
    for rel in rels:
        if sources.folder_leads_outside(rel):  # the file's own name: see _read
            entries.append(_Entry(rel, _unreadable(sources, rel, None)))
            continue
        digest = known.get(rel)
        if digest is not None and cache is not None:
            # What validate's cached report will depend on: the content the cache vouches for.
            sources.digests[os.path.join(sources.root, rel)] = digest
            entries.append(_Entry(rel, key=cache.key(rel, digest)))
        else:
            entries.append(_read(sources, rel, cache))
    if cache is not None:
        found = cache.get_many([e.key for e in entries if e.key is not None])
        for number, entry in enumerate(entries):
            blob = found.get(entry.key) if entry.key is not None else None
            if blob is not None:
                entry.result, entry.data = pickle.loads(blob), b""
            elif entry.rel in known:  # vouched for, but its result is gone: read it after all
                entries[number] = _read(sources, entry.rel, cache)
    return entries


def _read(sources: Sources, rel: str, cache: FileCache | None) -> _Entry:
    path = os.path.join(sources.root, rel)
    read = read_bytes_and_stat(path, follow_link=False)
    if read is None:  # a link: read where it leads, if that is inside the register
        if sources.leads_outside(rel):
            return _Entry(rel, _unreadable(sources, rel, None))
        read = read_bytes_and_stat(path)
        assert read is not None
    if isinstance(read, TextFault):
        return _Entry(rel, _unreadable(sources, rel, read))
    data, stat = read
    if cache is None:
        return _Entry(rel, data=data)
    # What validate's cached report will depend on: the very bytes parsed here.
    digest = sources.digests[path] = content_digest(data)
    cache.saw(rel, stat, digest)
    return _Entry(rel, data=data, key=cache.key(rel, digest))


class _Parser:
    """Parses entries in this process, in a pool started when a chunk first needs it, or both:
    for a register of a few hundred files, one worker takes the first part of each chunk
    while this process parses the rest."""

    def __init__(self, sources: Sources, workers: int, files: int) -> None:
        self.root, self.display_root = sources.root, sources.display_root
        if workers < 2 or files < SHARE_MIN_FILES:
            self.processes, self.share_here = 0, 0.0
        elif files < POOL_MIN_FILES:
            self.processes, self.share_here = workers - 1, 1 / workers
        else:
            self.processes, self.share_here = workers, 0.0
        self.pool: ProcessPoolExecutor | None = None

    def submit(self, entries: list[_Entry]) -> None:
        """Start parsing the entries without a result (in the pool, if there is one)."""
        todo = [e for e in entries if e.result is None]
        if self.processes and self.pool is None and len(todo) >= CHUNK // 2:
            self.pool = ProcessPoolExecutor(self.processes, mp_context=pool_context())
        if self.pool is None:
            return
        todo = todo[: len(todo) - round(len(todo) * self.share_here)]  # the rest: parsed here
        for start in range(0, len(todo), POOL_CHUNK):
            batch = todo[start : start + POOL_CHUNK]
            future = self.pool.submit(
                _check_pickled, self.root, self.display_root, [(e.rel, e.data) for e in batch]
            )
            for position, entry in enumerate(batch):
                entry.future, entry.data = (future, position), b""

    def finish(self, entries: list[_Entry], cache: FileCache | None) -> Iterator[FileResult]:
        # This process's own part first, while the workers parse theirs.
        for entry in entries:
            if entry.result is None and entry.future is None:
                entry.result = check_file(self.root, self.display_root, entry.rel, entry.data)
                if cache is not None and entry.key is not None:
                    cache.put(entry.key, pickle.dumps(entry.result, pickle.HIGHEST_PROTOCOL))
                entry.data = b""
        for entry in entries:
            if entry.future is not None:
                future, position = entry.future
                blob = future.result()[position]
                entry.result, entry.future = pickle.loads(blob), None
                if cache is not None and entry.key is not None:
                    cache.put(entry.key, blob)
            assert entry.result is not None
            yield entry.result

    def close(self) -> None:
        if self.pool is not None:
            self.pool.shutdown(cancel_futures=True)


def _check_pickled(root: Path, display_root: str, files: list[tuple[str, bytes]]) -> list[bytes]:
    """A worker's job: several files, each result pickled (the form the cache keeps)."""
    return [
        pickle.dumps(check_file(root, display_root, rel, data), pickle.HIGHEST_PROTOCOL)
        for rel, data in files
    ]


def pool_context() -> Any:
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
