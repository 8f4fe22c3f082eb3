"""The one place that sets up Jinja.

Sandboxed (a register's own templates cannot reach Python internals, files or the environment),
strict about undefined names (a typo is a located problem, not a blank cell), HTML autoescaped by
file name, and the register's `templates/` folder searched before the built-in templates.
"""

from __future__ import annotations

import operator
import os
from collections.abc import Callable
from contextlib import AbstractContextManager
from importlib import resources
from pathlib import Path
from typing import Any

from jinja2 import ChoiceLoader, FileSystemLoader, StrictUndefined, TemplateError
from jinja2.exceptions import SecurityError
from jinja2.sandbox import ImmutableSandboxedEnvironment
from markupsafe import Markup

from lianneng import timebound
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


def time_bound(seconds: float) -> AbstractContextManager[None]:
    """Stop the rendering inside after `seconds` (where the platform allows); the budgets above
    stop the known hangs everywhere, this stops the rest."""
    message = f"渲染超过 {seconds:g} 秒 / rendering took over {seconds:g} s"
    return timebound.time_bound(seconds, lambda: TemplateTimeout(message))


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
        self.renderings = markup.BlockRenderings()  # what the globals below render, kept

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
            if _power_bits(left, right) > MAX_POWER_BITS:
                raise SecurityError("乘方结果过大 / the power is too large")
            return operator.pow(left, right)
        if operator_ == "*":
            if max(_repeated(left, right), _repeated(right, left)) > MAX_REPEAT:
                raise SecurityError("重复结果过长 / the repetition is too long")
            return operator.mul(left, right)
        return super().call_binop(context, operator_, left, right)


def _power_bits(base: Any, exponent: Any) -> int:
    """About how many bits `base ** exponent` takes (0 when it cannot grow: not whole numbers)."""
    if not (isinstance(base, int) and isinstance(exponent, int)) or exponent <= 0 or abs(base) < 2:
        return 0
    return abs(base).bit_length() * exponent


def _repeated(sequence: Any, count: Any) -> int:
    """The length `sequence * count` would have (0 when it is not a repetition)."""
    if isinstance(sequence, str | list | tuple) and isinstance(count, int):
        return len(sequence) * count
    return 0


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
            "html_lines": markup.html_lines,
            "html_cells": markup.html_cells,
        }
    )
    renderings = env.renderings
    once = renderings.once

    def blocks_in(template: str, made: Callable[[str], str]) -> Callable[[object], str]:
        # A template given the blocks alone (not the page, nor the audience): the same blocks
        # give the same text, whoever the document is for.
        return renderings.once_all(
            lambda blocks: made(env.get_template(template).render(blocks=blocks))
        )

    env.globals.update(
        blocks_markdown=blocks_in("blocks.md.j2", str),
        blocks_html=blocks_in("blocks.html.j2", Markup),
        md_table=markup.md_table,
        heat_rows=markup.heat_rows,
        table_markdown=once(markup.table_markdown),
        table_html_rows=once(markup.table_html_rows),
        mermaid=once(markup.mermaid),
        svg=once(markup.svg),
        body_markdown=once(markup.body_markdown_of),
        body_html=once(markup.body_html_of),
    )
    return env
