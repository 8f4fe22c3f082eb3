"""The command line. Each command is thin: parse options, call the core, report, return a code.

Heavy modules are imported inside the commands so that `lianneng --help` starts fast.
Annotations are evaluated as the module loads (no `from __future__ import annotations`): typer
reads them on every run, and as strings they would be compiled and evaluated each time (a third
of the instructions of `--help`).
"""

import contextlib
import gc
import os
import sys
from datetime import date, datetime
from enum import Enum
from pathlib import Path
from typing import Annotated, Any, NoReturn, Optional

import typer
from typer.core import TyperGroup

from lianneng import __version__
from lianneng.errors import ConfigError, Exit, LiannengError, UsageError
from lianneng.lock import register_lock


class _WorkflowOrder(TyperGroup):
    """`lianneng --help` lists commands in the order of the work, not of the source."""

    ORDER = (
        "init",
        "validate",
        "grade",
        "policy",
        "publish",
        "review",
        "warnings",
        "report",
        "package",
        "verify",
        "diff",
        "log",
        "aggregate",
        "import",
        "schema",
    )

    def list_commands(self, ctx: Any) -> list[str]:
        names = super().list_commands(ctx)
        return sorted(
            names, key=lambda n: self.ORDER.index(n) if n in self.ORDER else len(self.ORDER)
        )


app = typer.Typer(
    cls=_WorkflowOrder,
    name="lianneng",
    help="廉能:把廉政风险防控登记册当作代码来管理。Integrity-risk registers kept as code.",
    no_args_is_help=True,
    add_completion=True,
    rich_markup_mode=None,
    pretty_exceptions_enable=False,
)


class Format(str, Enum):
    text = "text"
    parsable = "parsable"
    github = "github"
    json = "json"
    sarif = "sarif"


class Lang(str, Enum):
    zh = "zh"
    en = "en"


RegisterDir = Annotated[
    Optional[Path],  # noqa: UP045 - typer reads the annotation at run time
    typer.Argument(
        help="登记册目录(含 lianneng.yaml);默认从当前目录向上查找。", show_default=False
    ),
]
LangOption = Annotated[
    Optional[Lang],  # noqa: UP045
    typer.Option("--lang", help="提示语言 zh|en;默认取登记册的 locale 设置。"),
]


def _date_option(flag: str, help_text: str) -> Any:
    """A YYYY-MM-DD option; every command with a date takes it in the same form."""
    return typer.Option(flag, formats=["%Y-%m-%d"], help=help_text)


def _version(value: bool) -> None:
    if value:
        print(f"lianneng {__version__}")
        raise typer.Exit(0)


@app.callback()
def _root(
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="显示版本并退出。")
    ] = False,
) -> None:
    """廉能 lianneng."""


def find_root(directory: Path | None) -> Path:
    from lianneng.source import find_register

    if directory is not None:
        if not (directory / "lianneng.yaml").is_file():
            raise UsageError(
                f"{directory}: 不是登记册目录(没有 lianneng.yaml)/ "
                "not a register (no lianneng.yaml)"
            )
        return directory.resolve()
    found = find_register(Path.cwd())
    if found is None:
        raise UsageError(
            "在当前目录及其上级目录中找不到 lianneng.yaml / "
            "no lianneng.yaml in this directory or any parent"
        )
    return found


def _lang(option: Lang | None, configured: str | None = None) -> str:
    if option is not None:
        return option.value
    return os.environ.get("LIANNENG_LANG") or configured or "zh"


@app.command()
def validate(
    directory: RegisterDir = None,
    output_format: Annotated[
        Format, typer.Option("--format", "-f", help="输出格式。")
    ] = Format.text,
    strict: Annotated[bool, typer.Option("--strict", help="警告也视为失败(退出码 1)。")] = False,
    today: Annotated[
        datetime | None,
        _date_option("--today", "按此日期检查复核、措施和预警是否逾期(默认今天)。"),
    ] = None,
    changed_since: Annotated[
        str | None,
        typer.Option(
            "--changed-since",
            metavar="REV",
            help="只报告自该 git 修订以来改动过的文件中的问题(引用仍对照整个登记册检查)。",
        ),
    ] = None,
    no_cache: Annotated[
        bool, typer.Option("--no-cache", help="不读也不写 .lianneng-cache(结果相同,只是更慢)。")
    ] = False,
    lang: LangOption = None,
) -> int:
    """检查登记册:语法、字段、引用、完整性和逾期事项。Check a register."""
    from lianneng.cache import CachedReport, ReportCache
    from lianneng.problems import Severity
    from lianneng.report import REPORTERS, Report

    root = find_root(directory)
    day = today.date() if today else date.today()
    changed = _changed_files(root, changed_since) if changed_since else None
    cache = None if no_cache or not _speed().cache else ReportCache(root, _run_options(root, day))
    cached = cache.load() if cache else None
    if cached is None:
        from lianneng.pipeline import check_register
        from lianneng.speed import keep_until_exit

        if cache is not None:
            cache.begin()
        try:
            checked = check_register(root, today=day)
            keep_until_exit(checked)
        except ConfigError as exc:
            report = Report(exc.problems, _lang(lang))
            REPORTERS[output_format.value](report, sys.stdout)
            return Exit.USAGE
        cached = CachedReport(
            checked.problems,
            len(checked.sources.files),
            len(checked.register.all_records()),
            checked.register.config.locale,
        )
        if cache is not None:
            read = [source.location for source in checked.sources.files.values()]
            cache.store(cached, read, checked.sources.probed, checked.sources.digests)
    problems = cached.problems
    if changed is not None:
        problems = [p for p in problems if p.path in changed]
    report = Report(
        problems, _lang(lang, cached.locale), files=cached.files, records=cached.records
    )
    REPORTERS[output_format.value](report, sys.stdout)
    worst = Severity.WARNING if strict else Severity.ERROR
    return Exit.PROBLEMS if any(p.severity >= worst for p in problems) else Exit.OK


def _run_options(root: Path, day: date) -> tuple[str, ...]:
    """What a validate report depends on besides the files: where it runs (paths are shown
    relative to it) and the day (overdue items)."""
    return ("validate", str(root.resolve()), os.getcwd(), day.isoformat())


def _changed_files(root: Path, rev: str) -> set[str]:
    """Problem paths as reported (relative to the working directory) of the files changed."""
    from lianneng.gitrepo import RegisterRepo
    from lianneng.source.files import Sources, display_root

    sources = Sources(root, display_root(root))
    return {sources.display(rel) for rel in RegisterRepo(root).changed_since(rev)}


def _speed() -> Any:
    from lianneng.speed import current_speed

    return current_speed()


@app.command()
def schema(
    out: Annotated[Path, typer.Option("--out", "-o", help="写入 JSON Schema 的目录。")] = Path(
        "schemas"
    ),
    check: Annotated[bool, typer.Option("--check", help="只检查是否过期,不写入。")] = False,
) -> int:
    """为每类记录写出 JSON Schema(供编辑器补全与校验)。Write one JSON Schema per kind."""
    from lianneng.schemas import stale_schemas, write_schemas

    if check:
        stale = stale_schemas(out)
        for name in stale:
            print(f"{out / name}: 已过期,请运行 lianneng schema / stale, run lianneng schema")
        return Exit.PROBLEMS if stale else Exit.OK
    for path in write_schemas(out):
        print(path)
    return Exit.OK


@app.command()
def init(
    directory: Annotated[Path, typer.Argument(help="新登记册的目录。")],
    name: Annotated[str, typer.Option("--name", help="单位名称。")] = "示例单位",
    code: Annotated[str, typer.Option("--code", help="单位代码。")] = "DEMO",
    force: Annotated[
        bool, typer.Option("--force", help="目录非空时也写入(不覆盖已有文件)。")
    ] = False,
) -> int:
    """新建一个可以通过检查的小登记册。Create a small register that validates clean."""
    from lianneng.scaffold import create_register

    for path in create_register(directory, unit_name=name, unit_code=code, force=force):
        print(path)
    return Exit.OK


class AudienceChoice(str, Enum):
    public = "public"
    filing = "filing"
    internal = "internal"


class OutputFormat(str, Enum):
    md = "md"
    html = "html"
    xlsx = "xlsx"
    docx = "docx"


class Script(str, Enum):
    simplified = "simplified"
    traditional = "traditional"


@app.command()
def publish(
    directory: RegisterDir = None,
    out: Annotated[Path, typer.Option("--out", "-o", help="输出目录。")] = Path("_site"),
    audience: Annotated[
        list[AudienceChoice] | None,
        typer.Option(  # noqa: UP045
            "--audience",
            "-a",
            help="受众(可多次):public 社会公开、filing 报上级备案、internal 本单位内部;默认全部。",
        ),
    ] = None,
    output_format: Annotated[
        list[OutputFormat] | None,
        typer.Option(  # noqa: UP045
            "--format", "-f", help="格式(可多次):md、html、xlsx、docx;默认全部。"
        ),
    ] = None,
    script: Annotated[
        Script | None,
        typer.Option(  # noqa: UP045
            "--script", help="字形:simplified 简体、traditional 繁体;默认取登记册设置。"
        ),
    ] = None,
    quiet: Annotated[
        bool, typer.Option("--quiet", "-q", help="只显示汇总,不逐个列出文件。")
    ] = False,
    lang: LangOption = None,
) -> int:
    """发布公开清单、台帐、表格和流程图。Publish disclosure lists, ledgers, forms and charts."""
    from lianneng.commands import publish as command

    root = find_root(directory)
    return command.run(
        root,
        out,
        [a.value for a in audience or list(AudienceChoice)],
        [f.value for f in output_format or list(OutputFormat)],
        script.value if script else None,
        lang.value if lang else None,
        quiet=quiet,
    )


class DiffFormat(str, Enum):
    text = "text"
    markdown = "markdown"
    json = "json"


RepoOption = Annotated[
    Optional[Path],  # noqa: UP045
    typer.Option("--repo", help="登记册目录(默认从当前目录向上查找)。", show_default=False),
]


@app.command()
def package(
    directory: RegisterDir = None,
    out: Annotated[Path, typer.Option("--out", "-o", help="备案包文件(.zip)。")] = Path(
        "filing.zip"
    ),
    since: Annotated[
        str | None,
        typer.Option(  # noqa: UP045
            "--since", help="与此修订比较变化;默认取上一次备案的 filing/* 标签。"
        ),
    ] = None,
    period: Annotated[
        str | None,
        typer.Option(  # noqa: UP045
            "--period", help="备案周期,如 2026-Q4;默认取登记册的 period 或提交所在季度。"
        ),
    ] = None,
    allow_dirty: Annotated[
        bool, typer.Option("--allow-dirty", help="允许从有未提交改动的工作区生成(清单中会注明)。")
    ] = False,
    sign: Annotated[bool, typer.Option("--sign", help="用 git 配置的 SSH 密钥签名清单。")] = False,
    tag: Annotated[
        bool, typer.Option("--tag/--no-tag", help="生成后设标签 filing/<周期>。")
    ] = True,
    lang: LangOption = None,
) -> int:
    """生成报上级备案的文件包。Build the filing package for the supervising body."""
    from lianneng.commands import filing

    root = find_root(directory)
    return filing.package(
        root,
        out,
        since=since,
        period=period,
        allow_dirty=allow_dirty,
        sign=sign,
        tag=tag,
        lang=_lang(lang),
    )


@app.command()
def verify(
    file: Annotated[Path, typer.Argument(help="备案包文件(.zip)。")],
    repo: RepoOption = None,
    allowed_signers: Annotated[
        Path | None,
        typer.Option(  # noqa: UP045
            "--allowed-signers", help="ssh-keygen 的公钥清单文件,用于核验签名。"
        ),
    ] = None,
    lang: LangOption = None,
) -> int:
    """核验备案包:每个条目的 SHA-256、清单,及与仓库提交是否一致。Verify a filing package."""
    from lianneng.commands import filing

    return filing.verify(file, find_root(repo) if repo else None, allowed_signers, _lang(lang))


@app.command()
def diff(
    old: Annotated[str, typer.Argument(help="较早的修订(提交、标签、分支)。")],
    new: Annotated[
        str | None,
        typer.Argument(  # noqa: UP045
            help="较新的修订;不写时与工作区比较。"
        ),
    ] = None,
    repo: RepoOption = None,
    output_format: Annotated[DiffFormat, typer.Option("--format", "-f", help="输出格式。")] = (
        DiffFormat.text
    ),
    lang: LangOption = None,
) -> int:
    """两个修订之间登记册的变化:逐条记录、逐个字段、等级变化及原因。Semantic diff."""
    from lianneng.commands import history

    root = find_root(repo)
    return history.diff(root, old, new, output_format.value, _lang(lang))


@app.command()
def log(
    record_id: Annotated[str, typer.Argument(metavar="ID", help="记录编号。")],
    repo: RepoOption = None,
    max_count: Annotated[int, typer.Option("--max-count", "-n", help="最多查看的提交数。")] = 100,
    lang: LangOption = None,
) -> int:
    """一条记录的历史:每次改动、改了什么、谁、何时,以及等级的变化。History of one record."""
    from lianneng.commands import history

    return history.log(find_root(repo), record_id, max_count, _lang(lang))


@app.command(hidden=True)
def textconv(file: Annotated[Path, typer.Argument()]) -> int:
    """git diff 的 textconv:每行一个字段。A textconv for git diff: one field per line."""
    from lianneng.commands import history

    return history.textconv(file)


def _day(value: datetime | None) -> date:
    return value.date() if value else date.today()


@app.command()
def review(
    record_id: Annotated[str, typer.Argument(metavar="ID", help="风险点或防控措施编号。")],
    outcome: Annotated[
        str, typer.Option("--outcome", help="复核结论,如 维持、调整等级、补充措施。")
    ],
    by: Annotated[Optional[str], typer.Option("--by", help="复核人或岗位(仅内部)。")] = None,  # noqa: UP045
    changes: Annotated[Optional[str], typer.Option("--changes", help="作出的调整。")] = None,  # noqa: UP045
    on: Annotated[
        datetime | None,
        _date_option("--date", "复核日期(默认今天)。"),
    ] = None,
    next_review: Annotated[
        datetime | None,
        _date_option("--next", "下次复核日期(默认按评级办法的周期推算)。"),
    ] = None,
    repo: RepoOption = None,
    lang: LangOption = None,
) -> int:
    """记录一次复核,并更新下次复核日期(只改这条记录)。Record a review."""
    from lianneng.commands import manage

    root = find_root(repo)
    with register_lock(root):
        return manage.review(
            root,
            record_id,
            on=_day(on),
            outcome=outcome,
            by=by,
            changes=changes,
            next_review=next_review.date() if next_review else None,
            lang=_lang(lang),
        )


warnings_app = typer.Typer(
    help="预警与处置:不带子命令时列出未关闭的预警(逾期的在前)和黄牌警告。",
    invoke_without_command=True,
)
app.add_typer(warnings_app, name="warnings")


class ListFormat(str, Enum):
    text = "text"
    json = "json"


@warnings_app.callback()
def warnings_list(
    ctx: typer.Context,
    repo: RepoOption = None,
    today: Annotated[
        datetime | None,
        _date_option("--today", "按此日期判断逾期(默认今天)。"),
    ] = None,
    output_format: Annotated[ListFormat, typer.Option("--format", "-f")] = ListFormat.text,
    lang: LangOption = None,
) -> int | None:
    """列出未关闭的预警和黄牌警告。List open warnings and yellow cards."""
    if ctx.invoked_subcommand is not None:
        return None
    from lianneng.commands import manage

    raise typer.Exit(
        manage.list_warnings(find_root(repo), _day(today), output_format.value, _lang(lang))
    )


@warnings_app.command("issue")
def warnings_issue(
    target: Annotated[
        str, typer.Option("--target", help="预警对象:岗位、部门、风险点或人员编号。")
    ],
    action: Annotated[
        str, typer.Option("--action", help="处置方式:提醒谈话、谈话函询、警示诫勉、责令纠错…")
    ],
    deadline: Annotated[
        datetime | None,
        _date_option("--deadline", "整改期限。"),
    ] = None,
    level: Annotated[Optional[str], typer.Option("--level", help="预警等级。")] = None,  # noqa: UP045
    signal: Annotated[
        str | None,
        typer.Option(  # noqa: UP045
            "--signal", help="线索类型,如 信访举报、审计、电子监察。"
        ),
    ] = None,
    signal_id: Annotated[
        list[str] | None,
        typer.Option(  # noqa: UP045
            "--signal-id", help="已登记的线索编号(可多次)。"
        ),
    ] = None,
    source: Annotated[Optional[str], typer.Option("--source", help="线索来源(仅内部)。")] = None,  # noqa: UP045
    summary: Annotated[Optional[str], typer.Option("--summary", help="线索摘要(仅内部)。")] = None,  # noqa: UP045
    on: Annotated[
        datetime | None,
        _date_option("--date", "发出日期(默认今天)。"),
    ] = None,
    record_id: Annotated[str | None, typer.Option("--id", help="编号(默认 W-年份-序号)。")] = None,  # noqa: UP045
    repo: RepoOption = None,
    lang: LangOption = None,
) -> int:
    """发出一项预警(写入 warnings/ 下的新文件)。Issue a warning."""
    from lianneng.commands import manage

    root = find_root(repo)
    with register_lock(root):
        return manage.issue(
            root,
            target=target,
            action=action,
            on=_day(on),
            deadline=deadline.date() if deadline else None,
            level=level,
            signal=signal,
            signals=signal_id or [],
            source=source,
            summary=summary,
            record_id=record_id,
            lang=_lang(lang),
        )


@warnings_app.command("close")
def warnings_close(
    warning_id: Annotated[str, typer.Argument(metavar="ID")],
    outcome: Annotated[str, typer.Option("--outcome", help="处置结果。")],
    on: Annotated[
        datetime | None,
        _date_option("--date", "关闭日期(默认今天)。"),
    ] = None,
    cleared: Annotated[
        bool, typer.Option("--cleared", help="状态记为“已解除”(风险布控)。")
    ] = False,
    repo: RepoOption = None,
    lang: LangOption = None,
) -> int:
    """关闭一项预警,写明结果(只改这条记录)。Close a warning with its outcome."""
    from lianneng.commands import manage

    root = find_root(repo)
    with register_lock(root):
        return manage.close(
            root,
            warning_id,
            outcome=outcome,
            on=_day(on),
            status="已解除" if cleared else "已关闭",
            lang=_lang(lang),
        )


@warnings_app.command("escalate")
def warnings_escalate(
    warning_id: Annotated[str, typer.Argument(metavar="ID")],
    action: Annotated[
        str, typer.Option("--action", help="升级后的处置方式,如 警示诫勉、责令纠错。")
    ],
    deadline: Annotated[
        datetime | None,
        _date_option("--deadline", "新的整改期限。"),
    ] = None,
    outcome: Annotated[Optional[str], typer.Option("--outcome", help="升级的理由。")] = None,  # noqa: UP045
    on: Annotated[
        datetime | None,
        _date_option("--date", "日期(默认今天)。"),
    ] = None,
    repo: RepoOption = None,
    lang: LangOption = None,
) -> int:
    """升级一项预警:原预警记为已升级,另发一项新的。Escalate a warning."""
    from lianneng.commands import manage

    root = find_root(repo)
    with register_lock(root):
        return manage.escalate(
            root,
            warning_id,
            action=action,
            on=_day(on),
            deadline=deadline.date() if deadline else None,
            outcome=outcome,
            lang=_lang(lang),
        )


@app.command()
def report(
    directory: RegisterDir = None,
    period: Annotated[
        str | None,
        typer.Option(  # noqa: UP045
            "--period", help="周期:2026-10(月)、2026-Q4(季)、2026(年)。"
        ),
    ] = None,
    assessment: Annotated[
        bool, typer.Option("--assessment", help="按评级办法的考核评分表给各部门打分。")
    ] = False,
    today: Annotated[
        datetime | None,
        _date_option("--today", "统计截至日期(默认今天)。"),
    ] = None,
    out: Annotated[Path, typer.Option("--out", "-o", help="输出目录。")] = Path("_reports"),
    output_format: Annotated[
        list[OutputFormat] | None,
        typer.Option(  # noqa: UP045
            "--format", "-f", help="格式(可多次);默认全部。"
        ),
    ] = None,
    audience: Annotated[
        AudienceChoice, typer.Option("--audience", "-a", help="受众;工作报告默认报上级(filing)。")
    ] = AudienceChoice.filing,
    lang: LangOption = None,
) -> int:
    """期间工作报告(发现、定级、改动、措施、预警、关闭)与部门考核。Periodic report and assessment."""  # noqa: E501
    from lianneng.commands import manage

    return manage.report(
        find_root(directory),
        period=period,
        assessment=assessment,
        today=_day(today),
        out=out,
        formats=[f.value for f in output_format or list(OutputFormat)],
        audience=audience.value,
        lang=_lang(lang),
    )


@app.command()
def aggregate(
    packages: Annotated[
        list[Path], typer.Argument(help="下级单位的备案包(.zip),或存放备案包的目录。")
    ],
    out: Annotated[Path, typer.Option("--out", "-o", help="输出目录。")] = Path("_aggregate"),
    today: Annotated[
        Optional[datetime],  # noqa: UP045 - typer reads the annotation at run time
        _date_option("--today", "判断逾期的日期(默认今天)。"),
    ] = None,
    output_format: Annotated[
        Optional[list[OutputFormat]],  # noqa: UP045
        typer.Option("--format", "-f", help="格式(可多次);默认全部。"),
    ] = None,
    allowed_signers: Annotated[
        Optional[Path],  # noqa: UP045
        typer.Option("--allowed-signers", help="ssh-keygen 公钥清单,核验签名。"),
    ] = None,
    lang: LangOption = None,
) -> int:
    """核验并汇总下级单位的备案包。Verify and combine subordinate units' filings."""
    from lianneng.commands import supervise

    return supervise.aggregate(
        packages,
        out,
        today=_day(today),
        formats=[f.value for f in output_format or list(OutputFormat)],
        allowed_signers=allowed_signers,
        lang=_lang(lang),
    )


class ImportKind(str, Enum):
    risk = "risk"
    power = "power"


@app.command("import")
def import_ledger(
    ledger: Annotated[
        Path, typer.Argument(help="要导入的台帐或清单:.xlsx,或 .csv(UTF-8 或 GBK/GB18030)。")
    ],
    into: Annotated[
        Optional[Path],  # noqa: UP045
        typer.Option(
            "--into", help="导入到的登记册目录;默认从当前目录向上查找。", show_default=False
        ),
    ] = None,
    sheet: Annotated[
        Optional[str],  # noqa: UP045
        typer.Option("--sheet", help="工作表名称;默认取第一个找得到表头的工作表。"),
    ] = None,
    kind: Annotated[
        Optional[ImportKind],  # noqa: UP045
        typer.Option("--kind", help="记录类型:risk 风险点、power 职权事项;默认按表头判断。"),
    ] = None,
    mapping: Annotated[
        Optional[Path],  # noqa: UP045
        typer.Option(
            "--mapping", help="列名与字段的对应关系文件(YAML,列名: 字段),优先于自动识别。"
        ),
    ] = None,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="只列出将写入的内容和无法导入的行,不写入。")
    ] = False,
    skip_bad_rows: Annotated[
        bool, typer.Option("--skip-bad-rows", help="跳过无法导入的行,只写入其余各行。")
    ] = False,
    force: Annotated[
        bool, typer.Option("--force", help="覆盖已有的同名导入文件(imported-<文件名>.yaml)。")
    ] = False,
    lang: LangOption = None,
) -> int:
    """把单位已有的台帐、清单(XLSX/CSV)导入登记册。Import an existing ledger."""
    from lianneng.commands import importing

    root = find_root(into)
    return importing.run(
        ledger,
        root,
        sheet=sheet,
        kind=kind.value if kind else None,
        mapping=mapping,
        dry_run=dry_run,
        skip_bad_rows=skip_bad_rows,
        force=force,
        lang=_lang(lang),
    )


class GradeFormat(str, Enum):
    table = "table"
    json = "json"
    parsable = "parsable"
    github = "github"


@app.command()
def grade(
    directory: RegisterDir = None,
    output_format: Annotated[GradeFormat, typer.Option("--format", "-f", help="输出格式。")] = (
        GradeFormat.table
    ),
    explain: Annotated[
        str | None,
        typer.Option(  # noqa: UP045
            "--explain", help="逐步说明一个风险点(或岗位、部门)的评级。", metavar="ID"
        ),
    ] = None,
    write: Annotated[
        bool, typer.Option("--write", help="把算出的等级写入文件(只改等级行)。")
    ] = False,
    check: Annotated[
        bool, typer.Option("--check", help="登记的等级与算出的不一致时退出码为 1。")
    ] = False,
    policy: Annotated[
        str | None,
        typer.Option(  # noqa: UP045
            "--policy", help="改用此评级办法(文件路径或 builtin:名称)。"
        ),
    ] = None,
    preview: Annotated[
        bool, typer.Option("--preview", help="与 --policy 同用:列出哪些等级会改变,不写入。")
    ] = False,
    lang: LangOption = None,
) -> int:
    """按评级办法为风险点定级,并说明理由。Grade risk points by the register's policy."""
    from lianneng.commands import grade as commands
    from lianneng.console import stdout

    root = find_root(directory)
    if preview and policy is None:
        raise UsageError("--preview 需要与 --policy 同用 / --preview goes with --policy")
    if sum((write, check, preview, explain is not None)) > 1:
        raise UsageError("--write、--check、--preview、--explain 只能选一个 / choose one of them")
    try:
        checked = commands.checked_with_policy(root, policy)
    except ConfigError as exc:
        from lianneng.report import REPORTERS, Report

        REPORTERS["parsable"](Report(exc.problems, _lang(lang)), sys.stdout)
        return Exit.USAGE
    language = _lang(lang, checked.register.config.locale)
    console = stdout()
    if preview:
        return commands.preview(root, checked, console, language)
    if explain is not None:
        return commands.explain(checked, explain, console, language)
    if write:
        return commands.write(checked, console, language)
    if check:
        return commands.check(checked, output_format.value, language)
    return commands.show(checked, output_format.value, console, language)


policy_app = typer.Typer(
    help="评级办法:列出内置办法、运行测试用例。Grading policies.", no_args_is_help=True
)
app.add_typer(policy_app, name="policy")


@policy_app.command("test")
def policy_test(
    directory: RegisterDir = None,
    builtin: Annotated[bool, typer.Option("--builtin", help="测试全部内置评级办法。")] = False,
    lang: LangOption = None,
) -> int:
    """运行评级办法自带的测试用例。Run a policy's test cases."""
    from lianneng.commands import policy

    root = None if builtin else find_root(directory)
    return policy.test(root, _lang(lang))


@policy_app.command("list")
def policy_list() -> int:
    """列出内置评级办法。List the built-in policies."""
    from lianneng.commands import policy

    return policy.show_list()


def main(argv: list[str] | None = None) -> int:
    """Run the CLI; the one place where outcomes become exit codes."""
    # A run builds hundreds of thousands of long-lived objects and frees few: the collector's
    # default thresholds would sweep them over and over (a third of a large validate's time).
    gc.set_threshold(100_000, 50, 100)
    from lianneng.speed import current_speed, set_speed

    before = current_speed()
    set_speed(_speed_from_environment())
    try:
        return _run(argv)
    finally:
        set_speed(before)  # a caller in the same process (a test) gets its own setting back


def console_main() -> NoReturn:
    """The `lianneng` command: `main`, then the process ends at once with its code.

    By then every file the run wrote is closed and every worker process joined. What the
    interpreter would still do is free each object the run made, one by one, and collect them
    once more: a tenth of a small register's run, and seconds of a large one's. The end of the
    process frees them all at once.
    """
    from lianneng.speed import end_at_once

    end_at_once()
    code = main()
    for stream in (sys.stdout, sys.stderr):
        # A reader that went away (`| head`) or a closed stream loses nothing of ours.
        with contextlib.suppress(OSError, ValueError):
            stream.flush()
    os._exit(code)


def _run(argv: list[str] | None) -> int:
    command = typer.main.get_command(app)
    try:
        result = command.main(args=argv, prog_name="lianneng", standalone_mode=False)
    except typer.TyperException as exc:  # usage errors, including "no arguments: here is help"
        show = getattr(exc, "show", None)
        if show is not None:
            show()
        else:
            print(f"lianneng: {exc}", file=sys.stderr)
        return Exit.USAGE
    except typer.Abort:
        return Exit.INTERRUPTED
    except LiannengError as exc:
        print(f"lianneng: {exc}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        return Exit.INTERRUPTED
    except Exception as exc:  # the boundary: a bug must not print a traceback at the user
        return _internal_error(exc)
    return int(result) if isinstance(result, int) else Exit.OK


def _speed_from_environment() -> Any:
    """The register cache, worker processes and a progress bar for every command, unless the
    environment says otherwise (LIANNENG_NO_CACHE=1, LIANNENG_JOBS=1); none changes a result."""
    from lianneng import progress
    from lianneng.speed import Speed, default_workers

    jobs = os.environ.get("LIANNENG_JOBS", "")
    return Speed(
        cache=not os.environ.get("LIANNENG_NO_CACHE"),
        workers=int(jobs) if jobs.isdigit() and int(jobs) > 0 else default_workers(),
        progress=progress.wanted(),
    )


def _internal_error(exc: BaseException) -> int:
    import tempfile
    import traceback

    trace = "".join(traceback.format_exception(exc))
    if os.environ.get("LIANNENG_DEBUG"):
        sys.stderr.write(trace)
        return Exit.INTERNAL
    with tempfile.NamedTemporaryFile(
        "w", prefix="lianneng-crash-", suffix=".txt", delete=False, encoding="utf-8"
    ) as log:
        log.write(trace)
    print(
        f"lianneng: 内部错误 / internal error: {type(exc).__name__}. "
        f"详情已写入 / details in {log.name}",
        file=sys.stderr,
    )
    return Exit.INTERNAL
