"""Why a command cannot go on, and the exit code each reason maps to (one boundary: cli.main)."""

from __future__ import annotations

import enum

from lianneng.problems import Problem


class Exit(enum.IntEnum):
    OK = 0
    PROBLEMS = 1
    USAGE = 2
    INTERNAL = 3
    INTERRUPTED = 130


class LiannengError(Exception):
    exit_code = Exit.USAGE


class UsageError(LiannengError):
    """The command line or the environment is wrong (no register found, bad option value)."""


class ConfigError(LiannengError):
    """`lianneng.yaml` (or a policy) is unusable; its located problems are reported."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__("configuration problems")
        self.problems = problems
