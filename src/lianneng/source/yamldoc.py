"""YAML text → plain data, with every hazard turned into a located problem.

Design (see YAML-FACTS): the composer refuses aliases, explicit tags and deep nesting before any
data is built; every plain scalar stays a string (nulls aside) so the pydantic models decide types
and bad values get a position; duplicate keys are found while walking. Positions are not kept for
the data: a problem's position is found later by composing that one file again (`locate`), so the
fast path never pays for it.

This module is the fast path, libyaml's C composer for text it cannot misread, and `Locator`,
which uses the same composer for such text. Anything else goes to `yamlguard` (ruamel's guarded
pure composer), imported only then: a register whose files all take the fast path is validated,
problems located and all, without loading ruamel.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from lianneng.problems import Message, msg

MAX_DEPTH = 64
NULL_TAG = "tag:yaml.org,2002:null"
STR_TAG = "tag:yaml.org,2002:str"
_NULLS = frozenset(("", "~", "null", "Null", "NULL"))

try:  # PyYAML with libyaml: the fast path for clean files (see _fast_nodes)
    import yaml as _pyyaml
    from yaml._yaml import CParser as _CParser

    class _CLoader(_CParser):
        """libyaml's composer with the one tag resolution we use: plain nulls. Every other
        scalar stays text for the models to type, so PyYAML's regex resolvers are skipped."""

        def resolve(self, kind: Any, value: Any, implicit: Any) -> str:
            if kind is _pyyaml.ScalarNode and implicit[0] and value in _NULLS:
                return NULL_TAG
            return STR_TAG

        def descend_resolver(self, *_: Any) -> None:
            pass

        def ascend_resolver(self, *_: Any) -> None:
            pass

except ImportError:  # pragma: no cover - the pure path alone still gives every answer
    _pyyaml, _CLoader = None, None  # type: ignore[assignment,misc]

KeyPath = tuple[int | str, ...]


@dataclass(frozen=True)
class YamlFault:
    line: int  # 1-based, relative to the YAML text
    column: int
    message: Message


@dataclass
class Parsed:
    documents: list[Any] = field(default_factory=list)
    faults: list[YamlFault] = field(default_factory=list)


# ── the fast path: text → data ─────────────────────────────────────────────────────────────


def _fast_nodes(text: str) -> list[Any] | None:
    """libyaml's C composer (YAML-FACTS: ~11× faster than ruamel's pure one), only for text it
    cannot misread: no alias or tag could be in it, it cannot nest deep enough to crash libyaml,
    and there is nothing to report. Anything else, or any error, goes the guarded ruamel way."""
    if _CLoader is None or "*" in text or "!" in text or "：" in text or "\u3000" in text:
        return None
    if text.count("[") + text.count("{") > MAX_DEPTH or "\t" in text:
        return None
    if _COMPACT_PAIR.search(text) and _COMPACT.search(text):
        return None
    try:
        # A loader is what compose_all calls it; libyaml's parser with our resolver is one.
        composed = _pyyaml.compose_all(text, Loader=_CLoader)  # type: ignore[arg-type]
        nodes = [node for node in composed if node is not None]
    except Exception:  # noqa: BLE001 - the ruamel path will report it, located and in words
        return None
    if text.count("[") + text.count("{") <= 16 and _DEEP_INDENT.search(text) is None:
        return nodes  # shallow by construction (see _DEEP_INDENT): no need to measure
    return nodes if all(_depth(node) <= MAX_DEPTH for node in nodes) else None


# `- - - - x` nests block sequences on one line: tens of thousands deep in a small file.
_COMPACT = re.compile(r"(?:[-?][ ]+){16}")
# How any match of it starts, found in a fifth of the time (the usual file has none).
_COMPACT_PAIR = re.compile(r"[-?][ ]+[-?]")
# A block collection starts at its line's first content after spaces, `-` and `?`, and each
# level starts further right than its parent (or, a sequence under a key, at the key's column,
# its items two further). So with no such prefix of 24 characters block nesting is at most
# 2 × 24 = 48 levels; with at most 16 brackets on top the file is within MAX_DEPTH unmeasured.
_DEEP_INDENT = re.compile(r"^[ ?-]{24}", re.M)


def _depth(node: Any, level: int = 1) -> int:
    if level > MAX_DEPTH or node.id == "scalar":
        return level
    children = node.value if node.id == "sequence" else [v for pair in node.value for v in pair]
    return max((_depth(child, level + 1) for child in children), default=level)


def parse(text: str) -> Parsed:
    """Every document of `text` as plain data, and what is wrong with it, located."""
    result = Parsed()
    fast = _fast_nodes(text)
    if fast is not None:
        for node in fast:
            result.documents.append(to_data(node, result.faults))
        return result
    from lianneng.source.yamlguard import parse_guarded  # ruamel: imported only when needed

    return parse_guarded(text)


def to_data(node: Any, faults: list[YamlFault]) -> Any:
    """Nodes of either parser (ruamel's or libyaml's: the same shape) → plain data."""
    kind = node.id  # "scalar", "sequence" or "mapping" in both libraries
    if kind == "scalar":
        if not node.style and str(node.tag) == NULL_TAG:  # plain: None (ruamel) or "" (libyaml)
            return None
        return node.value
    if kind == "sequence":
        return [to_data(item, faults) for item in node.value]
    if kind == "mapping":
        data: dict[str, Any] = {}
        first_line: dict[str, int] = {}
        for key_node, value_node in node.value:
            if key_node.id != "scalar" or key_node.value is None:
                faults.append(fault_at(key_node.start_mark, msg("F012")))
                continue
            key = key_node.value
            if key in data:
                faults.append(
                    fault_at(key_node.start_mark, msg("F005", key=key, first_line=first_line[key]))
                )
                continue
            first_line[key] = key_node.start_mark.line + 1
            data[key] = to_data(value_node, faults)
        return data
    return None


def fault_at(mark: Any, message: Message) -> YamlFault:
    if mark is None:
        return YamlFault(1, 1, message)
    return YamlFault(mark.line + 1, mark.column + 1, message)


# ── where is this key? ─────────────────────────────────────────────────────────────────────


class Locator:
    """Finds positions in one file's YAML; composed once, on the first question: by libyaml
    when the fast path takes the text (its nodes stand where ruamel's do, as a test checks over
    every example), else by the guarded composer."""

    def __init__(self, text: str) -> None:
        self._text = text
        self._nodes: list[Any] | None = None

    def find(self, path: KeyPath, *, key: bool = False) -> tuple[int, int] | None:
        if self._nodes is None:
            self._nodes = _fast_nodes(self._text)
            if self._nodes is None:
                from lianneng.source.yamlguard import compose_or_nothing

                self._nodes = compose_or_nothing(self._text)
        return walk_to(self._nodes, path, key)


def walk_to(nodes: list[Any], path: KeyPath, key: bool) -> tuple[int, int] | None:
    """1-based (line, column) of the value at `path` (document index first), or of its key, in
    nodes of either composer.

    Walks as far as the path exists, so a missing field points at the record that lacks it.
    """
    if not path or not isinstance(path[0], int) or path[0] >= len(nodes):
        return None
    node = nodes[path[0]]
    mark = node.start_mark
    last = len(path) - 1
    for index, step in enumerate(path[1:], start=1):
        found = _child(node, step)
        if found is None:
            break
        key_node, node = found
        empty = (
            node.id == "scalar"
            and key_node is not None
            and node.start_mark.index == node.end_mark.index
        )
        # An empty value's own mark lies on the next token (often the next line): use its key.
        use_key = key_node is not None and ((key and index == last) or empty)
        mark = key_node.start_mark if use_key else node.start_mark
    return mark.line + 1, mark.column + 1


def _child(node: Any, step: int | str) -> tuple[Any, Any] | None:
    if node.id == "sequence" and isinstance(step, int):
        return (None, node.value[step]) if 0 <= step < len(node.value) else None
    if node.id == "mapping":
        for key_node, value_node in node.value:
            if key_node.id == "scalar" and key_node.value == str(step):
                return key_node, value_node
    return None
