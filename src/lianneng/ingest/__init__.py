"""Importing the ledgers offices already keep (XLSX or CSV) as register records.

`sheet` reads a workbook or CSV into a grid with merged cells filled and finds the header row;
`columns` decides which column feeds which field; `records` turns rows into records of the target
register and writes them as YAML. `lianneng.commands.importing` runs the three and reports.
"""

from __future__ import annotations

from lianneng.problems import Message, bilingual


class IngestError(Exception):
    """The ledger or the mapping cannot be used at all (exit 2); says why in both languages."""

    def __init__(self, zh: str, en: str) -> None:
        super().__init__(en)
        self.message: Message = bilingual(zh, en)

    def render(self, lang: str) -> str:
        return self.message.render(lang)


def say(zh: str, en: str) -> Message:
    """A message to the user, rendered in their language when printed."""
    return bilingual(zh, en)


def row_list(numbers: list[int], separator: str = "、") -> str:
    """Row numbers as a person reads them: 3–5、8 rather than 3、4、5、8."""
    runs: list[list[int]] = []
    for number in sorted(set(numbers)):
        if runs and number == runs[-1][-1] + 1:
            runs[-1].append(number)
        else:
            runs.append([number])
    return separator.join(str(run[0]) if len(run) == 1 else f"{run[0]}–{run[-1]}" for run in runs)
