"""How fast a run goes: the register's cache, worker processes, a progress bar.

A light module (nothing heavy imported) because the command line sets it before any command
runs. None of these settings changes an answer.
"""

from __future__ import annotations

import os
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
