"""What an audience may see. Every value a document shows comes through here.

A record becomes a plain dict holding only the fields whose visibility the audience may read
(`public` ⊂ `filing` ⊂ `internal`), nested models included. Records that have nothing for an
audience, and power items not disclosed to the public, are left out entirely. Templates never see
a model, so they cannot reach a field by mistake.
"""

from __future__ import annotations

import datetime
import enum
import functools
from typing import Any

from pydantic import BaseModel

from lianneng.model.base import Record
from lianneng.model.fields import Visibility, visibility_of
from lianneng.model.power import PowerItem


class Audience(enum.Enum):
    PUBLIC = "public"
    FILING = "filing"
    INTERNAL = "internal"

    @property
    def sees(self) -> Visibility:
        return _SEES[self]


_SEES = {
    Audience.PUBLIC: Visibility.PUBLIC,
    Audience.FILING: Visibility.FILING,
    Audience.INTERNAL: Visibility.INTERNAL,
}


def view(model: BaseModel, audience: Audience) -> dict[str, Any]:
    """The fields of `model` the audience may read, recursively, as plain data."""
    sees = _SEES[audience]
    fields, per_record = _fields_of(type(model))
    if per_record:
        names: tuple[str, ...] | list[str] = [
            name
            for name, declared in fields
            if model.field_visibility(name, declared) <= sees  # type: ignore[attr-defined]
        ]
    else:
        names = _seen_by(type(model), sees)
    values = model.__dict__  # a model's fields, read without a getattr each
    shown: dict[str, Any] = {}
    for name in names:
        value = values[name]
        shown[name] = value if type(value) in _LEAVES else _plain(value, audience)
    return shown


@functools.cache
def _fields_of(model: type[BaseModel]) -> tuple[tuple[tuple[str, Visibility], ...], bool]:
    """A model's fields with their declared visibility, and whether its records may raise a
    field's visibility one by one: worked out once per model, not once per record."""
    fields = tuple((name, visibility_of(info)) for name, info in model.model_fields.items())
    per_record = issubclass(model, Record) and model.field_visibility is not Record.field_visibility
    return fields, per_record


@functools.cache
def _seen_by(model: type[BaseModel], sees: Visibility) -> tuple[str, ...]:
    fields, _ = _fields_of(model)
    return tuple(name for name, declared in fields if declared <= sees)


# Values that are data as they stand: most of a register, passed by before the slower checks
# (BaseModel's metaclass makes isinstance costly).
_LEAVES = frozenset({str, int, bool, float, type(None), datetime.date, datetime.datetime})


def _plain(value: Any, audience: Audience) -> Any:
    kind = type(value)
    if kind in _LEAVES:
        return value
    # Asking whether a value is a model goes through BaseModel's metaclass: plain lists and
    # dicts skip it, and the empty ones (most: a control's rules, evidence, reviews) skip all.
    if kind is not list and kind is not dict and isinstance(value, BaseModel):
        return view(value, audience)
    if isinstance(value, list):  # mostly of ids or words: no call per item
        return [i if type(i) in _LEAVES else _plain(i, audience) for i in value] if value else []
    if isinstance(value, dict):
        return {str(k): _plain(v, audience) for k, v in value.items()} if value else {}
    return value


def visible(record: Record, audience: Audience) -> bool:
    """Whether the record appears at all: it must have a field beyond its id for the audience.

    People, written analyses and (for the public) warnings have none, so they never appear.
    """
    if audience is Audience.INTERNAL:
        return True
    if audience is Audience.PUBLIC and isinstance(record, PowerItem) and not record.public:
        return False
    return _shows_some(type(record), _SEES[audience])


@functools.cache
def _shows_some(model: type[BaseModel], sees: Visibility) -> bool:
    fields, _ = _fields_of(model)
    return any(declared <= sees for name, declared in fields if name not in ("kind", "id"))
