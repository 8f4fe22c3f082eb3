"""Each seed's own rule, shown working on its example register; each test fails if the rule did."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from conftest import EXAMPLES

from lianneng.grading.engine import grade_whole, wholes_of
from lianneng.model.flow import Flow
from lianneng.model.risk import RiskPoint
from lianneng.model.warning import Warning
from lianneng.pipeline import check_register

TODAY = ("--today", "2026-06-01")


def checked(name: str):  # type: ignore[no-untyped-def]
    return check_register(EXAMPLES / name)


def published(run, name: str, out: Path, *args: str) -> Path:  # type: ignore[no-untyped-def]
    result = run("publish", str(EXAMPLES / name), "--out", str(out), "-f", "md", "--quiet", *args)
    assert result.code == 0, result.out
    return out


# ── 000 质监局 ────────────────────────────────────────────────────────────────────────────


def test_000_six_categories_and_the_higher_of_likelihood_and_harm() -> None:
    result = checked("zhijianju")
    assert result.register.config.table("categories") == [
        "思想道德",
        "岗位职责",
        "业务流程",
        "制度机制",
        "工作效率",
        "外部环境",
    ]
    assert {r.category for r in result.register.of(RiskPoint)} >= {"工作效率"}
    for risk in result.register.of(RiskPoint):
        expected = (
            "一级"
            if risk.likelihood == "高" or risk.impact == "严重"
            else ("二级" if risk.likelihood == "较高" or risk.impact == "较重" else "三级")
        )
        assert result.grades[risk.id].level == expected, risk.id


def test_000_risks_shown_inside_the_unit_catalogues_to_society(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    out = published(run, "zhijianju", tmp_path / "site")
    public = {p.name for p in (out / "public").iterdir()}
    assert {"power-catalogue.md", "flow-catalogue.md"} <= public
    assert "risk-list.md" not in public and "statistics.md" not in public
    assert "风险点" not in (out / "public" / "flows.md").read_text(encoding="utf-8")
    internal = (out / "internal" / "risk-list.md").read_text(encoding="utf-8")
    assert "选择性立案、压案不查" in internal
    assert {"form-000-1.md", "form-000-2.md"} <= {p.name for p in (out / "internal").iterdir()}


def test_000_yellow_card_and_monthly_report(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    listed = run("warnings", "--repo", str(EXAMPLES / "zhijianju"), "-f", "json", *TODAY)
    cards = {(c["kind"], c["id"]) for c in json.loads(listed.out)["yellow_cards"]}
    assert cards == {("post", "P-JCDD-ZF"), ("department", "D-JCDD")}
    result = run(
        "report",
        str(EXAMPLES / "zhijianju"),
        "--period",
        "2026-07",
        "--today",
        "2026-07-31",
        "--out",
        str(tmp_path / "r"),
        "-f",
        "md",
    )
    assert result.code == 0
    text = (tmp_path / "r" / "filing" / "report-2026-07.md").read_text(encoding="utf-8")
    assert "W-2026-002" in text and "执法办案岗" in text  # issued in July


# ── 001 县 预警机制 ──────────────────────────────────────────────────────────────────────


def test_001_three_warning_actions_and_triple_one_flags(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    result = checked("county-warning")
    actions = {w.action for w in result.register.of(Warning)}
    assert {"谈话函询", "警示诫勉", "责令纠错"} <= actions
    assert any(r.scope == "领导" for r in result.register.of(RiskPoint))
    out = published(run, "county-warning", tmp_path / "site")
    catalogue = (out / "public" / "power-catalogue.md").read_text(encoding="utf-8")
    assert "三重一大" in catalogue and "风险点及防控措施公示表" in (
        out / "public" / "risk-list.md"
    ).read_text(encoding="utf-8")


# ── 002 市政府领导班子 ─────────────────────────────────────────────────────────────────────


def test_002_city_government_supervision_by_level(copy_register, run) -> None:  # type: ignore[no-untyped-def]
    root = copy_register(EXAMPLES / "city-government")
    assert run("validate", str(root), "--strict", *TODAY).code == 0
    risks = root / "risks" / "FSZ.yaml"
    text = risks.read_text(encoding="utf-8")
    # An ordinary (三级) risk is the executive deputy's to supervise, not the mayor's.
    risks.write_text(
        text.replace(
            "  level: 三级\n  responsible_leader: P-FSZ-NY\n  supervisor: P-CWFSZ",
            "  level: 三级\n  responsible_leader: P-FSZ-NY\n  supervisor: P-SZ",
            1,
        ),
        encoding="utf-8",
    )
    result = run("validate", str(root), "-f", "parsable", *TODAY)
    assert result.code == 1 and "G006" in result.out and "P-SZ" in result.out


# ── 002 河东工商分局 ─────────────────────────────────────────────────────────────────────


def test_002_hedong_integrity_and_regulatory_risks_graded_by_consequence(
    run, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    result = checked("hedong-aic")
    risks = result.register.of(RiskPoint)
    assert {r.nature for r in risks} == {"廉政", "监管"}
    by_consequence = {"追究刑事责任": "一级", "党纪政纪处分": "二级"}
    for risk in risks:
        if risk.consequence in by_consequence:
            assert result.grades[risk.id].level == by_consequence[risk.consequence], risk.id
    out = published(run, "hedong-aic", tmp_path / "site", "-a", "public")
    letters = (out / "public" / "commitments.md").read_text(encoding="utf-8")
    assert "企业注册科科长个人廉政风险和监管风险防范承诺书" in letters
    assert letters.count("承诺内容") >= 2  # the unit's and the published personal letters


# ── 002 腐败风险等级评估办法 ──────────────────────────────────────────────────────────────


def test_002_power_weight_grades_departments_and_files_level_one_controls(
    run, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    result = checked("power-weight")
    assert result.policy is not None
    grades = {
        w.id: grade_whole(result.policy.policy, w, result.grades)
        for w in wholes_of(result.register)
        if w.kind == "department"
    }
    assert grades["D-XZSP"].level == "一级"  # holds 行政许可
    assert grades["D-ZCFG"].level == "三级"  # holds none of the important powers
    out = published(run, "power-weight", tmp_path / "site", "-a", "filing")
    filed = (out / "filing" / "controls-filing.md").read_text(encoding="utf-8")
    assert "一级 · 局党组" in filed and "行政审批科" in filed


# ── 002 安阳 ────────────────────────────────────────────────────────────────────────────


def test_002_anyang_class_decides_the_level() -> None:
    result = checked("anyang-aic")
    expected = {
        "行政许可类": "一级",
        "行政审批类": "一级",
        "行政处罚类": "一级",
        "行政事务管理类": "一级",
        "监督检查类": "二级",
        "公共类": "三级",
    }
    for risk in result.register.of(RiskPoint):
        if risk.business_class:
            assert result.grades[risk.id].level == expected[risk.business_class], risk.id


# ── 003 民政部 ──────────────────────────────────────────────────────────────────────────


def test_003_two_classes_by_domain_and_the_self_check_form(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    result = checked("mca")
    first_class = {
        "重大资金物资分配使用",
        "重大项目审批和实施",
        "行政审批",
        "行政监督",
        "行政处罚",
        "干部选拔使用",
        "人员安置",
    }
    for risk in result.register.of(RiskPoint):
        assert result.grades[risk.id].level == (
            "一类" if risk.business_class in first_class else "二类"
        ), risk.id
    out = published(run, "mca", tmp_path / "site", "-a", "internal")
    assert "廉政风险自查表" in (out / "internal" / "form-003.md").read_text(encoding="utf-8")


# ── 004 四能管控 ─────────────────────────────────────────────────────────────────────────


def test_004_every_step_marked_a_b_c_forms_in_traditional(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    result = checked("sineng")
    assert result.policy is not None and result.policy.policy.labels == ["A级", "B级", "C级"]
    for flow in result.register.of(Flow):
        for step in flow.steps:
            assert step.risks, f"{flow.id}/{step.id} has no risk point marked"
    out = published(run, "sineng", tmp_path / "site", "-a", "internal")
    names = {p.name for p in (out / "internal").iterdir()}
    assert {f"form-004-{n}.md" for n in (1, 2, 3, 4)} <= names
    flows = (out / "internal" / "flows.md").read_text(encoding="utf-8")
    assert "權力運行流程圖" in flows and re.search(r"[ABC]級", flows)


# ── 002 国税局 ──────────────────────────────────────────────────────────────────────────


@pytest.mark.skipif(not (EXAMPLES / "guoshui" / "lianneng.yaml").is_file(), reason="no example")
def test_002_tax_alerts_opened_and_cleared_and_the_assessment(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    result = checked("guoshui")
    alerts = [w for w in result.register.of(Warning) if w.action == "风险布控"]
    assert len(alerts) == 10 and sum(w.status == "已解除" for w in alerts) == 9
    listed = run("warnings", "--repo", str(EXAMPLES / "guoshui"), "-f", "json", *TODAY)
    assert len(json.loads(listed.out)["open"]) == 1
    assessed = run(
        "report",
        str(EXAMPLES / "guoshui"),
        "--assessment",
        "--today",
        "2026-06-30",
        "--out",
        str(tmp_path / "a"),
        "-f",
        "md",
    )
    assert assessed.code == 0
    sheet = (tmp_path / "a" / "filing" / "assessment.md").read_text(encoding="utf-8")
    assert re.search(r"\| \d+(\.\d+)?/\d+ \|", sheet)
