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
import types
import typing
from dataclasses import dataclass
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


class Viewer:
    """Views for one audience: view(model) is the fields of `model` the audience may read,
    recursively, as plain data.

    What each model shows is worked out once per model. A record is then copied whole and the
    fields the audience may not read are taken out, rather than built field by field: a large
    register's three audiences are a million views, and copying takes a quarter less time.
    Only fields whose type admits lists, dicts or models are looked into; a field typed as text,
    a number or a date holds just that, as pydantic validated it (and the cache gives back what
    was validated)."""

    def __init__(self, audience: Audience) -> None:
        self.audience = audience
        self.sees = _SEES[audience]
        self._shapes: dict[type[BaseModel], _Shape | None] = {}
        self._shows: dict[type[Record], bool] = {}

    def view(self, model: BaseModel) -> dict[str, Any]:
        kind = type(model)
        shape = self._shapes[kind] if kind in self._shapes else self._shape(kind)
        values = model.__dict__  # a model's fields, read without a getattr each
        # A record that may raise a field's visibility, or a __dict__ holding anything but
        # exactly the model's fields, is viewed field by field.
        if shape is None or values.keys() != shape.fields:
            return self._by_field(model)
        shown = values.copy()
        for name in shape.hidden:
            del shown[name]
        if shape.compact:  # a copy of a dict with deletions holds only what is left
            shown = shown.copy()
        for name in shape.nested:
            value = shown[name]
            if type(value) not in _LEAVES:
                shown[name] = self.plain(value)
        return shown

    def _by_field(self, model: BaseModel) -> dict[str, Any]:
        fields, per_record = _fields_of(type(model))
        if per_record:
            names: tuple[str, ...] | list[str] = [
                name
                for name, declared in fields
                if model.field_visibility(name, declared) <= self.sees  # type: ignore[attr-defined]
            ]
        else:
            names = _seen_by(type(model), self.sees)
        values = model.__dict__
        shown: dict[str, Any] = {}
        for name in names:
            value = values[name]
            shown[name] = value if type(value) in _LEAVES else self.plain(value)
        return shown

    def _shape(self, kind: type[BaseModel]) -> _Shape | None:
        fields, per_record = _fields_of(kind)
        shape = None
        if not per_record:
            seen = _seen_by(kind, self.sees)
            hidden = tuple(name for name, _ in fields if name not in seen)
            shape = _Shape(
                frozenset(name for name, _ in fields),
                hidden,
                tuple(name for name in seen if not _leaf_type(kind.model_fields[name].annotation)),
                # A dict keeps the room it was made with: one that lost a third of its fields
                # or more is copied again, smaller (the public's views of a large register:
                # 186 against 109 MB).
                len(hidden) * 3 >= len(fields),
            )
        self._shapes[kind] = shape
        return shape

    def plain(self, value: Any) -> Any:
        kind = type(value)
        if kind in _LEAVES:
            return value
        # Asking whether a value is a model goes through BaseModel's metaclass: plain lists and
        # dicts skip it, and the empty ones (most: a control's rules, evidence, reviews) skip
        # all.
        if kind is not list and kind is not dict and isinstance(value, BaseModel):
            return self.view(value)
        if isinstance(value, list):  # mostly of ids or words: no call per item
            return [i if type(i) in _LEAVES else self.plain(i) for i in value] if value else []
        if isinstance(value, dict):
            return {str(k): self.plain(v) for k, v in value.items()} if value else {}
        return value

    def visible(self, record: Record) -> bool:
        """Whether the record appears at all: it must have a field beyond its id for the
        audience (worked out once for each kind of record). People, written analyses and (for
        the public) warnings have none, so they never appear; nor, for the public, do power
        items not disclosed."""
        kind = type(record)
        shows = self._shows.get(kind)
        if shows is None:
            shows = self._shows[kind] = self.audience is Audience.INTERNAL or _shows_some(
                kind, self.sees
            )
        if kind is PowerItem and self.audience is Audience.PUBLIC:
            return shows and record.public  # type: ignore[attr-defined]
        return shows


@dataclass(frozen=True)
class _Shape:
    fields: frozenset[str]  # all the model's fields: what a validated model's __dict__ holds
    hidden: tuple[str, ...]  # those the audience may not read
    nested: tuple[str, ...]  # those it may read that can hold lists, dicts or models
    compact: bool  # whether a view is copied again once the hidden fields are taken out


def _leaf_type(annotation: Any) -> bool:
    """Whether a field of this type can hold only values that are data as they stand."""
    if annotation in _LEAVES:
        return True
    origin = typing.get_origin(annotation)
    if origin is typing.Annotated:
        return _leaf_type(typing.get_args(annotation)[0])
    if origin is typing.Union or origin is types.UnionType:
        return all(_leaf_type(arg) for arg in typing.get_args(annotation))
    if origin is typing.Literal:
        return all(type(arg) in _LEAVES for arg in typing.get_args(annotation))
    return False


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


@functools.cache
def _shows_some(model: type[BaseModel], sees: Visibility) -> bool:
    fields, _ = _fields_of(model)
    return any(declared <= sees for name, declared in fields if name not in ("kind", "id"))
