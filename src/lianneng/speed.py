"""How fast a run goes: the register's cache, worker processes, a progress bar.

A light module (nothing heavy imported) because the command line sets it before any command
runs. None of these settings changes an answer.
"""

from __future__ import annotations

import gc
import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass


@dataclass(frozen=True)
class Speed:
    """Off by default (library callers and tests get the plain path); the command line turns
    them on."""

    cache: bool = False
    workers: int = 1
    progress: bool = False


_speed = Speed()


def set_speed(speed: Speed) -> None:
    global _speed
    _speed = speed


def current_speed() -> Speed:
    return _speed


def default_workers() -> int:
    """Both cores of a CI machine; never more than four (only the parse scales with them)."""
    return max(1, min(4, os.cpu_count() or 1))


# What a run keeps alive until its process ends; None while the process is to go on after the
# run (a library caller, a test), when nothing is kept.
_kept_until_exit: list[object] | None = None


def end_at_once() -> None:
    """The process ends as soon as the command returns (the command line: see
    `cli.console_main`), so what the command no longer needs may be left for the end."""
    global _kept_until_exit
    _kept_until_exit = []


def keep_until_exit(value: object) -> None:
    """Leave `value` to be freed by the end of the process, if it ends at once. A large
    register is millions of objects: freed one by one as the command returns, they take most
    of a second at 100,000 risk points (more with a publish run's documents); the end of the
    process frees them all at once."""
    if _kept_until_exit is not None:
        _kept_until_exit.append(value)


@contextmanager
def building_to_last() -> Iterator[None]:
    """Pause the cycle collector while a run builds what lasts it: the register as loaded and
    checked, a publish run's documents. Millions of objects at 100,000 risk points, none in a
    cycle (`test_speed` proves it of every example and invalid case; ruamel's loaders are taken
    apart after use): reference counting frees them all the same, and the collector would only
    walk them over and over (3.6 s of a 25 s cold validate).

    If the process ends at once, what was built is then put out of the collector's sight for
    good (`gc.freeze`); else the collector's next pass walks it once, as it would have."""
    collecting = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if _kept_until_exit is not None:
            gc.freeze()
        if collecting:
            gc.enable()
