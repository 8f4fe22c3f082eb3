"""`lianneng aggregate`: verify the units' filings and combine them."""

from __future__ import annotations

import os
import sys
from datetime import date
from pathlib import Path

from lianneng.console import stderr, stdout
from lianneng.errors import Exit, UsageError
from lianneng.publish.jinja import environment
from lianneng.publish.labels import label
from lianneng.publish.site import (
    Page,
    Published,
    Renderer,
    converter,
    stage_all,
    write_outputs,
)


def aggregate(
    packages: list[Path],
    out: Path,
    *,
    today: date,
    formats: list[str],
    allowed_signers: Path | None,
    lang: str,
) -> int:
    from lianneng.supervise.aggregate import aggregate as combine
    from lianneng.supervise.aggregate import documents, package_paths

    paths = list(package_paths(packages))
    if not paths:
        raise UsageError("没有找到备案包(.zip)/ no filing packages found")
    progress = None
    status = None
    if sys.stderr.isatty() and not os.environ.get("CI"):
        status = stderr().status("")
        status.start()
        progress = lambda name: status.update(name)  # noqa: E731
    try:
        result = combine(paths, today=today, allowed_signers=allowed_signers, progress=progress)
    finally:
        if status is not None:
            status.stop()
    for refused in result.refused:
        for finding in refused.findings:
            print(f"{refused.package}: {finding.text(lang)}")
    body = result.supervisor() or label("word.supervising_body", lang)
    page = Page(
        {"name": body, "code": "", "supervisor": "", "period": ""},
        lang,
        "filing",
        label("word.audience.aggregate", lang),
    )
    published = Published()
    renderer = Renderer(environment(None), converter("simplified"), None, published)
    files = renderer.folder(page, documents(result, lang, today), formats)
    if published.problems:
        for problem in published.problems:
            print(f"{problem.path}:{problem.line}: {problem.text(lang)}", file=sys.stderr)
        return Exit.INTERNAL
    write_outputs(
        out,
        stage_all({out / name: data for name, data in files.items()}),
        published,
        lambda rel: rel.rsplit(".", 1)[-1] in formats,
    )
    totals = sum(u.risks for u in result.units)
    stdout().print(
        f"{len(result.units)} packages verified, {len(result.refused)} refused; {totals} risk "
        f"points; written to {out}"
        if lang == "en"
        else f"核验通过 {len(result.units)} 个备案包,拒收 {len(result.refused)} 个;"
        f"风险点共 {totals} 个;"
        f"已写入 {out}"
    )
    return Exit.PROBLEMS if result.refused else Exit.OK
