"""`lianneng validate` (and `init`, `--version`) end to end, through `lianneng.cli.main`.

Exit codes: 0 clean (warnings allowed), 1 problems (warnings too with --strict), 2 the command
cannot run (no register, bad option, broken lianneng.yaml), 3 an internal error (a bug).
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from lianneng import __version__


@pytest.fixture(autouse=True)
def _no_language_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("LIANNENG_LANG", raising=False)


@pytest.fixture
def register(tmp_path: Path, run) -> Path:  # type: ignore[no-untyped-def]
    """A fresh register made by `lianneng init`, which validates clean."""
    root = tmp_path / "reg"
    result = run("init", str(root), "--name", "测试局", "--code", "T")
    assert result.code == 0, result.err
    return root


def add_power_without_flow(root: Path) -> None:
    """A warning only (C004): assessed by a reason, but no flow."""
    (root / "powers" / "CW-002.yaml").write_text(
        "id: CW-002\nname: 内部审计\ncategory: 财务管理\nbasis: 审计制度\nno_risk_found: 无\n",
        encoding="utf-8",
    )


def where(path: Path, needle: str) -> tuple[int, int]:
    """1-based line and column (in characters) of the first `needle` in a file."""
    text = path.read_text(encoding="utf-8-sig")
    assert needle in text, (path, needle)
    before = text[: text.index(needle)]
    return before.count("\n") + 1, len(before) - (before.rfind("\n") + 1) + 1


def add_dangling_reference(root: Path) -> str:
    """An error (R002) in powers/CW-001.yaml; gives its `line:column`."""
    path = root / "powers" / "CW-001.yaml"
    path.write_text(
        path.read_text(encoding="utf-8").replace("department: D-BGS", "department: D-BSG"),
        encoding="utf-8",
    )
    line, column = where(path, "D-BSG")
    return f"{line}:{column}"


def parsable(run, root: Path, *extra: str):  # type: ignore[no-untyped-def]
    """Validate `root` from inside it, so reported paths are relative to the register."""
    return run("validate", ".", "-f", "parsable", *extra, cwd=root)


# ── exit codes ─────────────────────────────────────────────────────────────────────────────


def test_clean_register_exits_0(run, register: Path) -> None:  # type: ignore[no-untyped-def]
    result = parsable(run, register)
    assert (result.code, result.out) == (0, "")
    assert "Traceback" not in result.err


def test_clean_register_text_report(run, register: Path) -> None:  # type: ignore[no-untyped-def]
    result = run("validate", str(register))
    assert result.code == 0
    assert "0 个错误,0 个警告" in result.out


def test_error_exits_1(run, register: Path) -> None:  # type: ignore[no-untyped-def]
    at = add_dangling_reference(register)
    result = run("validate", ".", "-f", "parsable", "--lang", "en", cwd=register)
    assert result.code == 1
    assert result.out == (
        f"powers/CW-001.yaml:{at}: error R002 reference to unknown department "
        "'D-BSG'; did you mean 'D-BGS'?\n"
    )


def test_warning_exits_0_and_strict_makes_it_1(run, register: Path) -> None:  # type: ignore[no-untyped-def]
    add_power_without_flow(register)
    relaxed = parsable(run, register, "--lang", "en")
    strict = parsable(run, register, "--lang", "en", "--strict")
    assert relaxed.code == 0
    assert strict.code == 1
    assert relaxed.out == strict.out
    assert "warning C004 power item 'CW-002' has no flow" in relaxed.out


def test_strict_on_a_clean_register_exits_0(run, register: Path) -> None:  # type: ignore[no-untyped-def]
    assert parsable(run, register, "--strict").code == 0


def test_no_register_found_exits_2(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    empty = tmp_path / "empty"
    empty.mkdir()
    result = run("validate", cwd=empty)
    assert result.code == 2
    assert "lianneng.yaml" in result.err
    assert result.out == ""


def test_directory_that_is_not_a_register_exits_2(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    result = run("validate", str(tmp_path))
    assert result.code == 2
    assert "not a register" in result.err


def test_missing_directory_exits_2(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    assert run("validate", str(tmp_path / "nope")).code == 2


@pytest.mark.parametrize(
    "args",
    [("--format", "xml"), ("--bogus",), ("--lang", "fr"), ()],
    ids=["bad-format", "unknown-option", "bad-lang", "no-command"],
)
def test_bad_usage_exits_2(run, register: Path, args: tuple[str, ...]) -> None:  # type: ignore[no-untyped-def]
    argv = ("validate", str(register), *args) if args else ()
    result = run(*argv)
    assert result.code == 2
    assert "Traceback" not in result.out + result.err


@pytest.mark.parametrize(
    ("edit", "needle", "expected"),
    [
        # A missing field is reported where its mapping starts.
        (("  name: 测试局\n", ""), "code:", "error S002 missing required field 'name'"),
        (
            ("locale: zh", "lacale: zh"),
            "lacale",
            "error S003 unknown field 'lacale'; did you mean 'locale'?",
        ),
        # An unclosed '[' is reported where it opens.
        (("locale: zh", "locale: [zh"), "[zh", "error F004 YAML syntax error: "),
    ],
    ids=["missing-unit-name", "unknown-field", "syntax-error"],
)
def test_broken_settings_exit_2(
    run,
    register: Path,
    edit: tuple[str, str],
    needle: str,  # type: ignore[no-untyped-def]
    expected: str,
) -> None:
    config = register / "lianneng.yaml"
    text = config.read_text(encoding="utf-8")
    assert edit[0] in text
    config.write_text(text.replace(edit[0], edit[1]), encoding="utf-8")
    line, column = where(config, needle)
    add_dangling_reference(register)  # not reached: the settings stop the run first
    result = run("validate", ".", "-f", "parsable", "--lang", "en", cwd=register)
    assert result.code == 2
    assert len(result.out.splitlines()) == 1
    assert result.out.startswith(f"lianneng.yaml:{line}:{column}: {expected}")


def test_settings_in_gbk_exit_2(run, register: Path) -> None:  # type: ignore[no-untyped-def]
    config = register / "lianneng.yaml"
    text = config.read_text(encoding="utf-8")
    first_chinese = next(index for index, char in enumerate(text) if ord(char) > 127)
    before = text[:first_chinese]
    line, column = before.count("\n") + 1, len(before) - (before.rfind("\n") + 1) + 1
    config.write_bytes(text.encode("gbk"))
    result = run("validate", ".", "-f", "parsable", "--lang", "en", cwd=register)
    assert result.code == 2
    assert result.out.startswith(
        f"lianneng.yaml:{line}:{column}: error F001 file is not valid UTF-8"
    )
    assert "GBK" in result.out


def test_unknown_check_code_exits_2(
    run,
    register: Path,  # type: ignore[no-untyped-def]
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("LIANNENG_DEBUG", "1")  # a crash goes to stderr, not to a file in /tmp
    with (register / "lianneng.yaml").open("a", encoding="utf-8") as config:
        config.write("checks:\n  C04: warning\n")
    line, _ = where(register / "lianneng.yaml", "  C04:")
    result = run("validate", ".", "-f", "parsable", "--lang", "en", cwd=register)
    assert result.code == 2
    assert result.out == (
        f"lianneng.yaml:{line}:3: error K002 unknown check code 'C04'; did you mean 'C004'?\n"
    )


# ── settings: checks ───────────────────────────────────────────────────────────────────────


def test_checks_turn_an_error_into_a_warning(run, register: Path) -> None:  # type: ignore[no-untyped-def]
    add_dangling_reference(register)
    with (register / "lianneng.yaml").open("a", encoding="utf-8") as config:
        config.write("checks:\n  R002: warning\n")
    result = parsable(run, register, "--lang", "en")
    assert result.code == 0
    assert ": warning R002 " in result.out
    assert parsable(run, register, "--strict").code == 1


def test_checks_off_silences_a_check(run, register: Path) -> None:  # type: ignore[no-untyped-def]
    add_dangling_reference(register)
    with (register / "lianneng.yaml").open("a", encoding="utf-8") as config:
        config.write("checks:\n  R002: off\n")
    result = parsable(run, register, "--strict")
    assert (result.code, result.out) == (0, "")


def test_checks_turn_a_warning_into_an_error(run, register: Path) -> None:  # type: ignore[no-untyped-def]
    add_power_without_flow(register)
    with (register / "lianneng.yaml").open("a", encoding="utf-8") as config:
        config.write("checks:\n  C004: error\n")
    result = parsable(run, register, "--lang", "en")
    assert result.code == 1
    assert ": error C004 " in result.out


# ── languages ──────────────────────────────────────────────────────────────────────────────


def test_default_language_is_chinese(run, register: Path) -> None:  # type: ignore[no-untyped-def]
    at = add_dangling_reference(register)
    result = run("validate", ".", "-f", "parsable", cwd=register)
    assert result.out == (
        f"powers/CW-001.yaml:{at}: error R002 引用了不存在的部门 'D-BSG';是否指 'D-BGS'?\n"
    )


def test_lang_en(run, register: Path) -> None:  # type: ignore[no-untyped-def]
    add_dangling_reference(register)
    result = run("validate", ".", "-f", "parsable", "--lang", "en", cwd=register)
    assert "reference to unknown department 'D-BSG'; did you mean 'D-BGS'?" in result.out


def test_locale_setting_and_environment(
    run,
    register: Path,  # type: ignore[no-untyped-def]
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    add_dangling_reference(register)
    config = register / "lianneng.yaml"
    config.write_text(
        config.read_text(encoding="utf-8").replace("locale: zh", "locale: en"), encoding="utf-8"
    )
    assert "reference to unknown department" in parsable(run, register).out
    assert "引用了不存在的部门" in parsable(run, register, "--lang", "zh").out
    monkeypatch.setenv("LIANNENG_LANG", "zh")
    assert "引用了不存在的部门" in parsable(run, register).out


def test_text_report_in_both_languages(run, register: Path) -> None:  # type: ignore[no-untyped-def]
    add_dangling_reference(register)
    add_power_without_flow(register)
    zh = run("validate", ".", cwd=register)
    en = run("validate", ".", "--lang", "en", cwd=register)
    assert zh.code == en.code == 1
    assert "powers/CW-001.yaml" in zh.out and "powers/CW-002.yaml" in zh.out
    assert "错误" in zh.out and "1 个错误,1 个警告" in zh.out
    assert "1 error" in en.out and "1 warning" in en.out
    assert "错误" not in en.out


def test_text_report_is_plain_when_piped_and_coloured_when_forced(  # type: ignore[no-untyped-def]
    run, register: Path, monkeypatch
) -> None:
    """Piped, the report is plain text; with FORCE_COLOR it is coloured, and says the same. A
    value that looks like markup or an emoji code is printed as written either way."""
    at = add_dangling_reference(register)
    posts = register / "posts" / "posts.yaml"
    posts.write_text(
        posts.read_text(encoding="utf-8").replace("name: 局长", "name: 局长\n  title: x"),
        encoding="utf-8",
    )
    monkeypatch.delenv("FORCE_COLOR", raising=False)
    monkeypatch.setenv("LIANNENG_NO_CACHE", "1")
    powers = register / "powers" / "CW-001.yaml"
    powers.write_text(
        powers.read_text(encoding="utf-8").replace("D-BSG", "'D[bold]:warning:'"), encoding="utf-8"
    )
    plain = run("validate", ".", "--lang", "en", cwd=register)
    assert plain.code == 1 and "\x1b[" not in plain.out
    lines = plain.out.splitlines()
    assert lines[0] == "posts/posts.yaml"
    assert lines[-1] == "checked 9 files, 10 records: 2 errors, 0 warnings"
    line = f"  {at.split(':')[0]:>4}:{at.split(':')[1]:<3} error R002 "
    assert any(text.startswith(line) and "'D[bold]:warning:'" in text for text in lines), lines

    monkeypatch.setenv("FORCE_COLOR", "1")
    coloured = run("validate", ".", "--lang", "en", cwd=register)
    assert "\x1b[" in coloured.out
    assert re.sub(r"\x1b\[[0-9;]*m", "", coloured.out) == plain.out


# ── output formats ─────────────────────────────────────────────────────────────────────────


def test_json_output(run, register: Path) -> None:  # type: ignore[no-untyped-def]
    line, column = map(int, add_dangling_reference(register).split(":"))
    add_power_without_flow(register)
    result = run("validate", ".", "-f", "json", "--lang", "en", cwd=register)
    assert result.code == 1
    document = json.loads(result.out)
    assert document["tool"] == {"name": "lianneng", "version": __version__}
    summary = document["summary"]
    assert (summary["errors"], summary["warnings"], summary["infos"]) == (1, 1, 0)
    assert summary["files"] > 0 and summary["records"] > 0
    problems = {
        (p["path"], p["line"], p["column"], p["severity"], p["code"]) for p in document["problems"]
    }
    assert problems == {
        ("powers/CW-001.yaml", line, column, "error", "R002"),
        ("powers/CW-002.yaml", 1, 5, "warning", "C004"),
    }


def test_json_output_of_a_clean_register(run, register: Path) -> None:  # type: ignore[no-untyped-def]
    result = run("validate", str(register), "-f", "json")
    assert result.code == 0
    assert json.loads(result.out)["problems"] == []


def test_json_output_of_broken_settings(run, register: Path) -> None:  # type: ignore[no-untyped-def]
    config = register / "lianneng.yaml"
    config.write_text(
        config.read_text(encoding="utf-8").replace("locale: zh", "lacale: zh"), encoding="utf-8"
    )
    result = run("validate", ".", "-f", "json", cwd=register)
    assert result.code == 2
    assert [p["code"] for p in json.loads(result.out)["problems"]] == ["S003"]


def test_sarif_output(run, register: Path) -> None:  # type: ignore[no-untyped-def]
    line, column = map(int, add_dangling_reference(register).split(":"))
    add_power_without_flow(register)
    result = run("validate", ".", "-f", "sarif", cwd=register)
    assert result.code == 1
    document = json.loads(result.out)
    assert document["version"] == "2.1.0"
    (sarif_run,) = document["runs"]
    rules = [rule["id"] for rule in sarif_run["tool"]["driver"]["rules"]]
    assert sorted(rules) == ["C004", "R002"]
    results = {r["ruleId"]: r for r in sarif_run["results"]}
    assert set(results) == {"C004", "R002"}
    error = results["R002"]
    assert error["level"] == "error"
    assert rules[error["ruleIndex"]] == "R002"
    assert error["message"]["text"]
    location = error["locations"][0]["physicalLocation"]
    assert location["artifactLocation"]["uri"] == "powers/CW-001.yaml"
    assert location["region"] == {"startLine": line, "startColumn": column}
    assert results["C004"]["level"] == "warning"


def test_github_output(run, register: Path) -> None:  # type: ignore[no-untyped-def]
    line, column = add_dangling_reference(register).split(":")
    add_power_without_flow(register)
    result = run("validate", ".", "-f", "github", "--lang", "en", cwd=register)
    assert result.code == 1
    lines = result.out.splitlines()
    assert len(lines) == 2
    assert lines[0].startswith(
        f"::error file=powers/CW-001.yaml,line={line},col={column},title=R002::"
    )
    assert lines[1].startswith("::warning file=powers/CW-002.yaml,line=1,col=5,title=C004::")


# ── finding the register ───────────────────────────────────────────────────────────────────


def test_walks_up_from_a_subfolder(run, register: Path) -> None:  # type: ignore[no-untyped-def]
    at = add_dangling_reference(register)
    result = run("validate", "-f", "parsable", "--lang", "en", cwd=register / "powers")
    assert result.code == 1
    assert len(result.out.splitlines()) == 1
    path, line, column, _rest = result.out.split(":", 3)
    assert Path(path) == register / "powers" / "CW-001.yaml"
    assert f"{line}:{column}" == at


def test_walks_up_from_a_subfolder_of_a_clean_register(run, register: Path) -> None:  # type: ignore[no-untyped-def]
    nested = register / "risks" / "deeper"
    nested.mkdir()
    assert run("validate", cwd=nested).code == 0


def test_paths_are_relative_to_the_current_folder(run, register: Path) -> None:  # type: ignore[no-untyped-def]
    at = add_dangling_reference(register)
    result = run("validate", "reg", "-f", "parsable", cwd=register.parent)
    assert result.out.startswith(f"reg/powers/CW-001.yaml:{at}: ")


# ── --version and init ─────────────────────────────────────────────────────────────────────


def test_version(run) -> None:  # type: ignore[no-untyped-def]
    result = run("--version")
    assert result.code == 0
    assert result.out.strip() == f"lianneng {__version__}"


def test_init_makes_a_register_that_validates(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    root = tmp_path / "new" / "register"
    made = run("init", str(root), "--name", "某某局", "--code", "MM")
    assert made.code == 0
    assert (root / "lianneng.yaml").is_file()
    config = (root / "lianneng.yaml").read_text(encoding="utf-8")
    assert "name: 某某局" in config and "code: MM" in config
    assert "__UNIT" not in config
    assert (root / "schemas").is_dir()
    checked = run("validate", str(root), "--strict", "-f", "parsable")
    assert (checked.code, checked.out) == (0, "")


def test_init_into_an_empty_existing_folder(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    root = tmp_path / "empty"
    root.mkdir()
    assert run("init", str(root)).code == 0
    assert run("validate", str(root)).code == 0


def test_init_refuses_a_non_empty_folder(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    root = tmp_path / "busy"
    root.mkdir()
    (root / "notes.txt").write_text("mine", encoding="utf-8")
    result = run("init", str(root))
    assert result.code == 2
    assert "not empty" in result.err
    assert sorted(p.name for p in root.iterdir()) == ["notes.txt"]
    assert (root / "notes.txt").read_text(encoding="utf-8") == "mine"


# ── valid inputs that must not be reported ─────────────────────────────────────────────────


def test_utf8_bom_is_accepted_everywhere(run, register: Path) -> None:  # type: ignore[no-untyped-def]
    files = [
        p for p in register.rglob("*") if p.suffix in (".yaml", ".md") and "schemas" not in p.parts
    ]
    assert len(files) >= 8
    for path in files:
        path.write_bytes(b"\xef\xbb\xbf" + path.read_bytes())
    result = parsable(run, register, "--strict")
    assert (result.code, result.out) == (0, "")


def test_markdown_without_front_matter_is_documentation(run, register: Path) -> None:  # type: ignore[no-untyped-def]
    (register / "rules" / "README.md").write_text(
        "# 制度目录\n\n#### 跳级的标题\n\n见 [[NOT-AN-ID]]。\n", encoding="utf-8"
    )
    (register / "README.md").write_text("说明\n", encoding="utf-8")
    result = parsable(run, register, "--strict")
    assert (result.code, result.out) == (0, "")


def test_crlf_and_yaml_11_words_are_fine(run, register: Path) -> None:  # type: ignore[no-untyped-def]
    posts = register / "posts" / "posts.yaml"
    text = posts.read_text(encoding="utf-8").replace("leader: true", "leader: yes")
    posts.write_bytes(text.replace("\n", "\r\n").encode())
    result = parsable(run, register, "--strict")
    assert (result.code, result.out) == (0, "")


# ── Markdown records: required sections and unused bodies ──────────────────────────────────

COMMITMENT = """\
---
kind: commitment
id: CM-CW
title: 财务岗廉政承诺书
scope: 个人
post: P-BGS-CW
---
# 财务岗廉政承诺书

## 承诺内容
{content}
## 签名

财务岗(签字)
"""


def test_commitment_with_an_empty_section(run, register: Path) -> None:  # type: ignore[no-untyped-def]
    (register / "commitments" / "C-CW.md").write_text(
        COMMITMENT.format(content="\n"), encoding="utf-8"
    )
    result = parsable(run, register)
    assert result.code == 1
    assert result.out == (
        "commitments/C-CW.md:10:1: error M004 承诺书必须有“承诺内容”一节且不能为空\n"
    )


def test_commitment_without_its_sections(run, register: Path) -> None:  # type: ignore[no-untyped-def]
    (register / "commitments" / "C-ZR.md").write_text(
        "---\nid: CM-ZR\ntitle: 主任承诺书\nscope: 个人\npost: P-BGS-ZR\n---\n"
        "# 主任承诺书\n\n我承诺。\n",
        encoding="utf-8",
    )
    result = parsable(run, register)
    assert result.code == 1
    assert result.out == (
        "commitments/C-ZR.md:7:1: error M004 承诺书必须有“承诺内容”一节且不能为空\n"
        "commitments/C-ZR.md:7:1: error M004 承诺书必须有“签名”一节且不能为空\n"
    )


def test_commitment_with_content_is_fine(run, register: Path) -> None:  # type: ignore[no-untyped-def]
    (register / "commitments" / "C-CW.md").write_text(
        COMMITMENT.format(content="\n严守财经纪律。\n"), encoding="utf-8"
    )
    assert parsable(run, register, "--strict").out == ""


RISK_MD = """\
---
id: RP-002
title: 公务接待超标准
category: 岗位职责
power: CW-001
likelihood: 较高
impact: 较重
level: 二级
controls:
  - id: C-002
    description: 接待清单与审批单一致方可报销
    owner: P-BGS-ZR
---
{body}"""


def test_risk_in_markdown_with_a_body(run, register: Path) -> None:  # type: ignore[no-untyped-def]
    (register / "risks" / "RP-002.md").write_text(
        RISK_MD.format(body="# 说明\n\n正文会被忽略。\n"), encoding="utf-8"
    )
    result = parsable(run, register)
    assert result.code == 0
    assert result.out == "risks/RP-002.md:2:1: warning M005 风险点不使用 Markdown 正文,正文被忽略\n"


def test_risk_in_markdown_without_a_body(run, register: Path) -> None:  # type: ignore[no-untyped-def]
    (register / "risks" / "RP-002.md").write_text(RISK_MD.format(body=""), encoding="utf-8")
    result = parsable(run, register, "--strict")
    assert (result.code, result.out) == (0, "")


def test_markdown_messages_name_the_kind_in_english(run, register: Path) -> None:  # type: ignore[no-untyped-def]
    (register / "commitments" / "C-CW.md").write_text(
        COMMITMENT.format(content="\n"), encoding="utf-8"
    )
    (register / "risks" / "RP-002.md").write_text(RISK_MD.format(body="# 说明\n"), encoding="utf-8")
    result = parsable(run, register, "--lang", "en")
    assert "a commitment needs a non-empty section '承诺内容'" in result.out
    assert "a risk point has no Markdown body" in result.out


# ── problems that follow from others ───────────────────────────────────────────────────────


def test_references_to_a_record_that_failed_validation_are_not_reported(  # type: ignore[no-untyped-def]
    run, register: Path
) -> None:
    risk = register / "risks" / "RP-001.yaml"
    risk.write_text(risk.read_text(encoding="utf-8").replace("causes:", "cause:"), encoding="utf-8")
    result = parsable(run, register, "--lang", "en")
    assert "S003 unknown field 'cause'; did you mean 'causes'?" in result.out
    assert "R002" not in result.out


def test_links_to_a_record_that_failed_validation_are_not_reported(run, register: Path) -> None:  # type: ignore[no-untyped-def]
    risk = register / "risks" / "RP-001.yaml"
    risk.write_text(risk.read_text(encoding="utf-8").replace("causes:", "cause:"), encoding="utf-8")
    result = parsable(run, register, "--lang", "en")
    assert "M002" not in result.out


def test_codes_are_checked_where_they_are_and_written_by_name(run, register: Path) -> None:  # type: ignore[no-untyped-def]
    """A coded field takes a code or a name; codes are written by name for every later stage,
    in a text field and in each item of a list, and an unknown one is reported at its item."""
    from lianneng.model.org import Post
    from lianneng.model.power import PowerItem
    from lianneng.pipeline import check_register

    config = register / "lianneng.yaml"
    config.write_text(
        config.read_text(encoding="utf-8")
        + "tables:\n  post_roles: {ZY: 主要领导, FG: 分管领导, BM: 部门负责人}\n",
        encoding="utf-8",
    )
    power = register / "powers" / "CW-001.yaml"
    power.write_text(
        power.read_text(encoding="utf-8").replace("category: 财务管理", "category: CW"),
        encoding="utf-8",
    )
    posts = register / "posts" / "posts.yaml"
    text = posts.read_text(encoding="utf-8").replace("roles: [主要领导]", "roles: [ZY]")
    posts.write_text(text.replace("roles: [分管领导]", "roles: [分管领导, FGX]"), encoding="utf-8")

    checked = check_register(register)
    assert [(p.code, p.line, p.column) for p in checked.problems] == [
        ("S007", *where(posts, "FGX"))
    ]
    (category,) = [p.category for p in checked.register.of(PowerItem)]
    roles = {post.id: post.roles for post in checked.register.of(Post)}
    assert category == "财务管理"
    assert roles["P-JZ"] == ["主要领导"]
    assert roles["P-FJZ"] == ["分管领导", "FGX"]
    result = parsable(run, register, "--lang", "en")
    assert result.code == 1 and "S007 'FGX' is not in the post role table" in result.out


def test_no_traceback_on_hostile_files(run, register: Path) -> None:  # type: ignore[no-untyped-def]
    hostile = {
        "a.yaml": "[" * 100_000,
        "b.yaml": "a: &a [x]\nb: [*a, *a]\n",
        "c.yaml": "!!python/object/apply:os.system [echo hi]\n",
        "d.yaml": "\x00\x01\x02",
        "e.yaml": "? [a]\n: b\n",
        "f.yaml": "- - - - x\n",
        "g.md": "---\n[\n---\n",
    }
    for name, text in hostile.items():
        (register / "departments" / name).write_text(text, encoding="utf-8")
    result = parsable(run, register, "--lang", "en")
    assert result.code == 1
    assert "Traceback" not in result.out + result.err
    reported = {line.split(":")[0] for line in result.out.splitlines()}
    assert reported == {f"departments/{name}" for name in hostile}
