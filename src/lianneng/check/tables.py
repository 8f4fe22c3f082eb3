"""Values of coded fields come from the register's code tables (category, power category …)."""

from __future__ import annotations

import difflib

from lianneng.model.config import TABLE_LABELS, Config
from lianneng.model.walk import FieldAt
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

    def check(self, table: str, value: str) -> Message | None:
        allowed = self._allowed.get(table)
        if allowed is None:
            allowed = self._allowed[table] = set(allowed_values(self.config, table))
        if not allowed or value in allowed:
            return None  # an empty table (business_classes by default) checks nothing
        choices = allowed_values(self.config, table)
        close = difflib.get_close_matches(value, choices, n=1, cutoff=0.5)
        hint = msg("hint.didyoumean", suggestion=close[0]) if close else msg("hint.none")
        return msg("S007", value=value, table=bilingual(*TABLE_LABELS[table]), hint=hint)

    def canonicalize(self, field: FieldAt) -> None:
        entries = self.config.table(field.table) if field.table else None
        if not isinstance(entries, dict):
            return
        if isinstance(field.value, str) and field.value in entries:
            setattr(field.owner, field.name, entries[field.value])
        elif isinstance(field.value, list):
            setattr(
                field.owner,
                field.name,
                [entries.get(v, v) if isinstance(v, str) else v for v in field.value],
            )
