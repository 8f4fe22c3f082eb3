"""`lianneng import`: ledgers offices already keep (XLSX, CSV) become records that validate."""

from __future__ import annotations

import csv
import io
import re
import shutil
from pathlib import Path

import openpyxl
import pytest
from conftest import EXAMPLES, example_dirs
from openpyxl import Workbook

from lianneng.cli import main
from lianneng.commands.importing import run
from lianneng.ingest import row_list
from lianneng.ingest.records import split_controls, split_names
from lianneng.lock import LOCK_FILE, register_lock
from lianneng.model.power import PowerItem
from lianneng.model.risk import RiskPoint
from lianneng.pipeline import check_register
from lianneng.problems import Severity
from lianneng.scaffold import create_register

ORG = ("policy", "departments", "posts", "people")
INIT_RECORDS = ("commitments", "flows", "powers", "risks", "rules", "departments", "posts")
# Registers whose scopes table lacks the model's default 岗位: the ledger has no 风险层面 column,
# so the import is told the scope (`defaults:` in the mapping file).
SCOPE_DEFAULTS = {"city-government": "领导"}


def fresh_register(tmp_path: Path, example: str) -> Path:
    """A new register (`lianneng init`) holding the example's settings, policy and organisation,
    but none of its risk points, powers or flows."""
    root = tmp_path / "register"
    create_register(root, unit_name="导入测试", unit_code="IMP")
    for name in INIT_RECORDS:
        shutil.rmtree(root / name, ignore_errors=True)
    shutil.copy(EXAMPLES / example / "lianneng.yaml", root / "lianneng.yaml")
    for name in ORG:
        if (EXAMPLES / example / name).is_dir():
            shutil.copytree(EXAMPLES / example / name, root / name)
    return root


def do_import(ledger: Path, into: Path, **options: object) -> int:
    settings: dict[str, object] = {
        "sheet": None,
        "kind": None,
        "mapping": None,
        "dry_run": False,
        "skip_bad_rows": False,
        "force": False,
        "lang": "zh",
    }
    settings.update(options)
    return run(ledger, into, **settings)  # type: ignore[arg-type]


def errors_of(root: Path) -> list[str]:
    checked = check_register(root)
    return [
        f"{p.path}:{p.line} {p.code} {p.text('zh')}"
        for p in checked.problems
        if p.severity is Severity.ERROR
    ]


def imported_file(root: Path, stem: str, folder: str = "risks") -> Path:
    return root / folder / f"imported-{stem}.yaml"


def files_of(root: Path) -> dict[str, bytes]:
    """The register's files and contents (the writers' lock file is no content)."""
    return {
        p.relative_to(root).as_posix(): p.read_bytes()
        for p in sorted(root.rglob("*"))
        if p.is_file() and p.name != LOCK_FILE
    }


def write_csv(path: Path, rows: list[list[str]], encoding: str = "utf-8") -> Path:
    buffer = io.StringIO()
    csv.writer(buffer).writerows(rows)
    path.write_bytes(buffer.getvalue().encode(encoding))
    return path


# ── round trip: the tool's own ledger reads back ───────────────────────────────────────────


def ledger_levels(path: Path) -> dict[str, str]:
    """风险点 → 风险等级 as the published ledger says (titles without their 〔tag〕 marks)."""
    sheet = openpyxl.load_workbook(path).worksheets[0]
    header = [cell.value for cell in sheet[2]]
    title, level = header.index("风险点"), header.index("风险等级")
    return {
        re.sub(r"〔[^〕]*〕", "", row[title]): row[level]
        for row in sheet.iter_rows(min_row=3, values_only=True)
    }


@pytest.mark.parametrize("example", [p.name for p in example_dirs()])
def test_round_trip_of_every_example_ledger(
    example: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "published"
    published = main(
        [
            "publish",
            str(EXAMPLES / example),
            "--out",
            str(out),
            "-a",
            "internal",
            "-f",
            "xlsx",
            "--script",
            "simplified",  # sineng publishes in traditional script; its register is simplified
            "-q",
        ]
    )
    assert published == 0
    ledger = out / "internal" / "ledger.xlsx"
    expected = ledger_levels(ledger)
    root = fresh_register(tmp_path, example)
    mapping = None
    if example in SCOPE_DEFAULTS:
        mapping = tmp_path / "mapping.yaml"
        mapping.write_text(f"defaults:\n  scope: {SCOPE_DEFAULTS[example]}\n", encoding="utf-8")
    capsys.readouterr()

    assert do_import(ledger, root, sheet="廉政风险防控台帐", mapping=mapping) == 0
    output = capsys.readouterr().out
    assert "risks/imported-ledger.yaml" in output
    assert "未对应" not in output  # every column of our own ledger is understood

    assert errors_of(root) == []
    checked = check_register(root)
    graded = {risk.title: checked.grades[risk.id].level for risk in checked.register.of(RiskPoint)}
    assert graded == expected
    stored = {risk.title: risk.level for risk in checked.register.of(RiskPoint)}
    assert stored == expected  # the ledger's level is written, and agrees with the policy


def test_round_trip_keeps_controls_posts_and_leaders(tmp_path: Path) -> None:
    out = tmp_path / "published"
    assert main(["publish", str(EXAMPLES / "zhijianju"), "--out", str(out), "-a", "internal"]) == 0
    root = fresh_register(tmp_path, "zhijianju")
    assert do_import(out / "internal" / "ledger.xlsx", root) == 0
    original = check_register(EXAMPLES / "zhijianju").register
    imported = check_register(root).register
    before = {r.title: r for r in original.of(RiskPoint)}
    for risk in imported.of(RiskPoint):
        source = before[risk.title]
        assert risk.id.startswith("RP-IMP-")
        assert risk.department == source.department
        assert risk.posts == source.posts
        assert risk.responsible_leader == source.responsible_leader
        assert risk.tags == source.tags
        texts = [c.description for c in imported.controls() if c.id.startswith(risk.id + "-C")]
        wanted = [c.description for c in original.controls() if c.id in source.control_ids()]
        wanted += [
            c.description for c in original.controls() if risk.title and source.id in c.risks
        ]
        assert sorted(texts) == sorted(set(wanted))


def test_ledger_published_in_traditional_script_reads_back(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """sineng publishes in traditional script (seed 004): the headers and the names are read in
    simplified script, as the register writes them."""
    out = tmp_path / "published"
    assert main(["publish", str(EXAMPLES / "sineng"), "--out", str(out), "-a", "internal"]) == 0
    ledger = out / "internal" / "ledger.xlsx"
    assert "風險點" in [c.value for c in openpyxl.load_workbook(ledger).worksheets[0][2]]
    root = fresh_register(tmp_path, "sineng")
    capsys.readouterr()
    assert do_import(ledger, root) == 0
    assert "繁体,已转为简体" in capsys.readouterr().out
    assert errors_of(root) == []
    original = {
        r.title: r.level for r in check_register(EXAMPLES / "sineng").register.of(RiskPoint)
    }
    imported = {r.title: r.level for r in check_register(root).register.of(RiskPoint)}
    assert imported == original


def test_problems_of_the_written_file_are_shown(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A disclosure list has the level but not what it rests on: the records are written with
    the list's levels, and the missing grading inputs are reported as validate reports them."""
    out = tmp_path / "published"
    assert main(["publish", str(EXAMPLES / "zhijianju"), "--out", str(out), "-a", "internal"]) == 0
    root = fresh_register(tmp_path, "zhijianju")
    capsys.readouterr()
    assert do_import(out / "internal" / "risk-list.xlsx", root) == 0
    output = capsys.readouterr().out
    assert "(提示):缺少评级要素 'likelihood',无法评级(按台帐的等级写入,请补填)" in output
    assert "risks/imported-risk-list.yaml" in output
    assert "错误 G002 缺少评级要素 'likelihood'" in output
    assert {e.split()[1] for e in errors_of(root)} == {"G002"}


# ── ledgers made by hand ───────────────────────────────────────────────────────────────────


def office_workbook(path: Path) -> Path:
    """As offices lay it out: a title merged across, a label line, a two-row header under which
    风险等级 spans 发生机率/危害程度/等级, a 科室 merged down over three rows, a blank row, and
    a signature line merged across at the bottom."""
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = "一览表"
    sheet.append(["某市质量技术监督局廉政风险防控一览表"])
    sheet.append(["填报单位：办公室　　填报时间：2026年3月"])
    sheet.append(
        [
            "序号",
            "科室",
            "风险类别",
            "廉政风险点",
            "风险点表现形式",
            "涉险岗位",
            "风险等级",
            None,
            None,
            "防控措施",
            "部门负责人",
        ]
    )
    sheet.append([None] * 6 + ["发生机率", "危害程度", "等级", None, None])
    for column in "ABCDEFJK":
        sheet.merge_cells(f"{column}3:{column}4")
    for row in ("A1:K1", "A2:K2", "G3:I3"):
        sheet.merge_cells(row)
    sheet.append(
        [
            1,
            "办公室",
            "制度机制",
            "坐支现金、公款私存",
            "出纳收入现金不及时入账",
            "出纳岗",
            "较小",
            "严重",
            "一级",
            "1.会计、出纳分设;2.全面推行公务卡",
            "办公室主任",
        ]
    )
    sheet.append(
        [
            2,
            None,
            "岗位职责风险",
            "报销审核把关不严",
            "对超标准支出予以报销",
            "会计岗",
            "较高",
            "较重",
            "二级",
            "(1)会计审核、办公室主任复核\n(2)经费每季度公开",
            "办公室主任",
        ]
    )
    sheet.append(
        [
            3,
            None,
            "业务流程",
            "采购中收受好处",
            "长期向固定供应商采购",
            "基建采购岗、办公室主任",
            "较小",
            "一般",
            "三级",
            "询价比价\n验收与采购分离",
            "办公室主任",
        ]
    )
    sheet.merge_cells("B5:B7")
    sheet.append([])
    sheet.append(
        [4, "行政许可科", "岗位职责", "受理环节刁难申请人", "不一次性告知", "窗口受理岗"]
        + ["较高", "较重", "二级", "推行一次性告知书", None]
    )
    sheet.append(["填表人：张三　　审核人：李四"])
    sheet.merge_cells("A10:K10")
    workbook.save(path)
    return path


def test_office_workbook_with_merged_cells_and_two_row_header(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = fresh_register(tmp_path, "zhijianju")
    ledger = office_workbook(tmp_path / "一览表.xlsx")
    assert do_import(ledger, root) == 0
    output = capsys.readouterr().out
    assert "表头在第 3、4 行" in output
    assert "G 风险等级/发生机率 → likelihood" in output
    assert "H 风险等级/危害程度 → impact" in output
    assert "I 风险等级/等级 → level" in output
    assert "第 10 行是跨整表的合并行" in output
    assert "通过检查" in output
    assert errors_of(root) == []
    register = check_register(root).register
    risks = {r.title: r for r in register.of(RiskPoint)}
    assert list(risks) == [
        "坐支现金、公款私存",
        "报销审核把关不严",
        "采购中收受好处",
        "受理环节刁难申请人",
    ]
    # The 科室 merged over rows 5–7 applies to each of them.
    assert [risks[t].department for t in list(risks)[:3]] == ["D-BGS"] * 3
    assert risks["报销审核把关不严"].category == "岗位职责"  # 岗位职责风险, as the table spells it
    assert risks["采购中收受好处"].posts == ["P-BGS-CG", "P-BGS-ZR"]
    first = risks["坐支现金、公款私存"]
    assert [c.description for c in first.inline_controls()] == ["会计、出纳分设", "全面推行公务卡"]
    assert [c.id for c in first.inline_controls()] == ["RP-IMP-001-C1", "RP-IMP-001-C2"]
    assert {c.owner for c in first.inline_controls()} == {"P-BGS-ZR"}
    # No 部门负责人 in the row: the department's head owns the controls.
    assert risks["受理环节刁难申请人"].inline_controls()[0].owner == "P-XKK-KZ"
    text = imported_file(root, "一览表").read_text(encoding="utf-8")
    assert text.startswith("# yaml-language-server: $schema=../schemas/risk.schema.json\n")
    assert "一览表.xlsx" in text.splitlines()[1]
    assert "# 第 9 行 / row 9" in text


def test_gbk_csv_with_two_row_header(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = fresh_register(tmp_path, "zhijianju")
    ledger = write_csv(
        tmp_path / "台帐.csv",
        [
            ["某市质量技术监督局廉政风险防控台帐"] + [""] * 8,
            ["序号", "部门", "风险类别", "风险点", "主要内容及表现形式", "风险等级", ""]
            + ["防控要点及措施", "责任领导"],
            ["", "", "", "", "", "发生机率", "危害程度", "", ""],
            ["1", "行政许可科", "岗位职责", "受理环节刁难申请人", "不一次性告知补正材料"]
            + [
                "较高",
                "较重",
                "1. 推行一次性告知书\n2. 窗口设服务评价器",
                "副局长(分管许可与计量)",
            ],
            [""] * 9,
            ["2", "计量科", "岗位职责", "计量检定收受好处", "出具虚假检定证书", "较小", "一般"]
            + ["检定证书两人复核", "副局长(分管许可与计量)(李某)"],
        ],
        encoding="gbk",
    )
    assert do_import(ledger, root) == 0
    output = capsys.readouterr().out
    assert "编码 GBK/GB18030" in output
    assert "表头在第 2、3 行,数据 2 行" in output
    assert "F 风险等级/发生机率 → likelihood" in output
    assert errors_of(root) == []
    checked = check_register(root)
    risks = {r.title: r for r in checked.register.of(RiskPoint)}
    assert risks["受理环节刁难申请人"].responsible_leader == "P-FJZ-XZ"
    assert risks["计量检定收受好处"].responsible_leader == "P-FJZ-XZ"
    assert len(risks["受理环节刁难申请人"].inline_controls()) == 2
    # No 风险等级 column of its own: the level comes from the policy.
    assert checked.grades[risks["受理环节刁难申请人"].id].level == "二级"


def test_utf8_csv_with_bom_and_english_headers(tmp_path: Path) -> None:
    root = fresh_register(tmp_path, "zhijianju")
    ledger = write_csv(
        tmp_path / "ledger-en.csv",
        [
            ["No.", "Department", "Category", "Risk point", "likelihood", "impact", "Level"]
            + ["Controls"],
            ["1", "计量科", "岗位职责", "计量检定收受好处", "较小", "一般", "三级", "两人复核"],
        ],
        encoding="utf-8-sig",
    )
    assert do_import(ledger, root) == 0
    assert errors_of(root) == []


def test_ticked_level_columns(tmp_path: Path) -> None:
    """风险等级 spanning 一级/二级/三级 with a tick under the level."""
    root = fresh_register(tmp_path, "zhijianju")
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.append(["序号", "部门", "风险类别", "风险点", "发生机率", "危害程度", "风险等级"])
    sheet.append([None] * 6 + ["一级", "二级", "三级"])
    sheet["J1"] = "防控措施"
    sheet.merge_cells("G1:I1")
    for column in "ABCDEFJ":
        sheet.merge_cells(f"{column}1:{column}2")
    sheet.append([1, "计量科", "岗位职责", "计量检定收受好处", "较小", "一般", None, None, "√"])
    sheet["J3"] = "两人复核"
    workbook.save(tmp_path / "ticks.xlsx")
    assert do_import(tmp_path / "ticks.xlsx", root) == 0
    (risk,) = check_register(root).register.of(RiskPoint)
    assert risk.level == "三级"


# ── bad rows, dry runs, mappings, overwriting ──────────────────────────────────────────────


def bad_ledger(path: Path) -> Path:
    return write_csv(
        path,
        [
            ["序号", "部门", "风险类别", "风险点", "发生机率", "危害程度", "风险等级", "防控措施"],
            [
                "1",
                "行政许可科",
                "岗位职责",
                "受理环节刁难申请人",
                "较高",
                "较重",
                "二级",
                "一次性告知",
            ],
            ["2", "行政许可股", "岗位职责", "许可审查走过场", "较高", "较重", "二级", "两人审查"],
            ["3", "计量科", "岗位职责", "", "较小", "一般", "三级", "证书复核"],
            [""] * 8,
            ["4", "计量科", "岗位职责", "计量检定收受好处", "较小", "一般", "四级", "两人复核"],
            ["5", "计量科", "岗位职责", "强制检定不到位", "较小", "一般", "三级", "每季度抽查"],
        ],
    )


def test_dry_run_reports_each_bad_row_and_writes_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = fresh_register(tmp_path, "zhijianju")
    before = files_of(root)
    ledger = bad_ledger(tmp_path / "bad.csv")
    assert do_import(ledger, root, dry_run=True) == 1
    output = capsys.readouterr().out
    assert "第 3 行:部门“行政许可股”不存在;是否指“行政许可科”?" in output
    assert "第 4 行:缺少风险点(title)" in output
    assert "第 6 行:风险等级“四级”不是评级办法的等级(一级、二级、三级)" in output
    assert "第 5 行" not in output  # the empty row in the middle is skipped silently
    assert "第 2 行" not in output and "第 7 行" not in output
    assert "有 3 行无法导入,未写入任何文件" in output
    assert files_of(root) == before

    assert do_import(ledger, root) == 1  # the same without --dry-run: still nothing written
    assert files_of(root) == before


def test_bad_rows_in_english(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = fresh_register(tmp_path, "zhijianju")
    assert do_import(bad_ledger(tmp_path / "bad.csv"), root, dry_run=True, lang="en") == 1
    output = capsys.readouterr().out
    assert "row 3: no department named '行政许可股'; did you mean '行政许可科'?" in output
    assert "row 4: risk point (title) is missing" in output
    assert "3 rows cannot be imported; nothing was written" in output


def test_skip_bad_rows_writes_the_good_rows_only(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = fresh_register(tmp_path, "zhijianju")
    ledger = bad_ledger(tmp_path / "bad.csv")
    assert do_import(ledger, root, dry_run=True, skip_bad_rows=True) == 0
    output = capsys.readouterr().out
    assert "试运行:将写入 risks/imported-bad.yaml:2 条风险点(跳过 3 行)" in output
    assert "- id: RP-IMP-001" in output  # the preview
    assert not imported_file(root, "bad").exists()

    assert do_import(ledger, root, skip_bad_rows=True) == 0
    text = imported_file(root, "bad").read_text(encoding="utf-8")
    assert "# 第 2 行 / row 2" in text and "# 第 7 行 / row 7" in text
    titles = [r.title for r in check_register(root).register.of(RiskPoint)]
    assert titles == ["受理环节刁难申请人", "强制检定不到位"]
    assert errors_of(root) == []


def test_mapping_file_overrides_the_guess(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = fresh_register(tmp_path, "zhijianju")
    ledger = write_csv(
        tmp_path / "mapped.csv",
        [
            ["序号", "科室", "风险类别", "风险描述", "风险点", "发生机率", "危害程度", "防控措施"]
            + ["说明"],
            ["1", "计量科", "岗位职责", "计量检定收受好处", "出具虚假检定证书", "较小", "一般"]
            + ["两人复核", "检定员与送检单位熟识"],
        ],
    )
    # Guessed: 风险点 is the title; 风险描述 and 说明 are reported, not dropped silently.
    assert do_import(ledger, root, dry_run=True) == 0
    output = capsys.readouterr().out
    assert "D 风险描述 → 未对应到任何字段,未导入" in output
    assert "I 说明 → 未对应到任何字段,未导入" in output
    assert "title: 出具虚假检定证书" in output

    mapping = tmp_path / "mapping.yaml"
    mapping.write_text(
        "风险描述: title\n风险点: 主要内容及表现形式\n说明: causes\n序号: ignore\n",
        encoding="utf-8",
    )
    assert do_import(ledger, root, mapping=mapping) == 0
    output = capsys.readouterr().out
    assert "D 风险描述 → title(对应关系文件)" in output
    assert "未对应" not in output
    (risk,) = check_register(root).register.of(RiskPoint)
    assert risk.title == "计量检定收受好处"
    assert risk.manifestation == "出具虚假检定证书"
    assert risk.causes == "检定员与送检单位熟识"


def test_mapping_with_an_unknown_field_is_a_usage_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = fresh_register(tmp_path, "zhijianju")
    mapping = tmp_path / "mapping.yaml"
    mapping.write_text("风险描述: titel\n", encoding="utf-8")
    ledger = bad_ledger(tmp_path / "bad.csv")
    assert do_import(ledger, root, mapping=mapping) == 2
    assert "是否指 'title'" in capsys.readouterr().err


def test_existing_file_is_not_overwritten_without_force(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = fresh_register(tmp_path, "zhijianju")
    ledger = office_workbook(tmp_path / "一览表.xlsx")
    assert do_import(ledger, root) == 0
    target = imported_file(root, "一览表")
    target.write_text(target.read_text(encoding="utf-8") + "# 手工补充的说明\n", encoding="utf-8")
    edited = target.read_bytes()
    capsys.readouterr()

    assert do_import(ledger, root) == 2
    assert "已存在,未覆盖;如确需重新导入请加 --force" in capsys.readouterr().err
    assert target.read_bytes() == edited
    assert do_import(ledger, root, dry_run=True) == 2  # the dry run says what the run would do
    assert "已存在,未覆盖" in capsys.readouterr().out
    assert target.read_bytes() == edited

    assert do_import(ledger, root, force=True) == 0
    text = target.read_text(encoding="utf-8")
    assert "手工补充的说明" not in text
    assert "- id: RP-IMP-001" in text  # its own earlier ids are free to use again
    assert errors_of(root) == []


def test_generated_ids_do_not_collide(tmp_path: Path) -> None:
    root = fresh_register(tmp_path, "zhijianju")
    ledger = office_workbook(tmp_path / "一览表.xlsx")
    assert do_import(ledger, root) == 0
    shutil.copy(ledger, tmp_path / "第二批.xlsx")
    assert do_import(tmp_path / "第二批.xlsx", root) == 0
    second = imported_file(root, "第二批").read_text(encoding="utf-8")
    assert "- id: RP-IMP-005" in second and "- id: RP-IMP-001\n" not in second
    assert errors_of(root) == []


def test_another_writer_holds_the_register(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = fresh_register(tmp_path, "zhijianju")
    ledger = office_workbook(tmp_path / "一览表.xlsx")
    with register_lock(root):
        assert do_import(ledger, root) == 2
        assert "另一个 lianneng 进程" in capsys.readouterr().err
        assert do_import(ledger, root, dry_run=True) == 0  # reading needs no lock
    assert not imported_file(root, "一览表").exists()


def test_usage_errors(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = fresh_register(tmp_path, "zhijianju")
    ledger = office_workbook(tmp_path / "一览表.xlsx")
    assert do_import(tmp_path / "nothing.xlsx", root) == 2
    assert "找不到文件" in capsys.readouterr().err
    assert do_import(ledger, tmp_path) == 2
    assert "不是登记册目录" in capsys.readouterr().err
    assert do_import(ledger, root, sheet="台帐") == 2
    assert "没有工作表“台帐”;现有:一览表" in capsys.readouterr().err
    (tmp_path / "old.xls").write_bytes(b"\xd0\xcf\x11\xe0")
    assert do_import(tmp_path / "old.xls", root) == 2
    assert ".xlsx" in capsys.readouterr().err
    notes = write_csv(tmp_path / "notes.csv", [["会议记录"], ["今天讨论了廉政风险"]])
    assert do_import(notes, root) == 2
    assert "找不到表头行" in capsys.readouterr().err


# ── power items ────────────────────────────────────────────────────────────────────────────


def test_power_catalogue_csv(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = fresh_register(tmp_path, "zhijianju")
    ledger = write_csv(
        tmp_path / "权力清单.csv",
        [
            ["序号", "事项名称", "编码", "事项类型", "实施主体", "设定依据", "法定时限"]
            + ["收费依据", "监督投诉方式"],
            ["1", "计量标准器具核准", "XK-JL-01", "行政许可", "计量科", "《计量法》第六条"]
            + ["20 个工作日", "不收费", "12365"],
            ["2", "产品质量监督抽查", "JC-ZL-01", "JC", "质量与标准化科", "《产品质量法》第十五条"]
            + ["", "不收费", "12365"],
        ],
    )
    assert do_import(ledger, root) == 0  # the kind is guessed from the headers
    output = capsys.readouterr().out
    assert "导入为职权事项" in output
    assert "powers/imported-权力清单.yaml" in output
    checked = check_register(root)
    powers = {p.name: p for p in checked.register.of(PowerItem)}
    assert powers["计量标准器具核准"].department == "D-JLK"
    assert powers["计量标准器具核准"].code == "XK-JL-01"
    assert powers["产品质量监督抽查"].category == "行政检查"  # the code, named by the table
    assert powers["计量标准器具核准"].id == "PW-IMP-001"
    # Imported power items are not yet assessed (C001): reported, nothing else is wrong.
    assert {e.split()[1] for e in errors_of(root)} == {"C001"}


# ── cell texts ─────────────────────────────────────────────────────────────────────────────


@pytest.mark.parametrize(
    ("cell", "controls"),
    [
        ("1. 甲\n2. 乙", ["甲", "乙"]),
        ("1、甲;\n2、乙。", ["甲", "乙。"]),
        ("(1)甲\n(2)乙", ["甲", "乙"]),
        ("①甲②乙", ["甲", "乙"]),
        ("①甲\n②乙", ["甲", "乙"]),
        ("1.甲;2.乙;3.丙", ["甲", "乙", "丙"]),
        ("甲\n乙", ["甲", "乙"]),
        ("1. 甲\n补充说明\n2. 乙", ["甲\n补充说明", "乙"]),
        ("单位 1.5 万元以上集体研究", ["单位 1.5 万元以上集体研究"]),
        ("2 人以上共同检查", ["2 人以上共同检查"]),
    ],
)
def test_split_controls(cell: str, controls: list[str]) -> None:
    assert split_controls(cell) == controls


def test_split_names_keeps_a_known_name_whole() -> None:
    known = ["会计岗", "出纳岗", "查封、扣押执行岗"]
    assert split_names("会计岗、出纳岗", known) == ["会计岗", "出纳岗"]
    assert split_names("查封、扣押执行岗、会计岗", known) == ["查封、扣押执行岗", "会计岗"]


def test_row_list() -> None:
    assert row_list([3, 4, 5, 8, 10, 11]) == "3–5、8、10–11"
    assert row_list([7], ", ") == "7"
