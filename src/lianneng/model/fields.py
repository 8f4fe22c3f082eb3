"""Field declarations that say who may see a field and what it refers to.

Every field of every record is declared through `public`, `filing` or `internal`: publishing
later shows a field to an audience only if its visibility allows, so a field can never leak by
being forgotten. `ref=` names the kind(s) a field's ids must resolve to; `table=` names the code
table (in `lianneng.yaml`) its values come from. Both are checked generically.
"""

from __future__ import annotations

import copy
import enum
import sys
from datetime import date
from typing import Annotated, Any

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, StringConstraints
from pydantic.fields import FieldInfo
from pydantic_core import PydanticUndefined


class Visibility(enum.IntEnum):
    """Who may read a field: the public, the supervising body (filing) too, or only the unit."""

    PUBLIC = 0
    FILING = 1
    INTERNAL = 2


def _field(
    visibility: Visibility,
    description: str,
    default: Any,
    ref: str | None,
    table: str | None,
    **kwargs: Any,
) -> Any:
    extra: dict[str, Any] = {"x-visibility": visibility.name.lower()}
    if ref:
        extra["x-ref"] = ref
    if table:
        extra["x-table"] = table
    if default is not PydanticUndefined and isinstance(default, list | dict):
        # A fresh copy per record, with the default's contents (a bare `list` would drop them).
        if default:
            kwargs["default_factory"] = lambda value=default: copy.deepcopy(value)
        else:
            kwargs["default_factory"] = type(default)
        default = PydanticUndefined
    return Field(default, description=description, json_schema_extra=extra, **kwargs)


def public(
    description: str,
    default: Any = PydanticUndefined,
    *,
    ref: str | None = None,
    table: str | None = None,
    **kwargs: Any,
) -> Any:
    return _field(Visibility.PUBLIC, description, default, ref, table, **kwargs)


def filing(
    description: str,
    default: Any = PydanticUndefined,
    *,
    ref: str | None = None,
    table: str | None = None,
    **kwargs: Any,
) -> Any:
    return _field(Visibility.FILING, description, default, ref, table, **kwargs)


def internal(
    description: str,
    default: Any = PydanticUndefined,
    *,
    ref: str | None = None,
    table: str | None = None,
    **kwargs: Any,
) -> Any:
    return _field(Visibility.INTERNAL, description, default, ref, table, **kwargs)


def _meta(info: FieldInfo, key: str) -> Any:
    extra = info.json_schema_extra
    return extra.get(key) if isinstance(extra, dict) else None


def visibility_of(info: FieldInfo) -> Visibility:
    name = _meta(info, "x-visibility")
    return Visibility[str(name).upper()] if name else Visibility.INTERNAL


def ref_kinds(info: FieldInfo) -> tuple[str, ...]:
    ref = _meta(info, "x-ref")
    return tuple(str(ref).split("|")) if ref else ()


def table_of(info: FieldInfo) -> str | None:
    table = _meta(info, "x-table")
    return str(table) if table else None


# ── value types ────────────────────────────────────────────────────────────────────────────

_TRUE = {"是", "对", "真"}
_FALSE = {"否", "不", "假"}


def _chinese_bool(value: Any) -> Any:
    if isinstance(value, str):
        if value.strip() in _TRUE:
            return True
        if value.strip() in _FALSE:
            return False
    return value


Flag = Annotated[bool, BeforeValidator(_chinese_bool)]
"""A yes/no value: true/false, yes/no, 是/否."""

ID_PATTERN = r"^[^\s/#\[\]|,:]+$"
Id = Annotated[str, StringConstraints(pattern=ID_PATTERN, min_length=1, max_length=80)]
"""An id: letters, digits, Chinese characters and - _ . ; no spaces or / # [ ] | , :"""

Text = Annotated[str, StringConstraints(min_length=1)]
Date = date


class Strict(BaseModel):
    """The base of every register model: unknown keys are errors, text is trimmed."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True, validate_default=False)

    def __setstate__(self, state: dict[Any, Any]) -> None:
        # A model read back from a worker process or the cache gets its field names from the
        # pickle, one copy per file; interned, every record shares the class's own (at 100,000
        # records the copies would take some hundreds of megabytes).
        fields = state.get("__dict__")
        if isinstance(fields, dict):
            state["__dict__"] = {sys.intern(key): value for key, value in fields.items()}
        private = state.get("__pydantic_private__")
        if isinstance(private, dict):
            state["__pydantic_private__"] = {sys.intern(k): v for k, v in private.items()}
        names = state.get("__pydantic_fields_set__")
        if isinstance(names, set):
            state["__pydantic_fields_set__"] = {sys.intern(name) for name in names}
        super().__setstate__(state)
