"""Reporters: one finished report, written in the format the user asked for."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import IO, Any

from lianneng import __version__
from lianneng.messages import CATALOGUE
from lianneng.problems import Problem, Severity


@dataclass
class Report:
    problems: list[Problem]
    lang: str
    files: int | None = None  # set by validate: the summary then says how much was read
    records: int = 0
    counts: Counter[Severity] = field(init=False)

    def __post_init__(self) -> None:
        self.counts = Counter(problem.severity for problem in self.problems)


Reporter = Callable[[Report, IO[str]], None]


def parsable(report: Report, out: IO[str]) -> None:
    for p in report.problems:
        out.write(
            f"{p.path}:{p.line}:{p.column}: {p.severity.label} {p.code} "
            f"{_one_line(p.text(report.lang))}\n"
        )


_GITHUB_LEVEL = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "notice"}


def github(report: Report, out: IO[str]) -> None:
    for p in report.problems:
        text = p.text(report.lang).replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
        path = p.path.replace("%", "%25").replace(",", "%2C").replace(":", "%3A")
        out.write(
            f"::{_GITHUB_LEVEL[p.severity]} file={path},line={p.line},col={p.column},"
            f"title={p.code}::{text}\n"
        )


def as_json(report: Report, out: IO[str]) -> None:
    document = {
        "tool": {"name": "lianneng", "version": __version__},
        "summary": {
            "files": report.files or 0,
            "records": report.records,
            "errors": report.counts[Severity.ERROR],
            "warnings": report.counts[Severity.WARNING],
            "infos": report.counts[Severity.INFO],
        },
        "problems": [
            {
                "path": p.path,
                "line": p.line,
                "column": p.column,
                "severity": p.severity.label,
                "code": p.code,
                "message": p.text(report.lang),
            }
            for p in report.problems
        ],
    }
    json.dump(document, out, ensure_ascii=False, indent=2)
    out.write("\n")


_SARIF_LEVEL = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "note"}


def sarif(report: Report, out: IO[str]) -> None:
    codes = sorted({p.code for p in report.problems})
    rules: list[dict[str, Any]] = [
        {"id": code, "shortDescription": {"text": CATALOGUE[code].summary_en or code}}
        for code in codes
    ]
    results = [
        {
            "ruleId": p.code,
            "ruleIndex": codes.index(p.code),
            "level": _SARIF_LEVEL[p.severity],
            "message": {"text": p.text(report.lang)},
            "locations": [
                {
                    "physicalLocation": {
                        "artifactLocation": {"uri": p.path},
                        "region": {"startLine": p.line, "startColumn": p.column},
                    }
                }
            ],
        }
        for p in report.problems
    ]
    document = {
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [
            {
                "tool": {"driver": {"name": "lianneng", "version": __version__, "rules": rules}},
                "results": results,
            }
        ],
    }
    json.dump(document, out, ensure_ascii=False, indent=2)
    out.write("\n")


def text(report: Report, out: IO[str]) -> None:
    from lianneng.report.text import write_text

    write_text(report, out)


REPORTERS: dict[str, Reporter] = {
    "text": text,
    "parsable": parsable,
    "github": github,
    "json": as_json,
    "sarif": sarif,
}


def _one_line(text: str) -> str:
    return " ".join(text.split())
