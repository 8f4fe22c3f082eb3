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


@functools.cache
def _plan(cls: type[BaseModel]) -> tuple[tuple[str, FieldInfo, bool, bool], ...]:
    """(name, info, marked, may nest) per field of a model class, worked out once per class:
    `marked` when it carries a reference or a code table, `may nest` when it can hold models."""
    from lianneng.check.schema import _model_in
    from lianneng.model.fields import ref_kinds, table_of

    return tuple(
        (
            name,
            info,
            bool(ref_kinds(info) or table_of(info)),
            _model_in(info.annotation) is not None,
        )
        for name, info in cls.model_fields.items()
    )


def walk_marked(model: BaseModel, path: KeyPath) -> Iterator[FieldAt]:
    """Like `walk`, but only the fields that refer to records or come from code tables: the
    checks that need only those skip the rest of a large register."""
    for name, info, marked, nests in _plan(type(model)):
        value = getattr(model, name)
        if marked:
            yield FieldAt(model, name, info, value, path + (name,))
        if not nests:
            continue
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
