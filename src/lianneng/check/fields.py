"""References and coded values, checked in one walk over the fields that hold them.

Each such field is checked where it is: its ids must name records of the right kind, its codes
must come from the register's tables (and are then written by name).
"""

from __future__ import annotations

from lianneng.check.references import Resolver
from lianneng.check.tables import CodeTables
from lianneng.model.walk import values_at
from lianneng.problems import Problem
from lianneng.register import Register
from lianneng.source.files import Sources


def check_fields(register: Register, sources: Sources) -> list[Problem]:
    resolve = Resolver(register)
    tables = CodeTables(register.config)
    problems = []
    for record, field in register.marked_fields():
        assert record.origin is not None
        if field.kinds:
            for value, path in values_at(field):
                message = resolve(value, field.kinds)
                if message is not None:
                    problems.append(sources.problem(record.origin.file, path, message))
        if field.table:
            for value, path in values_at(field):
                message = tables.check(field.table, value)
                if message is not None:
                    problems.append(sources.problem(record.origin.file, path, message))
            tables.canonicalize(field)
    return problems
