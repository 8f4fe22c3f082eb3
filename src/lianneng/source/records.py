"""Files → raw records: each a mapping, the kind it claims or its folder gives, and its origin."""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from typing import Any

from lianneng.model.base import Origin
from lianneng.model.kinds import KINDS, kind_named, known_kind_names
from lianneng.problems import Message, Problem, bilingual, msg
from lianneng.source.files import Sources
from lianneng.source.markdown import split_front_matter
from lianneng.source.text import TextFault, decode, read_text
from lianneng.source.yamldoc import parse

_SALVAGE = re.compile(r"^[ ]*(?:-[ ]+)?id:[ ]*['\"]?([^\s'\"#]+)", re.M)


@dataclass
class RawRecord:
    kind: str
    data: dict[str, Any]
    origin: Origin


def read_documents(
    sources: Sources, rel: str, problems: list[Problem], data: bytes | None = None
) -> list[Any] | None:
    """The YAML documents of one file (a Markdown file's front matter), or None if unreadable.
    `data` is the file's bytes when the caller has read them already (and checked, as the
    register loader does, that the file does not lead out of the register).

    A Markdown file without front matter is documentation: it gives no documents and no problem.
    """
    source = sources.files.get(rel) or sources.add(rel)
    if data is None and source.path == sources.root / rel and sources.leads_outside(rel):
        problems.append(
            sources.at(
                rel,
                1,
                1,
                msg(
                    "F014",
                    detail=bilingual(
                        "链接指向登记册目录以外", "the link leads outside the register"
                    ),
                ),
            )
        )
        return None
    text = read_text(source.path) if data is None else decode(data)
    if isinstance(text, TextFault):
        problems.append(sources.at(rel, text.line, text.column, text.message))
        return None
    if rel.endswith(".md"):
        front = split_front_matter(text)
        if front is None:
            del sources.files[rel]
            return []
        if not front.closed:
            problems.append(sources.at(rel, 1, 1, msg("M001")))
            return None
        source.yaml, source.yaml_first_line = front.yaml, front.yaml_first_line
        source.body, source.body_first_line = front.body, front.body_first_line
    else:
        source.yaml = text
    parsed = parse(source.yaml)
    offset = source.yaml_first_line - 1
    for fault in parsed.faults:
        problems.append(sources.at(rel, fault.line + offset, fault.column, fault.message))
    if parsed.faults and not parsed.documents:
        source.salvaged_ids = _SALVAGE.findall(source.yaml)
        return None  # the syntax error is reported; there is nothing more to read
    return parsed.documents


def records_in_file(
    sources: Sources,
    rel: str,
    folder_kind: str | None,
    problems: list[Problem],
    data: bytes | None = None,
) -> list[RawRecord]:
    documents = read_documents(sources, rel, problems, data)
    if documents is None:
        return []
    if all(document is None for document in documents) and not rel.endswith(".md"):
        problems.append(sources.at(rel, 1, 1, msg("F013")))
    found = []
    for index, document in enumerate(documents):
        if document is not None:  # an empty document between `---` lines holds nothing
            found.extend(_records_of(sources, rel, index, document, folder_kind, problems))
    return found


def _records_of(
    sources: Sources,
    rel: str,
    index: int,
    document: Any,
    folder_kind: str | None,
    problems: list[Problem],
) -> list[RawRecord]:
    if isinstance(document, dict):
        items: list[tuple[tuple[int | str, ...], Any]] = [((index,), document)]
    elif isinstance(document, list) and not rel.endswith(".md"):
        items = [((index, position), item) for position, item in enumerate(document)]
    else:
        problems.append(
            sources.problem(rel, (index,), msg("S006", got=_shape(document), hint=msg("hint.none")))
        )
        return []
    records = []
    for path, item in items:
        if not isinstance(item, dict):
            problems.append(
                sources.problem(rel, path, msg("S006", got=_shape(item), hint=msg("hint.none")))
            )
            continue
        kind = _kind_of(item, folder_kind)
        if isinstance(kind, Message):
            at_kind = "kind" in item
            problems.append(sources.problem(rel, path + (("kind",) if at_kind else ()), kind))
            continue
        if rel.endswith(".md"):
            model = KINDS[kind]
            body = sources.files[rel].body or ""
            if model.MARKDOWN_BODY:
                item = {**item, "body": body}
            elif body.strip():
                label = bilingual(model.LABEL_ZH, model.LABEL_EN)
                problems.append(sources.problem(rel, path, msg("M005", kind=label)))
        records.append(RawRecord(kind, item, Origin(rel, path)))
    return records


def _kind_of(item: dict[str, Any], folder_kind: str | None) -> str | Message:
    claimed = item.get("kind")
    if claimed is None:
        return folder_kind if folder_kind else msg("S001", detail=msg("hint.kind_folder"))
    if not isinstance(claimed, str):
        return msg("S004", field="kind", detail=bilingual("应为文字", "expected text"))
    kind = kind_named(claimed)
    if kind is None:
        close = difflib.get_close_matches(str(claimed).lower(), known_kind_names(), n=1)
        suggest = msg("hint.didyoumean", suggestion=close[0]) if close else msg("hint.none")
        return msg("S001", detail=msg("hint.kind_unknown", kind=str(claimed), suggest=suggest))
    return kind


def _shape(value: Any) -> Message:
    if value is None:
        return msg("got.null")
    return msg("got.list") if isinstance(value, list) else msg("got.scalar")
