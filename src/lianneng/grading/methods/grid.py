"""Likelihood × impact grid (seed 000, 002, 004): a cell for every pair of the two scales.

"The higher of likelihood and harm wins" is the grid `higher_wins: true` generates.
"""

from __future__ import annotations

from collections.abc import Iterator

from lianneng.grading.base import Grade, Inputs, PolicyFinding, register_method, text
from lianneng.grading.policy import GridMethod, Policy
from lianneng.problems import msg

_CELLS: dict[int, tuple[Policy, dict[str, dict[str, str]]]] = {}
_GRADES: dict[tuple[int, str, str], tuple[Policy, Grade]] = {}


def cells(policy: Policy) -> dict[str, dict[str, str]]:
    """The grid's cells, worked out once per policy (asked once per risk point)."""
    cached = _CELLS.get(id(policy))
    if cached is not None and cached[0] is policy:
        return cached[1]
    found = _cells(policy)
    _CELLS[id(policy)] = (policy, found)
    return found


def _cells(policy: Policy) -> dict[str, dict[str, str]]:
    grid = _grid(policy)
    if not grid.higher_wins:
        return grid.cells
    labels = policy.labels
    return {
        row: {col: labels[min(i, j, len(labels) - 1)] for j, col in enumerate(grid.columns.scale)}
        for i, row in enumerate(grid.rows.scale)
    }


def _grid(policy: Policy) -> GridMethod:
    assert policy.grid is not None
    return policy.grid


@register_method("grid")
class Grid:
    def grade(self, policy: Policy, inputs: Inputs) -> Grade:
        grid = _grid(policy)
        values = []
        for axis in (grid.rows, grid.columns):
            value = inputs(axis.field)
            if value is None:
                return Grade(
                    None,
                    text("矩阵", "grid"),
                    problem=msg("G002", field=axis.field),
                    problem_field=axis.field,
                )
            if str(value) not in axis.scale:
                return Grade(
                    None,
                    text("矩阵", "grid"),
                    problem=msg(
                        "G001", field=axis.field, value=str(value), scale="、".join(axis.scale)
                    ),
                    problem_field=axis.field,
                )
            values.append(str(value))
        row, col = values
        # Grades are frozen and every risk point in one cell gets the same: made once per cell.
        key = (id(policy), row, col)
        cached = _GRADES.get(key)
        if cached is None or cached[0] is not policy:
            cached = _GRADES[key] = (policy, self._cell_grade(policy, row, col))
        return cached[1]

    def _cell_grade(self, policy: Policy, row: str, col: str) -> Grade:
        grid = _grid(policy)
        level = cells(policy).get(row, {}).get(col)
        rule = text(
            f"矩阵 {grid.rows.field}={row} × {grid.columns.field}={col}",
            f"grid {grid.rows.field}={row} × {grid.columns.field}={col}",
        )
        steps = (
            text(
                f"{grid.rows.field} 为 {row}(刻度第 {grid.rows.scale.index(row) + 1} 档)",
                f"{grid.rows.field} is {row} (step {grid.rows.scale.index(row) + 1} of the scale)",
            ),
            text(
                f"{grid.columns.field} 为 {col}(刻度第 {grid.columns.scale.index(col) + 1} 档)",
                f"{grid.columns.field} is {col} "
                f"(step {grid.columns.scale.index(col) + 1} of the scale)",
            ),
            text(
                "“取高者”:方格取两者中较高的一档"
                if grid.higher_wins
                else f"方格 [{row}][{col}] 为 {level}",
                "higher wins: the cell takes the higher of the two"
                if grid.higher_wins
                else f"cell [{row}][{col}] is {level}",
            ),
        )
        return Grade(level, rule, steps)

    def check(self, policy: Policy) -> Iterator[PolicyFinding]:
        grid = _grid(policy)
        for name, axis in (("rows", grid.rows), ("columns", grid.columns)):
            seen: set[str] = set()
            for index, value in enumerate(axis.scale):
                if value in seen:
                    yield PolicyFinding(("grid", name, "scale", index), msg("P009", value=value))
                seen.add(value)
        if grid.higher_wins:
            if len(grid.rows.scale) != len(policy.labels) or len(grid.columns.scale) != len(
                policy.labels
            ):
                yield PolicyFinding(("grid", "higher_wins"), msg("P011", labels=len(policy.labels)))
            return
        for row, by_col in grid.cells.items():
            if row not in grid.rows.scale:
                yield PolicyFinding(("grid", "cells", row), msg("P003", value=row), key=True)
            for col, level in by_col.items():
                if col not in grid.columns.scale:
                    yield PolicyFinding(
                        ("grid", "cells", row, col), msg("P003", value=col), key=True
                    )
                if level not in policy.labels:
                    yield PolicyFinding(
                        ("grid", "cells", row, col),
                        msg("P005", level=level, labels="、".join(policy.labels)),
                    )
        for row in grid.rows.scale:
            for col in grid.columns.scale:
                if col not in grid.cells.get(row, {}):
                    where = ("grid", "cells", row) if row in grid.cells else ("grid", "cells")
                    yield PolicyFinding(where, msg("P002", row=row, col=col))
        yield from _monotone(policy)

    def reachable(self, policy: Policy) -> set[str]:
        return {level for by_col in cells(policy).values() for level in by_col.values()}

    def fields(self, policy: Policy) -> set[str]:
        grid = _grid(policy)
        return {grid.rows.field, grid.columns.field}


def _monotone(policy: Policy) -> Iterator[PolicyFinding]:
    """A riskier row or column may never give a lower level: that means a scale is out of order."""
    grid = _grid(policy)
    table = grid.cells
    labels = policy.labels
    rows, cols = grid.rows.scale, grid.columns.scale
    for i, row in enumerate(rows):
        for j, col in enumerate(cols):
            here = table.get(row, {}).get(col)
            if here not in labels:
                continue
            neighbours = []
            if i + 1 < len(rows):
                neighbours.append((rows[i + 1], col))
            if j + 1 < len(cols):
                neighbours.append((row, cols[j + 1]))
            for n_row, n_col in neighbours:
                there = table.get(n_row, {}).get(n_col)
                if there in labels and labels.index(there) < labels.index(here):
                    yield PolicyFinding(
                        ("grid", "cells", n_row, n_col),
                        msg(
                            "P004",
                            row=n_row,
                            col=n_col,
                            level=there,
                            other=f"{row}/{col}",
                            other_level=here,
                        ),
                    )
