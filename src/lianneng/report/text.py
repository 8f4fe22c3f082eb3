"""The human report: problems grouped by file, then a one-line summary."""

from __future__ import annotations

import os
from collections.abc import Iterator
from itertools import groupby
from typing import IO

from lianneng.problems import Severity
from lianneng.report import Report

_STYLE = {Severity.ERROR: "bold red", Severity.WARNING: "yellow", Severity.INFO: "cyan"}
_LABEL = {
    "zh": {Severity.ERROR: "错误", Severity.WARNING: "警告", Severity.INFO: "提示"},
    "en": {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "info"},
}

Line = list[tuple[str, str]]
"""A line of the report as pieces of text, each with its style ("" for none)."""


def write_text(report: Report, out: IO[str]) -> None:
    """Plain text, or in colour through rich where colour is wanted (a terminal, or
    FORCE_COLOR): a report piped into CI or a file does not pay for importing rich."""
    if not _coloured(out):
        out.writelines("".join(text for text, _ in line) + "\n" for line in _lines(report))
        return
    from rich.console import Console
    from rich.text import Text

    console = Console(
        file=out,
        highlight=False,
        soft_wrap=True,
        markup=False,
        emoji=False,
        no_color="NO_COLOR" in os.environ,
    )
    for line in _lines(report):
        console.print(Text.assemble(*line))


def _coloured(out: IO[str]) -> bool:
    if os.environ.get("FORCE_COLOR"):
        return True
    isatty = getattr(out, "isatty", None)
    return bool(isatty and isatty())


def _lines(report: Report) -> Iterator[Line]:
    labels = _LABEL["en" if report.lang == "en" else "zh"]
    for path, group in groupby(report.problems, key=lambda p: p.path):
        yield [(path, "bold")]
        for p in group:
            yield [
                (f"  {p.line:>4}:{p.column:<3} ", ""),
                (labels[p.severity], _STYLE[p.severity]),
                (" ", ""),
                (p.code, "dim"),
                (f" {p.text(report.lang)}", ""),
            ]
    errors = report.counts[Severity.ERROR]
    warnings = report.counts[Severity.WARNING]
    if report.lang == "en":
        summary = f"{errors} errors, {warnings} warnings"
        if report.files is not None:
            summary = f"checked {report.files} files, {report.records} records: " + summary
    else:
        summary = f"{errors} 个错误,{warnings} 个警告"
        if report.files is not None:
            summary = f"检查了 {report.files} 个文件、{report.records} 条记录:" + summary
    yield [(summary, "bold red" if errors else ("yellow" if warnings else "green"))]
