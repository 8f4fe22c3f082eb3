"""A wall-clock bound on a block of Python code, where the platform allows one (a POSIX main
thread, through SIGALRM); elsewhere the block simply runs."""

from __future__ import annotations

import signal
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any


@contextmanager
def time_bound(seconds: float, expired: Callable[[], BaseException]) -> Iterator[None]:
    """Raise `expired()` in the running code after `seconds`. A bound already running outside
    (a caller's own) is kept, and wins if it ends first."""
    usable = hasattr(signal, "setitimer") and threading.current_thread() is threading.main_thread()
    outer = signal.getitimer(signal.ITIMER_REAL)[0] if usable else 0.0
    if not usable or seconds <= 0 or 0 < outer <= seconds:
        yield
        return

    def stop(_signum: int, _frame: Any) -> None:
        raise expired()

    previous = signal.signal(signal.SIGALRM, stop)
    started = time.monotonic()
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
        if outer:
            left = outer - (time.monotonic() - started)
            signal.setitimer(signal.ITIMER_REAL, max(left, 0.001))
