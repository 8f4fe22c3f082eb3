"""The one place that sets up Jinja.

Sandboxed (a register's own templates cannot reach Python internals, files or the environment),
strict about undefined names (a typo is a located problem, not a blank cell), HTML autoescaped by
file name, and the register's `templates/` folder searched before the built-in templates.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path

from jinja2 import ChoiceLoader, FileSystemLoader, StrictUndefined
from jinja2.sandbox import ImmutableSandboxedEnvironment

from lianneng.publish import blocks, markup

BUILTIN_TEMPLATES = Path(str(resources.files("lianneng.templates")))


def _autoescape(name: str | None) -> bool:
    return name is not None and name.endswith((".html.j2", ".html", ".svg.j2"))


def environment(register_root: Path | None) -> ImmutableSandboxedEnvironment:
    loaders = []
    own = register_root / "templates" if register_root else None
    if own is not None and own.is_dir():
        loaders.append(FileSystemLoader(own))
    loaders.append(FileSystemLoader(BUILTIN_TEMPLATES))
    env = ImmutableSandboxedEnvironment(
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
