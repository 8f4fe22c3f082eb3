"""The one place that sets up Jinja.

Sandboxed (a register's own templates cannot reach Python internals, files or the environment),
strict about undefined names (a typo is a located problem, not a blank cell), HTML autoescaped by
file name, and the register's `templates/` folder searched before the built-in templates.
"""

from __future__ import annotations

import operator
import os
import signal
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from importlib import resources
from pathlib import Path
from typing import Any

from jinja2 import ChoiceLoader, FileSystemLoader, StrictUndefined, TemplateError
from jinja2.sandbox import ImmutableSandboxedEnvironment, SecurityError

from lianneng.publish import blocks, markup

BUILTIN_TEMPLATES = Path(str(resources.files("lianneng.templates")))

# What one rendering may spend on `range` in all (nested loops multiply) and the largest value
# `**` or a repeated string may make: far beyond any real document, far below a hang.
RANGE_BUDGET = 1_000_000
MAX_POWER_BITS = 4096
MAX_REPEAT = 1_000_000


TEMPLATE_SECONDS = float(os.environ.get("LIANNENG_TEMPLATE_SECONDS") or 600)
"""How long one rendering may take before it is stopped as a template problem (generous: the
ledger of a 100,000-record register takes tens of seconds)."""


class TemplateTimeout(TemplateError):
    pass


@contextmanager
def time_bound(seconds: float) -> Iterator[None]:
    """Stop the rendering inside after `seconds` (where the platform allows: a POSIX main
    thread); the budgets above stop the known hangs everywhere, this stops the rest. A bound
    already running outside (a caller's own) is kept, and wins if it ends first."""
    usable = hasattr(signal, "setitimer") and threading.current_thread() is threading.main_thread()
    outer = signal.getitimer(signal.ITIMER_REAL)[0] if usable else 0.0
    if not usable or seconds <= 0 or 0 < outer <= seconds:
        yield
        return

    def stop(_signum: int, _frame: Any) -> None:
        raise TemplateTimeout(f"渲染超过 {seconds:g} 秒 / rendering took over {seconds:g} s")

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


class TemplateOutside(TemplateError):
    """A register template that is a link out of the register, or not UTF-8 text."""

    def __init__(self, message: str, filename: str) -> None:
        super().__init__(message)
        self.filename = filename


class _ConfinedLoader(FileSystemLoader):
    """The register's `templates/` folder, refusing links that lead out of it (a template is
    published: `ln -s /proc/self/environ` must not be) and naming a file that is not UTF-8."""

    def get_source(self, environment: Any, template: str) -> tuple[str, str, Callable[[], bool]]:
        try:
            source, filename, uptodate = super().get_source(environment, template)
        except UnicodeDecodeError:
            found = os.path.join(str(self.searchpath[0]), *template.split("/"))
            raise TemplateOutside("模板不是 UTF-8 文本 / not UTF-8 text", found) from None
        folder = os.path.realpath(self.searchpath[0])
        if os.path.commonpath([folder, os.path.realpath(filename)]) != folder:
            raise TemplateOutside("模板链接到登记册以外 / the template leads outside", filename)
        return source, filename, uptodate


class RegisterSandbox(ImmutableSandboxedEnvironment):
    """Jinja's immutable sandbox with bounds on the work a template can ask for: huge powers
    and repetitions are refused (also when Jinja folds constants at compile time), and `range`
    draws on a budget renewed for each rendering."""

    intercepted_binops = frozenset({"**", "*"})

    def __init__(self, **options: Any) -> None:
        super().__init__(**options)
        self.range_left = RANGE_BUDGET
        self.globals["range"] = self._range

    def renew_budget(self) -> None:
        self.range_left = RANGE_BUDGET

    def _range(self, *args: int) -> range:
        span = range(*args)
        self.range_left -= len(span)
        if self.range_left < 0:
            raise SecurityError(
                f"循环次数超过 {RANGE_BUDGET:,} / loops run past {RANGE_BUDGET:,} in all"
            )
        return span

    def call_binop(self, context: Any, operator_: str, left: Any, right: Any) -> Any:
        if operator_ == "**":
            if isinstance(left, int) and isinstance(right, int) and right > 0:
                if abs(left) > 1 and abs(left).bit_length() * right > MAX_POWER_BITS:
                    raise SecurityError("乘方结果过大 / the power is too large")
            return operator.pow(left, right)
        if operator_ == "*":
            for seq, count in ((left, right), (right, left)):
                if isinstance(seq, str | list | tuple) and isinstance(count, int):
                    if len(seq) * count > MAX_REPEAT:
                        raise SecurityError("重复结果过长 / the repetition is too long")
            return operator.mul(left, right)
        return super().call_binop(context, operator_, left, right)


def _autoescape(name: str | None) -> bool:
    return name is not None and name.endswith((".html.j2", ".html", ".svg.j2"))


def environment(register_root: Path | None) -> RegisterSandbox:
    loaders: list[FileSystemLoader] = []
    own = register_root / "templates" if register_root else None
    if own is not None and own.is_dir():
        loaders.append(_ConfinedLoader(own))
    loaders.append(FileSystemLoader(BUILTIN_TEMPLATES))
    env = RegisterSandbox(
        loader=ChoiceLoader(loaders),
        undefined=StrictUndefined,
        autoescape=_autoescape,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.tests.update(
        {
            "heading": lambda b: isinstance(b, blocks.Heading),
            "paragraph": lambda b: isinstance(b, blocks.Paragraph),
            "fields": lambda b: isinstance(b, blocks.Fields),
            "table": lambda b: isinstance(b, blocks.Table),
            "body": lambda b: isinstance(b, blocks.Body),
            "flowchart": lambda b: isinstance(b, blocks.FlowChart),
            "heatmap": lambda b: isinstance(b, blocks.HeatMap),
            "pagebreak": lambda b: isinstance(b, blocks.PageBreak),
        }
    )
    env.filters.update(
        {
            "md_cell": markup.md_cell,
            "md_text": markup.md_text,
            "md_lines": markup.md_lines,
        }
    )
    env.globals.update(md_table=markup.md_table, heat_rows=markup.heat_rows)
    return env
