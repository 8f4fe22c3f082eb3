"""The one place that owns terminal output: colour only on a terminal, never with NO_COLOR.

Consoles are made per call, not cached: a cached one would keep writing to a stream that a caller
(a test, an embedding program) has since replaced.
"""

from __future__ import annotations

import os
import sys

from rich.console import Console


def stdout() -> Console:
    return Console(
        file=sys.stdout, highlight=False, soft_wrap=True, no_color="NO_COLOR" in os.environ
    )


def stderr() -> Console:
    return Console(
        file=sys.stderr, highlight=False, soft_wrap=True, no_color="NO_COLOR" in os.environ
    )
