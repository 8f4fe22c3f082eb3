"""Stages 1–2 for every record file: bytes → text → YAML → typed records, one file at a time.

A file's result depends on nothing but its bytes, its path and the tool, so it is computed in a
process pool when many files need it, and kept in the register's cache (`cache.py`) under a hash
of exactly those: an unchanged file is never parsed twice, and a cached result is the very
result a fresh parse gives.
"""

from __future__ import annotations

import gc
import os
import pickle
import sys
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from lianneng.cache import StatKey, content_digest, stat_key
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

    def known_digests(self, rels: list[str]) -> dict[str, bytes | None]: ...

    def saw(self, rel: str, stat: StatKey, digest: bytes) -> None: ...

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

    Files go in chunks, one chunk being looked up while the pool parses the one before, so
    only two chunks' bytes are ever held and the workers never wait. A file is read by whoever
    parses it, unless the cache may know its new content (see `_look_up`)."""
    parser = _Parser(sources, cache, workers, len(rels))
    done = 0
    try:
        previous: list[_Entry] | None = None
        for start in range(0, len(rels), CHUNK):
            entries = _look_up(sources, rels[start : start + CHUNK], cache, parser.in_pool)
            parser.submit(entries)
            if previous is not None:
                for result in parser.finish(previous):
                    done += 1
                    if progress is not None:
                        progress(done)
                    yield result
            previous = entries
        for result in parser.finish(previous or []):
            done += 1
            if progress is not None:
                progress(done)
            yield result
    finally:
        parser.close()


CHUNK = 512


@dataclass
class _Entry:
    """One file on its way: a result already known, or the file to parse (its bytes, if read
    already, else None) and its cache key (once its content is known)."""

    rel: str
    result: FileResult | None = None
    data: bytes | None = None
    key: bytes | None = None
    future: Any = None


def _look_up(
    sources: Sources, rels: list[str], cache: FileCache | None, in_pool: bool
) -> list[_Entry]:
    """The chunk's files, with their results from the cache where it has them.

    A file the cache knows unchanged by its stat is not read at all. The others are read now,
    and found in the cache by their content if it is there (a branch switched back, a file
    touched); except, when the pool parses every file, those the cache cannot have: never
    read here (or too recently changed to be recorded) or with their result gone. Those are
    read by the workers, so that a cold run's reading and hashing is spread over them."""
    entries = []
    known = cache.known_digests(rels) if cache is not None else {}
    for rel in rels:
        if sources.folder_leads_outside(rel):  # the file's own name: see read_file
            entries.append(_Entry(rel, _unreadable(sources, rel, None)))
            continue
        digest = known.get(rel)
        if digest is not None and cache is not None:
            # What validate's cached report will depend on: the content the cache vouches for.
            sources.digests[os.path.join(sources.root, rel)] = digest
            entries.append(_Entry(rel, key=cache.key(rel, digest)))
        elif in_pool and rel not in known:
            entries.append(_Entry(rel))
        else:
            entries.append(_read(sources, rel, cache))
    if cache is not None:
        found = cache.get_many([e.key for e in entries if e.key is not None])
        for number, entry in enumerate(entries):
            blob = found.get(entry.key) if entry.key is not None else None
            if blob is not None:
                entry.result, entry.data = pickle.loads(blob), None
            elif entry.data is None and entry.key is not None:  # vouched for, result gone
                entries[number] = _Entry(entry.rel) if in_pool else _read(sources, entry.rel, cache)
    return entries


@dataclass
class _Bytes:
    """A file as read: its bytes, its stat before they were read, and their digest (if asked)."""

    data: bytes
    stat: StatKey
    digest: bytes | None


def read_file(sources: Sources, rel: str, *, hashed: bool) -> _Bytes | FileResult:
    """The file's bytes; or, for a file that leads out of the register or cannot be read,
    its result."""
    path = os.path.join(sources.root, rel)
    read = read_bytes_and_stat(path, follow_link=False)
    if read is None:  # a link: read where it leads, if that is inside the register
        if sources.leads_outside(rel):
            return _unreadable(sources, rel, None)
        read = read_bytes_and_stat(path)
        assert read is not None
    if isinstance(read, TextFault):
        return _unreadable(sources, rel, read)
    data, stat = read
    return _Bytes(data, stat_key(stat), content_digest(data) if hashed else None)


def _read(sources: Sources, rel: str, cache: FileCache | None) -> _Entry:
    read = read_file(sources, rel, hashed=cache is not None)
    if isinstance(read, FileResult):
        return _Entry(rel, read)
    entry = _Entry(rel, data=read.data)
    _note_read(sources, cache, entry, read.stat, read.digest)
    return entry


def _note_read(
    sources: Sources,
    cache: FileCache | None,
    entry: _Entry,
    stat: StatKey,
    digest: bytes | None,
) -> None:
    """Record the bytes that were read of the entry's file, wherever they were read."""
    if cache is None or digest is None:
        return
    # What validate's cached report will depend on: the very bytes parsed.
    sources.digests[os.path.join(sources.root, entry.rel)] = digest
    cache.saw(entry.rel, stat, digest)
    entry.key = cache.key(entry.rel, digest)


class _Parser:
    """Parses entries in this process, in a pool started when a chunk first needs it, or both:
    for a register of a few hundred files, one worker takes the first part of each chunk
    while this process parses the rest."""

    def __init__(self, sources: Sources, cache: FileCache | None, workers: int, files: int) -> None:
        self.sources, self.cache = sources, cache
        if workers < 2 or files < SHARE_MIN_FILES:
            self.processes, self.share_here = 0, 0.0
        elif files < POOL_MIN_FILES:
            self.processes, self.share_here = workers - 1, 1 / workers
        else:
            self.processes, self.share_here = workers, 0.0
        self.pool: ProcessPoolExecutor | None = None

    @property
    def in_pool(self) -> bool:
        """Whether every file to parse goes to the pool (which then reads them)."""
        return self.processes > 0 and not self.share_here

    def submit(self, entries: list[_Entry]) -> None:
        """Start parsing the entries without a result (in the pool, if there is one)."""
        todo = [e for e in entries if e.result is None]
        if self.processes and self.pool is None and len(todo) >= CHUNK // 2:
            # A worker builds nothing that lasts (each result is pickled and dropped): its
            # collector runs, even if this process paused its own while building the register,
            # so that a parse leaving a cycle could never pile up in it.
            self.pool = ProcessPoolExecutor(
                self.processes, mp_context=pool_context(), initializer=gc.enable
            )
        if self.pool is None:
            return
        todo = todo[: len(todo) - round(len(todo) * self.share_here)]  # the rest: parsed here
        root, display_root = self.sources.root, self.sources.display_root
        hashed = self.cache is not None
        for start in range(0, len(todo), POOL_CHUNK):
            batch = todo[start : start + POOL_CHUNK]
            files = [(e.rel, e.data) for e in batch]
            future = self.pool.submit(_check_pickled, root, display_root, files, hashed)
            for position, entry in enumerate(batch):
                entry.future, entry.data = (future, position), None

    def finish(self, entries: list[_Entry]) -> Iterator[FileResult]:
        sources, cache = self.sources, self.cache
        # This process's own part first, while the workers parse theirs.
        for number, entry in enumerate(entries):
            if entry.result is None and entry.future is None:
                if entry.data is None:
                    entry = entries[number] = _read(sources, entry.rel, cache)
                    if entry.result is not None:
                        continue
                assert entry.data is not None
                entry.result = check_file(sources.root, sources.display_root, entry.rel, entry.data)
                if cache is not None and entry.key is not None:
                    cache.put(entry.key, pickle.dumps(entry.result, pickle.HIGHEST_PROTOCOL))
                entry.data = None
        for entry in entries:
            if entry.future is not None:
                future, position = entry.future
                blob, stat, digest = future.result()[position]
                if stat is not None:  # read by the worker
                    _note_read(sources, cache, entry, stat, digest)
                entry.result, entry.future = pickle.loads(blob), None
                if cache is not None and entry.key is not None:
                    cache.put(entry.key, blob)
            assert entry.result is not None
            yield entry.result

    def close(self) -> None:
        if self.pool is not None:
            self.pool.shutdown(cancel_futures=True)


_Pickled = tuple[bytes, StatKey | None, bytes | None]


def _check_pickled(
    root: Path, display_root: str, files: list[tuple[str, bytes | None]], hashed: bool
) -> list[_Pickled]:
    """A worker's job: several files, each result pickled (the form the cache keeps), with the
    stat and digest of the bytes it read of those it was sent unread."""
    sources = Sources(root, display_root)
    # All read first, then all parsed: a system call between two parses slows the parse that
    # follows it (caches refilled), by about a tenth when every file is read where it is parsed.
    read = [read_file(sources, rel, hashed=hashed) if data is None else data for rel, data in files]
    done: list[_Pickled] = []
    for (rel, _), item in zip(files, read, strict=True):
        if isinstance(item, FileResult):  # unreadable
            done.append((pickle.dumps(item, pickle.HIGHEST_PROTOCOL), None, None))
            continue
        if isinstance(item, bytes):
            data, stat, digest = item, None, None
        else:
            data, stat, digest = item.data, item.stat, item.digest
        result = check_file(root, display_root, rel, data)
        done.append((pickle.dumps(result, pickle.HIGHEST_PROTOCOL), stat, digest))
    return done


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
