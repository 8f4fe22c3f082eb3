"""What an audience may see. Every value a document shows comes through here.

A record becomes a plain dict holding only the fields whose visibility the audience may read
(`public` ⊂ `filing` ⊂ `internal`), nested models included. Records that have nothing for an
audience, and power items not disclosed to the public, are left out entirely. Templates never see
a model, so they cannot reach a field by mistake.
"""

from __future__ import annotations

import enum
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
        return {
            Audience.PUBLIC: Visibility.PUBLIC,
            Audience.FILING: Visibility.FILING,
            Audience.INTERNAL: Visibility.INTERNAL,
        }[self]


_SEES = {"public": Visibility.PUBLIC, "filing": Visibility.FILING, "internal": Visibility.INTERNAL}


def view(model: BaseModel, audience: Audience) -> dict[str, Any]:
    """The fields of `model` the audience may read, recursively, as plain data."""
    shown: dict[str, Any] = {}
    for name, info in type(model).model_fields.items():
        declared = visibility_of(info)
        if isinstance(model, Record):
            declared = model.field_visibility(name, declared)
        if declared > audience.sees:
            continue
        shown[name] = _plain(getattr(model, name), audience)
    return shown


def _plain(value: Any, audience: Audience) -> Any:
    if isinstance(value, BaseModel):
        return view(value, audience)
    if isinstance(value, list):
        return [_plain(item, audience) for item in value]
    if isinstance(value, dict):
        return {str(k): _plain(v, audience) for k, v in value.items()}
    return value


def visible(record: Record, audience: Audience) -> bool:
    """Whether the record appears at all: it must have a field beyond its id for the audience.

    People, written analyses and (for the public) warnings have none, so they never appear.
    """
    if audience is Audience.INTERNAL:
        return True
    if isinstance(record, PowerItem) and not record.public and audience is Audience.PUBLIC:
        return False
    return any(
        visibility_of(info) <= audience.sees
        for name, info in type(record).model_fields.items()
        if name not in ("kind", "id")
    )
