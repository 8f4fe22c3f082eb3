"""A walk over every field of a record, nested models included, with its key path."""

from __future__ import annotations

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
