"""The council's own scenarios, as data: ``scenarios.csv``, one row a change to a budget line.

Columns: ``scenario`` (its id, as placeholders name it), ``label`` (as printed), ``line`` (a
budget line, by its label, or a new line's name), ``year`` (the first financial year the change
applies to), ``change`` (the amount added to that line each year from ``year``, in the budget
table's unit and sign convention) and ``status`` (``agreed``, ``proposed``, ``refused`` or
``awaiting decision``); optional: ``role`` (for a new line: ``funding``, ``spending`` or
``movement``), ``repeat`` (``each year``, the default, or ``once``), ``on`` (``with_savings``,
the default: on top of the saving line; or ``without_savings``), ``source`` (where the council
states it) and ``builds_on`` (another scenario whose changes this one adds to: "plus ...").

A scenario of several changes has several rows with the same id. The changes are read into
£000 with a deficit positive, as the budget is; ``written`` keeps each as typed.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pandas as pd

from highneeds.common.errors import InputDataError
from highneeds.gate.read.cells import EXPECTED, FINANCIAL_YEAR_RE, Problem, parse_cell
from highneeds.gate.read.sources import RawTable, read_source
from highneeds.gate.tables.budget import declared_format

STEM = "scenarios"
REQUIRED = ("scenario", "label", "line", "year", "change", "status")
OPTIONAL = ("role", "repeat", "on", "source", "builds_on")
STATUSES = ("agreed", "proposed", "refused", "awaiting decision")
REPEATS = ("each year", "once")
ON = ("with_savings", "without_savings")
NEW_LINE_ROLES = ("funding", "spending", "movement")
#: A scenario's id: what a placeholder names it by (``{{ scenario.<id>.closing[...] }}``).
_ID_RE = re.compile(r"^[a-z][a-z0-9_]*$")
#: The ids the model keeps for its own scenarios.
RESERVED = ("unmitigated", "mitigated", "all_requests_convert", "scenario", "with_agreed_pressures")


#: The typed table's columns (its suite checks them: gate/checks/forecast_suites.py).
COLUMNS = (
    "row",
    "scenario",
    "label",
    "line",
    "role",
    "year",
    "change",
    "written",
    "repeat",
    "on",
    "status",
    "source",
    "builds_on",
)


def _problem(table: RawTable, row: int, column: str, value: Any, expected: str) -> str:
    return str(Problem(table.name, row, column, value, expected, table.column_letter(column)))


def _choice(text: str, allowed: tuple[str, ...], default: str) -> str | None:
    """``text`` as one of ``allowed`` (case, spaces and underscores aside), ``default`` if
    blank, ``None`` if it is none of them."""
    if not text.strip():
        return default
    wanted = re.sub(r"[\s_]+", " ", text.strip().lower())
    return next((a for a in allowed if re.sub(r"[\s_]+", " ", a) == wanted), None)


def read_scenarios(raw_dir: Path) -> pd.DataFrame:
    """The cycle's declared scenarios, one row a change, checked cell by cell (the model checks
    that each line, year and ``builds_on`` names something the cycle has)."""
    form = declared_format(raw_dir)
    table = read_source(raw_dir, STEM, is_header=lambda cells: {"scenario", "change"} <= set(cells))
    missing = [c for c in REQUIRED if c not in table.header]
    if missing:
        raise InputDataError(
            f"{table.name}: missing column(s) {', '.join(repr(m) for m in missing)}; the header "
            f"row has {', '.join(repr(h) for h in table.header)}"
        )
    index = {c: table.header.index(c) for c in (*REQUIRED, *OPTIONAL) if c in table.header}
    records: list[dict[str, Any]] = []
    problems: list[str] = []
    for number, cells in zip(table.row_numbers, table.rows, strict=True):
        rec = {c: cells[i].strip() if i < len(cells) else "" for c, i in index.items()}
        problems += _row_problems(table, number, rec)
        try:
            amount = parse_cell(rec["change"], "money")
        except (ValueError, OverflowError):
            amount = None
        if amount is None:
            expected = EXPECTED["money"].replace("£000", form.unit)
            problems.append(_problem(table, number, "change", rec["change"], expected))
            continue
        records.append(
            {
                "row": number,
                "scenario": rec["scenario"],
                "label": rec["label"],
                "line": rec["line"],
                "role": rec.get("role", "").lower(),
                "year": rec["year"],
                "change": form.to_000(amount),
                "written": rec["change"],
                "repeat": _choice(rec.get("repeat", ""), REPEATS, "each year"),
                "on": _choice(rec.get("on", ""), ON, "with_savings"),
                "status": _choice(rec["status"], STATUSES, ""),
                "source": rec.get("source", ""),
                "builds_on": rec.get("builds_on", ""),
            }
        )
    if problems:
        raise InputDataError("The scenarios cannot be read.", problems)
    frame = pd.DataFrame.from_records(records, columns=list(COLUMNS))
    frame.attrs["source"] = table.name
    frame.attrs["letters"] = table.column_letters()
    return frame


def _row_problems(table: RawTable, number: int, rec: dict[str, str]) -> list[str]:
    """What is wrong with one row's text cells, each named where it is."""
    out = []
    checks = (
        (
            "scenario",
            bool(_ID_RE.match(rec["scenario"])) and rec["scenario"] not in RESERVED,
            "an id of lower-case letters, digits and underscores, starting with a letter "
            f"(not {', '.join(RESERVED)}), as placeholders name it",
        ),
        ("label", bool(rec["label"]), "the scenario's name as the paper prints it"),
        ("line", bool(rec["line"]), "a budget line's label, or a new line's name"),
        (
            "year",
            bool(FINANCIAL_YEAR_RE.match(rec["year"])),
            "the first financial year the change applies to, written like 2022/23",
        ),
        (
            "status",
            _choice(rec["status"], STATUSES, "") not in ("", None),
            f"one of: {', '.join(STATUSES)}",
        ),
        (
            "role",
            rec.get("role", "").lower() in ("", *NEW_LINE_ROLES),
            f"blank, or for a new line one of: {', '.join(NEW_LINE_ROLES)}",
        ),
        (
            "repeat",
            _choice(rec.get("repeat", ""), REPEATS, "each year") is not None,
            f"blank or one of: {', '.join(REPEATS)}",
        ),
        (
            "on",
            _choice(rec.get("on", ""), ON, "with_savings") is not None,
            f"blank or {' or '.join(ON)}",
        ),
    )
    for column, ok, expected in checks:
        if not ok:
            out.append(_problem(table, number, column, rec.get(column, ""), expected))
    return out
