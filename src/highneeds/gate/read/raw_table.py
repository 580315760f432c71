"""A table as read from its file, before anything is typed: its cells as text, with the row
number each record has in its file or sheet (every check names the place an author finds)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from highneeds.gate.read.layout import column_letter


@dataclass(frozen=True)
class RawTable:
    """A table's cells as text, with the row number each record has in its file or sheet."""

    path: Path
    header: list[str]
    rows: list[list[str]]
    row_numbers: list[int]
    header_row: int = 1
    sheet: str | None = None
    #: The sheet column of the first heading (1 is column A; a ``range: C3:F9`` makes it 3).
    first_column: int = 1

    def column_letter(self, heading: str) -> str | None:
        """The spreadsheet letter of the column under ``heading`` (``C``), as Excel shows it."""
        if heading not in self.header:
            return None
        return column_letter(self.first_column + self.header.index(heading))

    def column_letters(self) -> dict[str, str]:
        """Every heading's column letter."""
        return {h: column_letter(self.first_column + i) for i, h in enumerate(self.header) if h}

    @property
    def name(self) -> str:
        """The file as an author would find it: ``budget.xlsx (sheet 'Forecast')``, and the
        row taken as the header when it is not the first (``header in row 3``)."""
        where = [f"sheet '{self.sheet}'"] if self.sheet else []
        if self.header_row > 1:
            where.append(f"header in row {self.header_row}")
        return f"{self.path.name} ({', '.join(where)})" if where else self.path.name
