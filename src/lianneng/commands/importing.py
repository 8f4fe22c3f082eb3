"""`lianneng import`: a ledger an office already keeps (XLSX or CSV) → records of a register.

Read the table, map its columns, turn each row into a record, report every row that cannot be
read with its row number and reason, and write only when every row can (or `--skip-bad-rows`).
The written file is then checked like any other, so what was imported is known to validate.
"""

from __future__ import annotations

import re
import sys
from contextlib import nullcontext
from pathlib import Path

from lianneng.console import stdout
from lianneng.edit import format_scalar
from lianneng.errors import ConfigError, Exit, UsageError
from lianneng.ingest import IngestError, row_list, say
from lianneng.ingest.columns import (
    NO,
    ColumnMap,
    Mapping,
    guess_kind,
    load_mapping,
    map_columns,
    recogniser,
    vocabulary,
)
from lianneng.ingest.records import Builder, Imported, records_yaml
from lianneng.ingest.sheet import Table, read_table
from lianneng.lock import register_lock
from lianneng.model.base import Record
from lianneng.model.power import PowerItem
from lianneng.model.risk import RiskPoint
from lianneng.pipeline import Checked, check_register
from lianneng.problems import Message, Severity
from lianneng.report import REPORTERS, Report
from lianneng.write import write_atomic

KINDS: dict[str, type[Record]] = {"risk": RiskPoint, "power": PowerItem}
PREVIEW_RECORDS = 2
UNSAFE_NAME = re.compile(r"[\s/\\:*?\"<>|]+")


def run(
    ledger: Path,
    into: Path,
    *,
    sheet: str | None,
    kind: str | None,
    mapping: Path | None,
    dry_run: bool,
    skip_bad_rows: bool,
    force: bool,
    lang: str,
) -> int:
    try:
        _check_arguments(ledger, into, kind)
        # One writer at a time; a dry run changes nothing and needs no lock.
        with nullcontext() if dry_run else register_lock(into):
            return _run(
                ledger,
                into,
                sheet=sheet,
                kind=kind,
                mapping=mapping,
                dry_run=dry_run,
                skip_bad_rows=skip_bad_rows,
                force=force,
                lang=lang,
            )
    except IngestError as exc:
        print(f"lianneng: {exc.render(lang)}", file=sys.stderr)
        return Exit.USAGE
    except UsageError as exc:  # the register is locked by another writer
        print(f"lianneng: {exc}", file=sys.stderr)
        return Exit.USAGE
    except ConfigError as exc:
        REPORTERS["text"](Report(exc.problems, lang), sys.stdout)
        return Exit.USAGE


def _run(
    ledger: Path,
    into: Path,
    *,
    sheet: str | None,
    kind: str | None,
    mapping: Path | None,
    dry_run: bool,
    skip_bad_rows: bool,
    force: bool,
    lang: str,
) -> int:
    checked = check_register(into)
    policy = checked.policy.policy if checked.policy else None
    rules = load_mapping(mapping) if mapping is not None else None
    table = read_table(ledger, sheet, recogniser(policy).recognises)
    kind = kind or guess_kind(table.headers, policy)
    target = output_path(into, ledger, kind)
    exists = target.exists() and not force
    if exists and not dry_run:
        raise _exists(target, into)
    columns = map_columns(table, vocabulary(kind, policy), rules, policy.labels if policy else [])
    taken = _taken_ids(checked, target, into)
    imported = Builder(checked.register, policy, columns, taken).build(table)
    out = _Printer(lang)
    _report_reading(out, table, columns, kind, rules)
    _report_rows(out, imported)
    return _finish(out, imported, table, target, into, dry_run, skip_bad_rows, exists)


def _check_arguments(ledger: Path, into: Path, kind: str | None) -> None:
    if not ledger.is_file():
        raise IngestError(f"找不到文件 {ledger}", f"no such file: {ledger}")
    if not (into / "lianneng.yaml").is_file():
        raise IngestError(
            f"{into}:不是登记册目录(没有 lianneng.yaml);请先运行 lianneng init",
            f"{into}: not a register (no lianneng.yaml); run lianneng init first",
        )
    if kind is not None and kind not in KINDS:
        raise IngestError(
            f"--kind 只能是 risk 或 power,不是 '{kind}'", f"--kind is risk or power, not '{kind}'"
        )


def output_path(into: Path, ledger: Path, kind: str | None) -> Path:
    """`risks/imported-<stem>.yaml` (or `powers/…`): one file per source, easy to find and drop."""
    stem = UNSAFE_NAME.sub("-", ledger.stem).strip("-.") or "ledger"
    return into / KINDS[kind or "risk"].FOLDER / f"imported-{stem}.yaml"


def _exists(target: Path, into: Path) -> IngestError:
    rel = target.relative_to(into).as_posix()
    return IngestError(
        f"{rel} 已存在,未覆盖;如确需重新导入请加 --force",
        f"{rel} exists and was not overwritten; use --force to import again",
    )


def _taken_ids(checked: Checked, target: Path, into: Path) -> set[str]:
    """Ids in use: every record's, its inline controls', those of records that failed to load;
    but not those in the file about to be replaced (`--force` imports the same rows again)."""
    rel = target.relative_to(into).as_posix()
    register = checked.register
    replaced = {
        record.id
        for record in register.all_records()
        if record.origin is not None and record.origin.file == rel
    }
    return (set(register.ids) | register.broken_ids | set(register.steps)) - replaced


# ── reporting ──────────────────────────────────────────────────────────────────────────────


class _Printer:
    def __init__(self, lang: str) -> None:
        self.lang = lang
        self.console = stdout()

    def __call__(self, message: Message | str, style: str | None = None) -> None:
        text = message if isinstance(message, str) else message.render(self.lang)
        self.console.print(text, markup=False, style=style)


def _kind_label(kind: str, lang: str) -> str:
    model = KINDS[kind]
    return model.LABEL_EN if lang == "en" else model.LABEL_ZH


def _report_reading(
    out: _Printer, table: Table, columns: ColumnMap, kind: str, rules: Mapping | None
) -> None:
    rows = "、".join(str(n) for n in table.header_rows)
    where = table.where().render(out.lang)
    label = _kind_label(kind, out.lang)
    out(
        say(
            f"读取 {where}:表头在第 {rows} 行,数据 {len(table.rows)} 行,导入为{label}",
            f"read {where}: header in {_rows_en(table.header_rows)}, {len(table.rows)} data rows, "
            f"imported as {label}s",
        )
    )
    if table.other_sheets:
        names = "、".join(table.other_sheets)
        out(
            say(
                f"  工作簿中另有工作表:{names}(用 --sheet 选择)",
                f"  the workbook has other sheets: {names} (choose with --sheet)",
            )
        )
    out(say("列的对应:", "columns:"))
    for assigned in columns.assigned:
        target = assigned.target
        shown = say("序号(不导入)", "row number (not imported)") if target.field == NO else None
        text = shown.render(out.lang) if shown else target.field
        if target.value:
            text += f" = {target.value}"
        if target.timing:
            text += f"(timing: {target.timing})"
        how = say("(对应关系文件)", " (mapping file)").render(out.lang) if assigned.explicit else ""
        out(f"  {assigned.header.letter} {assigned.header.text} → {text}{how}")
    for header in columns.ignored:
        out(
            say(
                f"  {header.letter} {header.text} → 按对应关系文件忽略",
                f"  {header.letter} {header.text} → ignored (mapping file)",
            )
        )
    for header, first in columns.duplicates:
        out(
            say(
                f"  {header.letter} {header.text} → 未导入:与 {first.letter} 列对应同一字段",
                f"  {header.letter} {header.text} → not imported: column {first.letter} "
                "already feeds that field",
            ),
            style="yellow",
        )
    for name in columns.absent:
        out(
            say(
                f"  对应关系文件中的列“{name}”在表中没有",
                f"  the mapping file's column '{name}' is not in the table",
            ),
            style="yellow",
        )
    for header in columns.unmapped:
        name = header.text or say("(无列名)", "(no header)").render(out.lang)
        out(
            say(
                f"  {header.letter} {name} → 未对应到任何字段,未导入(可在 --mapping 文件中指定)",
                f"  {header.letter} {name} → matches no field, not imported (see --mapping)",
            ),
            style="yellow",
        )
    fields = columns.fields()
    if kind == "risk" and "title" not in fields and "manifestation" in fields:
        out(
            say(
                "  没有“风险点”列:以表现形式一列作为风险点名称",
                "  no risk point column: the manifestation column names each risk point",
            )
        )
    if kind == "risk" and "controls" not in fields:
        out(
            say(
                "  没有防控措施列:导入后 validate 会对每个风险点报告 C002",
                "  no controls column: validate will report C002 for each risk point",
            ),
            style="yellow",
        )
    if rules is not None and rules.defaults:
        pairs = "、".join(f"{k}={v}" for k, v in rules.defaults.items())
        out(say(f"  缺省取值:{pairs}", f"  defaults: {pairs.replace('、', ', ')}"))
    for row in table.banners:
        out(
            say(
                f"  第 {row} 行是跨整表的合并行(标题或说明),已跳过",
                f"  row {row} is merged across the table (a title or note): skipped",
            )
        )


def _rows_en(numbers: tuple[int, ...]) -> str:
    return f"row {numbers[0]}" if len(numbers) == 1 else f"rows {numbers[0]}–{numbers[-1]}"


def _report_rows(out: _Printer, imported: Imported) -> None:
    """Every reason a row fails, with its rows; one reason shared by many rows is said once."""
    for message in imported.summary:
        out(message)
    errors = _grouped(imported, notes=False)
    notes = _grouped(imported, notes=True)
    for (zh, en), rows in errors.items():
        out(say(f"第 {row_list(rows)} 行:{zh}", f"row {row_list(rows, ', ')}: {en}"), "bold red")
    for (zh, en), rows in notes.items():
        out(say(f"第 {row_list(rows)} 行(提示):{zh}", f"row {row_list(rows, ', ')} (note): {en}"))


def _grouped(imported: Imported, *, notes: bool) -> dict[tuple[str, str], list[int]]:
    """Messages (in both languages) → the rows that have them, in order of first appearance."""
    grouped: dict[tuple[str, str], list[int]] = {}
    for result in imported.results:
        for message in result.notes if notes else result.errors:
            key = (message.render("zh"), message.render("en"))
            grouped.setdefault(key, []).append(result.row)
    return grouped


def _finish(
    out: _Printer,
    imported: Imported,
    table: Table,
    target: Path,
    into: Path,
    dry_run: bool,
    skip_bad_rows: bool,
    exists: bool,
) -> int:
    rel = target.relative_to(into).as_posix()
    good, bad = len(imported.good), len(imported.bad)
    label = _kind_label(imported.kind, out.lang)
    if bad and not skip_bad_rows:
        out(
            say(
                f"有 {bad} 行无法导入,未写入任何文件;"
                f"修正后重试,或加 --skip-bad-rows 只导入其余 {good} 行",
                f"{bad} rows cannot be imported; nothing was written. Fix them, or use "
                f"--skip-bad-rows to import the other {good}",
            ),
            style="bold red",
        )
        return Exit.PROBLEMS
    if not good:
        out(say("没有可导入的行,未写入任何文件", "no rows to import; nothing was written"))
        return Exit.PROBLEMS
    text = records_yaml(
        imported, source=table.where(), schema=_schema(into, imported.kind), quote=format_scalar
    )
    skipped = say(f"(跳过 {bad} 行)", f" ({bad} rows skipped)").render(out.lang) if bad else ""
    if dry_run:
        out(
            say(
                f"试运行:将写入 {rel}:{good} 条{label}{skipped}",
                f"dry run: would write {rel}: {good} {label}s{skipped}",
            )
        )
        out(_preview(text, good, out.lang))
        if exists:
            out(_exists(target, into).render(out.lang), style="bold red")
            return Exit.USAGE
        return Exit.OK
    target.parent.mkdir(parents=True, exist_ok=True)
    write_atomic(target, text)
    out(say(f"已写入 {rel}:{good} 条{label}{skipped}", f"wrote {rel}: {good} {label}s{skipped}"))
    _recheck(out, into, rel)
    return Exit.OK


def _schema(into: Path, kind: str) -> str | None:
    """The editor's schema line, when the register keeps the schemas (`lianneng init` does)."""
    name = f"{kind}.schema.json"
    return f"../schemas/{name}" if (into / "schemas" / name).is_file() else None


def _preview(text: str, count: int, lang: str) -> str:
    """The file's head: its comments and the first records."""
    lines = text.splitlines()
    starts = [n for n, line in enumerate(lines) if line.startswith("- ")]
    end = starts[PREVIEW_RECORDS] - 2 if len(starts) > PREVIEW_RECORDS else len(lines)
    shown = "\n".join(lines[:end]).rstrip()
    rest = count - min(count, PREVIEW_RECORDS)
    if rest:
        shown += "\n" + (f"# … {rest} more" if lang == "en" else f"# …… 另有 {rest} 条")
    return "---\n" + shown


def _recheck(out: _Printer, into: Path, rel: str) -> None:
    """Check the register with the new file in it; show the problems that are in that file."""
    try:
        checked = check_register(into)
    except ConfigError as exc:
        REPORTERS["text"](Report(exc.problems, out.lang), sys.stdout)
        return
    mine = [p for p in checked.problems if p.path == rel or p.path.endswith("/" + rel)]
    if not mine:
        out(say(f"{rel} 通过检查", f"{rel} passes validation"), style="green")
        return
    REPORTERS["text"](Report(mine, out.lang), sys.stdout)
    if any(p.severity is Severity.ERROR for p in mine):
        out(
            say(
                "写入的记录还有上述问题,请在文件中补改后运行 lianneng validate",
                "the imported records have the problems above: fix them and run lianneng validate",
            ),
            style="yellow",
        )
