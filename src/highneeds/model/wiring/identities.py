"""The identities the model rests on, stated as checks of its input tables: each C/Fwd equals
B/Fwd plus the year's flows, each B/Fwd the previous C/Fwd, and each business case's saving
equals places avoided times the cost per place.

The gate runs these alongside its own checks and reports them the same way, so that inputs the
model could not reconcile are refused before anything is modelled (the gate is handed this
function by the notebook or runner that wires the stages: the stages do not import each other).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from highneeds.common.errors import InputDataError, column_in
from highneeds.domain.amounts import as_written
from highneeds.domain.budget_lines import FLOW_ROLES, lines_of
from highneeds.domain.traced import FigureValue
from highneeds.model.basis.inputs import budget_figures, cycle_cell, ehcp_cells, figure_cells
from highneeds.model.certainty.sensitivity import ranges_for_cycle
from highneeds.model.forecast.deficit import (
    carry_forward,
    financial_year_of,
    reconciliation_problems,
    roll_forward,
    with_derived_lines,
)
from highneeds.model.forecast.demand import GROWTH_FIGURES, ehcp_growth, forecast_from_figures
from highneeds.model.forecast.drivers import build_driver_forecast, categories_sum_to_totals
from highneeds.model.forecast.interventions import business_case_summary, intervention_savings
from highneeds.model.wiring.run import BUSINESS_CASE_TABLES


@dataclass(frozen=True)
class IdentityCheck:
    """One identity checked on one input table, and each place (file, row, column) it fails."""

    table: str
    file: str
    check: str
    expected: str
    problems: list[str]


def _rolled_forward_hint(
    budget: pd.DataFrame, roll: pd.DataFrame, source: str, rows: pd.Series
) -> str:
    """Every given B/Fwd and C/Fwd the roll-forward from the amounts does not reproduce, in one
    message, with the other way out: a changed cost moves every later year's, and one
    message per cell would take a round of saving and fixing each."""
    differing = []
    letters = budget.attrs.get("letters", {})
    rolled = carry_forward(budget_figures(budget), from_first_opening=True)
    for rec in roll.itertuples(index=False):
        for line, name, figures in (("bfwd", "B/Fwd", rolled.bfwd), ("cfwd", "C/Fwd", rolled.cfwd)):
            given, value = getattr(rec, f"{line}_given"), float(figures[rec.year])
            if not np.isnan(given) and abs(given - value) > 1e-6:
                row = rows.get(line, "?")
                cell = f"cell {letters[rec.year]}{row}" if rec.year in letters else f"row {row}"
                differing.append(f"{name} {rec.year} ({cell}) {as_written(value)}")
    return (
        f"{source}: rolled forward from the opening B/Fwd and each year's amounts, the table "
        f"gives {'; '.join(differing)}. Type those, or leave the B/Fwd (after the first "
        "year) and C/Fwd lines blank: the pipeline then rolls them forward itself and marks "
        "them as calculated"
    )


def input_identities(
    tables: dict[str, pd.DataFrame], cycle: str | None = None
) -> list[IdentityCheck]:
    """Check the model's identities on the gate's typed tables (of ``cycle``, where the check
    needs the cycle's own year: the assumptions' ranges)."""
    budget = tables["budget"]
    source = budget.attrs.get("source", "high_needs_budget.csv")
    rows = budget.drop_duplicates("line").set_index("line")["row"]
    opening = _opening_balance_given(budget, source)
    if opening[0].problems:
        return opening  # nothing rolls forward without it
    given = tables
    tables = {**tables, "budget": with_derived_lines(budget)}
    try:
        roll = roll_forward(budget)
        recon = [
            f"{source}, row {rows.get(m.line, '?')}, {column_in(budget, m.year)}: {m.message}"
            for m in reconciliation_problems(roll)
        ]
        flows = budget[budget["line"].isin(lines_of(budget, *FLOW_ROLES))]
        # The way out rolls the amounts forward: not over blanks, which it would read as 0.
        if recon and not flows["amount"].isna().any():
            recon.append(_rolled_forward_hint(budget, roll, source, rows))
    except InputDataError as exc:
        recon = exc.problems or [f"{source}: {exc}"]
    cases, problems = _business_cases_reconcile(tables)
    in_budget = _cycle_year_in_budget(budget, source, cycle)
    checks = [
        *opening,
        *in_budget,
        *_growth_figures_agree_with_counts(tables),
        *driver_identities(tables),
        *(
            []
            if any(c.problems for c in in_budget)
            else _ranges_contain_the_forecast(tables, cycle)
        ),
        IdentityCheck(
            "budget",
            source,
            "roll_forward_reconciles",
            "each C/Fwd to equal B/Fwd + the year's funding, spending and movement lines, and "
            "each B/Fwd "
            "to equal the previous year's C/Fwd",
            recon,
        ),
        IdentityCheck(
            "business_cases",
            cases,
            "savings_equal_places_times_cost",
            "each business case's saving to equal places avoided x cost per place, where the "
            "cycle gives business cases (interventions, placement costs and business cases "
            "together)",
            problems,
        ),
        *_ehcp_counts_complete(tables),
    ]
    if any(check.problems for check in checks):
        return checks
    return [*checks, *_model_accepts(given, cycle)]


def _model_accepts(tables: dict[str, pd.DataFrame], cycle: str | None) -> list[IdentityCheck]:
    """The model itself, run once on the tables as the run's notebooks read them back (the
    typed tables written as the gate writes them and read again), with one simulation: every
    input the run's model would refuse, the gate refuses, so that ``validate`` and ``run``
    give the same answer."""
    if cycle is None:
        return []
    import os
    import tempfile
    from pathlib import Path

    from highneeds.common import processed
    from highneeds.model.wiring.run import ModelParameters, run_interventions, run_model

    listed = tables.get("figures")
    values = {} if listed is None else listed.attrs.get("values")
    if values is None:
        return []  # the gate's figure check says which value it cannot read
    problems: list[str] = []
    with tempfile.TemporaryDirectory(prefix=f"highneeds-gate-{os.getpid()}-") as folder:
        processed.write_typed_tables(tables, Path(folder))
        typed = processed.read_typed_tables(Path(folder))
        try:
            run_model(typed, values, ModelParameters(cycle, uncertainty_draws=1))
            run_interventions(typed)
        except InputDataError as exc:
            problems = [str(exc).splitlines()[0], *exc.problems]
    return [
        IdentityCheck(
            "budget",
            str(budget_source(tables)),
            "model_accepts_inputs",
            "the model to run on the inputs as the run reads them",
            problems,
        )
    ]


def budget_source(tables: dict[str, pd.DataFrame]) -> str:
    return str(tables["budget"].attrs.get("source", "high_needs_budget.csv"))


def _business_cases_reconcile(tables: dict[str, pd.DataFrame]) -> tuple[str, list[str]]:
    """The business cases' file and what is wrong with them: the three tables come together,
    and each saving stated equals places avoided x cost per place."""
    given = {name: tables.get(name) for name in BUSINESS_CASE_TABLES}
    present = [name for name, table in given.items() if table is not None]
    file = str(
        next((t.attrs.get("source", n) for n, t in given.items() if t is not None), "")
        or "business_cases.csv"
    )
    if not present:
        return file, []
    if len(present) < len(given):
        missing = [f"{name}.csv" for name, table in given.items() if table is None]
        return file, [
            f"{', '.join(f'{n}.csv' for n in present)} given without {', '.join(missing)}: a "
            "business case needs its places avoided (interventions), their costs "
            "(placement_costs) and the saving it states (business_cases); give all three, or "
            "none"
        ]
    try:
        savings = intervention_savings(given["interventions"], given["placement_costs"])
        business_case_summary(savings, given["business_cases"])
    except InputDataError as exc:
        return file, exc.problems or [str(exc)]
    return file, []


def _ehcp_counts_complete(tables: dict[str, pd.DataFrame]) -> list[IdentityCheck]:
    """The EHCP counts, where the cycle gives them: each measure once, counted since a date
    before the cycle (what the model's growth figures need)."""
    counts = tables.get("ehcp_demand")
    if counts is None:
        return []
    try:
        ehcp_growth(counts)
        problems: list[str] = []
    except InputDataError as exc:
        problems = [str(exc).splitlines()[0], *exc.problems]
    return [
        IdentityCheck(
            "ehcp_demand",
            counts.attrs.get("source", "ehcp_demand.csv"),
            "ehcp_measures_complete",
            "plans_at_start, new_plans_to_date and requests_for_assessment, each once",
            problems,
        )
    ]


def _opening_balance_given(budget: pd.DataFrame, source: str) -> list[IdentityCheck]:
    """The first year's B/Fwd is the one derived line the model cannot derive."""
    first = budget[budget["line"] == "bfwd"].head(1)
    problems = []
    if first.empty or pd.isna(first["amount"].iloc[0]):
        row = f", row {first['row'].iloc[0]}" if not first.empty else ""
        year = budget["year"].iloc[0]
        problems.append(
            f"{source}{row}, {column_in(budget, year)}: found a blank; expected the B/Fwd of "
            "the first year (the later B/Fwd and every C/Fwd may be left blank: the model "
            "computes them)"
        )
    return [
        IdentityCheck(
            "budget",
            source,
            "opening_balance_given",
            "the first year's B/Fwd to be given",
            problems,
        )
    ]


def _cycle_year_in_budget(
    budget: pd.DataFrame, source: str, cycle: str | None
) -> list[IdentityCheck]:
    """The paper speaks of the cycle's financial year ("the current year"): the budget table
    must have it (a cycle started for a year the table does not reach is refused here, not
    half-way through the paper)."""
    if cycle is None:
        return []
    year = financial_year_of(cycle)
    years = list(dict.fromkeys(budget["year"]))
    problems = []
    if year not in years:
        problems.append(
            f"{source}: cycle {cycle} falls in financial year {year}, which is not a column "
            f"of the table (its years: {', '.join(years)}); add the year's column, or run the "
            "cycle this table is for"
        )
    return [
        IdentityCheck(
            "budget",
            source,
            "cycle_year_in_budget",
            "the cycle's financial year to be one of the table's years",
            problems,
        )
    ]


def _growth_figures_agree_with_counts(tables: dict[str, pd.DataFrame]) -> list[IdentityCheck]:
    """The forecast's growth rates (figures.csv, in percent) are the EHCP counts' own growth,
    to the decimals the paper states: 14 / 260 = 5.4%, (14 + 18) / 260 = 12%."""
    figures = tables.get("figures")
    if figures is None or tables.get("ehcp_demand") is None:
        return []  # the model's own run says what is missing
    given = figures[figures["name"].isin(GROWTH_FIGURES)]
    if given.empty:
        return []
    source = figures.attrs.get("source", "figures.csv")
    try:
        growth = ehcp_growth(tables["ehcp_demand"])
    except InputDataError:
        return []  # the EHCP table's own checks say what is wrong with it
    problems: list[str] = []
    for rec in given.itertuples(index=False):
        measure, places = GROWTH_FIGURES[rec.name]
        counted = round(getattr(growth, measure) * 100, places)
        stated = _stated_percent(rec.value)
        if stated is None:
            continue  # the gate's figure check reports a value it cannot read
        if abs(stated - counted) > 1e-9:
            problems.append(
                f"{source}, row {rec.row}, {column_in(figures, 'value')}: {rec.name} is "
                f"{rec.value} but the EHCP counts in ehcp_demand.csv give {counted:g}%"
            )
    return [
        IdentityCheck(
            "figures",
            source,
            "growth_figures_agree_with_ehcp_counts",
            "each EHCP growth figure to be the growth the EHCP counts give, to the decimals stated",
            problems,
        )
    ]


def driver_identities(tables: dict[str, pd.DataFrame]) -> list[IdentityCheck]:
    """The forecast's drivers, where the cycle gives them: the categories add up to any
    "all placements" total given beside them, and the forecast can be built from them (a
    base year with costs, growth for every year and category, funding for every year,
    interventions in categories the forecast models)."""
    placements = tables.get("placements_by_category")
    assumptions = tables.get("forecast_assumptions")
    if placements is None and assumptions is None:
        return []
    given = placements if placements is not None else assumptions
    file = given.attrs.get("source", "") if given is not None else ""
    if placements is None or assumptions is None:
        given, missing = (
            ("placements_by_category", "forecast_assumptions")
            if placements is not None
            else ("forecast_assumptions", "placements_by_category")
        )
        problems = [f"{given} is given but {missing} is not: the driver forecast needs both"]
        return [IdentityCheck("drivers", file, "drivers_complete", "both driver tables", problems)]
    try:
        build_driver_forecast(
            tables["budget"], placements, assumptions, tables.get("intervention_places")
        )
        build: list[str] = []
    except InputDataError as exc:
        build = [str(exc).splitlines()[0], *exc.problems]
    return [
        IdentityCheck(
            "placements_by_category",
            file,
            "categories_sum_to_all_placements",
            "the categories of each year to add up to its all_placements total, where both "
            "are given",
            categories_sum_to_totals(placements),
        ),
        IdentityCheck(
            "forecast_assumptions",
            assumptions.attrs.get("source", "forecast_assumptions.csv"),
            "driver_forecast_builds",
            "a base year with EHCPs and cost per EHCP for every category, forecast years that "
            "follow it, growth and funding for every forecast year, and interventions in "
            "categories the forecast models, starting in a forecast year",
            build,
        ),
    ]


def _ranges_contain_the_forecast(
    tables: dict[str, pd.DataFrame], cycle: str | None
) -> list[IdentityCheck]:
    """Each assumption range the cycle gives names an assumption its forecast uses and holds
    the forecast's own value (checked on the typed forecast)."""
    overrides = tables.get("assumption_ranges")
    if overrides is None or cycle is None:
        return []
    figures: dict[str, FigureValue] = {}
    listed = tables.get("figures")
    for rec in () if listed is None else listed.itertuples(index=False):
        if rec.name in GROWTH_FIGURES:
            stated = _stated_percent(rec.value)
            if stated is None:
                return []  # the gate's figure check reports a value it cannot read
            figures[rec.name] = stated
    problems: list[str] = []
    try:
        year = financial_year_of(cycle)
        spending = budget_figures(tables["budget"]).spending()
        demand = (
            None
            if spending is None
            else forecast_from_figures(
                spending,
                ehcp_cells(tables.get("ehcp_demand")),
                figure_cells(tables.get("figures"), figures),
                year,
                cycle_cell(cycle),
            )
        )
        ranges_for_cycle(
            tables["budget"],
            None if demand is None else demand.frame(),
            figures,
            year,
            overrides,
            months_to_date=12 if demand is None else demand.months_to_date_count,
        )
    except InputDataError as exc:
        problems = exc.problems or [str(exc)]
    return [
        IdentityCheck(
            "assumption_ranges",
            overrides.attrs.get("source", "assumption_ranges.csv"),
            "ranges_hold_the_forecast",
            "each range to name an assumption the forecast uses and to hold the forecast's own "
            "value",
            problems,
        )
    ]


def _stated_percent(value: object) -> float | None:
    """A growth figure's value as ``figures.csv`` states it (percent), or ``None`` if it cannot
    be read (the gate's figure check reports that; the model's stage cannot use its reader)."""
    try:
        return float(str(value).replace(",", ""))
    except ValueError:
        return None
