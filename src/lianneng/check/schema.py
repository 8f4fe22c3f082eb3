"""Stage 2: raw mappings → typed models; pydantic's errors → located problems in plain words."""

from __future__ import annotations

import difflib
import re
import types
import typing
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError
from pydantic_core import ErrorDetails

from lianneng.model.base import Record
from lianneng.model.kinds import KINDS
from lianneng.problems import Message, Problem, bilingual, msg
from lianneng.source.files import Sources
from lianneng.source.records import RawRecord
from lianneng.source.yamldoc import KeyPath

M = TypeVar("M", bound=BaseModel)

# Discriminator tags pydantic puts into error locations; they are not keys in the file.
_UNION_TAGS = {"ref", "inline"}


def build_records(raw: list[RawRecord], sources: Sources) -> tuple[list[Record], list[Problem]]:
    records: list[Record] = []
    problems: list[Problem] = []
    for item in raw:
        model = validate(
            KINDS[item.kind], item.data, sources, item.origin.file, item.origin.path, problems
        )
        if model is not None:
            model._origin = item.origin
            records.append(model)
    return records, problems


def validate(
    model: type[M], data: Any, sources: Sources, rel: str, path: KeyPath, problems: list[Problem]
) -> M | None:
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        for error in exc.errors(include_url=False):
            problems.append(_problem(model, error, sources, rel, path))
        return None


def _problem(
    model: type[BaseModel], error: ErrorDetails, sources: Sources, rel: str, path: KeyPath
) -> Problem:
    loc = _clean(model, error["loc"])
    kind = error["type"]
    whole = bilingual("(整个文件)", "(the whole file)")
    name: str | Message = ".".join(str(part) for part in loc if isinstance(part, str)) or whole
    field_name: str | Message = next((str(p) for p in reversed(loc) if isinstance(p, str)), whole)
    if kind == "missing":
        return sources.problem(rel, path + loc[:-1], msg("S002", field=field_name))
    if kind == "extra_forbidden":
        known = _field_names(model, loc[:-1])
        close = difflib.get_close_matches(str(field_name), known, n=1, cutoff=0.6)
        hint = msg("hint.didyoumean", suggestion=close[0]) if close else msg("hint.none")
        return sources.problem(rel, path + loc, msg("S003", field=field_name, hint=hint), key=True)
    value = error.get("input")
    if value is None or (kind == "string_too_short" and value == ""):
        return sources.problem(rel, path + loc, msg("S005", field=name))
    return sources.problem(rel, path + loc, msg("S004", field=name, detail=_detail(error)))


# pydantic names the member of a union it tried ("list[str]", "dict[constrained-str,…]"):
# a type, not a key in the file.
_TYPE_NAME = re.compile(r"^(?:[a-z_-]+\[.*\]|str|int|float|bool|date|constrained-str|function-.*)$")


def _clean(model: type[BaseModel], loc: tuple[int | str, ...]) -> KeyPath:
    """The key path of an error location: pydantic's union member names dropped. A part that
    names a field of the model at that point is a key even if it reads like a type (`date`)."""
    cleaned: list[int | str] = []
    current: type[BaseModel] | None = model
    for part in loc:
        if isinstance(part, int):
            cleaned.append(part)
            continue
        info = current.model_fields.get(part) if current is not None else None
        if info is not None:
            cleaned.append(part)
            current = _model_in(info.annotation)
            continue
        if part in _UNION_TAGS and cleaned and isinstance(cleaned[-1], int):
            continue
        if _TYPE_NAME.match(part):
            continue
        cleaned.append(part)
    return tuple(cleaned)


_DETAILS: dict[str, tuple[str, str]] = {
    "string_type": ("应为文字", "expected text"),
    "int_parsing": ("应为整数", "expected a whole number"),
    "int_type": ("应为整数", "expected a whole number"),
    "int_from_float": ("应为整数", "expected a whole number"),
    "float_parsing": ("应为数字", "expected a number"),
    "float_type": ("应为数字", "expected a number"),
    "bool_parsing": ("应为 是/否(或 true/false)", "expected yes/no (true/false)"),
    "bool_type": ("应为 是/否(或 true/false)", "expected yes/no (true/false)"),
    "date_parsing": (
        "应为日期,格式 YYYY-MM-DD,如 2026-03-31",
        "expected a date as YYYY-MM-DD, such as 2026-03-31",
    ),
    "date_from_datetime_parsing": (
        "应为有效日期,格式 YYYY-MM-DD,如 2026-03-31",
        "expected a valid date as YYYY-MM-DD, such as 2026-03-31",
    ),
    "date_from_datetime_inexact": ("应为日期,不含时间", "expected a date without a time"),
    "date_type": ("应为日期,格式 YYYY-MM-DD", "expected a date as YYYY-MM-DD"),
    "list_type": ("应为列表(每项以 '- ' 开头)", "expected a list (items start with '- ')"),
    "dict_type": ("应为键值映射", "expected a mapping of keys to values"),
    "model_type": ("应为键值映射", "expected a mapping of keys to values"),
    "model_attributes_type": ("应为键值映射", "expected a mapping of keys to values"),
    "string_pattern_mismatch": (
        "编号不能包含空格或 / # [ ] | , : 等符号",
        "an id may not contain spaces or / # [ ] | , :",
    ),
    "string_too_long": ("文字过长", "text too long"),
}


def _detail(error: ErrorDetails) -> Message | str:
    kind = error["type"]
    ctx = error.get("ctx") or {}
    if kind == "literal_error":
        expected = str(ctx.get("expected", ""))
        return bilingual(f"应为以下之一:{expected}", f"expected one of {expected}")
    if kind == "too_short":
        least = str(ctx.get("min_length", 1))
        return bilingual(f"至少需要 {least} 项", f"needs at least {least} item(s)")
    if kind in _DETAILS:
        zh, en = _DETAILS[kind]
        return bilingual(zh, en)
    return str(error.get("msg", kind))


def _field_names(model: type[BaseModel], loc: KeyPath) -> list[str]:
    """The field names allowed at `loc` inside `model` (for "did you mean")."""
    current: type[BaseModel] | None = model
    for part in loc:
        if current is None:
            return []
        if isinstance(part, int):
            continue
        info = current.model_fields.get(part)
        current = _model_in(info.annotation) if info else None
    return list(current.model_fields) if current else []


def _model_in(annotation: Any) -> type[BaseModel] | None:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    origin = typing.get_origin(annotation)
    if origin is typing.Annotated:
        return _model_in(typing.get_args(annotation)[0])
    if origin in (list, dict, typing.Union, types.UnionType):
        for arg in typing.get_args(annotation):
            found = _model_in(arg)
            if found is not None:
                return found
    return None
