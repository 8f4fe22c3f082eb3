"""Values of coded fields come from the register's code tables (category, power category …)."""

from __future__ import annotations

import difflib
from typing import Any

from pydantic import BaseModel

from lianneng.model.config import TABLE_LABELS, Config
from lianneng.problems import Message, bilingual, msg


def allowed_values(config: Config, table: str) -> list[str]:
    entries = config.table(table)
    if isinstance(entries, dict):
        return [*entries.values(), *entries.keys()]
    return list(entries)


class CodeTables:
    """Checks a coded value against its table, then writes it by name (`XK` → 行政许可) so
    rules, outputs and filings all see one spelling. Tables given as a plain list have no codes
    and are left as they are."""

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

    def write_by_name(self, model: BaseModel, name: str, table: str, value: Any) -> None:
        """Set the field (`value`, a text or a list) to its values by name, if any is a code."""
        entries = self._codes.get(table)
        if entries is None:  # asked for each coded field of the register: looked up once
            table_entries = self.config.table(table)
            entries = self._codes[table] = table_entries if isinstance(table_entries, dict) else {}
        if not entries:
            return
        if isinstance(value, str):
            named: Any = entries.get(value, value)
        else:
            named = [entries.get(v, v) if isinstance(v, str) else v for v in value]
        if named != value:
            setattr(model, name, named)
