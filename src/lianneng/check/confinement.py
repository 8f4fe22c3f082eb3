"""Files a record points at (a control's evidence) must lie inside the register.

`..`, absolute paths and links leading out are refused: a register is shared, filed and read by
others, and a path must never make the tool read or publish a file from elsewhere.
"""

from __future__ import annotations

import re
from pathlib import PurePosixPath, PureWindowsPath

from lianneng.problems import Problem, msg
from lianneng.register import Register
from lianneng.source.files import Sources, inside

# An evidence entry is a file when it reads like a path or a file name; otherwise it is a note.
_LOOKS_LIKE_PATH = re.compile(r"[/\\]|^\.|\.[A-Za-z0-9]{1,5}$")


def check_evidence(register: Register, sources: Sources) -> list[Problem]:
    problems = []
    for control in register.controls():
        assert control.origin is not None
        for index, item in enumerate(control.evidence):
            if not _LOOKS_LIKE_PATH.search(item):
                continue
            where = control.origin.path + ("evidence", index)
            absolute = PurePosixPath(item).is_absolute() or PureWindowsPath(item).is_absolute()
            if absolute or ".." in re_split(item):
                problems.append(sources.problem(control.origin.file, where, msg("S008", path=item)))
                continue
            target = register.root / item
            sources.probed.append(target)  # the answer depends on the file system, not the text
            if not inside(register.root, target):
                problems.append(sources.problem(control.origin.file, where, msg("S008", path=item)))
            elif not target.exists():
                problems.append(sources.problem(control.origin.file, where, msg("S009", path=item)))
    return problems


def re_split(path: str) -> list[str]:
    return re.split(r"[/\\]", path)
