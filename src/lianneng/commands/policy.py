"""`lianneng policy test|list`: a policy's own test cases, and the policies shipped with the
tool."""

from __future__ import annotations

import sys
from pathlib import Path

from rich.markup import escape

from lianneng.console import stdout
from lianneng.errors import ConfigError, Exit
from lianneng.grading.engine import BUILTIN, builtin_policies, load_policy, load_policy_file
from lianneng.grading.testcases import run_tests
from lianneng.pipeline import load_config
from lianneng.problems import Problem
from lianneng.report import REPORTERS, Report
from lianneng.source.files import Sources, display_root


def test(root: Path | None, lang: str) -> int:
    console = stdout()
    sources = Sources(root or Path.cwd(), display_root(root or Path.cwd()))
    if root is None:
        references = [BUILTIN + name for name in builtin_policies()]
    else:
        config = load_config(sources)
        references = sorted(
            {
                *([config.policy] if config.policy else []),
                *(p.relative_to(root).as_posix() for p in sorted((root / "policy").glob("*.y*ml"))),
            }
        )
    problems: list[Problem] = []
    config_error = False
    total = failed = 0
    for reference in references:
        try:
            loaded = (
                load_policy(sources, reference)
                if reference.startswith(BUILTIN) or root is None
                else load_policy_file(sources, reference)
            )
        except ConfigError as exc:
            problems += exc.problems
            config_error = True
            continue
        outcomes, failures = run_tests(loaded, sources)
        problems += failures
        console.print(f"[bold]{escape(loaded.policy.name)}[/] ({escape(reference)})")
        for outcome in outcomes:
            mark = "[green]✓[/]" if outcome.passed else "[red]✗[/]"
            console.print(
                f"  {mark} {escape(outcome.case.name)} → {escape(outcome.grade.level or '—')}"
            )
        total += len(outcomes)
        failed += len(failures)
    if problems:
        REPORTERS["text"](Report(sorted(problems), lang), sys.stdout)
    console.print(f"{total - failed} passed, {failed} failed")
    if config_error:
        return Exit.USAGE
    return Exit.PROBLEMS if failed else Exit.OK


def show_list() -> int:
    console = stdout()
    sources = Sources(Path.cwd(), ".")
    for name in builtin_policies():
        loaded = load_policy(sources, BUILTIN + name)
        policy = loaded.policy
        console.print(
            f"{BUILTIN}{name}  {escape(policy.name)}  [{'/'.join(policy.labels)}]  "
            f"({policy.method})"
        )
    return Exit.OK
