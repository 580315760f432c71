"""Read a cycle's raw inputs, as authors supply them, into typed tables.

Every problem is reported with the file, the row as the author sees it (1-based, header
counted), the column and the value, so that the author can find and fix it.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pandas as pd

from highneeds.common.errors import InputDataError
from highneeds.domain.catalog import BY_NAME, SOURCE_STEMS
from highneeds.gate.read.cells import EXPECTED, Problem, parse_cell
from highneeds.gate.read.limits import ChecksTimedOut
from highneeds.gate.read.sources import RawTable, read_source, source_present
from highneeds.gate.tables.budget import read_budget
from highneeds.gate.tables.scenarios import read_scenarios
from highneeds.gate.tables.sen2 import read_cycle_sen2


def _require_columns(table: RawTable, columns: list[str]) -> None:
    missing = [c for c in columns if c not in table.header]
    if missing:
        raise InputDataError(
            f"{table.name}: missing column(s) {', '.join(repr(m) for m in missing)}; "
            f"the header row has {', '.join(repr(h) for h in table.header)}"
        )


def _records(table: RawTable, columns: list[str]) -> list[tuple[int, dict[str, str]]]:
    _require_columns(table, columns)
    index = {c: table.header.index(c) for c in columns}
    out = []
    for number, cells in zip(table.row_numbers, table.rows, strict=True):
        padded = cells + [""] * (len(table.header) - len(cells))
        out.append((number, {c: padded[i] for c, i in index.items()}))
    return out


def _convert(table: RawTable, row: int, column: str, value: str, kind: str) -> Any:
    """Convert one cell, raising an :class:`InputDataError` that locates it."""
    try:
        return parse_cell(value, kind)
    except (ValueError, OverflowError):
        raise InputDataError(
            "An input file has a value that cannot be read.",
            [
                str(
                    Problem(
                        table.name, row, column, value, EXPECTED[kind], table.column_letter(column)
                    )
                )
            ],
        ) from None


_NUMERIC_KINDS = ("money", "int", "float")
_TOTAL_RE = re.compile(r"^(grand )?totals?\b", re.IGNORECASE)


def _check_total(
    table: RawTable,
    number: int,
    total: dict[str, Any],
    lines: list[dict[str, Any]],
    columns: dict[str, str],
) -> None:
    """A total row must agree with the lines above it; then it is dropped, else refused."""
    problems = []
    for column, kind in columns.items():
        if kind not in _NUMERIC_KINDS or total[column] in (None, ""):
            continue
        added = sum(line[column] or 0 for line in lines)
        if abs(added - total[column]) > 1e-6:
            problems.append(
                str(
                    Problem(
                        table.name,
                        number,
                        column,
                        total[column],
                        f"the total of the rows above ({added:,.6g})",
                        table.column_letter(column),
                    )
                )
            )
    if problems:
        raise InputDataError("A total row disagrees with its lines.", problems)


def _read_typed(
    raw_dir: Path, stem: str, columns: dict[str, str], optional: dict[str, str] | None = None
) -> pd.DataFrame:
    """Read a table whose columns have the given kinds; a 'Total' row is checked and dropped.
    An ``optional`` text column the file leaves out is there, blank, in the typed table."""
    table = read_source(raw_dir, stem, is_header=lambda cells: set(columns) <= set(cells))
    absent = [c for c in optional or {} if c not in table.header]
    columns = {**columns, **{c: k for c, k in (optional or {}).items() if c not in absent}}
    records: list[dict[str, Any]] = []
    for number, rec in _records(table, list(columns)):
        first = rec[next(iter(columns))]
        if _TOTAL_RE.match(first):
            typed = {
                c: _convert(table, number, c, rec[c], k) if k in _NUMERIC_KINDS and rec[c] else None
                for c, k in columns.items()
            }
            _check_total(table, number, typed, records, columns)
            continue
        typed = {"row": number}
        for column, kind in columns.items():
            typed[column] = _convert(table, number, column, rec[column], kind)
        records.append(typed)
    frame = pd.DataFrame.from_records(records, columns=["row", *columns])
    for column in absent:
        frame[column] = ""
    frame.attrs["source"] = table.name
    frame.attrs["letters"] = table.column_letters()
    return frame


#: Each table read by :func:`_read_typed`: its columns and their kinds, required then
#: optional. Its reader reads them and its suite checks them (``typed_columns``).
TYPED_COLUMNS: dict[str, tuple[dict[str, str], dict[str, str]]] = {
    "ehcp_demand": ({"measure": "str", "count": "int", "since": "date", "description": "str"}, {}),
    "placement_costs": (
        {"placement_type": "str", "annual_cost_per_place": "float", "basis": "str"},
        {"balances": "str"},
    ),
    "interventions": (
        {"intervention_id": "str", "placement_type": "str", "places_avoided": "int"},
        {},
    ),
    "business_cases": (
        {"intervention_id": "str", "intervention": "str", "business_case_saving": "money"},
        {},
    ),
    "figures": (
        {"name": "str", "value": "str", "unit": "str", "description": "str", "source": "str"},
        {"formula": "str", "dfe_return": "str"},
    ),
    "placements_by_category": (
        {"category": "str", "year": "financial_year", "plans": "int", "cost_per_plan": "money"},
        {},
    ),
    "forecast_assumptions": (
        {"year": "financial_year", "assumption": "str", "category": "str", "value": "money"},
        {},
    ),
    "intervention_places": (
        {
            "intervention_id": "str",
            "from_category": "str",
            "to_category": "str",
            "places": "int",
            "start_year": "financial_year",
        },
        {},
    ),
    "dsg_blocks": (
        {
            "block": "str",
            "year": "financial_year",
            "bfwd": "money",
            "funding": "money",
            "spend": "money",
        },
        {},
    ),
    "ehcps_by_age": ({"age_band": "str", "year": "financial_year", "plans": "int"}, {}),
    "earlier_forecasts": (
        {
            "paper": "str",
            "figure": "str",
            "year": "financial_year",
            "forecast": "money",
            "source": "str",
        },
        {},
    ),
}


def typed_columns(name: str) -> list[str]:
    """The typed table's columns: its row number, then its file's, required and optional."""
    required, optional = TYPED_COLUMNS[name]
    return ["row", *required, *optional]


def _read_table(raw_dir: Path, name: str) -> pd.DataFrame:
    """A table of :data:`TYPED_COLUMNS` (its file's stem is its name)."""
    required, optional = TYPED_COLUMNS[name]
    return _read_typed(raw_dir, name, required, optional)


def read_ehcp_demand(raw_dir: Path) -> pd.DataFrame:
    """EHCP demand: plans in place, new plans and requests, each counted since a date."""
    frame = _read_table(raw_dir, "ehcp_demand")
    frame["since"] = pd.to_datetime(frame["since"])
    return frame


def read_placement_costs(raw_dir: Path) -> pd.DataFrame:
    """Average annual cost of a place, £000, by placement type; ``balances`` (optional) names
    the intervention whose business case a cost was set to balance, rather than measured."""
    return _read_table(raw_dir, "placement_costs")


def read_interventions(raw_dir: Path) -> pd.DataFrame:
    """Places each intervention's business case assumes it avoids, by placement type."""
    return _read_table(raw_dir, "interventions")


def read_business_cases(raw_dir: Path) -> pd.DataFrame:
    """Each intervention's name and the saving its business case states, £000."""
    return _read_table(raw_dir, "business_cases")


def read_figures(raw_dir: Path) -> pd.DataFrame:
    """Named single figures the paper quotes, each with its unit, meaning and source, and
    optionally (``formula``) the sum or difference of other figures it is, and
    (``dfe_return``) the DfE return's line it is (``whole_dsg_cfwd 2021/22``: the whole DSG's
    balance carried forward at the end of that year)."""
    return _read_table(raw_dir, "figures")


def read_placements_by_category(raw_dir: Path) -> pd.DataFrame:
    """EHCPs by DfE placement category and year (actuals), with the average annual cost per
    EHCP (£000) where the cycle gives it (at least for the last year, the forecast's base)."""
    return _read_table(raw_dir, "placements_by_category")


def read_forecast_assumptions(raw_dir: Path) -> pd.DataFrame:
    """The forecast's assumptions by year: growth in percent, funding in £000."""
    return _read_table(raw_dir, "forecast_assumptions")


def read_intervention_places(raw_dir: Path) -> pd.DataFrame:
    """Places each intervention avoids (no ``to_category``) or moves to a cheaper category,
    every year from its start year."""
    return _read_table(raw_dir, "intervention_places")


#: The columns of assumption_ranges.csv: required, then optional.
RANGE_COLUMNS = ("assumption", "low", "high", "source")
RANGE_OPTIONAL = ("distribution", "probability", "moves_with")


def read_assumption_ranges(raw_dir: Path) -> pd.DataFrame:
    """The low and high value of each assumption the forecast rests on, in percent, where the
    range comes from (``source``, required), and optionally how the simulations draw it
    (``distribution``: triangular, either or fixed) with the chance of its high end
    (``probability``, percent), and another assumption it moves with (``moves_with``: drawn at
    the same point of each range). A fixed assumption may leave low and high blank."""
    table = read_source(
        raw_dir, "assumption_ranges", is_header=lambda cells: {"assumption", "low"} <= set(cells)
    )
    present = [c for c in RANGE_OPTIONAL if c in table.header]
    records: list[dict[str, Any]] = []
    for number, rec in _records(table, [*RANGE_COLUMNS, *present]):
        typed: dict[str, Any] = {"row": number, "assumption": rec["assumption"]}
        for column in ("low", "high", "probability"):
            text = rec.get(column, "")
            typed[column] = _convert(table, number, column, text, "float") if text else None
        typed["source"] = rec["source"].strip()
        typed["distribution"] = rec.get("distribution", "").strip() or "triangular"
        typed["moves_with"] = rec.get("moves_with", "").strip()
        records.append(typed)
    columns = ["row", "assumption", "low", "high", "source", "distribution", "probability"]
    columns.append("moves_with")
    frame = pd.DataFrame.from_records(records, columns=columns)
    for column in ("low", "high", "probability"):
        frame[column] = frame[column].astype(float)
    frame.attrs["source"] = table.name
    frame.attrs["letters"] = table.column_letters()
    return frame


def read_dsg_blocks(raw_dir: Path) -> pd.DataFrame:
    """The DSG's other blocks by year, £000, for the DfE return: each block's balance brought
    forward (blank after its first year), its funding and its spending."""
    return _read_table(raw_dir, "dsg_blocks")


def read_ehcps_by_age(raw_dir: Path) -> pd.DataFrame:
    """EHCPs by the SEN2 return's age bands and year, for the DfE return."""
    return _read_table(raw_dir, "ehcps_by_age")


def read_earlier_forecasts(raw_dir: Path) -> pd.DataFrame:
    """Earlier papers' forecasts of a year's deficit carried forward (£000, a deficit
    positive): the cycle of the paper (``paper``, ``2022-01``), the figure (``unmitigated``
    or ``mitigated``), the year, the forecast and where it was printed (``source``). A run
    adds the rows of the council's papers the tool published."""
    return _read_table(raw_dir, "earlier_forecasts")


#: Readers for each tabular input (CSV or XLSX), keyed by the typed table's name: one for each
#: table of the catalog (:mod:`highneeds.domain.catalog`) that a council gives in a file.
TABLE_READERS = {
    "budget": read_budget,
    "ehcp_demand": read_ehcp_demand,
    "placement_costs": read_placement_costs,
    "interventions": read_interventions,
    "business_cases": read_business_cases,
    "figures": read_figures,
    "placements_by_category": read_placements_by_category,
    "forecast_assumptions": read_forecast_assumptions,
    "intervention_places": read_intervention_places,
    "assumption_ranges": read_assumption_ranges,
    "dsg_blocks": read_dsg_blocks,
    "ehcps_by_age": read_ehcps_by_age,
    "declared_scenarios": read_scenarios,
    "sen2": read_cycle_sen2,
    "earlier_forecasts": read_earlier_forecasts,
}


def read_cycle_tables(raw_dir: Path) -> dict[str, pd.DataFrame]:
    """Read every tabular input of a cycle into typed tables keyed by table name (an optional
    table the cycle leaves out is not in the result).

    Every file is read, and every file's problems are reported together.
    """
    tables: dict[str, pd.DataFrame] = {}
    problems: list[str] = []
    for name, stem in SOURCE_STEMS.items():
        if BY_NAME[name].optional and not source_present(raw_dir, stem):
            continue
        reader = TABLE_READERS[name]
        try:
            tables[name] = reader(raw_dir)
        except ChecksTimedOut:  # no time left to read the other files
            raise
        except InputDataError as exc:
            problems += exc.problems or [str(exc)]
    if problems:
        raise InputDataError("Input files could not be read.", problems)
    return tables
