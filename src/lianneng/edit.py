"""Changing a value in a register file without touching anything else.

A round-trip dump rewrites quoting, widths and comments around the change (YAML-FACTS: 25 lines
changed for one value). Here the value's own span of text is replaced, or a new `key: value` line
is inserted after the record's `id` line, so the diff is exactly the changed line. Comments, order,
quoting elsewhere, line endings and a UTF-8 BOM stay as they were.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from ruamel.yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from lianneng.source.markdown import split_front_matter
from lianneng.source.yamldoc import KeyPath
from lianneng.source.yamlguard import compose
from lianneng.write import write_atomic

BOM = "\ufeff"


class EditError(Exception):
    """The file cannot be edited safely (it changed shape, or the record is in flow style)."""


@dataclass(frozen=True)
class Edit:
    record: KeyPath  # path to the mapping, document index first
    key: str
    value: str
    after: str | None = "id"  # a missing key is inserted after this one (else at the record's end)


@dataclass(frozen=True)
class Append:
    """Add `item` (a flat mapping) to the block list `key` of a record, creating the list if need
    be."""

    record: KeyPath
    key: str
    item: tuple[tuple[str, str], ...]


_PLAIN = re.compile(r"^[^\s\-?:,\[\]{}#&*!|>'\"%@`][^\n]*$")
# Words another YAML reader would take for a boolean or null; dates and plain numbers stay plain
# (the register reads every value as text and its fields decide the type).
_AMBIGUOUS = re.compile(r"^(?:~|null|true|false|yes|no|on|off|y|n|0[0-9]+|[-+].*)$", re.IGNORECASE)


def format_scalar(value: str) -> str:
    """`value` as YAML: plain where that reads back the same, double-quoted otherwise."""
    if (
        _PLAIN.match(value)
        and not _AMBIGUOUS.match(value)
        and ": " not in value
        and " #" not in value
        and value == value.strip()
    ):
        return value
    return json.dumps(value, ensure_ascii=False)


def apply_edits(yaml_text: str, edits: Sequence[Edit | Append]) -> str:
    nodes = compose(yaml_text)
    newline = "\r\n" if "\r\n" in yaml_text else "\n"
    splices: list[tuple[int, int, str]] = []
    for edit in edits:
        mapping = _node_at(nodes, edit.record)
        if not isinstance(mapping, MappingNode) or mapping.flow_style:
            raise EditError(f"{edit.record}: not a block mapping")
        if isinstance(edit, Append):
            splices.append(_append(yaml_text, mapping, edit, newline))
        else:
            splices.append(_splice(yaml_text, mapping, edit, newline))
    for start, end, replacement in sorted(splices, reverse=True):
        yaml_text = yaml_text[:start] + replacement + yaml_text[end:]
    return yaml_text


def _splice(text: str, mapping: MappingNode, edit: Edit, newline: str) -> tuple[int, int, str]:
    value = format_scalar(edit.value)
    pairs = [(k, v) for k, v in mapping.value if isinstance(k, ScalarNode)]
    for key_node, value_node in pairs:
        if key_node.value != edit.key:
            continue
        if not isinstance(value_node, ScalarNode):
            raise EditError(f"{edit.key}: not a plain value")
        start, end = value_node.start_mark.index, value_node.end_mark.index
        if start == end:  # an empty value: its mark is on the next line; write after the colon
            colon = text.index(":", key_node.end_mark.index)
            return colon + 1, colon + 1, " " + value
        span = text[start:end]
        kept = len(span) - len(span.rstrip("\r\n"))  # a block scalar's span ends with its newline
        return start, end - kept, value
    if not pairs:
        raise EditError("empty record")
    key_column = pairs[0][0].start_mark.column
    anchor = next((v for k, v in pairs if k.value == edit.after), None) if edit.after else None
    at = _line_after(text, (anchor or pairs[-1][1]).end_mark.index)
    if anchor is None:
        at = _before_blank_lines(text, at)
    lead = newline if at == len(text) and text and not text.endswith("\n") else ""
    return at, at, f"{lead}{' ' * key_column}{edit.key}: {value}{newline}"


def _line_after(text: str, index: int) -> int:
    """Where a new line goes after a node ending at `index`.

    A block node's end mark sits on the next token, often after the indentation of the following
    line: then the new line goes at that line's start, before the next key.
    """
    line_start = text.rfind("\n", 0, index) + 1
    if not text[line_start:index].strip(" "):
        return line_start
    end = text.find("\n", index)
    return len(text) if end == -1 else end + 1


def _before_blank_lines(text: str, at: int) -> int:
    """Move an insertion point above the blank lines that separate this record from the next."""
    while at > 0:
        previous = text.rfind("\n", 0, at - 1) + 1
        if text[previous:at].strip():
            return at
        at = previous
    return at


def _item_lines(item: tuple[tuple[str, str], ...], dash_column: int, newline: str) -> str:
    lines = []
    for number, (key, value) in enumerate(item):
        lead = " " * dash_column + ("- " if number == 0 else "  ")
        lines.append(f"{lead}{key}: {format_scalar(value)}{newline}")
    return "".join(lines)


def _append(text: str, mapping: MappingNode, edit: Append, newline: str) -> tuple[int, int, str]:
    pairs = [(k, v) for k, v in mapping.value if isinstance(k, ScalarNode)]
    if not pairs:
        raise EditError("empty record")
    key_column = pairs[0][0].start_mark.column
    for key_node, value_node in pairs:
        if key_node.value != edit.key:
            continue
        if isinstance(value_node, SequenceNode) and value_node.value and not value_node.flow_style:
            dash = value_node.value[0].start_mark.column - 2
            at = _before_blank_lines(text, _line_after(text, value_node.value[-1].end_mark.index))
            return at, at, _item_lines(edit.item, dash, newline)
        if (
            isinstance(value_node, ScalarNode)
            and value_node.start_mark.index == value_node.end_mark.index
        ):
            at = _line_after(text, key_node.end_mark.index)
            return at, at, _item_lines(edit.item, key_column + 2, newline)
        raise EditError(f"{edit.key}: not a block list")
    # No such list yet: add it after the record's last line.
    at = _before_blank_lines(text, _line_after(text, pairs[-1][1].end_mark.index))
    if at == len(text) and text and not text.endswith("\n"):
        return (
            at,
            at,
            newline
            + f"{' ' * key_column}{edit.key}:{newline}"
            + _item_lines(edit.item, key_column + 2, newline),
        )
    return (
        at,
        at,
        f"{' ' * key_column}{edit.key}:{newline}" + _item_lines(edit.item, key_column + 2, newline),
    )


def new_record_text(fields: list[tuple[str, str | None]], schema: str | None = None) -> str:
    """A new one-record YAML file (a warning issued by a command), plain and reviewable."""
    head = f"# yaml-language-server: $schema={schema}\n" if schema else ""
    return head + "".join(
        f"{key}: {format_scalar(value)}\n" for key, value in fields if value is not None
    )


def _node_at(nodes: list[Node], path: KeyPath) -> Node | None:
    if not path or not isinstance(path[0], int) or path[0] >= len(nodes):
        return None
    node: Node | None = nodes[path[0]]
    for step in path[1:]:
        if isinstance(node, SequenceNode) and isinstance(step, int) and step < len(node.value):
            node = node.value[step]
        elif isinstance(node, MappingNode):
            node = next(
                (v for k, v in node.value if isinstance(k, ScalarNode) and k.value == step), None
            )
        else:
            return None
    return node


def edit_file(path: Path, edits: Sequence[Edit | Append]) -> bool:
    """Apply `edits` to one file, atomically; True if its content changed."""
    raw = path.read_bytes().decode("utf-8")
    bom = BOM if raw.startswith(BOM) else ""
    text = raw.removeprefix(BOM)
    if path.suffix == ".md":
        front = split_front_matter(text)
        if front is None or not front.closed:
            raise EditError("no front matter")
        head_end = text.index(front.yaml) if front.yaml else text.index("\n") + 1
        new_yaml = apply_edits(front.yaml, edits)
        text = text[:head_end] + new_yaml + text[head_end + len(front.yaml) :]
    else:
        text = apply_edits(text, edits)
    return write_atomic(path, bom + text)
