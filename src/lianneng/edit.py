"""Changing a value in a register file without touching anything else.

A round-trip dump rewrites quoting, widths and comments around the change (YAML-FACTS: 25 lines
changed for one value). Here the value's own span of text is replaced, or a new `key: value` line
is inserted after the record's `id` line, so the diff is exactly the changed line. Comments, order,
quoting elsewhere, line endings and a UTF-8 BOM stay as they were.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path

from ruamel.yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from lianneng.source.markdown import split_front_matter
from lianneng.source.yamldoc import KeyPath, compose
from lianneng.write import write_atomic

BOM = "\ufeff"


class EditError(Exception):
    """The file cannot be edited safely (it changed shape, or the record is in flow style)."""


@dataclass(frozen=True)
class Edit:
    record: KeyPath  # path to the mapping, document index first
    key: str
    value: str


_PLAIN = re.compile(r"^[^\s\-?:,\[\]{}#&*!|>'\"%@`][^\n]*$")
_AMBIGUOUS = re.compile(r"^(?:[-+]?[0-9].*|~|null|true|false|yes|no|on|off|y|n)$", re.IGNORECASE)


def format_scalar(value: str) -> str:
    """`value` as YAML: plain where that reads back the same, double-quoted otherwise."""
    if (_PLAIN.match(value) and not _AMBIGUOUS.match(value) and ": " not in value
            and " #" not in value and value == value.strip()):
        return value
    return json.dumps(value, ensure_ascii=False)


def apply_edits(yaml_text: str, edits: list[Edit]) -> str:
    nodes = compose(yaml_text)
    newline = "\r\n" if "\r\n" in yaml_text else "\n"
    splices: list[tuple[int, int, str]] = []
    for edit in edits:
        mapping = _node_at(nodes, edit.record)
        if not isinstance(mapping, MappingNode) or mapping.flow_style:
            raise EditError(f"{edit.record}: not a block mapping")
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
    anchor = next((v for k, v in pairs if k.value == "id"), None)
    key_column = pairs[0][0].start_mark.column if pairs else 0
    if anchor is None:
        raise EditError("record has no id")
    line_end = text.find("\n", anchor.end_mark.index)
    if line_end == -1:
        return len(text), len(text), f"{newline}{' ' * key_column}{edit.key}: {value}{newline}"
    at = line_end + 1
    return at, at, f"{' ' * key_column}{edit.key}: {value}{newline}"


def _node_at(nodes: list[Node], path: KeyPath) -> Node | None:
    if not path or not isinstance(path[0], int) or path[0] >= len(nodes):
        return None
    node: Node | None = nodes[path[0]]
    for step in path[1:]:
        if isinstance(node, SequenceNode) and isinstance(step, int) and step < len(node.value):
            node = node.value[step]
        elif isinstance(node, MappingNode):
            node = next((v for k, v in node.value if isinstance(k, ScalarNode) and k.value == step),
                        None)
        else:
            return None
    return node


def edit_file(path: Path, edits: list[Edit]) -> bool:
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
        text = text[:head_end] + new_yaml + text[head_end + len(front.yaml):]
    else:
        text = apply_edits(text, edits)
    return write_atomic(path, bom + text)
