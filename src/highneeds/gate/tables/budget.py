"""The budget table as a council keeps it: its own lines, each with a role, financial years as
columns, in the unit, sign convention and block the cycle declares.

A ``role`` column beside the lines says what each line is (``opening``, ``funding``,
``spending``, ``movement``, ``closing``, ``saving``); a table without one is read as the
shipped cycle's six lines, recognised by words in their labels. ``sources.yaml`` may declare,
under ``high_needs_budget``: ``unit`` (``£``, ``£000`` or ``£m``; default ``£000``),
``deficit`` (``positive`` or ``negative``: the sign a deficit balance is written with; default
``positive``) and ``block`` (``high needs`` or ``dsg``: whose balance the table carries). A
units row under the year headings (``£m``) says the unit where sources.yaml does not. A row
with no amount and no role (a note, a sub-heading) is not a line.

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

from highneeds.common.errors import InputDataError
from highneeds.domain.amounts import UNITS, BudgetFormat
from highneeds.domain.budget_lines import ROLES
from highneeds.gate.read.cells import EXPECTED, FINANCIAL_YEAR_RE, Problem, parse_cell
from highneeds.gate.read.layout import SOURCES_FILE, column_letter
from highneeds.gate.read.sources import RawTable, load_sources, read_source
from highneeds.gate.tables.budget_checks import check_convention, check_magnitudes, decimals

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

DEFICIT_SIGNS = ("positive", "negative")
BLOCKS = ("high needs", "dsg")


#: The typed budget's columns (its suite checks them: gate/checks/suites.py).
COLUMNS = ("row", "line", "label", "role", "year", "amount", "written")


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
    return BudgetFormat(chosen["unit"], chosen["deficit"], chosen["block"])


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


def _second(header: list[str], heading: str) -> int:
    """Where a heading is written the second time."""
    return header.index(heading, header.index(heading) + 1)


def _problem(table: RawTable, row: int, column: str, value: Any, expected: str) -> str:
    return str(Problem(table.name, row, column, value, expected, table.column_letter(column)))


#: Words a role column may use for each role (case and spaces aside).
ROLE_WORDS = {
    "opening": ("opening", "opening balance", "b/fwd", "bfwd", "brought forward"),
    "funding": ("funding", "income", "grant"),
    "spending": ("spending", "spend", "expenditure", "cost", "costs"),
    "movement": ("movement", "net movement", "net", "overspend", "underspend", "variance"),
    "closing": ("closing", "closing balance", "c/fwd", "cfwd", "carried forward"),
    "saving": ("saving", "savings"),
}
#: The keys a line's own name may not take: the single lines' and the model's columns.
_RESERVED_KEYS = frozenset(
    {
        "bfwd",
        "cfwd",
        "recovery_plan_impact",
        "year",
        "in_year",
        "bfwd_given",
        "cfwd_given",
        "spending",
        "line",
        "label",
        "role",
        "row",
        "amount",
        "written",
    }
)
#: How a units row (under the year headings) or a label may write each unit.
UNIT_WORDS = {
    "£m": "£m",
    "£million": "£m",
    "£millions": "£m",
    "£000": "£000",
    "£'000": "£000",
    "£000s": "£000",
    "£k": "£000",
    "£": "£",
}


def role_of(written: str) -> str | None:
    """The role a role cell names, in any of :data:`ROLE_WORDS`' words; None if none."""
    text = " ".join(written.strip().lower().split())
    return next((role for role, words in ROLE_WORDS.items() if text in words), None)


def unit_of(written: str) -> str | None:
    """The unit a units row's cell names (``£m``, ``£'000``, ``(£000)``); None for anything
    else."""
    return UNIT_WORDS.get(written.strip().strip("()[]").lower().replace(" ", ""))


#: What the first cell of a units row may say besides a unit (or nothing).
UNITS_ROW_LABELS = frozenset({"units", "unit", "amounts", "amounts in", "figures in", "in"})


def _units_label(written: str) -> bool:
    """Whether a row's first cell could head a units row: blank, a unit, or a word for one."""
    text = written.strip().rstrip(":").lower()
    return not text or unit_of(text) is not None or text in UNITS_ROW_LABELS


def _slug(label: str) -> str:
    """A line's key from its label: ``Additional DfE funding`` -> ``additional_dfe_funding``."""
    slug = re.sub(r"[^a-z0-9]+", "_", label.lower()).strip("_")
    return slug or "line"


def _plain(value: Decimal) -> str:
    """An amount in the table's unit and sign, written plainly: ``-1.7``, ``1028``."""
    text = f"{value:f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


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
    taken: set[str] = set(_RESERVED_KEYS)
    problems: list[str] = []
    for number, cells in zip(table.row_numbers, table.rows, strict=True):
        label = cells[0]
        amounts = [cells[table.header.index(y)] for y in years]
        written = cells[table.header.index(role_column)].strip() if role_column else ""
        if (
            not any(a.strip() for a in amounts)
            and not written
            and (role_column is not None or classify_budget_line(label) is None)
        ):
            continue  # a note or a heading between the lines: no amount, no role
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
            found = role_of(written)
            if found is None:
                problems.append(
                    _problem(table, number, role_column, written, f"one of: {', '.join(ROLES)}")
                )
                continue
            role = found
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
            while key in taken and role not in SINGLE_ROLE_KEYS:
                key, suffix = f"{base}_{suffix}", suffix + 1
        seen[key] = number
        taken.add(key)
        lines.append(_Line(number, label, key, role, amounts))
    if problems:
        raise InputDataError("The budget table has lines the model cannot place.", problems)
    return lines


def _units_row(
    raw_dir: Path, table: RawTable, years: list[str], form: BudgetFormat
) -> tuple[RawTable, BudgetFormat]:
    """A row under the year headings that gives the unit (``£m`` under each year, as a paper's
    own table has it) is read as the table's unit, where sources.yaml declares none, and
    taken out; one that contradicts the unit sources.yaml declares is refused."""
    if not table.rows:
        return table, form
    cells = table.rows[0]
    said = {unit_of(cells[table.header.index(y)]) for y in years if cells[table.header.index(y)]}
    if not said or None in said or not _units_label(cells[0]):
        return table, form
    if len(said) > 1:
        raise InputDataError(
            _problem(table, table.row_numbers[0], years[0], cells[1], "one unit for every year")
        )
    unit = str(said.pop())  # one unit, and not None (checked above)
    declared = load_sources(raw_dir).get(STEM, {}).get("unit")
    if declared is not None and unit != form.unit:
        raise InputDataError(
            f"{table.name}, row {table.row_numbers[0]}: the units row says {unit} but "
            f"{SOURCES_FILE} declares unit {form.unit!r}; make them agree"
        )
    rest = RawTable(
        table.path,
        table.header,
        table.rows[1:],
        table.row_numbers[1:],
        table.header_row,
        table.sheet,
        table.first_column,
    )
    return rest, BudgetFormat(unit, form.deficit, form.block, form.decimals)


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
            [
                str(
                    Problem(
                        table.name,
                        table.header_row,
                        y,
                        y,
                        "each financial year once",
                        # The repeat's own column: the second heading of the year.
                        column_letter(table.first_column + _second(header, y)),
                    )
                )
                for y in repeated
            ],
        )
    role_column = next((h for h in header[1:] if h.strip().lower() == "role"), None)
    years = [h for h in header[1:] if h and h != role_column]
    table, form = _units_row(raw_dir, table, years, form)
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
    check_magnitudes(table, form, lines, values)
    places = max((decimals(text) for line in lines for text in line.cells), default=0)
    form = BudgetFormat(form.unit, form.deficit, form.block, places)
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
    check_convention(table, form, lines, records)
    frame = pd.DataFrame.from_records(records, columns=list(COLUMNS))
    frame.attrs["source"] = table.name
    frame.attrs["letters"] = table.column_letters()
    frame.attrs["format"] = form.to_dict()
    return frame
