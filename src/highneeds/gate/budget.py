"""The budget table as a council keeps it: its own lines, each with a role, financial years as
columns, in the unit, sign convention and block the cycle declares.

A ``role`` column beside the lines says what each line is (``opening``, ``funding``,
``spending``, ``movement``, ``closing``, ``saving``); a table without one is read as the
shipped cycle's six lines, recognised by words in their labels. ``sources.yaml`` may declare,
under ``high_needs_budget``: ``unit`` (``£``, ``£000`` or ``£m``; default ``£000``),
``deficit`` (``positive`` or ``negative``: the sign a deficit balance is written with; default
``positive``) and ``block`` (``high needs`` or ``dsg``: whose balance the table carries).

The typed table the model reads is in £000 with a deficit positive (income and savings
negative), whatever the council's convention; each cell's text as written is kept beside it
(``written``), and the declaration with the decimals the table uses (:class:`BudgetFormat`)
goes with the table, so that the paper prints the table as the council does.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

import pandas as pd

from highneeds.amounts import UNITS, BudgetFormat
from highneeds.budget_lines import ROLES
from highneeds.errors import InputDataError
from highneeds.gate.cells import EXPECTED, FINANCIAL_YEAR_RE, Problem, parse_cell
from highneeds.gate.layout import SOURCES_FILE
from highneeds.gate.sources import RawTable, load_sources, read_source

STEM = "high_needs_budget"

#: The roles a table has at most one line of, and the model's key for that line.
SINGLE_ROLE_KEYS = {"opening": "bfwd", "closing": "cfwd", "saving": "recovery_plan_impact"}

#: The shipped layout's lines, recognised by words in their labels where the table has no
#: role column: the model's key, the pattern and the role.
LABELLED_LINES: dict[str, tuple[str, str]] = {
    "bfwd": (r"b/?fwd", "opening"),
    "transfer": (r"transfer", "funding"),
    "allocation": (r"allocation", "funding"),
    "placement_costs": (r"placement", "spending"),
    "cfwd": (r"c/?fwd", "closing"),
    "recovery_plan_impact": (r"recovery\s+plan", "saving"),
}

#: The range a table's largest absolute amount must lie in, by unit: from half a million (a
#: small council's High Needs block is several millions: Rutland's allocation is £4.2m) to
#: £5bn (a large council's whole DSG is over £1bn).
PLAUSIBLE = {
    "£": (Decimal(500_000), Decimal(5_000_000_000)),
    "£000": (Decimal(500), Decimal(5_000_000)),
    "£m": (Decimal("0.5"), Decimal(5_000)),
}
#: A line whose amounts are all under this share of the table's largest is in another unit.
SMALLEST_SHARE = Decimal("0.001")
#: ... or under this share, written with decimals where the table's other lines are whole.
SMALL_WITH_DECIMALS = Decimal("0.01")
DEFICIT_SIGNS = ("positive", "negative")
BLOCKS = ("high needs", "dsg")


def declared_format(raw_dir: Path) -> BudgetFormat:
    """The unit, sign convention and block ``sources.yaml`` declares for the budget table
    (the defaults where it declares none), each checked against the values it may take."""
    entry = load_sources(raw_dir).get(STEM, {})
    chosen: dict[str, str] = {}
    for key, allowed, default in (
        ("unit", tuple(UNITS), "£000"),
        ("deficit", DEFICIT_SIGNS, "positive"),
        ("block", BLOCKS, "high needs"),
    ):
        value = entry.get(key, default)
        text = str(value).strip()
        match = next((a for a in allowed if a.lower() == text.lower()), None)
        if key == "block" and match is None and text.lower() in ("high_needs", "highneeds"):
            match = "high needs"
        if match is None:
            raise InputDataError(
                f"{SOURCES_FILE}: {STEM}'s {key} is {value!r}; expected one of "
                f"{', '.join(repr(a) for a in allowed)}"
            )
        chosen[key] = match
    return BudgetFormat(**chosen)


def has_year_labels(cells: list[str]) -> bool:
    """The budget table's header: the row that labels its columns with financial years."""
    return sum(bool(FINANCIAL_YEAR_RE.match(cell)) for cell in cells) >= 2


def classify_budget_line(label: str) -> str | None:
    """The model's key for a line of the shipped layout (a table with no role column), by the
    words of its label; None if it is not one."""
    for key, (pattern, _) in LABELLED_LINES.items():
        if re.search(pattern, label, flags=re.IGNORECASE):
            return key
    return None


def _problem(table: RawTable, row: int, column: str, value: Any, expected: str) -> str:
    return str(Problem(table.name, row, column, value, expected, table.column_letter(column)))


def _slug(label: str) -> str:
    """A line's key from its label: ``Additional DfE funding`` -> ``additional_dfe_funding``."""
    slug = re.sub(r"[^a-z0-9]+", "_", label.lower()).strip("_")
    return slug or "line"


def _shown(value: Decimal) -> str:
    """An amount in a message: ``3,853``, ``5.05``."""
    text = f"{abs(value):,f}"
    text = text.rstrip("0").rstrip(".") if "." in text else text
    return f"-{text}" if value < 0 else text


def _plain(value: Decimal) -> str:
    """An amount in the table's unit and sign, written plainly: ``-1.7``, ``1028``."""
    text = f"{value:f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def _decimals(text: str) -> int:
    """The decimals an amount is written to: ``(1.75)`` has 2."""
    found = re.search(r"\.(\d+)", text)
    return len(found.group(1)) if found else 0


@dataclass(frozen=True)
class _Line:
    row: int
    label: str
    key: str
    role: str
    cells: list[str]


def _lines(table: RawTable, role_column: str | None, years: list[str]) -> list[_Line]:
    """Each line of the table with its key and role: from the role column where there is one,
    else by the words of its label (the shipped layout)."""
    label_column = table.header[0]
    lines: list[_Line] = []
    seen: dict[str, int] = {}
    taken: set[str] = set()
    problems: list[str] = []
    for number, cells in zip(table.row_numbers, table.rows, strict=True):
        label = cells[0]
        amounts = [cells[table.header.index(y)] for y in years]
        if role_column is None:
            key = classify_budget_line(label)
            if key is None:
                problems.append(
                    _problem(
                        table,
                        number,
                        label_column,
                        label,
                        "one of: B/Fwd, Transfer, Allocation, Placement costs, C/Fwd, Recovery "
                        "Plan Impact (or add a 'role' column saying what each line is: "
                        f"{', '.join(ROLES)})",
                    )
                )
                continue
            role = LABELLED_LINES[key][1]
            if key in seen:
                problems.append(
                    _problem(
                        table,
                        number,
                        label_column,
                        label,
                        f"each line once (it is already on row {seen[key]})",
                    )
                )
                continue
        else:
            written = cells[table.header.index(role_column)].strip()
            role = written.lower()
            if role not in ROLES:
                problems.append(
                    _problem(table, number, role_column, written, f"one of: {', '.join(ROLES)}")
                )
                continue
            key = SINGLE_ROLE_KEYS.get(role) or _slug(label)
            if role in SINGLE_ROLE_KEYS and key in seen:
                problems.append(
                    _problem(
                        table,
                        number,
                        role_column,
                        written,
                        f"one {role} line (row {seen[key]} is already the {role} line)",
                    )
                )
                continue
            base, suffix = key, 2
            while key in taken:
                key, suffix = f"{base}_{suffix}", suffix + 1
        seen[key] = number
        taken.add(key)
        lines.append(_Line(number, label, key, role, amounts))
    if problems:
        raise InputDataError("The budget table has lines the model cannot place.", problems)
    return lines


def _check_magnitudes(
    table: RawTable, form: BudgetFormat, lines: list[_Line], values: dict[tuple[int, str], Decimal]
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
            f"{_shown(largest)}, which is not a plausible High Needs or DSG amount in {form.unit} "
            f"(expected between {_shown(low)} and {_shown(high)}); {advice}"
        )
    # Each line against the typical line (the median of the lines' largest amounts): a line
    # a thousand times larger or smaller is in another unit than the table's.
    biggest = {}
    for (row, year), value in values.items():
        if value and (row not in biggest or abs(value) > abs(biggest[row][1])):
            biggest[row] = (year, value)
    if not biggest:
        return
    sizes = sorted(abs(v) for _, v in biggest.values())
    typical = sizes[len(sizes) // 2]
    whole = [line for line in lines if not any(_decimals(text) for text in line.cells)]
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
                    f"line's largest amount is {way} the typical line's ({_shown(typical)}); "
                    "is the line typed in another unit?",
                )
            )
    if problems:
        raise InputDataError(
            f"{table.name}: a line's amounts do not look like {form.unit}.", problems
        )


#: The sign each role's amounts must have where a deficit is positive (+1 a cost, -1 income).
ROLE_SIGNS = {"funding": -1, "spending": 1, "saving": -1}


def _check_convention(table: RawTable, form: BudgetFormat, lines: list[_Line], typed: list) -> None:
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


def read_budget(raw_dir: Path) -> pd.DataFrame:
    """Read the budget table (lines as rows, financial years as columns) into long form.

    Returns one row per line and year: ``row`` (in the file), ``line`` (the model's key),
    ``label`` (as written), ``role``, ``year``, ``amount`` (£000, a deficit positive: income
    and savings negative; blank as NaN) and ``written`` (the amount in the table's own unit
    and sign, written plainly: ``-1.7``; blank for a blank cell). ``attrs['format']``
    is the table's :class:`BudgetFormat`.
    """
    form = declared_format(raw_dir)
    table = read_source(raw_dir, STEM, is_header=has_year_labels)
    header = table.header
    repeated = sorted({y for y in header[1:] if y and header[1:].count(y) > 1})
    if repeated:
        raise InputDataError(
            "The budget table repeats a year.",
            [_problem(table, table.header_row, y, y, "each financial year once") for y in repeated],
        )
    role_column = next((h for h in header[1:] if h.strip().lower() == "role"), None)
    years = [h for h in header[1:] if h and h != role_column]
    if not table.rows:
        raise InputDataError(
            f"{table.name}: has its header (row {table.header_row}) but no lines under it; the "
            "budget table needs its lines, one per row, with an amount for each year"
        )
    lines = _lines(table, role_column, years)
    values: dict[tuple[int, str], Decimal] = {}
    for line in lines:
        for year, text in zip(years, line.cells, strict=True):
            try:
                amount = parse_cell(text, "money")
            except (ValueError, OverflowError):
                expected = EXPECTED["money"].replace("£000", form.unit)
                raise InputDataError(
                    "An input file has a value that cannot be read.",
                    [_problem(table, line.row, year, text, expected)],
                ) from None
            if amount is not None:
                values[(line.row, year)] = Decimal(repr(amount))
    _check_magnitudes(table, form, lines, values)
    decimals = max((_decimals(text) for line in lines for text in line.cells), default=0)
    form = BudgetFormat(form.unit, form.deficit, form.block, decimals)
    records = []
    for line in lines:
        for year in years:
            written = values.get((line.row, year))
            records.append(
                {
                    "row": line.row,
                    "line": line.key,
                    "label": line.label,
                    "role": line.role,
                    "year": year,
                    "amount": float("nan") if written is None else form.to_000(float(written)),
                    "written": "" if written is None else _plain(written),
                }
            )
    _check_convention(table, form, lines, records)
    frame = pd.DataFrame.from_records(
        records, columns=["row", "line", "label", "role", "year", "amount", "written"]
    )
    frame.attrs["source"] = table.name
    frame.attrs["letters"] = table.column_letters()
    frame.attrs["format"] = form.to_dict()
    return frame
