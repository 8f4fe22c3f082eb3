"""A walk over every field of a record, nested models included, with its key path."""

from __future__ import annotations

import functools
from collections.abc import Iterator
from typing import Any, NamedTuple

from pydantic import BaseModel
from pydantic.fields import FieldInfo

from lianneng.source.yamldoc import KeyPath


class FieldAt(NamedTuple):
    owner: BaseModel
    name: str
    info: FieldInfo
    value: Any
    path: KeyPath
    table: str | None = None
    """The code table the field's values come from (only set by `walk_marked`)."""
    kinds: tuple[str, ...] = ()
    """The kinds of record the field refers to (only set by `walk_marked`)."""


class _Plan(NamedTuple):
    marked: tuple[tuple[str, FieldInfo, str | None, tuple[str, ...]], ...]
    """(name, info, code table, referred kinds) of the fields that refer or come from a table."""
    nesting: tuple[str, ...]
    """Names of the fields that can hold models."""


@functools.cache
def _plan(cls: type[BaseModel]) -> _Plan:
    """Which fields of a model class the marked walk looks at, worked out once per class."""
    from lianneng.check.schema import _model_in
    from lianneng.model.fields import ref_kinds, table_of

    fields = cls.model_fields.items()
    return _Plan(
        tuple(
            (name, info, table_of(info), ref_kinds(info))
            for name, info in fields
            if table_of(info) or ref_kinds(info)
        ),
        tuple(name for name, info in fields if _model_in(info.annotation) is not None),
    )


def walk_marked(model: BaseModel, path: KeyPath) -> Iterator[FieldAt]:
    """Like `walk`, but only the fields that refer to records or come from code tables, and
    only those holding something (not None, not an empty list): the checks that need only those
    skip the rest of a large register."""
    plan = _plan(type(model))
    for name, info, table, kinds in plan.marked:
        value = getattr(model, name)
        if value is not None and value != []:
            yield FieldAt(model, name, info, value, path + (name,), table, kinds)
    for name in plan.nesting:
        value = getattr(model, name)
        if isinstance(value, BaseModel):
            yield from walk_marked(value, path + (name,))
        elif isinstance(value, list):
            for index, item in enumerate(value):
                if isinstance(item, BaseModel):
                    yield from walk_marked(item, path + (name, index))


def walk(model: BaseModel, path: KeyPath) -> Iterator[FieldAt]:
    for name, info in type(model).model_fields.items():
        value = getattr(model, name)
        here = path + (name,)
        yield FieldAt(model, name, info, value, here)
        if isinstance(value, BaseModel):
            yield from walk(value, here)
        elif isinstance(value, list):
            for index, item in enumerate(value):
                if isinstance(item, BaseModel):
                    yield from walk(item, here + (index,))


def values_at(field: FieldAt) -> Iterator[tuple[str, KeyPath]]:
    """The plain text values of a field (one, or each item of a list), with their paths."""
    if isinstance(field.value, str):
        yield field.value, field.path
    elif isinstance(field.value, list):
        for index, item in enumerate(field.value):
            if isinstance(item, str):
                yield item, field.path + (index,)
