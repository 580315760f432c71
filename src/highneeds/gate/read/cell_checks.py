"""What a cell of an author's table may hold, checked before anything is read from it: no
text longer than the limit and no control character (both checked first, so no pattern ever
reads an oversized text), no child-level personal data, one table per file or sheet.

Every check reads a cell once, in time linear in its length."""

from __future__ import annotations

import itertools
import re
from typing import TYPE_CHECKING

from highneeds.common.control_characters import control_character
from highneeds.common.errors import InputDataError, column_words
from highneeds.gate.read.layout import column_letter
from highneeds.gate.read.limits import InputLimits, within_check_time

if TYPE_CHECKING:
    from highneeds.gate.read.raw_table import RawTable


def check_cells(table: RawTable, limits: InputLimits | None = None) -> None:
    """Refuse a cell longer than the limit, or holding a control character, naming it; run
    before any pattern is applied, so no check ever reads an oversized text."""
    limit = (limits or InputLimits()).max_cell_chars
    rows = [("header", table.header), *zip(table.row_numbers, table.rows, strict=True)]
    for number, cells in rows:
        where = "header row" if number == "header" else f"row {number}"
        within_check_time(f"{table.name}, {where}")
        for index, cell in enumerate(cells):
            heading = table.header[index][:40] if index < len(table.header) else ""
            column = column_words(heading, column_letter(table.first_column + index))
            if len(cell) > limit:
                raise InputDataError(
                    f"{table.name}, {where}, {column}: holds {len(cell):,} "
                    f"characters; a cell may hold at most {limit:,} (HIGHNEEDS_MAX_CELL_CHARS)"
                )
            code = control_character(cell)
            if code is not None:
                raise InputDataError(
                    f"{table.name}, {where}, {column}: holds the control "
                    f"character {code}, which has no place in a figure or a label; remove it "
                    "(retype the cell)"
                )


_PERSONAL_HEADER = re.compile(
    r"\b(\w*names?|dob|date of birth|birth ?date|upn|unique pupil number|uln|"
    r"unique learner number|nhs( no| number)?|address(es)?|street|post ?codes?|e ?mail)\b"
)
_PERSONAL_VALUES = {
    "a UPN (unique pupil number)": re.compile(r"\b[A-Z]\d{11}[0-9A-Z]\b"),
    "an NHS number or ULN": re.compile(r"(?<![\d,.])\d{3}[ -]?\d{3}[ -]?\d{4}(?![\d,.])"),
    "a postcode": re.compile(r"\b[A-Z]{1,2}\d[A-Z\d]? ?\d[A-Z]{2}\b", re.IGNORECASE),
}
#: The part after an "@" that makes it an email address (searched in one run without "@" or
#: space, so the check is linear in the cell's length).
_EMAIL_DOMAIN = re.compile(r"[^.]\.[A-Za-z]{2}")


def _has_email(cell: str) -> bool:
    """Whether ``cell`` holds something shaped like an email address (name@domain.tld)."""
    if "@" not in cell:
        return False
    for token in cell.split():
        parts = token.split("@")
        for left, right in itertools.pairwise(parts):
            if left and _EMAIL_DOMAIN.search(right):
                return True
    return False


def check_privacy(table: RawTable, allowed: frozenset[str] = frozenset({"name"})) -> None:
    """Refuse a table that carries child-level data, without repeating any of its values.

    A heading such as a name, date of birth, UPN, ULN, NHS number, address or postcode, or a
    cell shaped like one, stops the file before it is processed further. ``allowed`` lists
    headings a table's own schema uses (``figures.csv`` names figures in ``name``).
    """
    for index, heading in enumerate(table.header):
        normalised = re.sub(r"[^a-z0-9]+", " ", heading.lower()).strip()
        if normalised not in allowed and _PERSONAL_HEADER.search(normalised):
            raise InputDataError(
                f"{table.name}: {column_words(heading, column_letter(table.first_column + index))} "
                "looks like child-level personal data; the "
                "pipeline takes aggregate figures only, so the file was not processed. Remove "
                "the column (and any personal data) and run again."
            )
    for number, cells in zip(table.row_numbers, table.rows, strict=True):
        within_check_time(f"{table.name}, row {number}")
        for index, (heading, cell) in enumerate(zip(table.header, cells, strict=False)):
            kind = next((k for k, p in _PERSONAL_VALUES.items() if p.search(cell)), None)
            if kind is None and _has_email(cell):
                kind = "an email address"
            if kind is not None:
                column = column_words(heading, column_letter(table.first_column + index))
                raise InputDataError(
                    f"{table.name}, row {number}, {column}: holds a value "
                    f"shaped like {kind}; the pipeline takes aggregate figures only, so "
                    "the file was not processed and its values are not repeated here."
                )


def check_single_table(table: RawTable) -> None:
    """Refuse a second table on the same sheet: a later row that repeats the header."""
    headings = {h.lower() for h in table.header if h}
    for number, cells in zip(table.row_numbers, table.rows, strict=True):
        repeated = {c.lower() for c in cells if c} & headings
        if len(repeated) >= 2:
            raise InputDataError(
                f"{table.name}, row {number}: this row repeats the header "
                f"({', '.join(sorted(repeated))}); is there a second table below the first? "
                "Keep one table per file or sheet."
            )
