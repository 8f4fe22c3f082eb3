"""The guarded path for YAML text the fast path (`yamldoc`) will not take.

ruamel's pure composer, with aliases, explicit tags and deep nesting refused before any data is
built; YAML errors described in words, Chinese typing mistakes and tabs found; and the nodes
`yamldoc.Locator` walks for such text to say where a problem is.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.composer import Composer
from ruamel.yaml.error import MarkedYAMLError, YAMLError
from ruamel.yaml.events import AliasEvent
from ruamel.yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode
from ruamel.yaml.reader import ReaderError

from lianneng.problems import Message, bilingual, msg
from lianneng.source.yamldoc import (
    MAX_DEPTH,
    Parsed,
    YamlFault,
    fault_at,
    to_data,
)

_STANDARD_TAG = re.compile(r"^tag:yaml\.org,2002:(str|int|float|bool|null|map|seq|timestamp)$")


class _Refused(MarkedYAMLError):
    def __init__(self, message: Message, mark: Any) -> None:
        super().__init__(problem=message.code, problem_mark=mark)
        self.message = message


class _GuardedComposer(Composer):
    def __init__(self, loader: Any = None) -> None:
        super().__init__(loader)
        # A repeated anchor is harmless here (aliases are refused); ruamel's Python warning
        # about it would only print internals at the user.
        self.warn_double_anchors = False

    def compose_node(self, parent: Any, index: Any) -> Any:
        event = self.parser.peek_event()
        if isinstance(event, AliasEvent):
            raise _Refused(msg("F009", name=event.anchor), event.start_mark)
        tag = getattr(event, "ctag", None)
        if tag is not None and str(tag) not in ("!", "") and not _STANDARD_TAG.match(str(tag)):
            typed = f"{tag.handle}{tag.suffix}" if getattr(tag, "handle", None) else str(tag)
            raise _Refused(msg("F011", tag=typed), event.start_mark)
        if self.depth >= MAX_DEPTH:
            raise _Refused(msg("F010", limit=MAX_DEPTH), event.start_mark)
        return super().compose_node(parent, index)


# A run of opening brackets deeper than we accept: refused before the parser starts, which on
# ['*100000 would otherwise take the better part of a second to reach the depth limit.
_DEEP_FLOW = re.compile(rf"[\[{{](?:\s*[\[{{]){{{MAX_DEPTH}}}")


def _yaml() -> YAML:
    yaml = YAML(typ="safe", pure=True)
    yaml.Composer = _GuardedComposer
    return yaml


def compose(text: str) -> list[Node]:
    """All documents of `text` as nodes; raises YAMLError (or a stray Python error) on bad input."""
    yaml = _yaml()
    try:
        return [node for node in yaml.compose_all(text) if node is not None]
    finally:
        _take_apart(yaml)


# What a YAML() keeps of the parts it made: each part refers back to it (`loader`).
_PARTS = ("_reader", "_scanner", "_parser", "_composer", "_constructor", "_resolver")


def _take_apart(yaml: YAML) -> None:
    """Undo the cycles a loader is made of: each part refers to the loader and the loader to
    each part, and the parser, reset, to its own next step (a method of itself). Cycles are
    freed only by Python's cycle collector, which is paused while a register is read
    (`speed.building_to_last`), and a register whose every file has a full-width colon
    somewhere reads every file this way."""
    parser = yaml.__dict__.get("_parser")
    if parser is not None:
        parser.state = None
    for part in _PARTS:
        yaml.__dict__.pop(part, None)


def parse_guarded(text: str) -> Parsed:
    """`parse` for text the fast path did not take: refused hazards, errors in words."""
    result = Parsed()
    if (deep := _DEEP_FLOW.search(text)) is not None:
        line = text.count("\n", 0, deep.start()) + 1
        column = deep.start() - (text.rfind("\n", 0, deep.start()) + 1) + 1
        result.faults.append(YamlFault(line, column, msg("F010", limit=MAX_DEPTH)))
        return result
    try:
        nodes = compose(text)
    except _Refused as exc:
        result.faults.append(fault_at(exc.problem_mark, exc.message))
        return result
    except MarkedYAMLError as exc:
        mark = _error_mark(exc)
        detail = _describe(exc)
        prose = _block_scalar_lines(text)
        result.faults.extend(
            f
            for f in _typing_faults(text, before=(mark.line + 1) if mark else None)
            if f.line not in prose
        )
        tab_line = _tab_line(text, mark.line if mark else None)
        if tab_line is not None:
            column = text.splitlines()[tab_line - 1].index("\t") + 1
            result.faults.append(YamlFault(tab_line, column, msg("F006")))
        else:
            result.faults.append(fault_at(mark, msg("F004", detail=detail, hint=msg("hint.none"))))
        return result
    except ReaderError as exc:  # a character YAML does not allow (control characters)
        line, column = _line_column(text, exc.position)
        char = exc.character if isinstance(exc.character, str) else chr(exc.character)
        code = f"U+{ord(char):04X}"
        detail = bilingual(f"不允许的控制字符 {code}", f"control character {code} is not allowed")
        result.faults.append(
            YamlFault(line, column, msg("F004", detail=detail, hint=msg("hint.none")))
        )
        return result
    except (YAMLError, ValueError, IndexError, TypeError, RecursionError) as exc:
        result.faults.append(
            YamlFault(
                1,
                1,
                msg("F004", detail=str(exc)[:200] or type(exc).__name__, hint=msg("hint.none")),
            )
        )
        return result
    block_lines = _content_lines(nodes)
    result.faults.extend(f for f in _typing_faults(text) if f.line not in block_lines)
    for node in nodes:
        result.documents.append(to_data(node, result.faults))
    return result


# ── Chinese typing mistakes and tabs ───────────────────────────────────────────────────────

# An ASCII key (our schema's keys are identifiers) followed by a full-width colon.
_FULLWIDTH_COLON = re.compile(r"^[ ]*(?:-[ ]+)?([A-Za-z_][A-Za-z0-9_]*)[ ]*：")
_FULLWIDTH_INDENT = re.compile(r"^[ ]*\u3000")
_TAB_INDENT = re.compile(r"^[ ]*\t")


def _typing_faults(text: str, before: int | None = None) -> Iterator[YamlFault]:
    """Typing mistakes on lines up to `before` (all lines when None), by line number."""
    for number, line in enumerate(text.splitlines(), start=1):
        if before is not None and number > before:
            break
        if match := _FULLWIDTH_COLON.match(line):
            yield YamlFault(number, line.index("：") + 1, msg("F007", key=match.group(1)))
        if _FULLWIDTH_INDENT.match(line):
            yield YamlFault(number, line.index("\u3000") + 1, msg("F008"))


_BLOCK_START = re.compile(r"^([ ]*)(?:-[ ]+)?(?:[^#'\"\s][^#]*?:[ ]+)?[|>][-+0-9]*[ ]*(?:#.*)?$")


def _block_scalar_lines(text: str) -> set[int]:
    """1-based lines inside `|` or `>` block scalars, found from the text alone.

    Used when the file does not parse, so no nodes say where the prose is.
    """
    lines: set[int] = set()
    indent: int | None = None
    for number, line in enumerate(text.splitlines(), start=1):
        if indent is not None:
            if not line.strip(" \u3000\t") or len(line) - len(line.lstrip(" ")) > indent:
                lines.add(number)
                continue
            indent = None
        if match := _BLOCK_START.match(line):
            indent = len(match.group(1))
    return lines


def _line_column(text: str, position: int) -> tuple[int, int]:
    line = text.count("\n", 0, position) + 1
    return line, position - (text.rfind("\n", 0, position) + 1) + 1


def _tab_line(text: str, error_line: int | None) -> int | None:
    """The 1-based line, at or just before a syntax error, that indents with a tab."""
    lines = text.splitlines()
    if error_line is None:
        return None
    for number in range(min(error_line, len(lines) - 1), max(error_line - 3, -1), -1):
        if _TAB_INDENT.match(lines[number]):
            return number + 1
    return None


def _content_lines(nodes: Sequence[Node]) -> set[int]:
    """Lines that belong to block or quoted scalars (prose: full-width text is content there)."""
    lines: set[int] = set()
    stack = list(nodes)
    while stack:
        node = stack.pop()
        if isinstance(node, ScalarNode):
            if node.style is not None and node.end_mark is not None:
                lines.update(range(node.start_mark.line + 2, node.end_mark.line + 2))
        elif isinstance(node, SequenceNode):
            stack.extend(node.value)
        elif isinstance(node, MappingNode):
            for _key, value in node.value:
                stack.append(value)
    return lines


_ZH_PROBLEMS = {
    "could not find expected ':'": "缺少 ':'",
    "mapping values are not allowed here": (
        "此处不能出现键值对(缩进可能有误,或值中含有 ': ' 需加引号)"
    ),
    "found character '\\t' that cannot start any token": "制表符不能用于缩进",
    "found unexpected end of stream": "文件意外结束(引号或括号没有闭合)",
    "did not find expected key": "缩进不一致,找不到预期的键",
    "did not find expected '-' indicator": "缩进不一致,找不到预期的 '-'",
    "found undefined alias": "未定义的别名",
}


_UNCLOSED = {
    "while parsing a flow sequence": ("方括号 [ 没有闭合", "the '[' is not closed"),
    "while parsing a flow mapping": ("花括号 { 没有闭合", "the '{' is not closed"),
    "while scanning a quoted scalar": ("引号没有闭合", "the quote is not closed"),
    "while scanning a double-quoted": ("双引号没有闭合", "the double quote is not closed"),
    "while scanning a single-quoted": ("单引号没有闭合", "the single quote is not closed"),
}


def _describe(exc: MarkedYAMLError) -> str | Message:
    context = str(exc.context or "")
    for opening, (zh, en) in _UNCLOSED.items():
        if context.startswith(opening) and exc.context_mark is not None:
            detail = str(exc.problem or "").strip()
            return bilingual(f"{zh}({detail})", f"{en} ({detail})")
    problem = str(exc.problem or exc.context or "").strip()
    in_chinese = _ZH_PROBLEMS.get(problem)
    if in_chinese is None:
        for key, value in _ZH_PROBLEMS.items():
            if problem.startswith(key):
                in_chinese = value
                break
    if in_chinese is None:
        return problem
    return bilingual(in_chinese, problem)


# Errors inside these constructs are the opening's fault (an unclosed bracket or quote): the
# parser only notices later, often on the next line, so the opening is where to look.
_OPENINGS = (
    "while parsing a flow",
    "while scanning a quoted scalar",
    "while scanning a double-quoted",
    "while scanning a single-quoted",
)


def _error_mark(exc: MarkedYAMLError) -> Any:
    context = str(exc.context or "")
    if exc.context_mark is not None and context.startswith(_OPENINGS):
        return exc.context_mark
    return exc.problem_mark or exc.context_mark


def compose_or_nothing(text: str) -> list[Node]:
    """`compose`, or no nodes for text that does not compose (its problem is reported apart)."""
    try:
        return compose(text)
    except (YAMLError, ValueError, IndexError, TypeError, RecursionError):
        return []
