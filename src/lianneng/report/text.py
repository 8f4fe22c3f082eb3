"""The human report: problems grouped by file, then a one-line summary."""

from __future__ import annotations

from itertools import groupby

from rich.console import Console
from rich.markup import escape

from lianneng.problems import Severity
from lianneng.report import Report

_STYLE = {Severity.ERROR: "bold red", Severity.WARNING: "yellow", Severity.INFO: "cyan"}
_LABEL = {
    "zh": {Severity.ERROR: "错误", Severity.WARNING: "警告", Severity.INFO: "提示"},
    "en": {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "info"},
}


def write_text(report: Report, console: Console) -> None:
    labels = _LABEL["en" if report.lang == "en" else "zh"]
    for path, group in groupby(report.problems, key=lambda p: p.path):
        console.print(f"[bold]{escape(path)}[/]")
        for p in group:
            console.print(
                f"  {p.line:>4}:{p.column:<3} [{_STYLE[p.severity]}]{labels[p.severity]}[/] "
                f"[dim]{p.code}[/] {escape(p.text(report.lang))}"
            )
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
    style = "bold red" if errors else ("yellow" if warnings else "green")
    console.print(f"[{style}]{summary}[/]")
