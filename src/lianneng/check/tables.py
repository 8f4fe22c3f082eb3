"""Values of coded fields come from the register's code tables (category, power category …)."""

from __future__ import annotations

import difflib

from lianneng.model.config import TABLE_LABELS, Config
from lianneng.model.fields import table_of
from lianneng.model.walk import values_at, walk_marked
from lianneng.problems import Problem, bilingual, msg
from lianneng.register import Register
from lianneng.source.files import Sources


def allowed_values(config: Config, table: str) -> list[str]:
    entries = config.table(table)
    if isinstance(entries, dict):
        return [*entries.values(), *entries.keys()]
    return list(entries)


def canonical_names(register: Register) -> None:
    """Write every coded value as its name (`XK` → 行政许可), so rules, outputs and filings all
    see one spelling. Tables given as a plain list have no codes and are left as they are."""
    for record in register.all_records():
        assert record.origin is not None
        for field in walk_marked(record, record.origin.path):
            table = table_of(field.info)
            entries = register.config.table(table) if table else None
            if not isinstance(entries, dict):
                continue
            if isinstance(field.value, str) and field.value in entries:
                setattr(field.owner, field.name, entries[field.value])
            elif isinstance(field.value, list):
                setattr(
                    field.owner,
                    field.name,
                    [entries.get(v, v) if isinstance(v, str) else v for v in field.value],
                )


def check_tables(register: Register, sources: Sources) -> list[Problem]:
    problems = []
    allowed: dict[str, list[str]] = {}
    for record in register.records:
        assert record.origin is not None
        for field in walk_marked(record, record.origin.path):
            table = table_of(field.info)
            if table is None:
                continue
            values = allowed.setdefault(table, allowed_values(register.config, table))
            if not values:
                continue  # an empty table (business_classes by default) checks nothing
            for value, path in values_at(field):
                if value in values:
                    continue
                close = difflib.get_close_matches(value, values, n=1, cutoff=0.5)
                hint = msg("hint.didyoumean", suggestion=close[0]) if close else msg("hint.none")
                label = bilingual(*TABLE_LABELS[table])
                problems.append(
                    sources.problem(
                        record.origin.file, path, msg("S007", value=value, table=label, hint=hint)
                    )
                )
    return problems
