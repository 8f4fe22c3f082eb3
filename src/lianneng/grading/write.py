"""`grade --write`: store computed levels in the files, touching only the level lines."""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path

from lianneng.edit import Edit, edit_file
from lianneng.grading.base import Grade
from lianneng.model.risk import RiskPoint
from lianneng.register import Register


def stale_levels(register: Register, grades: dict[str, Grade]) -> list[RiskPoint]:
    """Risk points whose stored level is not the one their policy gives."""
    return [
        risk
        for risk in register.of(RiskPoint)
        if grades[risk.id].level is not None and risk.level != grades[risk.id].level
    ]


def write_levels(register: Register, grades: dict[str, Grade]) -> list[Path]:
    """Rewrite only the files that hold a stale level; returns the files changed."""
    edits: dict[str, list[Edit]] = defaultdict(list)
    for risk in stale_levels(register, grades):
        assert risk.origin is not None
        level = grades[risk.id].level
        assert level is not None
        edits[risk.origin.file].append(Edit(risk.origin.path, "level", level))
    changed = []
    for rel, file_edits in sorted(edits.items()):
        path = register.root / rel
        if edit_file(path, file_edits):
            changed.append(path)
    return changed
