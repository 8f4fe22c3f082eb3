"""Field declarations that say who may see a field and what it refers to.

Every field of every record is declared through `public`, `filing` or `internal`: publishing
later shows a field to an audience only if its visibility allows, so a field can never leak by
being forgotten. `ref=` names the kind(s) a field's ids must resolve to; `table=` names the code
table (in `lianneng.yaml`) its values come from. Both are checked generically.
"""

from __future__ import annotations

import copy
import enum
import functools
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

    def __reduce__(self) -> tuple[Any, ...]:
        # Pickled as values in the class's field order, not as name → value: a model read back
        # from a worker process or the cache then shares the class's own field names instead of
        # carrying a copy per file (some hundreds of megabytes at 100,000 records), and reading
        # it back builds no strings at all.
        cls = type(self)
        names, private_names, bits = _layout(cls)
        values, private = self.__dict__, self.__pydantic_private__
        fields_set = self.__pydantic_fields_set__
        if (
            tuple(values) != names
            or self.__pydantic_extra__
            or (private is not None and tuple(private) != private_names)
            or not fields_set <= bits.keys()
        ):
            return _from_state, (cls, self.__getstate__())  # not as declared: keep the names
        mask = sum(map(bits.__getitem__, fields_set))
        private_values = None if private is None else tuple(private.values())
        return _from_values, (cls, tuple(values.values()), mask, private_values)


@functools.cache
def _layout(
    cls: type[BaseModel],
) -> tuple[tuple[str, ...], tuple[str, ...], dict[str, int]]:
    """A model's field names and private attribute names, in declaration order, and each
    field's bit in the mask of the fields set."""
    names = tuple(cls.model_fields)
    return names, tuple(cls.__private_attributes__), {name: 1 << n for n, name in enumerate(names)}


def _from_values(
    cls: type[Strict], values: tuple[Any, ...], mask: int, private: tuple[Any, ...] | None
) -> Strict:
    names, private_names, _ = _layout(cls)
    model = cls.__new__(cls)
    setattr_ = object.__setattr__
    setattr_(model, "__dict__", dict(zip(names, values, strict=True)))
    setattr_(model, "__pydantic_fields_set__", _fields_set(cls, mask))
    setattr_(model, "__pydantic_extra__", None)
    setattr_(
        model,
        "__pydantic_private__",
        None if private is None else dict(zip(private_names, private, strict=True)),
    )
    return model


@functools.cache
def _fields_set(cls: type[Strict], mask: int) -> set[str]:
    """The names of the fields a record's file wrote, one set shared by all the records that
    wrote the same ones (a set per record took over 100 MB at 100,000 records). Only pydantic's
    `exclude_unset` and `model_fields_set` read it, and the tool uses neither; assigning a field
    adds its name to the shared set, which they would then see for every sharer."""
    names, _, _ = _layout(cls)
    return {name for n, name in enumerate(names) if mask >> n & 1}


def _from_state(cls: type[Strict], state: dict[Any, Any]) -> Strict:
    model = cls.__new__(cls)
    model.__setstate__(state)
    return model
