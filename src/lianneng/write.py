"""Writing files so that a crash leaves either the old content or the new, never half of each."""

from __future__ import annotations

import contextlib
import os
import re
import tempfile
import threading
from collections.abc import Iterable
from pathlib import Path


def write_atomic(path: Path, text: str) -> bool:
    """Write `text` (UTF-8) to `path` unless it already holds exactly that; True if written."""
    return write_atomic_bytes(path, text.encode("utf-8"))


def write_atomic_bytes(path: Path, data: bytes) -> bool:
    """Write `data` to `path` unless it already holds exactly that; True if written.

    A temporary file in the same folder, fsynced, then renamed over the target (links resolved,
    mode kept), then the folder fsynced: the measured way to survive SIGKILL and power loss.
    """
    staged = StagedFiles()
    staged.stage(path, data)
    return bool(staged.commit())


class StagedFiles:
    """Files written beside where they go as soon as each is made, then put in place together
    (`commit`) or removed (`discard`): a run that makes many files writes them while it goes
    on, yet leaves every file as it was if it fails before the end. Each is written as
    write_atomic_bytes writes one; `stage` may be called from several threads at once."""

    def __init__(self) -> None:
        self.written: dict[Path, tuple[str, Path]] = {}  # path → (temporary file, target)
        self.unchanged: list[Path] = []
        self._made_folders: list[Path] = []
        self._lock = threading.Lock()

    def stage(self, path: Path, data: bytes) -> None:
        """Write `data` to a temporary file beside `path`, unless `path` holds exactly that."""
        target = path.resolve() if path.is_symlink() else path
        try:
            if target.read_bytes() == data:
                with self._lock:
                    self.unchanged.append(path)
                return
        except FileNotFoundError:
            pass
        mode = target.stat().st_mode & 0o7777 if target.exists() else 0o644
        self._make_folder(target.parent)
        fd, temp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(data)
                handle.flush()
                os.fsync(handle.fileno())
            os.chmod(temp, mode)
        except BaseException:
            Path(temp).unlink(missing_ok=True)
            raise
        with self._lock:
            self.written[path] = (temp, target)

    def commit(self) -> list[Path]:
        """Put every staged file in place, each folder then fsynced; the paths written."""
        folders: dict[Path, None] = {}
        for path in sorted(self.written):
            temp, target = self.written[path]
            os.replace(temp, target)
            folders[target.parent] = None
        for folder in folders:
            _fsync_folder(folder)
        written = sorted(self.written)
        self.written = {}
        return written

    def discard(self) -> None:
        """Remove every staged file, and the folders made for them (if nothing else is there)."""
        for temp, _ in self.written.values():
            Path(temp).unlink(missing_ok=True)
        self.written = {}
        for folder in reversed(self._made_folders):
            with contextlib.suppress(OSError):  # not empty: something else is there
                folder.rmdir()

    def _make_folder(self, folder: Path) -> None:
        with self._lock:
            missing = [f for f in (folder, *folder.parents) if not f.exists()]
            for made in reversed(missing):
                made.mkdir(exist_ok=True)
                self._made_folders.append(made)


def remove_left_behind(paths: Iterable[Path]) -> None:
    """Temporary files that a killed run left beside these files (one killed while it staged a
    publish run's files leaves them all): none of them is anyone's content. Each folder is
    listed once; only for a tool's own output folders, which hold a few dozen files (a register
    folder may hold a hundred thousand)."""
    names_in: dict[Path, set[str]] = {}
    for path in paths:
        names_in.setdefault(path.parent, set()).add(path.name)
    for folder, names in names_in.items():
        try:
            entries = list(os.scandir(folder))
        except OSError:
            continue
        for entry in entries:
            left = _TEMPORARY.fullmatch(entry.name)
            if left and left.group(1) in names and not entry.is_symlink():
                Path(entry.path).unlink(missing_ok=True)


_TEMPORARY = re.compile(r"\.(.+)\.[a-z0-9_]{8}\.tmp")  # the name as mkstemp gives it (see stage)


def _fsync_folder(folder: Path) -> None:
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)
