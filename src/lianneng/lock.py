"""One writer at a time: commands that change a register hold a lock on it while they write.

A second writer does not wait (it might be a forgotten terminal); it says who holds the lock and
stops, changing nothing.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO

from lianneng.errors import UsageError

LOCK_FILE = ".lianneng.lock"


def _lock(handle: IO[str]) -> None:
    """Take the lock without waiting; OSError if another process holds it."""
    if sys.platform == "win32":  # msvcrt locks a byte range
        import msvcrt

        handle.seek(0)
        msvcrt.locking(handle.fileno(), msvcrt.LK_NBLCK, 1)
    else:
        import fcntl

        fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)


@contextmanager
def register_lock(root: Path) -> Iterator[None]:
    path = root / LOCK_FILE
    handle = open(path, "a+", encoding="utf-8")  # noqa: SIM115 - held for the whole block
    try:
        try:
            _lock(handle)
        except OSError:
            handle.seek(0)
            holder = handle.read().strip() or "?"
            raise UsageError(
                f"登记册正被另一个 lianneng 进程修改(进程 {holder}),请稍后再试 / "
                f"another lianneng process ({holder}) is changing this register; "
                "try again when it has finished"
            ) from None
        handle.seek(0)
        handle.truncate()
        handle.write(str(os.getpid()))
        handle.flush()
        yield
    finally:
        handle.close()
