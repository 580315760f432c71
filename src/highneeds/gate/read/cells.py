"""How one cell of an author's table is read: a value of its kind (money as finance teams type
it, whole numbers, dates, financial years), or a :class:`Problem` that says where it is and
what it should hold."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from typing import Any

from highneeds.common.errors import column_words
from highneeds.domain.amounts import LARGEST_AMOUNT, parse_money


@dataclass(frozen=True)
class Problem:
    """One thing wrong with an input file, located as the author sees it."""

    file: str
    row: int | None
    column: str | None
    value: Any
    expected: str
    #: The column's spreadsheet letter (``C``), where the table it came from is known.
    letter: str | None = None

    def __str__(self) -> str:
        where = self.file
        if self.row is not None:
            where += f", row {self.row}"
        if self.column is not None:
            where += f", {column_words(self.column, self.letter)}"
        value = self.value
        if isinstance(value, float) and value.is_integer():
            value = int(value)  # as the author typed it
        return f"{where}: found {value!r}; expected {self.expected}"


#: What each kind of cell must hold, in the words of a failure message.
EXPECTED = {
    "money": "an amount in £000 such as 1,028 or (4,224)",
    "int": "a whole number",
    "float": "a number",
    "date": "a date written YYYY-MM-DD",
    "financial_year": "a financial year written like 2022/23",
}
#: A financial year as the tables write it (2022/23).
FINANCIAL_YEAR_RE = re.compile(r"^\d{4}/\d{2}$")


def _finite(text: str) -> float:
    """A number written in ASCII digits, finite and of a plausible size: not ``nan``, ``inf``,
    ``1e999``, a run of 400 nines or digits of another script."""
    if not text.strip().isascii():
        raise ValueError(text)
    number = float(text)
    if not abs(number) < LARGEST_AMOUNT:
        raise ValueError(text)
    return number


def parse_cell(value: str, kind: str) -> Any:
    """One cell's text as a value of ``kind``: the single reader that the gate checks with and
    the model reads with, so that what ``validate`` accepts ``run`` reads the same way.
    Raises :class:`ValueError` if the text is not one."""
    if kind == "money":
        return parse_money(value)
    if kind == "int":
        number = _finite(value.replace(",", ""))
        if number != int(number):
            raise ValueError(value)
        return int(number)
    if kind == "float":
        return _finite(value.replace(",", "").replace("£", ""))
    if kind == "date":
        return date.fromisoformat(value)
    if kind == "financial_year":
        if not FINANCIAL_YEAR_RE.match(value) or int(value[5:]) != (int(value[:4]) + 1) % 100:
            raise ValueError(value)
        return value
    return value
