"""Column letters as a spreadsheet shows them, for messages that name a cell."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from highneeds.gate.read.layout import Layout, column_letter


def test_column_letters_run_as_a_spreadsheets_do() -> None:
    assert [column_letter(n) for n in (1, 2, 26, 27, 52, 53, 702, 703)] == [
        "A",
        "B",
        "Z",
        "AA",
        "AZ",
        "BA",
        "ZZ",
        "AAA",
    ]


@given(st.integers(min_value=1, max_value=16_384))  # Excel's last column is XFD
def test_a_letter_reads_back_as_its_column(number: int) -> None:
    letters = column_letter(number)
    assert Layout.from_entry("t", {"range": f"{letters}1:{letters}2"}).first_column == number
