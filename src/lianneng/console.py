"""The one place that owns terminal output: colour only on a terminal, never with NO_COLOR."""

from __future__ import annotations

import os
import sys
from functools import cache

from rich.console import Console


@cache
def stdout() -> Console:
    return Console(file=sys.stdout, highlight=False, soft_wrap=True,
                   no_color="NO_COLOR" in os.environ)


@cache
def stderr() -> Console:
    return Console(file=sys.stderr, highlight=False, soft_wrap=True,
                   no_color="NO_COLOR" in os.environ)
