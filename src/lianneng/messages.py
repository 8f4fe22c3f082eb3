"""The catalogue of problem codes and messages, in Chinese and English.

Codes are stable: users configure their severities in `lianneng.yaml`, CI output and the README
name them. Entries whose code has a dot are message fragments (hints, details), not problems.
"""

from __future__ import annotations

from dataclasses import dataclass

from lianneng.problems import Message, Severity

LANGS = ("zh", "en")


@dataclass(frozen=True)
class Entry:
    severity: Severity | None  # None for fragments
    zh: str
    en: str
    summary_en: str = ""  # one line for the README's code table; defaults to `en`


E, W = Severity.ERROR, Severity.WARNING

CATALOGUE: dict[str, Entry] = {
    # ── files and YAML syntax ─────────────────────────────────────────────────────────────
    "F001": Entry(
        E,
        "文件不是有效的 UTF-8 编码(第 {offset} 字节为 0x{byte}){hint}",
        "file is not valid UTF-8 (byte 0x{byte} at offset {offset}){hint}",
        "file is not valid UTF-8",
    ),
    "F002": Entry(
        E,
        "文件是 {encoding} 编码;请另存为 UTF-8",
        "file is {encoding}-encoded; save it as UTF-8",
        "file is UTF-16/UTF-32",
    ),
    "F003": Entry(
        E,
        "文件过大({size} 字节,上限 {limit} 字节),未读取",
        "file is too large ({size} bytes, limit {limit}); not read",
        "file too large",
    ),
    "F004": Entry(
        E, "YAML 语法错误:{detail}{hint}", "YAML syntax error: {detail}{hint}", "YAML syntax error"
    ),
    "F005": Entry(
        E,
        "重复的键 '{key}'(第 {first_line} 行已出现)",
        "duplicate key '{key}' (first at line {first_line})",
        "duplicate key",
    ),
    "F006": Entry(
        E,
        "缩进中使用了制表符(Tab);YAML 只能用空格缩进",
        "tab used for indentation; YAML indents with spaces only",
        "tab in indentation",
    ),
    "F007": Entry(
        E,
        "'{key}' 后面是全角冒号 '：',应为半角冒号 ':' 加空格",
        "full-width colon '：' after '{key}'; write an ASCII ':' and a space",
        "full-width colon",
    ),
    "F008": Entry(
        E,
        "缩进中使用了全角空格(U+3000);请改为半角空格",
        "full-width space (U+3000) used for indentation; use ASCII spaces",
        "full-width space in indentation",
    ),
    "F009": Entry(
        E,
        "不支持锚点和别名(*{name}):请直接写出取值",
        "anchors and aliases (*{name}) are not supported: write the value out",
        "alias refused",
    ),
    "F010": Entry(
        E,
        "嵌套层数超过 {limit} 层,拒绝读取",
        "nesting deeper than {limit} levels; refused",
        "nesting too deep",
    ),
    "F011": Entry(
        E, "不支持显式标签 '{tag}'", "explicit tag '{tag}' is not supported", "explicit tag refused"
    ),
    "F012": Entry(
        E, "映射的键必须是简单的文字", "a mapping key must be a plain scalar", "complex key"
    ),
    "F013": Entry(W, "文件为空", "file is empty", "empty file"),
    "F014": Entry(E, "无法读取文件:{detail}", "cannot read file: {detail}", "unreadable file"),
    # ── Markdown records ─────────────────────────────────────────────────────────────────
    "M001": Entry(
        E,
        "文首的 YAML 元数据(front matter)没有以 '---' 结束",
        "front matter is not closed by a '---' line",
        "front matter not closed",
    ),
    "M002": Entry(
        E,
        "链接 [[{target}]] 指向不存在的编号{hint}",
        "link [[{target}]] names an unknown id{hint}",
        "dangling [[id]] link",
    ),
    "M003": Entry(
        W,
        "标题层级跳跃:从 {prev} 级直接到 {level} 级",
        "heading level jumps from {prev} to {level}",
        "heading level jump",
    ),
    "M004": Entry(
        E,
        "{kind}必须有“{section}”一节且不能为空",
        "a {kind} needs a non-empty section '{section}'",
        "required section missing",
    ),
    "M005": Entry(
        W,
        "{kind}不使用 Markdown 正文,正文被忽略",
        "a {kind} has no Markdown body; the body is ignored",
        "body not used",
    ),
    # ── schema ───────────────────────────────────────────────────────────────────────────
    "S001": Entry(
        E,
        "无法确定记录类型{detail}",
        "cannot tell the kind of record{detail}",
        "unknown record kind",
    ),
    "S002": Entry(E, "缺少必填字段 '{field}'", "missing required field '{field}'", "missing field"),
    "S003": Entry(E, "未知字段 '{field}'{hint}", "unknown field '{field}'{hint}", "unknown field"),
    "S004": Entry(
        E,
        "字段 '{field}' 的值无效:{detail}",
        "invalid value for '{field}': {detail}",
        "invalid value",
    ),
    "S005": Entry(E, "字段 '{field}' 不能为空", "field '{field}' must not be empty", "empty value"),
    "S006": Entry(
        E,
        "此处应为一条记录(键值映射)或记录列表,实际是{got}{hint}",
        "expected a record (a mapping) or a list of records, got {got}{hint}",
        "not a record",
    ),
    "S007": Entry(
        E,
        "'{value}' 不在{table}中{hint}",
        "'{value}' is not in the {table}{hint}",
        "value not in code table",
    ),
    "S008": Entry(
        E,
        "佐证材料 '{path}' 在登记册目录以外;只能引用登记册内的文件",
        "evidence '{path}' lies outside the register; refer to files inside it",
        "path outside the register",
    ),
    "S009": Entry(
        W,
        "佐证材料 '{path}' 不存在",
        "evidence file '{path}' does not exist",
        "evidence file missing",
    ),
    # ── references ───────────────────────────────────────────────────────────────────────
    "R001": Entry(
        E,
        "编号 '{id}' 重复(已在 {first} 定义)",
        "id '{id}' is defined twice (first at {first})",
        "duplicate id",
    ),
    "R002": Entry(
        E,
        "引用了不存在的{kind} '{target}'{hint}",
        "reference to unknown {kind} '{target}'{hint}",
        "dangling reference",
    ),
    "R003": Entry(
        E,
        "'{target}' 是{actual},此处应引用{kind}",
        "'{target}' is a {actual}, but a {kind} is expected here",
        "reference to wrong kind",
    ),
    "R004": Entry(W, "{detail}", "{detail}", "inconsistent links"),
    # ── completeness ─────────────────────────────────────────────────────────────────────
    "C001": Entry(
        E,
        "职权事项 '{id}' 尚未评估:没有风险点引用它,也没有写明 no_risk_found(未发现风险的理由)",
        "power item '{id}' is not assessed: no risk point refers to it and no "
        "no_risk_found reason is given",
        "power item not assessed",
    ),
    "C002": Entry(
        E,
        "风险点 '{id}' 没有防控措施",
        "risk point '{id}' has no control",
        "risk point without control",
    ),
    "C003": Entry(
        E,
        "防控措施 '{id}' 没有责任岗位(owner)",
        "control '{id}' has no owner",
        "control without owner",
    ),
    "C004": Entry(
        W,
        "职权事项 '{id}' 没有运行流程图",
        "power item '{id}' has no flow",
        "power item without flow",
    ),
    "C005": Entry(
        E,
        "人工调整风险等级必须写明理由(override.reason)",
        "a manual level override needs a reason (override.reason)",
        "override without reason",
    ),
    "C006": Entry(
        E,
        "不公开的职权事项必须写明不公开理由(private_reason)",
        "a power item that is not public needs a private_reason",
        "non-public without reason",
    ),
    # ── grading policies ─────────────────────────────────────────────────────────────────
    "P001": Entry(
        E,
        "找不到评级办法 '{policy}'{hint}",
        "no grading policy '{policy}'{hint}",
        "policy not found",
    ),
    "P002": Entry(
        E,
        "矩阵缺少方格:行 '{row}' × 列 '{col}'",
        "grid has no cell for row '{row}' × column '{col}'",
        "grid cell missing",
    ),
    "P003": Entry(
        E,
        "'{value}' 不在矩阵的刻度中",
        "'{value}' is not on the grid's scale",
        "grid cell off the scale",
    ),
    "P004": Entry(
        E,
        "方格 {row}/{col} 为 {level},高于风险更大的 {other}({other_level}):刻度顺序可能有误",
        "cell {row}/{col} gives {level}, above the riskier {other} ({other_level}): "
        "is a scale out of order?",
        "scale out of order",
    ),
    "P005": Entry(
        E,
        "'{level}' 不是本办法的等级({labels})",
        "'{level}' is not a level of this policy ({labels})",
        "unknown level",
    ),
    "P006": Entry(
        W,
        "没有任何规则能得出等级 '{level}'",
        "no rule can reach level '{level}'",
        "unreachable level",
    ),
    "P007": Entry(
        E,
        "规则中的字段 '{field}' 不存在{hint}",
        "rule uses unknown field '{field}'{hint}",
        "unknown field in rule",
    ),
    "P008": Entry(
        E, "阈值应从高到低排列", "thresholds must go from high to low", "thresholds out of order"
    ),
    "P009": Entry(
        E, "刻度中 '{value}' 重复", "'{value}' appears twice on the scale", "duplicate scale value"
    ),
    "P010": Entry(
        E,
        "测试“{name}”失败:期望 {expect},实得 {got}",
        "test '{name}' failed: expected {expect}, got {got}",
        "policy test failed",
    ),
    "P011": Entry(
        E,
        "higher_wins 要求两个刻度的档数都等于等级数({labels})",
        "higher_wins needs both scales to have as many steps as there are levels ({labels})",
        "grid scales do not match levels",
    ),
    "P012": Entry(
        E,
        "整体评级方法 {method} 需要 {part}",
        "whole grading method {method} needs {part}",
        "whole grading incomplete",
    ),
    # ── grades ───────────────────────────────────────────────────────────────────────────
    "G001": Entry(
        E,
        "{field} 的取值 '{value}' 不在评级办法的刻度中({scale})",
        "{field} '{value}' is not on the policy's scale ({scale})",
        "input off the scale",
    ),
    "G002": Entry(
        E,
        "缺少评级要素 '{field}',无法评级",
        "grading input '{field}' is missing",
        "grading input missing",
    ),
    "G003": Entry(
        E,
        "没有规则匹配且评级办法未设默认等级",
        "no rule matches and the policy has no default",
        "no rule matches",
    ),
    "G004": Entry(
        E,
        "分值 {score} 低于所有阈值",
        "score {score} is below every threshold",
        "score below thresholds",
    ),
    "G005": Entry(
        E,
        "风险等级 '{level}' 不是评级办法的等级({labels})",
        "level '{level}' is not a level of the policy ({labels})",
        "unknown stored level",
    ),
    "G006": Entry(
        E,
        "{level}风险须由具有角色 {roles} 的岗位监督,'{post}' 不具备",
        "a {level} risk must be supervised by a post with role {roles}; '{post}' has none",
        "supervisor does not fit the level",
    ),
    "G007": Entry(
        E,
        "{level}风险至少需要 {need} 项防控措施,现有 {have} 项",
        "a {level} risk needs at least {need} controls, it has {have}",
        "too few controls",
    ),
    "G008": Entry(
        W,
        "{level}风险每 {months} 个月复核一次:{detail}",
        "a {level} risk is reviewed every {months} months: {detail}",
        "review cadence",
    ),
    "G009": Entry(
        E,
        "登记的等级为 {stored},按评级办法应为 {computed}({rule})",
        "stored level is {stored}, the policy gives {computed} ({rule})",
        "stored level differs",
    ),
    # ── dynamic management ───────────────────────────────────────────────────────────────
    "D001": Entry(
        W,
        "'{id}' 应于 {due} 复核,至 {today} 已逾期",
        "'{id}' was due for review on {due}; overdue as of {today}",
        "review overdue",
    ),
    "D002": Entry(
        W,
        "防控措施 '{id}' 的完成期限 {due} 已过,状态为 {status}",
        "control '{id}' was due on {due} and is {status}",
        "control past its due date",
    ),
    "D003": Entry(
        W,
        "预警 '{id}' 的整改期限 {deadline} 已过,仍未关闭",
        "warning '{id}' passed its deadline {deadline} and is still open",
        "warning overdue",
    ),
    # ── templates ────────────────────────────────────────────────────────────────────────
    "T001": Entry(E, "模板错误:{detail}", "template error: {detail}", "template error"),
    # ── configuration ────────────────────────────────────────────────────────────────────
    "K002": Entry(
        E,
        "未知的检查代码 '{name}'{hint}",
        "unknown check code '{name}'{hint}",
        "unknown check code in settings",
    ),
    # ── fragments ────────────────────────────────────────────────────────────────────────
    "hint.encoding": Entry(
        None,
        ";看起来是 {guess} 编码,请另存为 UTF-8",
        "; it looks {guess}-encoded, save it as UTF-8",
    ),
    "hint.didyoumean": Entry(None, ";是否指 '{suggestion}'?", "; did you mean '{suggestion}'?"),
    "hint.fullwidth_colon": Entry(
        None,
        "(第 {line} 行可能把 ':' 写成了全角 '：')",
        " (line {line} may have a full-width '：' for ':')",
    ),
    "hint.kind_folder": Entry(
        None,
        ":请写 kind 字段,或把文件放在对应类型的文件夹中(如 risks/)",
        ": add a 'kind' field, or put the file in the kind's folder (such as risks/)",
    ),
    "hint.kind_unknown": Entry(
        None, ":'{kind}' 不是已知的类型{suggest}", ": '{kind}' is not a known kind{suggest}"
    ),
    "hint.none": Entry(None, "", ""),
    "hint.truncated": Entry(
        None,
        ";文件在一个字符中间结束,可能不完整",
        "; the file ends inside a character: it may be truncated",
    ),
    "text": Entry(None, "{zh}", "{en}"),
    "got.scalar": Entry(None, "一段文字", "a scalar"),
    "got.list": Entry(None, "列表", "a list"),
    "got.null": Entry(None, "空值", "nothing"),
    "detail.link_step_power": Entry(
        None,
        "流程 '{flow}' 的环节 '{step}' 列出了风险点 '{risk}',但该风险点属于职权事项 '{risk_power}' "
        "而不是 '{flow_power}'",
        "step '{step}' of flow '{flow}' lists risk point '{risk}', which belongs to power item "
        "'{risk_power}', not '{flow_power}'",
    ),
    "detail.link_risk_step": Entry(
        None,
        "风险点 '{risk}' 指向环节 '{step}',但该环节的 risks 中没有它",
        "risk point '{risk}' names step '{step}', but that step does not list it",
    ),
}


def render(message: Message, lang: str) -> str:
    entry = CATALOGUE.get(message.code)
    if entry is None:  # a bug, but never worth a crash while reporting
        return message.code + " " + " ".join(f"{k}={v}" for k, v in message.params)
    template = entry.en if lang == "en" else entry.zh
    values = {
        key: value.render(lang) if isinstance(value, Message) else value
        for key, value in message.params
    }
    try:
        return template.format(**values)
    except (KeyError, IndexError, ValueError):
        return template


def default_severity(code: str) -> Severity:
    entry = CATALOGUE[code]
    assert entry.severity is not None, code
    return entry.severity


def problem_codes() -> list[str]:
    return sorted(code for code, entry in CATALOGUE.items() if entry.severity is not None)
