"""Grading: shipped policies, each seed's scheme, broken policies, overrides and consequences."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from lianneng.grading.engine import (
    builtin_policies,
    grade_inputs,
    grade_whole,
    load_policy,
    mapping_inputs,
    wholes_of,
)
from lianneng.pipeline import check_register
from lianneng.source.files import Sources


@pytest.fixture
def register(tmp_path: Path, run) -> Path:  # type: ignore[no-untyped-def]
    root = tmp_path / "reg"
    assert run("init", str(root)).code == 0
    return root


def policy(name: str):  # type: ignore[no-untyped-def]
    return load_policy(Sources(Path.cwd(), "."), f"builtin:{name}").policy


def level(name: str, **inputs: object) -> str | None:
    return grade_inputs(policy(name), mapping_inputs(dict(inputs))).level


def test_every_shipped_policy_passes_its_own_tests(run) -> None:  # type: ignore[no-untyped-def]
    result = run("policy", "test", "--builtin")
    assert result.code == 0, result.out
    assert " 0 failed" in result.out
    assert len(builtin_policies()) >= 8


def test_seed_000_higher_of_likelihood_and_harm_wins() -> None:
    assert level("three-levels", likelihood="高", impact="一般") == "一级"
    assert level("three-levels", likelihood="较小", impact="严重") == "一级"
    assert level("three-levels", likelihood="较高", impact="一般") == "二级"
    assert level("three-levels", likelihood="较小", impact="一般") == "三级"


def test_seed_004_uses_a_b_c() -> None:
    assert level("abc-levels", likelihood="较高", impact="较小") == "B级"
    assert policy("abc-levels").labels == ["A级", "B级", "C级"]


def test_seed_002_hedong_grades_by_consequence() -> None:
    assert level("consequence", consequence="追究刑事责任") == "一级"
    assert level("consequence", consequence="党纪政纪处分") == "二级"
    assert level("consequence", consequence="提醒谈话") == "三级"
    assert level("consequence", consequence="无后果") is None  # no rule, no default: a problem


def test_seed_002_anyang_grades_by_business_class() -> None:
    assert level("anyang-class", business_class="行政处罚类") == "一级"
    assert level("anyang-class", business_class="监督检查类") == "二级"
    assert level("anyang-class", business_class="公共类") == "三级"


def test_seed_003_mca_two_classes_by_domain() -> None:
    assert level("mca-two-classes", business_class="干部选拔使用") == "一类"
    assert level("mca-two-classes", business_class="单位财务") == "二类"


def test_seed_002_power_weight_and_whole_department(register: Path) -> None:
    assert level("power-weight", **{"attributes": {"权力行使": "部分行使"}}) == "二级"
    (register / "lianneng.yaml").write_text(
        (register / "lianneng.yaml")
        .read_text(encoding="utf-8")
        .replace("builtin:three-levels", "builtin:power-weight"),
        encoding="utf-8",
    )
    checked = check_register(register)
    assert checked.policy is not None
    department = next(w for w in wholes_of(checked.register) if w.id == "D-BGS")
    grade = grade_whole(checked.policy.policy, department, checked.grades)
    assert grade is not None and grade.level == "一级"  # holds a 财务管理 power item


def test_score_and_criteria_methods() -> None:
    assert level("score-lc", likelihood="可能", impact="较重") == "中"  # 3 × 3 = 9
    assert level("score-lc", scores={"likelihood": 5, "impact": 3}) == "高"  # 15
    assert level("criteria-count", criteria=["c1", "c2"]) == "★★"


def test_post_grading_by_count_with_forcing_condition(register: Path) -> None:
    checked = check_register(register)
    assert checked.policy is not None
    post = next(w for w in wholes_of(checked.register) if w.id == "P-BGS-CW")
    grade = grade_whole(checked.policy.policy, post, checked.grades)
    assert grade is not None and grade.level == "三级"  # one 二级 risk point
    risk = register / "risks" / "RP-001.yaml"
    risk.write_text(
        risk.read_text(encoding="utf-8").replace("likelihood: 较高", "likelihood: 高"),
        encoding="utf-8",
    )
    checked = check_register(register)
    assert checked.policy is not None
    post = next(w for w in wholes_of(checked.register) if w.id == "P-BGS-CW")
    grade = grade_whole(checked.policy.policy, post, checked.grades)
    assert grade is not None and grade.level == "一级"  # forced: it holds a 一级 risk point


# ── broken policies ──────────────────────────────────────────────────────────────────────

BROKEN_GRID = """\
id: broken
name: 残缺的矩阵
labels: [一级, 二级, 三级]
method: grid
grid:
  rows: {field: likelihood, scale: [高, 较高, 较小]}
  columns: {field: impact, scale: [严重, 较重, 一般]}
  cells:
    高: {严重: 一级, 较重: 一级, 一般: 一级}
    较高: {严重: 一级, 较重: 三级}
    较小: {严重: 一级, 较重: 二级, 一般: 三级}
"""


def use_policy(root: Path, text: str) -> None:
    (root / "policy").mkdir(exist_ok=True)
    (root / "policy" / "mine.yaml").write_text(text, encoding="utf-8")
    config = root / "lianneng.yaml"
    config.write_text(
        config.read_text(encoding="utf-8").replace("builtin:three-levels", "policy/mine.yaml"),
        encoding="utf-8",
    )


def test_grid_with_missing_cell_and_disorder_is_located(register: Path, run) -> None:  # type: ignore[no-untyped-def]
    use_policy(register, BROKEN_GRID)
    result = run("validate", str(register), "-f", "parsable", "--lang", "en")
    assert result.code == 2
    lines = result.out.splitlines()
    assert any(
        ":10:" in line and "P002" in line and "较高" in line and "一般" in line for line in lines
    ), result.out
    # 较高/较重 gives 三级 but the less likely 较小/较重 gives 二级: a scale out of order.
    assert any(":11:" in line and "P004" in line for line in lines), result.out


def one_rule_policy(when: str) -> str:
    """A rules policy giving 一级 where `when` holds (its line 7), else 三级; 二级 unreachable."""
    return f"""\
id: rules
name: 规则
labels: [一级, 二级, 三级]
method: rules
rules:
  rules:
    - when: {{{when}}}
      level: 一级
  default: 三级
"""


def test_rules_read_coded_values_by_name(register: Path) -> None:
    """A power item may give its category as a code (CW for 财务管理): grading reads it by name,
    as every stage after the files are read does."""
    use_policy(register, one_rule_policy("power.category: 财务管理"))
    power = register / "powers" / "CW-001.yaml"
    named = check_register(register).grades["RP-001"].level
    power.write_text(
        power.read_text(encoding="utf-8").replace("category: 财务管理", "category: CW"),
        encoding="utf-8",
    )
    assert named == check_register(register).grades["RP-001"].level == "一级"


def test_unreachable_level_and_unknown_rule_field(register: Path, run) -> None:  # type: ignore[no-untyped-def]
    use_policy(register, one_rule_policy("busines_class: 行政许可类"))
    result = run("validate", str(register), "-f", "parsable", "--lang", "en")
    assert result.code == 2
    assert (
        "policy/mine.yaml:7:14: error P007 rule uses unknown field 'busines_class'; "
        "did you mean 'business_class'?" in result.out
    )
    assert "policy/mine.yaml:3:14: warning P006 no rule can reach level '二级'" in result.out


def test_policy_test_failure_is_reported_at_the_case(register: Path, run) -> None:  # type: ignore[no-untyped-def]
    text = (
        (Path(__file__).parent.parent / "src/lianneng/data/policies/three-levels.yaml")
        .read_text(encoding="utf-8")
        .replace("expect: 三级}", "expect: 二级}")
    )
    use_policy(register, text)
    result = run("policy", "test", str(register), "--lang", "en")
    assert result.code == 1
    assert "P010" in result.out and "expected 二级, got 三级" in result.out


# ── grade --write / --check ──────────────────────────────────────────────────────────────


def test_write_restores_blanked_levels_touching_only_those_lines(register: Path, run) -> None:  # type: ignore[no-untyped-def]
    risk = register / "risks" / "RP-001.yaml"
    original = risk.read_bytes()
    risk.write_bytes(original.replace("level: 二级".encode(), b"level:"))
    check = run("grade", str(register), "--check", "-f", "parsable")
    assert check.code == 1 and "risks/RP-001.yaml:" in check.out and "G009" in check.out
    assert run("grade", str(register), "--write").code == 0
    assert risk.read_bytes() == original
    assert run("grade", str(register), "--check").code == 0
    before = {p: p.read_bytes() for p in register.rglob("*") if p.is_file()}
    assert run("grade", str(register), "--write").code == 0
    assert {p: p.read_bytes() for p in register.rglob("*") if p.is_file()} == before


def test_write_keeps_crlf_bom_quotes_and_comments(register: Path, run) -> None:  # type: ignore[no-untyped-def]
    risk = register / "risks" / "RP-001.yaml"
    text = risk.read_text(encoding="utf-8").replace("level: 二级", "level: '三级'  # 待复核")
    text = text.replace("title: 报销审核把关不严", 'title: "报销审核把关不严"')
    risk.write_bytes(b"\xef\xbb\xbf" + text.replace("\n", "\r\n").encode())
    assert run("grade", str(register), "--write").code == 0
    expected = text.replace("level: '三级'  # 待复核", "level: 二级  # 待复核")
    assert risk.read_bytes() == b"\xef\xbb\xbf" + expected.replace("\n", "\r\n").encode()


def test_write_inserts_a_missing_level_after_the_id(register: Path, run) -> None:  # type: ignore[no-untyped-def]
    risk = register / "risks" / "RP-001.yaml"
    lines = risk.read_text(encoding="utf-8").splitlines(keepends=True)
    without = [line for line in lines if not line.startswith("level:")]
    risk.write_text("".join(without), encoding="utf-8")
    assert run("grade", str(register), "--write").code == 0
    after = risk.read_text(encoding="utf-8").splitlines(keepends=True)
    index = next(i for i, line in enumerate(after) if line.startswith("id:"))
    assert after[index + 1] == "level: 二级\n"
    assert [line for line in after if line != "level: 二级\n"] == without


def test_override_needs_a_reason_and_wins(register: Path, run) -> None:  # type: ignore[no-untyped-def]
    risk = register / "risks" / "RP-001.yaml"
    text = risk.read_text(encoding="utf-8")
    risk.write_text(text + "override:\n  level: 一级\n", encoding="utf-8")
    result = run("validate", str(register), "-f", "parsable", "--lang", "en")
    assert result.code == 1 and "C005" in result.out
    risk.write_text(text + "override:\n  level: 一级\n  reason: 纪检组审定提级\n", encoding="utf-8")
    result = run("grade", str(register), "-f", "json", "--lang", "en")
    row = json.loads(result.out)["risks"][0]
    assert row["level"] == "一级" and "manual override: 纪检组审定提级" in row["rule"]


def test_explain_walks_one_grade(register: Path, run) -> None:  # type: ignore[no-untyped-def]
    result = run("grade", str(register), "--explain", "RP-001", "--lang", "en")
    assert result.code == 0
    assert "likelihood is 较高" in result.out and "level: 二级" in result.out


def test_preview_lists_exactly_what_a_new_policy_changes(register: Path, run) -> None:  # type: ignore[no-untyped-def]
    result = run(
        "grade", str(register), "--policy", "builtin:abc-levels", "--preview", "--lang", "en"
    )
    assert result.code == 0
    assert "RP-001" in result.out and "B级" in result.out
    before = {p: p.read_bytes() for p in register.rglob("*") if p.is_file()}
    assert {p: p.read_bytes() for p in register.rglob("*") if p.is_file()} == before


def test_consequences_of_a_level_are_checked(register: Path, run) -> None:  # type: ignore[no-untyped-def]
    risk = register / "risks" / "RP-001.yaml"
    text = risk.read_text(encoding="utf-8")
    risk.write_text(
        text.replace("supervisor: P-JZ", "supervisor: P-FJZ").replace(
            "next_review: 2027-03-01", "next_review: 2028-03-01"
        ),
        encoding="utf-8",
    )
    result = run("validate", str(register), "-f", "parsable", "--lang", "en")
    assert result.code == 1
    assert "G006" in result.out and "'P-FJZ'" in result.out  # 二级 needs 主要领导 or 纪检监察
    assert "G008" in result.out


def test_input_off_the_scale_is_a_located_problem(register: Path, run) -> None:  # type: ignore[no-untyped-def]
    risk = register / "risks" / "RP-001.yaml"
    risk.write_text(
        risk.read_text(encoding="utf-8").replace("likelihood: 较高", "likelihood: 很高"),
        encoding="utf-8",
    )
    result = run("validate", str(register), "-f", "parsable", "--lang", "en")
    assert result.code == 1
    line = next(
        i
        for i, t in enumerate(risk.read_text(encoding="utf-8").splitlines(), 1)
        if t.startswith("likelihood")
    )
    assert f"risks/RP-001.yaml:{line}:13: error G001 likelihood '很高'" in result.out
