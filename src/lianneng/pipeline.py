"""The stages of a run, top to bottom: load → validate → resolve references → check → grade.

Nothing here prints; every stage adds located problems and the caller decides how to report them.
"""

from __future__ import annotations

import contextlib
import difflib
import os
import pickle
import signal
import sys
import tempfile
import threading
import traceback
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from lianneng.cache import RegisterCache
from lianneng.check.completeness import check_completeness
from lianneng.check.confinement import check_evidence
from lianneng.check.dynamic import check_dates
from lianneng.check.fields import check_fields
from lianneng.check.markdown import check_markdown
from lianneng.check.references import check_references
from lianneng.check.schema import validate
from lianneng.check.tables import write_codes_by_name
from lianneng.errors import ConfigError
from lianneng.grading.base import Grade
from lianneng.grading.checks import check_grades
from lianneng.grading.engine import LoadedPolicy, grade_all, load_policy
from lianneng.loading import load_files
from lianneng.messages import problem_codes
from lianneng.model.base import Record
from lianneng.model.config import CONFIG_FILE, DEFAULT_TABLES, Config
from lianneng.problems import Problem, Severity, msg
from lianneng.progress import progress_bar
from lianneng.register import Register
from lianneng.source import record_files
from lianneng.source.files import Sources, display_root
from lianneng.source.records import read_documents
from lianneng.speed import Speed, building_to_last, current_speed


@dataclass
class Checked:
    register: Register
    problems: list[Problem]
    sources: Sources
    policy: LoadedPolicy | None = None
    grades: dict[str, Grade] = field(default_factory=dict)
    beside: ChecksBeside | None = None
    """The checks across records, while they still run beside the caller (see check_register);
    until then `problems` holds only those found in each file."""

    def abandon(self) -> None:
        """Stop the checks run beside, if any: the run is ending without them."""
        if self.beside is not None:
            self.beside.abandon()
            self.beside = None

    def settle(self) -> Checked:
        """This, with every problem found: the checks run beside it, if any, waited for."""
        if self.beside is not None:
            self.problems = self.beside.problems()
            self.beside = None
        return self


class ChecksBeside:
    """Checks across records, run in a forked copy of this process while this one goes on (with
    the other checks, or building publish's documents): at 100k risk points they are 4–5 s that
    otherwise keep the other core idle. The copy writes its problems to a file and ends, so the
    pages the two share are copied only while the checks run."""

    def __init__(self, checks: Callable[[], list[Problem]]) -> None:
        handle, self.path = tempfile.mkstemp(prefix="lianneng-checks-", suffix=".pickle")
        os.close(handle)
        self.pid = os.fork()
        if self.pid == 0:  # the copy: check, write, end without running anything of the parent's
            try:
                outcome: tuple[str, Any] = ("problems", checks())
            except BaseException:  # noqa: BLE001 - reported by the parent as an internal error
                outcome = ("failed", traceback.format_exc())
            try:
                with open(self.path, "wb") as out:
                    pickle.dump(outcome, out, protocol=pickle.HIGHEST_PROTOCOL)
            finally:
                os._exit(0)

    def abandon(self) -> None:
        """Stop the checks and leave nothing behind (the run was interrupted)."""
        with contextlib.suppress(OSError):
            os.kill(self.pid, signal.SIGKILL)
            os.waitpid(self.pid, 0)
        Path(self.path).unlink(missing_ok=True)

    def problems(self) -> list[Problem]:
        os.waitpid(self.pid, 0)
        try:
            with open(self.path, "rb") as found:
                kind, value = pickle.load(found)
        except (OSError, EOFError, pickle.UnpicklingError) as exc:
            raise RuntimeError("the checks run beside ended without their problems") from exc
        finally:
            Path(self.path).unlink(missing_ok=True)
        if kind != "problems":
            raise RuntimeError(f"the checks run beside failed:\n{value}")
        problems: list[Problem] = value
        return problems


# A register this large has checks worth running beside (below, forking costs more than it saves).
BESIDE_MIN_RECORDS = 1500


def _can_check_beside(records: int, speed: Speed) -> bool:
    return (
        speed.workers >= 2
        and records >= BESIDE_MIN_RECORDS
        and sys.platform.startswith("linux")  # fork, as the parse workers (see pool_context)
        and threading.active_count() == 1  # a fork copies only this thread
    )


@building_to_last()
def check_register(
    root: Path,
    *,
    policy: str | None = None,
    today: date | None = None,
    speed: Speed | None = None,
    beside: bool = False,
) -> Checked:
    """Read and check the register at `root`, graded by its policy (or by `policy` instead).

    With `today`, dated duties are checked too: reviews, control deadlines, warning deadlines.
    `speed` (by default, as the command line set it) changes how fast the answer comes, never
    the answer. With `beside`, a large register whose files hold no error may come back with
    its checks across records still running (Checked.beside): the caller goes on with the
    register and settles the Checked before it relies on the problems.
    """
    speed = speed or current_speed()
    sources = Sources(root, display_root(root))
    config = load_config(sources)
    reference = policy or config.policy
    loaded = load_policy(sources, reference) if reference else None
    rels = list(record_files(root, config.exclude))
    problems: list[Problem] = []
    records: list[Record] = []
    claimed: set[str] = set()
    cache = RegisterCache(root, sources.display_root) if speed.cache else None
    with progress_bar(len(rels), shown=speed.progress) as step:
        for result in load_files(sources, rels, cache=cache, workers=speed.workers, progress=step):
            if result.source is not None:
                sources.files[result.rel] = result.source
            records += result.records
            problems += result.problems
            claimed.update(result.claimed_ids)
    if cache is not None:
        cache.close()
    register = Register(root, config, records)
    register.broken_ids = claimed - set(register.ids) - set(register.steps)
    write_codes_by_name(register)
    grades = grade_all(loaded.policy, register) if loaded is not None else {}

    # The checks across records, in two parts of about equal time at 100k risk points. Each only
    # reads the register; `read_here` also notes the paths it looks for (evidence files), which
    # a cached report depends on, so it runs in this process.
    def read_here() -> list[Problem]:
        found = check_references(register, sources)
        found += check_completeness(register, sources)
        found += check_markdown(register, sources)
        found += check_evidence(register, sources)
        if loaded is not None:
            found += loaded.warnings
        if today is not None:
            policy_used = loaded.policy if loaded else None
            found += check_dates(register, policy_used, grades, sources, today)
        return found

    def read_anywhere() -> list[Problem]:
        found = check_fields(register, sources)
        if loaded is not None:
            found += check_grades(register, loaded.policy, grades, sources)
        return found

    def across_records() -> list[Problem]:
        return apply_settings(problems + read_here() + read_anywhere(), config.checks)

    if not _can_check_beside(len(records), speed):
        return Checked(register, across_records(), sources, loaded, grades)
    in_files = any(p.severity is Severity.ERROR for p in problems)
    if beside and not in_files:  # all of them, while the caller goes on
        return Checked(register, problems, sources, loaded, grades, ChecksBeside(across_records))
    # Half of them, while this process does the other half.
    other_half = ChecksBeside(read_anywhere)
    try:
        found = read_here()
    except BaseException:
        other_half.abandon()
        raise
    found += other_half.problems()
    return Checked(
        register, apply_settings(problems + found, config.checks), sources, loaded, grades
    )


def load_config(sources: Sources) -> Config:
    """`lianneng.yaml`, checked; any error in it stops the run (exit 2) with located problems."""
    problems: list[Problem] = []
    documents = read_documents(sources, CONFIG_FILE, problems)
    config = None
    if documents is not None:
        data = documents[0] if documents else {}
        config = validate(Config, data, sources, CONFIG_FILE, (0,), problems)
    if config is not None:
        problems += _config_keys(config, sources)
    if config is None or any(p.severity is Severity.ERROR for p in problems):
        raise ConfigError(sorted(problems))
    return config


def _config_keys(config: Config, sources: Sources) -> list[Problem]:
    problems = []
    codes = problem_codes()
    for code in config.checks:
        if code not in codes:
            close = difflib.get_close_matches(code, codes, n=1)
            hint = msg("hint.didyoumean", suggestion=close[0]) if close else msg("hint.none")
            problems.append(
                sources.problem(
                    CONFIG_FILE, (0, "checks", code), msg("K002", name=code, hint=hint), key=True
                )
            )
    for name in config.tables:
        if name not in DEFAULT_TABLES:
            close = difflib.get_close_matches(name, list(DEFAULT_TABLES), n=1)
            hint = msg("hint.didyoumean", suggestion=close[0]) if close else msg("hint.none")
            problems.append(
                sources.problem(
                    CONFIG_FILE, (0, "tables", name), msg("S003", field=name, hint=hint), key=True
                )
            )
    return problems


def apply_settings(problems: list[Problem], checks: Mapping[str, str]) -> list[Problem]:
    """Severities as the register configures them; checks set to `off` are dropped."""
    result = []
    for problem in problems:
        setting = checks.get(problem.code)
        if setting == "off":
            continue
        severity = Severity.parse(setting) if setting else None
        if severity is not None and severity is not problem.severity:
            problem = Problem(
                problem.path, problem.line, problem.column, severity, problem.code, problem.message
            )
        result.append(problem)
    return sorted(set(result))
