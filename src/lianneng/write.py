"""Writing files so that a crash leaves either the old content or the new, never half of each."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path


def write_atomic(path: Path, text: str) -> bool:
    """Write `text` (UTF-8) to `path` unless it already holds exactly that; True if written."""
    return write_atomic_bytes(path, text.encode("utf-8"))


def write_atomic_bytes(path: Path, data: bytes) -> bool:
    """Write `data` to `path` unless it already holds exactly that; True if written.

    A temporary file in the same folder, fsynced, then renamed over the target (links resolved,
    mode kept), then the folder fsynced: the measured way to survive SIGKILL and power loss.
    """
    target = path.resolve() if path.is_symlink() else path
    try:
        if target.read_bytes() == data:
            return False
    except FileNotFoundError:
        pass
    mode = target.stat().st_mode & 0o7777 if target.exists() else 0o644
    folder = target.parent
    fd, temp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=folder)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(temp, mode)
        os.replace(temp, target)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise
    _fsync_folder(folder)
    return True


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
