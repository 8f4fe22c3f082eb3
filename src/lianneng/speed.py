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
