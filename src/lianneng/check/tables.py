"""Values of coded fields come from the register's code tables (category, power category …)."""

from __future__ import annotations

import difflib
import functools
from typing import Any, NamedTuple

from pydantic import BaseModel

from lianneng.model.config import DEFAULT_TABLES, TABLE_LABELS, Config
from lianneng.model.walk import plan_of
from lianneng.problems import Message, bilingual, msg
from lianneng.register import Register


def allowed_values(config: Config, table: str) -> list[str]:
    entries = config.table(table)
    if isinstance(entries, dict):
        return [*entries.values(), *entries.keys()]
    return list(entries)


def write_codes_by_name(register: Register) -> None:
    """Every coded value in the register written by its name (`XK` → 行政许可), before anything
    reads them: grading rules, the checks, outputs and filings all see one spelling. A value
    that is neither is left as written, for check_fields to report where it is."""
    tables = CodeTables(register.config)
    coded = frozenset(name for name in DEFAULT_TABLES if tables.codes(name))
    if not coded:  # tables given as plain lists (all but one by default) have no codes
        return
    for record in register.records:
        tables.name_codes(record, coded)


class _CodedPlan(NamedTuple):
    fields: tuple[tuple[str, str], ...]
    """(field, table) of each field whose table has codes."""
    nesting: tuple[str, ...]
    """Fields that can hold models with such fields."""


@functools.cache
def _coded_plan(cls: type[BaseModel], coded: frozenset[str]) -> _CodedPlan | None:
    """Where a model class (and the models it holds) can have codes to write by name, worked out
    once per class: the walk visits only those (the power items' categories, by default)."""
    from lianneng.check.schema import _model_in

    plan = plan_of(cls)
    fields = tuple((f.name, f.table) for f in plan.marked if f.table in coded)
    nesting = []
    for name in plan.nesting:
        held = _model_in(cls.model_fields[name].annotation)
        if held is not None and held is not cls and _coded_plan(held, coded) is not None:
            nesting.append(name)
    return _CodedPlan(fields, tuple(nesting)) if fields or nesting else None


class CodeTables:
    """Checks a coded value against its table, and writes it by name (`XK` → 行政许可).
    Tables given as a plain list have no codes and are left as they are."""

    def __init__(self, config: Config) -> None:
        self.config = config
        self._allowed: dict[str, set[str]] = {}
        self._codes: dict[str, dict[str, str]] = {}  # by table: its names by code, if any

    def allows(self, table: str | None, value: str) -> bool:
        """Whether the value plainly comes from the table (true when there is no table)."""
        if table is None:
            return True
        allowed = self._allowed.get(table)
        if allowed is None:
            allowed = self._allowed[table] = set(allowed_values(self.config, table))
        return not allowed or value in allowed  # an empty table (business_classes by default)

    def check(self, table: str, value: str) -> Message | None:
        if self.allows(table, value):
            return None
        choices = allowed_values(self.config, table)
        close = difflib.get_close_matches(value, choices, n=1, cutoff=0.5)
        hint = msg("hint.didyoumean", suggestion=close[0]) if close else msg("hint.none")
        return msg("S007", value=value, table=bilingual(*TABLE_LABELS[table]), hint=hint)

    def codes(self, table: str) -> dict[str, str]:
        """The table's names by code; empty if it has no codes."""
        entries = self._codes.get(table)
        if entries is None:  # asked for each coded field of the register: looked up once
            table_entries = self.config.table(table)
            entries = self._codes[table] = table_entries if isinstance(table_entries, dict) else {}
        return entries

    def name_codes(self, model: BaseModel, coded: frozenset[str]) -> None:
        """Write by name the codes of the model (and of the models it holds) from the tables
        `coded`."""
        plan = _coded_plan(type(model), coded)
        if plan is None:
            return
        values = model.__dict__
        for name, table in plan.fields:
            value = values[name]
            if type(value) is str or (type(value) is list and value):
                self.write_by_name(model, name, table, value)
        for name in plan.nesting:
            value = values[name]
            for item in value if type(value) is list else (value,):
                if isinstance(item, BaseModel):
                    self.name_codes(item, coded)

    def write_by_name(self, model: BaseModel, name: str, table: str, value: Any) -> None:
        """Set the field (`value`, a text or a list) to its values by name, if any is a code."""
        entries = self.codes(table)
        if not entries:
            return
        if isinstance(value, str):
            named: Any = entries.get(value, value)
        else:
            named = [entries.get(v, v) if isinstance(v, str) else v for v in value]
        if named != value:
            setattr(model, name, named)
