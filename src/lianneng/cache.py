"""The register's cache: `.lianneng-cache/` beside `lianneng.yaml`, ignored by git.

Two things are kept, both under keys that name everything the answer depends on, so a cached
answer is always the answer a fresh run gives:

- each file's parse result (`loading.FileResult`), under a hash of the tool, the file's path
  and its bytes, and each file's stat when its bytes were read, so an unchanged file is found
  without being read again;
- `validate`'s whole report, under the tool, the options, and the size, time and content hash
  of every file the run read or looked for. With nothing changed, `validate` answers from here
  without importing the models at all.

Any trouble with the cache (a read-only register, a full disk, a corrupt database) turns it off
for the run; it never fails one.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import pickle
import sys
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

CACHE_DIR = ".lianneng-cache"
_FLUSH_EVERY = 2000
# What the cache keeps of files no longer in the register is dropped once it outnumbers what it
# keeps of those in it by this many: switching branches back and forth still finds most files.
_PRUNE_SLACK = 1000
# validate's reports kept, for the option sets used last (the date is one of the options, so
# each day of plain `validate` runs makes a new one).
_REPORTS_KEPT = 8
# A file changed within this many seconds of the cache being written may share its recorded
# modification time with its old content (coarse file-system clocks): such files are hashed.
_RACY_SECONDS = 2.0


def _racy_from(taken_at: float) -> int:
    """From this modification time on, a file seen at `taken_at` may be changed again without
    its time moving: its stat proves nothing about its content."""
    return int((taken_at - _RACY_SECONDS) * 1e9)


StatKey = tuple[int, int, int]
"""What a file's stat says of its content: (size, modification time in ns, inode)."""


def stat_key(stat: os.stat_result) -> StatKey:
    return stat.st_size, stat.st_mtime_ns, stat.st_ino


_NO_PROOF = (-1, -1, -1)  # a (size, mtime, inode) no file has


def tool_fingerprint() -> bytes:
    """The tool as it is installed: its version, Python's, and every file of the package (a
    development install changes without a version bump)."""
    import lianneng

    digest = hashlib.blake2b(digest_size=16)
    digest.update(f"{lianneng.__version__}|{sys.version}|{sys.platform}".encode())
    package = Path(lianneng.__file__).parent
    for folder, dirnames, filenames in os.walk(package):
        dirnames[:] = sorted(d for d in dirnames if d != "__pycache__")
        for name in sorted(filenames):
            if name.endswith((".pyc", ".pyo")):
                continue
            stat = os.stat(os.path.join(folder, name))
            digest.update(f"{folder}/{name}|{stat.st_size}|{stat.st_mtime_ns}\n".encode())
    return digest.digest()


def cache_folder(root: Path) -> Path | None:
    """The cache folder, created with a `.gitignore` that ignores it; None if it cannot be."""
    folder = root / CACHE_DIR
    try:
        folder.mkdir(exist_ok=True)
        ignore = folder / ".gitignore"
        if not ignore.exists():
            ignore.write_text("# lianneng's cache: safe to delete\n*\n", encoding="utf-8")
        tag = folder / "CACHEDIR.TAG"  # backup tools skip folders tagged so
        if not tag.exists():
            tag.write_text("Signature: 8a477f597d28d172789f06886806bc55\n", encoding="utf-8")
    except OSError:
        return None
    return folder


def _connect(path: Path) -> Any:
    import sqlite3

    db = sqlite3.connect(path, timeout=10, isolation_level=None)
    try:
        # Set before the database is made (it is kept after): results are a kilobyte each,
        # and pages of 32 KiB took half the time of 4 KiB ones to write 124,000 of them.
        db.execute("PRAGMA page_size=32768")
        db.execute("PRAGMA journal_mode=WAL")
        # A cache: a commit lost to a power cut costs a parse, so no sync on every commit
        # (WAL keeps each transaction whole or absent either way).
        db.execute("PRAGMA synchronous=NORMAL")
        db.execute("CREATE TABLE IF NOT EXISTS files (key BLOB PRIMARY KEY, value BLOB)")
        db.execute(
            "CREATE TABLE IF NOT EXISTS seen (path TEXT PRIMARY KEY, size INTEGER, "
            "mtime INTEGER, inode INTEGER, digest BLOB)"
        )
    except sqlite3.Error:
        db.close()
        raise
    return db


class RegisterCache:
    """Parse results by content hash, in SQLite (safe with two runs at once, and killed runs:
    a transaction is whole or absent)."""

    def __init__(self, root: Path, display_root: str) -> None:
        import sqlite3

        self._error = sqlite3.Error
        self._salt = tool_fingerprint() + display_root.encode() + b"\0"
        self._root = str(root)
        self._pending: list[tuple[bytes, bytes]] = []
        self._seen: list[tuple[str, int, int, int, bytes]] = []
        self._used: set[bytes] = set()
        self._paths: set[str] = set()
        # What is read now of a file with a time this recent is not recorded as its content.
        self._racy_from_ns = _racy_from(time.time())
        self._db: Any = None
        folder = cache_folder(root)
        if folder is None:
            return
        self._path = folder / "files.sqlite"
        for _ in range(2):  # a damaged database is removed and made anew, once
            try:
                self._db = _connect(self._path)
                return
            except self._error as exc:
                self._give_up(exc)

    def _give_up(self, exc: Exception) -> None:
        """Turn the cache off for this run. A database that is damaged or is not one is
        removed, so the next run makes it anew instead of running without a cache for good;
        one that is busy or read-only is left as it is."""
        import sqlite3

        db, self._db = self._db, None
        if db is not None:
            with contextlib.suppress(sqlite3.Error):
                db.close()
        if isinstance(exc, sqlite3.DatabaseError) and not isinstance(exc, sqlite3.OperationalError):
            for suffix in ("", "-wal", "-shm"):
                with contextlib.suppress(OSError):
                    os.remove(f"{self._path}{suffix}")

    def key(self, rel: str, digest: bytes) -> bytes:
        """Where the result of the file at `rel` with content `digest` is kept."""
        return hashlib.blake2b(self._salt + rel.encode() + b"\0" + digest, digest_size=20).digest()

    def known_digests(self, rels: list[str]) -> dict[str, bytes | None]:
        """Of the files read here before: the content digest of each whose stat (size, time,
        inode) is still what it was then (found in the cache without being read again), None
        for each changed since (its new bytes may still be cached: a branch switched back)."""
        self._paths.update(rels)
        rows = self._select("SELECT path, size, mtime, inode, digest FROM seen WHERE path IN", rels)
        known: dict[str, bytes | None] = {}
        for rel, size, mtime, inode, digest in rows:
            try:
                stat = os.stat(os.path.join(self._root, rel))
            except OSError:
                continue
            known[rel] = digest if stat_key(stat) == (size, mtime, inode) else None
        return known

    def saw(self, rel: str, stat: StatKey, digest: bytes) -> None:
        """The file at `rel` had this stat before its bytes, of this digest, were read. (A
        stat too recent to prove anything is recorded as one no file has: the file is known
        to have been read here, so it is looked for by its content, not parsed blindly.)"""
        if self._db is not None:
            self._seen.append((rel, *(stat if stat[1] < self._racy_from_ns else _NO_PROOF), digest))

    def get_many(self, keys: list[bytes]) -> dict[bytes, bytes]:
        self._used.update(keys)
        return dict(self._select("SELECT key, value FROM files WHERE key IN", keys))

    def _select(self, query: str, values: list[Any]) -> list[tuple[Any, ...]]:
        """The rows `query … (values)` finds, a few hundred values at a time."""
        if self._db is None:
            return []
        rows: list[tuple[Any, ...]] = []
        try:
            for start in range(0, len(values), 500):
                chunk = values[start : start + 500]
                rows += self._db.execute(f"{query} ({','.join('?' * len(chunk))})", chunk)
        except self._error as exc:
            self._give_up(exc)
            return []
        return rows

    def put(self, key: bytes, blob: bytes) -> None:
        self._used.add(key)
        if self._db is None:
            return
        self._pending.append((key, blob))
        if len(self._pending) >= _FLUSH_EVERY:
            self.flush()

    def flush(self) -> None:
        if self._db is None or not (self._pending or self._seen):
            return
        try:
            with self._db:
                self._db.execute("BEGIN")
                # A key names all a result depends on: one already kept is this very result.
                self._db.executemany("INSERT OR IGNORE INTO files VALUES (?, ?)", self._pending)
                # A row already as it is stays untouched: a run that learns nothing new leaves
                # the database's bytes alone.
                self._db.executemany(
                    "INSERT INTO seen VALUES (?, ?, ?, ?, ?) ON CONFLICT (path) DO UPDATE SET "
                    "size = excluded.size, mtime = excluded.mtime, inode = excluded.inode, "
                    "digest = excluded.digest WHERE (size, mtime, inode, digest) IS NOT "
                    "(excluded.size, excluded.mtime, excluded.inode, excluded.digest)",
                    self._seen,
                )
        except self._error as exc:
            self._give_up(exc)
        self._pending.clear()
        self._seen.clear()

    def _prune(self) -> None:
        """Drop the results and recorded stats of files this run did not ask about, once they
        outnumber those it did (see _PRUNE_SLACK)."""
        for table, column, wanted in (("files", "key", self._used), ("seen", "path", self._paths)):
            if self._db is None:
                return
            if not wanted:  # a run that asked about nothing tells nothing of what is stale
                continue
            try:
                (count,) = self._db.execute(f"SELECT COUNT(*) FROM {table}").fetchone()
                if count <= 2 * len(wanted) + _PRUNE_SLACK:
                    continue
                rows = self._db.execute(f"SELECT {column} FROM {table}")
                stale = [(value,) for (value,) in rows if value not in wanted]
                with self._db:
                    self._db.execute("BEGIN")
                    self._db.executemany(f"DELETE FROM {table} WHERE {column} = ?", stale)
            except self._error as exc:
                self._give_up(exc)

    def close(self) -> None:
        self.flush()
        self._prune()
        if self._db is not None:
            self._db.close()
            self._db = None


# ── validate's whole report ────────────────────────────────────────────────────────────────


@dataclass
class Inventory:
    """What a run depended on: each file's (size, mtime, inode) and content hash, the folders
    walked for them (mtime, inode), and the paths it looked for (present or not), as they were
    when the run began."""

    taken_at: float = 0.0
    files: dict[str, tuple[int, int, int, bytes]] = field(default_factory=dict)
    probed: dict[str, tuple[bool, str]] = field(default_factory=dict)
    """Path → (exists, where its links lead)."""
    folders: dict[str, tuple[int, int]] = field(default_factory=dict)
    listings: dict[str, frozenset[str]] = field(default_factory=dict)
    """The names in each folder whose time was too recent to prove anything, as walked."""

    @property
    def racy_from_ns(self) -> int:
        """Times from here on may be shared by an older and a newer content: they prove nothing."""
        return _racy_from(self.taken_at)

    def known(self, path: str, stat: os.stat_result) -> bytes | None:
        """The recorded hash of `path` if its stat still matches and cannot be racy."""
        entry = self.files.get(path)
        if entry is None or stat_key(stat) != entry[:3] or entry[1] >= self.racy_from_ns:
            return None
        return entry[3]

    def vouched_for(self) -> bool:
        """Whether nothing changed, proved without walking the register: no folder's entries
        changed (adding, removing or renaming a file changes its folder's time; a folder whose
        time was too recent to prove it shows the same names), every file has its recorded stat
        (or, if that was too recent, its recorded content), every probe finds the same."""
        racy_from = self.racy_from_ns
        stat_of = os.stat
        for path, (mtime, inode) in self.folders.items():
            try:
                stat = stat_of(path)
            except OSError:
                return False
            if stat.st_ino != inode:
                return False
            listing = self.listings.get(path)
            if listing is None:
                if stat.st_mtime_ns != mtime:
                    return False
            elif frozenset(os.listdir(path)) != listing:
                return False
        for path, (size, mtime, inode, digest) in self.files.items():
            try:
                stat = stat_of(path)
            except OSError:
                return False
            if stat.st_mtime_ns != mtime or stat.st_size != size or stat.st_ino != inode:
                return False
            if mtime >= racy_from and _hash_file(path) != digest:
                return False
        return bool(self.folders) and self.same_probes()

    def same_probes(self) -> bool:
        return all(_probe(path) == seen for path, seen in self.probed.items())

    def same_content(self, other: Inventory) -> bool:
        """Whether both saw the same files with the same bytes and the same probes."""
        return (
            self.files.keys() == other.files.keys()
            and all(entry[3] == other.files[path][3] for path, entry in self.files.items())
            and self.probed == other.probed
        )


def take_inventory(root: Path, previous: Inventory | None, *, hashed: bool = True) -> Inventory:
    """The register's candidate files and the folders holding them, as they are now (hashing
    only the files whose stat `previous` cannot vouch for; none if not `hashed`, their digests
    to come from the bytes the run reads)."""
    inventory = Inventory(taken_at=time.time())
    folders: list[tuple[str, list[str]]] = []
    for path in candidate_files(root, folders):
        _add(inventory, path, previous, hashed=hashed)
    racy_from = inventory.racy_from_ns
    for folder, names in folders:
        # Stated after the walk: a folder changed since has a time too recent to prove anything,
        # and is judged by the names the walk found in it.
        with contextlib.suppress(OSError):
            stat = os.stat(folder)
            inventory.folders[folder] = (stat.st_mtime_ns, stat.st_ino)
            if stat.st_mtime_ns >= racy_from:
                inventory.listings[folder] = frozenset(names)
    return inventory


def content_digest(data: bytes) -> bytes:
    """What the inventory keeps of a file's bytes."""
    return hashlib.blake2b(data).digest()[:20]


def _hash_file(path: str) -> bytes | None:
    try:
        with open(path, "rb") as handle:
            return content_digest(handle.read())
    except OSError:
        return None


def candidate_files(root: Path, folders: list[tuple[str, list[str]]] | None = None) -> list[str]:
    """Every file that could hold records, whatever the register excludes (a superset of what
    a run reads), so a new one is noticed; the files a run read besides (settings, policy) are
    added to its inventory when it is stored. The folders walked, with the names found in each,
    go to `folders`."""
    from lianneng.source import record_files

    return [os.path.join(root, rel) for rel in record_files(root, [], folders)]


def _add(
    inventory: Inventory, path: str, previous: Inventory | None, *, hashed: bool = True
) -> None:
    try:
        stat = os.stat(path)
    except OSError:
        inventory.probed[path] = _probe(path)
        return
    digest = previous.known(path, stat) if previous is not None else None
    if digest is None:
        digest = _hash_file(path) if hashed else _UNHASHED
    if digest is not None:
        inventory.files[path] = (*stat_key(stat), digest)


_UNHASHED = b""  # a digest still to come from the bytes the run reads


def _probe(path: str) -> tuple[bool, str]:
    return os.path.exists(path), os.path.realpath(path)


@dataclass
class CachedReport:
    problems: list[Any]
    files: int
    records: int
    locale: str | None


class ReportCache:
    """`validate`'s report for one set of options, kept with the inventory it depended on.

    The inventory is taken before the run reads anything: a file edited while the run goes on
    no longer matches it, so the next run starts afresh rather than trust a report of old text.
    """

    def __init__(self, root: Path, options: Any) -> None:
        self.root = root
        key = hashlib.blake2b(tool_fingerprint() + repr(options).encode(), digest_size=16)
        folder = cache_folder(root)
        self._path = folder / f"report-{key.hexdigest()}.pickle" if folder else None
        self._previous: Inventory | None = None
        self._inventory: Inventory | None = None

    def load(self) -> CachedReport | None:
        """The cached report if nothing it depended on has changed, else None."""
        if self._path is None:
            return None
        try:
            with open(self._path, "rb") as handle:
                inventory, report = pickle.load(handle)
        except Exception:  # noqa: BLE001 - a missing, old or corrupt entry is just a miss
            return None
        if not isinstance(inventory, Inventory) or not isinstance(report, CachedReport):
            return None
        if inventory.vouched_for():
            with contextlib.suppress(OSError):
                os.utime(self._path)  # used now: the last of the reports to be pruned
            return report
        # Something's time moved, or was too recent to trust: compare contents. When they are
        # the same, keep the report under the inventory taken now, so the next run is vouched.
        now = self._inventory_with(inventory)
        if now.same_content(inventory):
            self._write(now, report)
            return report
        self._previous = now  # its hashes serve the run about to begin
        return None

    def _inventory_with(self, earlier: Inventory) -> Inventory:
        """The inventory now of everything `earlier` depended on, plus any new file."""
        inventory = take_inventory(self.root, earlier)
        for path in earlier.files.keys() - inventory.files.keys():
            _add(inventory, path, earlier)  # read besides the candidates (settings, policy)
        for path in earlier.probed.keys() - inventory.probed.keys():
            inventory.probed[path] = _probe(path)
        return inventory

    def begin(self) -> None:
        """Take the inventory of the register's files, before the run reads them: their stat
        now, their digests later from the very bytes the run reads (each file read once)."""
        if self._path is not None:
            self._inventory = take_inventory(self.root, self._previous, hashed=False)

    def store(
        self,
        report: CachedReport,
        read: Iterable[str],
        probed: Iterable[Path],
        digests: Mapping[str, bytes],
    ) -> None:
        """Keep `report`, depending on the inventory (with the `digests` of the bytes the run
        read, by path) plus the files read outside it (a policy elsewhere) and the paths the
        run looked for (evidence files)."""
        inventory = self._inventory
        if self._path is None or inventory is None:
            return
        for path, (size, mtime, inode, digest) in list(inventory.files.items()):
            if not digest:  # still _UNHASHED
                # A file the run did not read (excluded) cannot change its answer: hashing it
                # now only keeps the inventory whole.
                found = digests.get(path) or _hash_file(path)
                if found is None:
                    del inventory.files[path]
                else:
                    inventory.files[path] = (size, mtime, inode, found)
        for path in read:
            if str(path) not in inventory.files:
                _add(inventory, str(path), None)
        for looked_for in probed:
            inventory.probed[str(looked_for)] = _probe(str(looked_for))
        self._write(inventory, report)

    def _write(self, inventory: Inventory, report: CachedReport) -> None:
        from lianneng.write import write_atomic_bytes

        assert self._path is not None
        with contextlib.suppress(OSError):  # no cache this time; the answer stands
            write_atomic_bytes(self._path, pickle.dumps((inventory, report), 5))
        self._prune_reports()

    def _prune_reports(self) -> None:
        """Remove all but the reports used last (_REPORTS_KEPT of them)."""
        assert self._path is not None
        reports: list[tuple[int, Path]] = []
        for path in self._path.parent.glob("report-*.pickle"):
            with contextlib.suppress(OSError):  # removed meanwhile by another run
                reports.append((path.stat().st_mtime_ns, path))
        reports.sort(reverse=True)
        for _, path in reports[_REPORTS_KEPT:]:
            if path != self._path:
                with contextlib.suppress(OSError):
                    path.unlink()
