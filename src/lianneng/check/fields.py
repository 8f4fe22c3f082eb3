"""References and coded values, checked in one walk over the fields that hold them.

Each such field is checked where it is: its ids must name records of the right kind, its codes
must come from the register's tables (those given as codes were written by name before anything
read them: see check.tables.write_codes_by_name).
"""

from __future__ import annotations

from collections.abc import Iterable

from pydantic import BaseModel

from lianneng.check.references import Resolver
from lianneng.check.tables import CodeTables
from lianneng.model.walk import plan_of
from lianneng.problems import Message, Problem
from lianneng.register import Register
from lianneng.source.files import Sources
from lianneng.source.yamldoc import KeyPath


def check_fields(register: Register, sources: Sources) -> list[Problem]:
    check = _FieldCheck(register, sources)
    for record in register.records:
        if record.origin is not None:
            check.model(record.origin.file, record, record.origin.path)
    return check.problems


class _FieldCheck:
    """The walk itself. It meets every reference and code in the register (over a million at
    100,000 risk points), so a value is first checked by plain lookups, and only a value that
    fails them is looked at again for its message and its place in the file."""

    def __init__(self, register: Register, sources: Sources) -> None:
        self.resolve = Resolver(register)
        self.tables = CodeTables(register.config)
        self.sources = sources
        self.problems: list[Problem] = []

    def model(self, file: str, model: BaseModel, path: KeyPath) -> None:
        plan = plan_of(type(model))
        values = model.__dict__  # a model's fields, read without a getattr each
        found, allows = self.resolve.found, self.tables.allows
        for name, table, kinds in plan.marked:
            value = values[name]
            if type(value) is str:
                items: Iterable[tuple[int | None, object]] = ((None, value),)
            elif type(value) is list and value:
                items = enumerate(value)
            else:
                continue
            for index, item in items:
                # Most fields refer to records or take codes, not both: each test only if asked.
                if type(item) is str and (
                    (kinds and not found(item, kinds)) or (table and not allows(table, item))
                ):
                    where = path + ((name,) if index is None else (name, index))
                    self._report(file, item, where, table, kinds)
        for name in plan.nesting:
            value = values[name]
            if type(value) is list:
                for index, item in enumerate(value):
                    if _is_model(type(item)):
                        self.model(file, item, path + (name, index))
            elif _is_model(type(value)):
                self.model(file, value, path + (name,))

    def _report(
        self, file: str, value: str, path: KeyPath, table: str | None, kinds: tuple[str, ...]
    ) -> None:
        messages: list[Message | None] = []
        if kinds:
            messages.append(self.resolve(value, kinds))
        if table:
            messages.append(self.tables.check(table, value))
        for message in messages:
            if message is not None:
                self.problems.append(self.sources.problem(file, path, message))


_MODEL_TYPES: dict[type, bool] = {}


def _is_model(kind: type) -> bool:
    # isinstance(…, BaseModel) goes through the models' metaclass: asked once per type.
    known = _MODEL_TYPES.get(kind)
    if known is None:
        known = _MODEL_TYPES[kind] = issubclass(kind, BaseModel)
    return known
