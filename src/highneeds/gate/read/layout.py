"""Where a table sits on its sheet: finance sheets carry a title and notes above the table,
so the header row is found by its headings, or named in ``sources.yaml``."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from highneeds.common.errors import InputDataError

#: The optional file in a cycle folder that names each table's file, sheet and place.
SOURCES_FILE = "sources.yaml"

#: Whether a row's cells are the table's headings (each reader knows its own).
HeaderTest = Callable[[list[str]], bool]
_RANGE_RE = re.compile(r"^([A-Z]{1,3})(\d+):([A-Z]{1,3})(\d+)$")


@dataclass(frozen=True)
class Layout:
    """Where a table sits on its sheet, as ``sources.yaml`` may say: ``header_row: 3``, or a
    cell range such as ``range: A3:F9`` (header in its first row)."""

    header_row: int | None = None
    last_row: int | None = None
    first_column: int = 1
    last_column: int | None = None

    @classmethod
    def from_entry(cls, stem: str, entry: dict[str, Any]) -> Layout:
        if "range" in entry:
            found = _RANGE_RE.match(str(entry["range"]).strip().upper())
            if not found:
                raise InputDataError(
                    f"{SOURCES_FILE}: {stem}'s range {entry['range']!r} is not a cell range "
                    "such as A3:F9"
                )
            first, top, last, bottom = found.groups()
            return cls(int(top), int(bottom), _column_number(first), _column_number(last))
        if "header_row" in entry:
            row = entry["header_row"]
            if not isinstance(row, int) or isinstance(row, bool) or row < 1:
                raise InputDataError(
                    f"{SOURCES_FILE}: {stem}'s header_row {row!r} is not a row number (1 or more)"
                )
            return cls(header_row=row)
        return cls()

    def select(self, records: list[tuple[int, list[str]]]) -> list[tuple[int, list[str]]]:
        """The records inside the layout's rows and columns."""
        top, bottom = self.header_row or 1, self.last_row
        last = self.last_column
        return [
            (number, cells[self.first_column - 1 : last])
            for number, cells in records
            if number >= top and (bottom is None or number <= bottom)
        ]


def _column_number(letters: str) -> int:
    number = 0
    for letter in letters:
        number = number * 26 + ord(letter) - ord("A") + 1
    return number


def column_letter(number: int) -> str:
    """The spreadsheet name of column ``number`` (1 is A, 27 is AA)."""
    letters = ""
    while number > 0:
        number, remainder = divmod(number - 1, 26)
        letters = chr(ord("A") + remainder) + letters
    return letters
