"""The budget table's amounts checked against what the cycle declares of them: a unit whose
amounts are implausible, one line typed in another unit than the others, a table written in
the other sign convention. Each is refused naming the unit or convention to declare."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from typing import Any, Protocol

from highneeds.common.errors import InputDataError
from highneeds.domain.amounts import BudgetFormat
from highneeds.gate.read.cells import Problem
from highneeds.gate.read.layout import SOURCES_FILE
from highneeds.gate.read.sources import RawTable

STEM = "high_needs_budget"


class BudgetLine(Protocol):
    """A line of the table as the reader has it: its row, label, role and amounts' texts."""

    @property
    def row(self) -> int: ...
    @property
    def label(self) -> str: ...
    @property
    def role(self) -> str: ...
    @property
    def cells(self) -> list[str]: ...


def _problem(table: RawTable, row: int, column: str, value: Any, expected: str) -> str:
    return str(Problem(table.name, row, column, value, expected, table.column_letter(column)))


def decimals(text: str) -> int:
    """The decimals an amount is written to: ``(1.75)`` has 2."""
    import re

    found = re.search(r"\.(\d+)", text)
    return len(found.group(1)) if found else 0


def shown(value: Decimal) -> str:
    """An amount in a message: ``3,853``, ``5.05``."""
    text = f"{abs(value):,f}"
    text = text.rstrip("0").rstrip(".") if "." in text else text
    return f"-{text}" if value < 0 else text


#: The range a table's largest absolute amount must lie in, by unit: from half a million (the
#: smallest councils' High Needs allocations are a few £m) to £5bn (a large council's whole
#: DSG is over £1bn).
PLAUSIBLE = {
    "£": (Decimal(500_000), Decimal(5_000_000_000)),
    "£000": (Decimal(500), Decimal(5_000_000)),
    "£m": (Decimal("0.5"), Decimal(5_000)),
}
#: A line whose amounts are all under this share of the table's largest is in another unit.
SMALLEST_SHARE = Decimal("0.001")
#: ... or under this share, written with decimals where the table's other lines are whole.
SMALL_WITH_DECIMALS = Decimal("0.01")


def check_magnitudes(
    table: RawTable,
    form: BudgetFormat,
    lines: Sequence[BudgetLine],
    values: dict[tuple[int, str], Decimal],
) -> None:
    """Refuse amounts that contradict the declared unit: a table whose largest amount is
    implausible in it, or a line whose amounts are all far below the rest (a line in £m in a
    table in £000)."""
    if not values:
        return
    largest = max(abs(v) for v in values.values())
    low, high = PLAUSIBLE[form.unit]
    declared = f"declared in {form.unit}" + (
        "" if form.unit != "£000" else " (the default: nothing in sources.yaml says otherwise)"
    )
    if not low <= largest <= high:
        likely = [u for u, (lo, hi) in PLAUSIBLE.items() if lo <= largest <= hi and u != form.unit]
        advice = (
            f"if it is in {' or '.join(likely)}, declare that in {SOURCES_FILE}: "
            f'{STEM}: {{unit: "{likely[0]}"}}'
            if likely
            else "check the amounts and the unit"
        )
        raise InputDataError(
            f"{table.name}: the table is {declared}, but its largest amount is "
            f"{shown(largest)}, which is not a plausible High Needs or DSG amount in {form.unit} "
            f"(expected between {shown(low)} and {shown(high)}); {advice}"
        )
    # Each line against the typical line (the median of the lines' largest amounts): a line
    # a thousand times larger or smaller is in another unit than the table's.
    biggest: dict[int, tuple[str, Decimal]] = {}
    for (row, year), value in values.items():
        if value and (row not in biggest or abs(value) > abs(biggest[row][1])):
            biggest[row] = (year, value)
    if not biggest:
        return
    sizes = sorted(abs(v) for _, v in biggest.values())
    typical = sizes[len(sizes) // 2]
    whole = [line for line in lines if not any(decimals(text) for text in line.cells)]
    problems = []
    for line in lines:
        if line.row not in biggest:
            continue
        year, value = biggest[line.row]
        size = abs(value)
        # Far below the typical line, or well below it and written with decimals where most
        # lines are whole numbers (5.05 beside lines in thousands).
        fractional = line not in whole and len(whole) * 2 > len(lines)
        too_small = size < typical * SMALLEST_SHARE or (
            fractional and size < typical * SMALL_WITH_DECIMALS
        )
        if size > typical / SMALLEST_SHARE or too_small:
            way = "over a thousand times" if size > typical else "far below"
            problems.append(
                _problem(
                    table,
                    line.row,
                    year,
                    float(value),
                    f"an amount in the table's unit, {form.unit}, like its other lines: this "
                    f"line's largest amount is {way} the typical line's ({shown(typical)}); "
                    "is the line typed in another unit?",
                )
            )
    if problems:
        raise InputDataError(
            f"{table.name}: a line's amounts do not look like {form.unit}.", problems
        )


#: The sign each role's amounts must have where a deficit is positive (+1 a cost, -1 income).
ROLE_SIGNS = {"funding": -1, "spending": 1, "saving": -1}


def check_convention(
    table: RawTable, form: BudgetFormat, lines: Sequence[BudgetLine], typed: list
) -> None:
    """Where most funding and most spending amounts have the opposite sign to the declared
    convention, the table is written the other way round: say so once, for the whole table."""
    wrong = right = 0
    for line in lines:
        want = ROLE_SIGNS.get(line.role)
        if want is None or line.role == "saving":
            continue
        for rec in typed:
            if rec["row"] == line.row and rec["amount"] == rec["amount"] and rec["amount"]:
                if (rec["amount"] > 0) == (want > 0):
                    right += 1
                else:
                    wrong += 1
    if wrong and wrong > right:
        other = "negative" if form.deficit == "positive" else "positive"
        raise InputDataError(
            f"{table.name}: most funding and spending amounts have the sign the other "
            f"convention gives them (the table is read with a deficit written {form.deficit}: "
            f"income {'in brackets' if form.sign > 0 else 'positive'}, costs "
            f"{'positive' if form.sign > 0 else 'in brackets'}); if the table writes a deficit "
            f"{other} (a surplus {'positive' if other == 'negative' else 'negative'}), declare "
            f"that in {SOURCES_FILE}: {STEM}: {{deficit: {other}}}"
        )
