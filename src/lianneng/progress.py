"""A progress bar for long runs, on a terminal only: never in CI, a pipe or a file."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager

# About a second of work on a 2-core machine (reading and checking ~2,000 files).
SHOW_FROM = 2000


def wanted() -> bool:
    """Whether this process may draw one: stderr is a terminal and no CI system is driving it."""
    if os.environ.get("CI") or os.environ.get("LIANNENG_NO_PROGRESS"):
        return False
    return sys.stderr.isatty() and os.environ.get("TERM") != "dumb"


@contextmanager
def progress_bar(
    total: int, *, shown: bool, label: str = "读取登记册 / reading"
) -> Iterator[Callable[[int], None] | None]:
    """A `step(done)` callback drawing a bar on stderr, or None when there is nothing to show."""
    if not shown or total < SHOW_FROM:
        yield None
        return
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeRemainingColumn

    with Progress(
        "[progress.description]{task.description}",
        BarColumn(),
        MofNCompleteColumn(),
        TimeRemainingColumn(),
        console=Console(stderr=True),
        transient=True,
    ) as bar:
        task = bar.add_task(label, total=total)

        def step(done: int) -> None:
            if done % 200 == 0 or done == total:
                bar.update(task, completed=done)

        yield step
