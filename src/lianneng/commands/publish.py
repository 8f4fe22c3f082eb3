"""`lianneng publish`: check, grade, then render every document for each audience and format."""

from __future__ import annotations

import os
import sys
from pathlib import Path

from lianneng.console import stderr, stdout
from lianneng.errors import ConfigError, Exit
from lianneng.pipeline import check_register
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
        checked = check_register(root)
        keep_until_exit(checked)
    except ConfigError as exc:
        REPORTERS["text"](Report(exc.problems, lang or "zh"), sys.stdout)
        return Exit.USAGE
    config = checked.register.config
    language = lang or os.environ.get("LIANNENG_LANG") or config.locale
    errors = [p for p in checked.problems if p.severity is Severity.ERROR]
    if errors:
        # Publishing a register with errors would put wrong facts in front of readers.
        REPORTERS["text"](Report(errors, language), sys.stdout)
        stderr().print(
            "登记册有错误,未发布;请先运行 lianneng validate / the register has errors; "
            "nothing was published"
        )
        return Exit.PROBLEMS
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
