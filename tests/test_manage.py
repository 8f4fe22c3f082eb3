"""Dynamic management: dated checks, reviews, warnings from issue to close, yellow cards,
reports."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from test_filing import commit_all, git

POLICY = (
    (Path(__file__).parent.parent / "src/lianneng/data/policies/three-levels.yaml").read_text(
        encoding="utf-8"
    )
    + """
yellow_card: {complaints: 2, bottom: 3}
assessment:
  - name: 预警处置
    points: 20
    deductions: [{fact: open_warnings, points: 5}, {fact: overdue_warnings, points: 5}]
  - name: 风险防控
    points: 30
    deductions: [{fact: controls_not_done, points: 2}, {fact: overdue_reviews, points: 3}]
  - name: 廉洁自律
    points: 50
    deductions: [{fact: verified_complaints, points: 10}, {fact: yellow_cards, points: 20}]
"""
)

SECOND_DEPARTMENT = """
- id: D-YWK
  name: 业务科
  type: 科室
"""

SIGNALS = """\
- id: S-1
  target: P-BGS-CW
  type: 信访举报
  date: 2026-03-02
  verified: true
  source: 匿名来信
- id: S-2
  target: P-BGS-CW
  type: 信访举报
  date: 2026-04-11
  verified: true
- id: S-3
  target: P-BGS-ZR
  type: 信访举报
  date: 2026-04-12
  verified: false
- id: S-4
  target: D-YWK
  type: 民主测评
  date: 2026-06-30
  rank: 18
  ranked: 20
- id: S-5
  target: D-BGS
  type: 民主测评
  date: 2026-06-30
  rank: 5
  ranked: 20
"""


@pytest.fixture
def register(tmp_path: Path, run) -> Path:  # type: ignore[no-untyped-def]
    root = tmp_path / "reg"
    assert run("init", str(root)).code == 0
    (root / "policy").mkdir()
    (root / "policy" / "mine.yaml").write_text(
        POLICY.replace("id: three-levels", "id: mine"), encoding="utf-8"
    )
    config = root / "lianneng.yaml"
    config.write_text(
        config.read_text(encoding="utf-8").replace("builtin:three-levels", "policy/mine.yaml"),
        encoding="utf-8",
    )
    departments = root / "departments" / "departments.yaml"
    departments.write_text(
        departments.read_text(encoding="utf-8") + SECOND_DEPARTMENT, encoding="utf-8"
    )
    risk = root / "risks" / "RP-001.yaml"
    risk.write_text(
        risk.read_text(encoding="utf-8").replace(
            "    rules: [R-001]", "    rules: [R-001]\n    due: 2026-06-30\n    status: 落实中"
        ),
        encoding="utf-8",
    )
    return root


def problems(run, root: Path, *args: str) -> set[tuple[str, str]]:  # type: ignore[no-untyped-def]
    result = run("validate", str(root), "-f", "json", *args)
    return {
        (p["code"], re.search(r"'([^']+)'", p["message"]).group(1))  # type: ignore[union-attr]
        for p in json.loads(result.out)["problems"]
    }


def test_validate_today_flags_exactly_the_overdue_items(register: Path, run) -> None:  # type: ignore[no-untyped-def]
    assert (
        run(
            "warnings",
            "issue",
            "--repo",
            str(register),
            "--target",
            "P-BGS-CW",
            "--action",
            "提醒谈话",
            "--date",
            "2026-05-01",
            "--deadline",
            "2026-05-31",
        ).code
        == 0
    )
    assert problems(run, register, "--today", "2026-05-31") == set()
    assert problems(run, register, "--today", "2026-06-01") == {("D003", "W-2026-001")}
    assert problems(run, register, "--today", "2026-07-01") == {
        ("D003", "W-2026-001"),
        ("D002", "C-001"),
    }
    assert problems(run, register, "--today", "2027-03-02") == {
        ("D003", "W-2026-001"),
        ("D002", "C-001"),
        ("D001", "RP-001"),
    }


def test_a_warning_goes_from_issued_to_closed_touching_only_itself(register: Path, run) -> None:  # type: ignore[no-untyped-def]
    warnings = register / "warnings"
    warnings.mkdir()
    (warnings / "2026.yaml").write_text(
        "# 2026 年预警\n- id: W-A\n  target: P-BGS-CW\n  action: 提醒谈话\n  issued: 2026-01-05\n"
        "  status: 已发出\n\n- id: W-B\n  target: P-BGS-ZR\n  action: 谈话函询\n"
        "  issued: 2026-02-01\n  deadline: 2026-03-01\n  status: 已发出\n",
        encoding="utf-8",
    )
    git(register, "init", "-q")
    commit_all(register, "预警")
    listed = run("warnings", "--repo", str(register), "--today", "2026-03-10", "-f", "json")
    assert [w["id"] for w in json.loads(listed.out)["open"]] == ["W-B", "W-A"]  # overdue first
    result = run(
        "warnings",
        "close",
        "W-B",
        "--repo",
        str(register),
        "--outcome",
        "已函询,说明情况属实并整改",
        "--date",
        "2026-03-08",
    )
    assert result.code == 0, result.out
    diff = git(register, "diff", "-U0", "--", "warnings/2026.yaml")
    changed = [
        line
        for line in diff.splitlines()
        if line.startswith(("+", "-")) and not line.startswith(("+++", "---"))
    ]
    assert changed == [
        "-  status: 已发出",
        "+  status: 已关闭",
        "+  closed: 2026-03-08",
        "+  outcome: 已函询,说明情况属实并整改",
    ]
    assert run("validate", str(register), "--today", "2026-03-10").code == 0
    listed = run("warnings", "--repo", str(register), "--today", "2026-03-10", "-f", "json")
    assert [w["id"] for w in json.loads(listed.out)["open"]] == ["W-A"]
    again = run("warnings", "close", "W-B", "--repo", str(register), "--outcome", "x")
    assert again.code == 2


def test_escalation_issues_the_next_warning(register: Path, run) -> None:  # type: ignore[no-untyped-def]
    run(
        "warnings",
        "issue",
        "--repo",
        str(register),
        "--target",
        "P-BGS-CW",
        "--action",
        "提醒谈话",
        "--date",
        "2026-05-01",
        "--deadline",
        "2026-05-31",
        "--signal",
        "信访举报",
        "--source",
        "来信",
    )
    result = run(
        "warnings",
        "escalate",
        "W-2026-001",
        "--repo",
        str(register),
        "--action",
        "警示诫勉",
        "--date",
        "2026-06-05",
        "--deadline",
        "2026-07-05",
        "--outcome",
        "逾期未整改",
    )
    assert result.code == 0, result.out
    first = (register / "warnings" / "W-2026-001.yaml").read_text(encoding="utf-8")
    second = (register / "warnings" / "W-2026-002.yaml").read_text(encoding="utf-8")
    assert "status: 已升级" in first and "outcome: 逾期未整改" in first
    assert "escalated_from: W-2026-001" in second and "action: 警示诫勉" in second
    assert run("validate", str(register), "--today", "2026-06-06").code == 0


def test_yellow_card_flags_what_the_rule_says(register: Path, run) -> None:  # type: ignore[no-untyped-def]
    (register / "signals").mkdir()
    (register / "signals" / "2026.yaml").write_text(SIGNALS, encoding="utf-8")
    assert run("validate", str(register), "--today", "2026-01-01").code == 0
    result = run("warnings", "--repo", str(register), "-f", "json", "--today", "2026-07-01")
    cards = {(c["kind"], c["id"]): c for c in json.loads(result.out)["yellow_cards"]}
    # 财务岗 has two verified complaints: it and its department (办公室) get a yellow card, and
    # the department head comes under close supervision; 业务科 ranked 18th of 20 (bottom three).
    # The unverified complaint and 办公室's fifth place count for nothing.
    assert set(cards) == {("post", "P-BGS-CW"), ("department", "D-BGS"), ("department", "D-YWK")}
    assert cards[("post", "P-BGS-CW")]["complaints"] == ["S-1", "S-2"]
    assert cards[("department", "D-BGS")]["supervise"] == "P-BGS-ZR"
    assert cards[("department", "D-YWK")]["ratings"] == ["S-4"]


def test_review_appends_and_moves_the_next_date(register: Path, run) -> None:  # type: ignore[no-untyped-def]
    risk = register / "risks" / "RP-001.yaml"
    before = risk.read_text(encoding="utf-8")
    assert (
        run(
            "review",
            "RP-001",
            "--repo",
            str(register),
            "--outcome",
            "维持",
            "--by",
            "纪检监察室",
            "--date",
            "2026-09-01",
        ).code
        == 0
    )
    assert (
        run(
            "review",
            "C-001",
            "--repo",
            str(register),
            "--outcome",
            "补充措施",
            "--date",
            "2026-09-02",
            "--next",
            "2026-12-31",
        ).code
        == 0
    )
    after = risk.read_text(encoding="utf-8")
    assert (
        "last_review: 2026-09-01" in after and "next_review: 2027-09-01" in after
    )  # 二级: 12 months
    assert after.count("outcome:") == 2 and "next_review: 2026-12-31" in after
    assert run("validate", str(register), "--today", "2026-09-03").code == 0
    removed = [line for line in before.splitlines() if line not in after.splitlines()]
    assert removed == ["last_review: 2026-03-01", "next_review: 2027-03-01"]


def test_monthly_report_lists_the_changes_of_its_period(
    register: Path, run, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    git(register, "init", "-q")
    commit_all(register, "九月的登记册", date="2026-09-20T10:00:00+08:00")
    risk = register / "risks" / "RP-001.yaml"
    risk.write_text(
        risk.read_text(encoding="utf-8")
        .replace("likelihood: 较高", "likelihood: 高")
        .replace("level: 二级", "level: 一级"),
        encoding="utf-8",
    )
    risk.write_text(
        risk.read_text(encoding="utf-8").replace("    status: 落实中", "    status: 已落实"),
        encoding="utf-8",
    )
    (register / "risks" / "RP-002.yaml").write_text(
        "id: RP-002\ntitle: 十月新查找的风险\ncategory: 业务流程\ndepartment: D-BGS\n"
        "likelihood: 较小\nimpact: 一般\nlevel: 三级\nsupervisor: P-JZ\ncontrols:\n"
        "  - id: C-002\n    description: 复核\n    owner: P-BGS-ZR\n",
        encoding="utf-8",
    )
    run(
        "warnings",
        "issue",
        "--repo",
        str(register),
        "--target",
        "P-BGS-CW",
        "--action",
        "提醒谈话",
        "--date",
        "2026-10-09",
        "--deadline",
        "2026-10-30",
    )
    run(
        "warnings",
        "close",
        "W-2026-001",
        "--repo",
        str(register),
        "--outcome",
        "已整改",
        "--date",
        "2026-10-28",
    )
    commit_all(register, "十月", date="2026-10-29T10:00:00+08:00")
    out = tmp_path / "out"
    result = run(
        "report",
        str(register),
        "--period",
        "2026-10",
        "--today",
        "2026-10-31",
        "--out",
        str(out),
        "-f",
        "md",
        "-f",
        "xlsx",
        "--lang",
        "en",
    )
    assert result.code == 0, result.out
    text = (out / "filing" / "report-2026-10.md").read_text(encoding="utf-8")
    rows = dict(re.findall(r"^\| ([a-z ]+) \| (\d+|—) \|$", text, re.M))
    assert rows == {
        "risk points found": "1",
        "level changes": "1",
        "records changed or removed": "2",
        "controls put in place" if False else "controls added or put in place": "2",
        "signals received": "0",
        "warnings issued": "1",
        "warnings closed": "1",
        "reviews done": "0",
    }
    assert "RP-002" in text and "W-2026-001" in text and "| RP-001 |" in text
    assert (out / "filing" / "report-2026-10.xlsx").is_file()
    september = run(
        "report",
        str(register),
        "--period",
        "2026-09",
        "--today",
        "2026-09-30",
        "--out",
        str(tmp_path / "sep"),
        "-f",
        "md",
        "--lang",
        "en",
    )
    assert september.code == 0
    text = (tmp_path / "sep" / "filing" / "report-2026-09.md").read_text(encoding="utf-8")
    assert "| warnings issued | 0 |" in text and "RP-002" not in text


def test_assessment_scores_each_department(register: Path, run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    (register / "signals").mkdir()
    (register / "signals" / "2026.yaml").write_text(SIGNALS, encoding="utf-8")
    run(
        "warnings",
        "issue",
        "--repo",
        str(register),
        "--target",
        "P-BGS-CW",
        "--action",
        "提醒谈话",
        "--date",
        "2026-05-01",
        "--deadline",
        "2026-05-31",
    )
    result = run(
        "report",
        str(register),
        "--assessment",
        "--today",
        "2026-07-01",
        "--out",
        str(tmp_path / "out"),
        "-f",
        "md",
    )
    assert result.code == 0, result.out
    text = (tmp_path / "out" / "filing" / "assessment.md").read_text(encoding="utf-8")
    rows = {
        line.split(" | ")[0].strip("| "): line
        for line in text.splitlines()
        if line.startswith("| 办公室") or line.startswith("| 业务科")
    }
    # 办公室: one open and overdue warning (−10), one control not done (−2), two verified
    # complaints (−20) and yellow cards for itself and its 财务岗 (−40 → 0).
    assert rows["办公室"].startswith("| 办公室 | 10 | 28 | 0 | 38/100 |")
    # 业务科: only its yellow card from the democratic rating (−20).
    assert rows["业务科"].startswith("| 业务科 | 20 | 30 | 30 | 80/100 |")
