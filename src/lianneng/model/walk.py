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


class MarkedField(NamedTuple):
    """A field that refers to records or takes its values from a code table."""

    name: str
    table: str | None
    """The code table the field's values come from."""
    kinds: tuple[str, ...]
    """The kinds of record the field refers to."""


class Plan(NamedTuple):
    marked: tuple[MarkedField, ...]
    nesting: tuple[str, ...]
    """Names of the fields that can hold models."""


@functools.cache
def plan_of(cls: type[BaseModel]) -> Plan:
    """Which fields of a model class hold references or codes, and which can hold models,
    worked out once per class: a walk over a large register looks at those only."""
    from lianneng.check.schema import _model_in
    from lianneng.model.fields import ref_kinds, table_of

    fields = cls.model_fields.items()
    return Plan(
        tuple(
            MarkedField(name, table_of(info), ref_kinds(info))
            for name, info in fields
            if table_of(info) or ref_kinds(info)
        ),
        tuple(name for name, info in fields if _model_in(info.annotation) is not None),
    )


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
