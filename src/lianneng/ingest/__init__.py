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
