"""`lianneng publish`: check, grade, then render every document for each audience and format."""

from __future__ import annotations

import os
import sys
from pathlib import Path

from lianneng.console import stderr, stdout
from lianneng.errors import ConfigError, Exit
from lianneng.pipeline import Checked, check_register
from lianneng.problems import Severity
from lianneng.publish.audience import Audience
from lianneng.publish.site import publish
from lianneng.report import REPORTERS, Report
from lianneng.speed import keep_until_exit


def run(
    root: Path,
    out: Path,
    audiences: list[str],
    formats: list[str],
    script: str | None,
    lang: str | None,
    *,
    quiet: bool = False,
) -> int:
    try:
        # A large register's checks across records may still be running beside while its
        # documents are built; nothing is written until they have found no error.
        checked = check_register(root, beside=True)
        keep_until_exit(checked)
    except ConfigError as exc:
        REPORTERS["text"](Report(exc.problems, lang or "zh"), sys.stdout)
        return Exit.USAGE
    config = checked.register.config
    language = lang or os.environ.get("LIANNENG_LANG") or config.locale
    if checked.beside is None and _refused(checked, language):
        return Exit.PROBLEMS
    try:
        with _progress() as advance:
            result = publish(
                checked,
                out,
                audiences=[Audience(a) for a in audiences],
                formats=formats,
                lang=language,
                script=script or config.script,
                progress=advance,
            )
    except Exception:
        # Built from a register the checks then found wrong: its errors are the answer.
        if _refused(checked.settle(), language):
            return Exit.PROBLEMS
        raise
    except BaseException:  # interrupted: the checks beside are not waited for
        checked.abandon()
        raise
    if _refused(checked.settle(), language):
        return Exit.PROBLEMS
    if result.problems:
        REPORTERS["text"](Report(sorted(result.problems), language), sys.stdout)
        return Exit.PROBLEMS
    console = stdout()
    for path in [] if quiet else result.written:
        console.print(str(path))
    summary = (
        f"wrote {len(result.written)} files, {result.unchanged} unchanged, "
        f"{len(result.removed)} removed"
        if language == "en"
        else f"写入 {len(result.written)} 个文件,{result.unchanged} 个未变,"
        f"删除 {len(result.removed)} 个"
    )
    console.print(summary)
    return Exit.OK


def _refused(checked: Checked, language: str) -> bool:
    """Whether the register has errors, reported if it has: then nothing is published
    (publishing a register with errors would put wrong facts in front of readers)."""
    errors = [p for p in checked.problems if p.severity is Severity.ERROR]
    if errors:
        REPORTERS["text"](Report(errors, language), sys.stdout)
        stderr().print(
            "登记册有错误,未发布;请先运行 lianneng validate / the register has errors; "
            "nothing was published"
        )
    return bool(errors)


class _progress:
    """A progress line on a terminal (never in CI or when output is piped)."""

    def __enter__(self):  # type: ignore[no-untyped-def]
        self._status = None
        if sys.stderr.isatty() and not os.environ.get("CI"):
            self._status = stderr().status("")
            self._status.start()
        return self._advance

    def _advance(self, what: str) -> None:
        if self._status is not None:
            self._status.update(what)

    def __exit__(self, *exc: object) -> None:
        if self._status is not None:
            self._status.stop()
