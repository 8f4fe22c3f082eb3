"""Values of coded fields come from the register's code tables (category, power category …)."""

from __future__ import annotations

import difflib

from lianneng.model.config import TABLE_LABELS, Config
from lianneng.model.fields import table_of
from lianneng.model.walk import values_at, walk
from lianneng.problems import Problem, bilingual, msg
from lianneng.register import Register
from lianneng.source.files import Sources


def allowed_values(config: Config, table: str) -> list[str]:
    entries = config.table(table)
    if isinstance(entries, dict):
        return [*entries.values(), *entries.keys()]
    return list(entries)


def check_tables(register: Register, sources: Sources) -> list[Problem]:
    problems = []
    allowed: dict[str, list[str]] = {}
    for record in register.records:
        assert record.origin is not None
        for field in walk(record, record.origin.path):
            table = table_of(field.info)
            if table is None:
                continue
            values = allowed.setdefault(table, allowed_values(register.config, table))
            for value, path in values_at(field):
                if value in values:
                    continue
                close = difflib.get_close_matches(value, values, n=1, cutoff=0.5)
                hint = msg("hint.didyoumean", suggestion=close[0]) if close else msg("hint.none")
                label = bilingual(*TABLE_LABELS[table])
                problems.append(sources.problem(record.origin.file, path,
                                                msg("S007", value=value, table=label, hint=hint)))
    return problems
