"""The forward model: placement costs from their drivers, EHCPs x average annual cost per EHCP
by placement category and year, the interventions as places avoided or moved, and the budget
that results, in the finance table's own long form so that the roll-forward and the scenarios
treat it exactly as they treat a typed forecast.

All money is in £000 with income negative; growth rates in the assumptions table are percent.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from highneeds.common.errors import InputDataError, column_in
from highneeds.domain.categories import ALL_PLACEMENTS
from highneeds.domain.traced import Traced, total
from highneeds.model.basis.inputs import (
    LINE_WORDS,
    ROLE_OF,
    BudgetFigures,
    assumption_cells,
    budget_figures,
)
from highneeds.model.basis.switches import FORECAST_SOURCES
from highneeds.model.forecast.deficit import carry_forward, recovery_saving
from highneeds.model.forecast.placements import (
    WHERE,
    CategoryForecast,
    apply_interventions,
    base_year,
    forecast_by_category,
    forecast_years,
    intervention_saving,
    modelled_categories,
    saving_figures,
)

__all__ = [
    "CategoryForecast",
    "DriverForecast",
    "apply_interventions",
    "base_year",
    "build_driver_forecast",
    "forecast_by_category",
    "forecast_years",
    "intervention_saving",
    "modelled_categories",
]

#: The forecast assumptions a cycle may state, by year: name -> (unit, may name a category).
ASSUMPTIONS: dict[str, tuple[str, bool]] = {
    "ehcp_growth": ("percent", True),
    "cost_per_plan_growth": ("percent", True),
    "allocation": ("gbp_000", False),
    "allocation_growth": ("percent", False),
    "transfer": ("gbp_000", False),
    "transfer_growth": ("percent", False),
}

#: Where the budget the paper prints comes from: ``auto`` is finance's typed forecast where the
#: budget table types every year the drivers forecast, otherwise the driver model's.
#: Each chosen source in words, for the notebook that reports the choice.
FORECAST_SOURCE_WORDS = {
    "typed": "finance's typed forecast",
    "drivers": "the driver model's forecast",
}

#: Labels for the lines a typed table may leave out but a driver forecast fills in.
DEFAULT_LABELS = {
    "cfwd": "High Needs DSG C/Fwd Deficit / (Surplus)",
    "recovery_plan_impact": "Recovery Plan Impact",
}

#: The lines of the budget that the driver model compares with a typed forecast.
COMPARED_LINES = ("transfer", "allocation", "placement_costs", "cfwd")


def _source(frame: pd.DataFrame, default: str) -> str:
    return str(frame.attrs.get("source", default))


def funding_figures(
    assumptions: pd.DataFrame, budget: pd.DataFrame, base: str, years: list[str]
) -> dict[tuple[str, str], Traced]:
    """Each forecast year's ``transfer`` and ``allocation`` (£000, income negative): the
    figure the assumptions give, else the previous year's grown by the ``<line>_growth`` they
    give, else the figure the budget table types for that year."""
    typed = budget_figures(budget)
    given = assumption_cells(assumptions)
    funding: dict[tuple[str, str], Traced] = {}
    for line in ("transfer", "allocation"):
        previous = typed.lines.get((line, base))
        for year in years:
            figure = given.get((line, year, ""))
            growth = given.get((f"{line}_growth", year, ""))
            if figure is not None:
                value = figure
            elif growth is not None and previous is not None:
                value = previous * (1 + growth / 100)
            elif (line, year) in typed.lines and not typed.blank(line, year):
                value = typed.lines[(line, year)]
            else:
                raise InputDataError(
                    f"{_source(assumptions, 'forecast_assumptions.csv')}: no {line} for {year}: "
                    f"give {line} (£000) or {line}_growth (percent) for the year, or type it in "
                    "the High Needs table"
                )
            previous = funding[(line, year)] = value.named(
                f"drivers.{line}[{year}]",
                f"{LINE_WORDS[line]} {year} (driver model)",
                role=LINE_WORDS[line],
                computed_in=WHERE,
            )
    return funding


def funding_forecast(
    assumptions: pd.DataFrame, budget: pd.DataFrame, base: str, years: list[str]
) -> pd.DataFrame:
    """:func:`funding_figures` as a table (``year``, ``transfer``, ``allocation``)."""
    funding = funding_figures(assumptions, budget, base, years)
    return pd.DataFrame(
        {"year": years}
        | {line: [float(funding[(line, y)]) for y in years] for line in ("transfer", "allocation")}
    )


def driver_budget(
    budget: pd.DataFrame,
    forecast: CategoryForecast,
    funding: dict[tuple[str, str], Traced],
    recovery: dict[str, Traced],
) -> tuple[pd.DataFrame, BudgetFigures]:
    """The budget with its forecast years built from the drivers, as the typed table's long
    form (``row``, ``line``, ``label``, ``year``, ``amount``) and as traced figures.

    Years up to the base year are the typed table's own. Each forecast year's placement costs
    are the categories' total, its funding :func:`funding_figures`', its Recovery Plan Impact
    (in-year) the typed in-year impact plus the interventions' saving, and its B/Fwd and C/Fwd
    the roll-forward's (:func:`highneeds.model.forecast.deficit.carry_forward`).
    """
    base = max(y for _, y, basis in forecast.rows if basis == "actual")
    kept = budget[budget["year"] <= base]
    if base not in set(kept["year"]):
        raise InputDataError(
            f"{_source(budget, 'high_needs_budget.csv')}: no column for {base}, the year the "
            "driver forecast starts from"
        )
    typed = budget_figures(kept)
    lines = dict(typed.lines)
    placement, saving = forecast.totals("placement_costs"), saving_figures(forecast)
    years = sorted({y for _, y in funding})
    for year in years:
        built = {
            "transfer": funding[("transfer", year)],
            "allocation": funding[("allocation", year)],
            "placement_costs": placement[year],
            "recovery_plan_impact": total(
                [f for f in (recovery.get(year), saving.get(year)) if f is not None]
            ).named(
                f"drivers.recovery_plan_impact[{year}]",
                f"Recovery Plan Impact {year}: the typed saving and the interventions'",
                computed_in=WHERE,
            ),
        }
        for line, figure in built.items():
            lines[(line, year)] = figure.named(
                f"budget.{line}[{year}]", f"{LINE_WORDS[line]} {year}", role=LINE_WORDS[line]
            )
    headings = budget_figures(budget).headings
    roles = {**typed.roles, **{line: ROLE_OF[line] for line in LINE_WORDS}}
    figures = BudgetFigures([*typed.years, *years], lines, headings, roles, typed.labels)
    roll = carry_forward(figures)
    labels = budget.drop_duplicates("line").set_index("line")
    records = []
    for year in years:
        recovery_value = float(lines[("recovery_plan_impact", year)])
        for line, amount in (
            ("bfwd", float(roll.bfwd[year])),
            ("transfer", float(lines[("transfer", year)])),
            ("allocation", float(lines[("allocation", year)])),
            ("placement_costs", float(lines[("placement_costs", year)])),
            ("cfwd", float(roll.cfwd[year])),
            ("recovery_plan_impact", recovery_value if recovery_value else np.nan),
        ):
            if line in labels.index:
                row, label = labels.loc[line, "row"], labels.loc[line, "label"]
            else:  # a line the typed table leaves out: after its own lines
                row, label = int(budget["row"].max()) + 1, DEFAULT_LABELS[line]
            records.append(
                {
                    "row": row,
                    "line": line,
                    "label": label,
                    "role": ROLE_OF[line],
                    "year": year,
                    "amount": amount,
                    "written": "",
                }
            )
    built_frame = pd.DataFrame.from_records(records)[list(budget.columns)]
    out = pd.concat([kept, built_frame], ignore_index=True)
    # The typed table's line order, each line's years in order.
    line_order = {line: i for i, line in enumerate(dict.fromkeys(budget["line"]))}
    out = out.assign(_order=out["line"].map(line_order)).sort_values(["_order", "year"])
    out = out.drop(columns="_order").reset_index(drop=True)
    out.attrs["source"] = _source(budget, "high_needs_budget.csv")
    return out, figures


def typed_forecast_covers(budget: pd.DataFrame, years: list[str]) -> bool:
    """Whether the budget table types placement costs for every one of ``years``."""
    typed = budget[(budget["line"] == "placement_costs") & budget["amount"].notna()]
    return set(years) <= set(typed["year"])


def choose_forecast_source(requested: str, has_drivers: bool, typed_covers: bool) -> str:
    """``typed`` or ``drivers``: which forecast the paper prints (see :data:`FORECAST_SOURCES`)."""
    if requested not in FORECAST_SOURCES:
        raise ValueError(f"forecast_source must be one of {FORECAST_SOURCES}: {requested!r}")
    if requested == "drivers" and not has_drivers:
        raise InputDataError(
            "forecast_source=drivers, but the cycle gives no drivers "
            "(placements_by_category and forecast_assumptions)"
        )
    if requested == "typed" and has_drivers and not typed_covers:
        raise InputDataError(
            "forecast_source=typed, but the High Needs table does not type placement costs for "
            "every year the forecast assumptions cover"
        )
    if requested == "auto":
        return "typed" if not has_drivers or typed_covers else "drivers"
    return requested


def compare_forecasts(typed: pd.DataFrame, drivers: pd.DataFrame, years: list[str]) -> pd.DataFrame:
    """Line by line and year by year, the typed forecast, the driver model's, and how far the
    driver model is from it (drivers less typed, £000), for the forecast ``years`` both give."""
    left = typed[typed["line"].isin(COMPARED_LINES) & typed["year"].isin(years)]
    right = drivers[drivers["line"].isin(COMPARED_LINES) & drivers["year"].isin(years)]
    merged = left[["line", "year", "amount"]].merge(
        right[["line", "year", "amount"]], on=["line", "year"], suffixes=("_typed", "_drivers")
    )
    merged = merged.rename(columns={"amount_typed": "typed", "amount_drivers": "drivers"})
    merged["difference"] = merged["drivers"] - merged["typed"]
    merged["difference_percent"] = 100 * merged["difference"] / merged["typed"].abs()
    return merged.reset_index(drop=True)


def implied_cost_per_plan_growth(decomposition: pd.DataFrame) -> pd.Series:
    """The cost-per-plan growth (percent) a typed forecast implies year on year, from its
    decomposition into plans x cost per plan
    (:func:`highneeds.model.forecast.demand.demand_forecast`): the assumption that, with the
    same plan growth, makes the forward model reproduce it."""
    cost = decomposition.set_index("year")["cost_per_plan"]
    growth = 100 * (cost / cost.shift(1) - 1)
    return growth.iloc[1:].rename("cost_per_plan_growth")


def _next_year(year: str) -> str:
    start = int(year[:4]) + 1
    return f"{start}/{(start + 1) % 100:02d}"


def check_forecast_years(base: str, years: list[str], source: str) -> None:
    """The forecast years follow the base year, one after another."""
    expected, problems = base, []
    for year in years:
        expected = _next_year(expected)
        if year != expected:
            problems.append(f"{source}: found the year {year!r} where {expected!r} was expected")
            break
    if problems:
        raise InputDataError(
            f"{source}: the forecast years must follow {base}, the last year of actual EHCPs, "
            "one after another",
            problems,
        )


def categories_sum_to_totals(placements: pd.DataFrame) -> list[str]:
    """Each year whose categories' EHCPs do not add up to the all_placements total given
    beside them (no problem where a year gives only one or the other)."""
    source = _source(placements, "placements_by_category.csv")
    problems = []
    for year, rows in placements.groupby("year", sort=True):
        total = rows[rows["category"] == ALL_PLACEMENTS]
        split = rows[rows["category"] != ALL_PLACEMENTS]
        if total.empty or split.empty:
            continue
        added = int(split["plans"].sum())
        if added != int(total["plans"].iloc[0]):
            problems.append(
                f"{source}, row {total['row'].iloc[0]}, {column_in(placements, 'plans')}: found "
                f"{int(total['plans'].iloc[0])} for {year}; expected the categories' total, "
                f"{added}"
            )
    return problems


@dataclass(frozen=True)
class DriverForecast:
    """The driver model's forecast: by category and year, the funding, the budget it gives
    (as a table and as traced figures, the printed budget's lines where it is printed), and
    every figure it computed, for the lineage."""

    by_category: pd.DataFrame
    funding: pd.DataFrame
    budget: pd.DataFrame
    base_year: str
    lines: BudgetFigures
    figures: list[Traced]
    #: Each year's sums over the categories (``placements.total.<measure>[<year>]``), as the
    #: paper and the DfE return print them.
    totals: pd.DataFrame | None = None


def build_driver_forecast(
    budget: pd.DataFrame,
    placements: pd.DataFrame,
    assumptions: pd.DataFrame,
    places: pd.DataFrame | None,
    recovery_plan_basis: str = "in_year",
) -> DriverForecast:
    """The whole forward model, from the gate's typed tables to the budget it forecasts. It
    forecasts the shipped layout's lines (transfer, allocation, placement costs), so the
    budget table must have no others."""
    others = [line for line in dict.fromkeys(budget["line"]) if line not in ROLE_OF]
    if others:
        labels = budget.drop_duplicates("line").set_index("line")["label"]
        raise InputDataError(
            f"{_source(budget, 'high_needs_budget.csv')}: the driver forecast "
            "(placements_by_category, forecast_assumptions) forecasts a table of B/Fwd, "
            "transfer, allocation, placement costs, C/Fwd and Recovery Plan Impact lines; this "
            f"table also has {', '.join(repr(labels[line]) for line in others)}. Leave the "
            "driver tables out, or give the budget in those lines"
        )
    base = base_year(placements)
    years = forecast_years(assumptions)
    check_forecast_years(base, years, _source(assumptions, "forecast_assumptions.csv"))
    if places is not None:
        early = places[~places["start_year"].isin(years)]
        if len(early):
            rec = early.iloc[0]
            raise InputDataError(
                f"{_source(places, 'intervention_places.csv')}, row {rec['row']}, "
                f"{column_in(places, 'start_year')}: found {rec['start_year']!r}; expected one "
                f"of the forecast years ({', '.join(years)})"
            )
    by_category = apply_interventions(forecast_by_category(placements, assumptions), places)
    funding = funding_figures(assumptions, budget, base, years)
    recovery = recovery_saving(budget_figures(budget), recovery_plan_basis)
    frame, lines = driver_budget(budget, by_category, funding, recovery)
    sums = {measure: by_category.totals(measure) for measure in TOTAL_MEASURES}
    totals = [figure for by_year in sums.values() for figure in by_year.values()]
    return DriverForecast(
        by_category.frame,
        pd.DataFrame(
            {"year": years}
            | {ln: [float(funding[(ln, y)]) for y in years] for ln in ("transfer", "allocation")}
        ),
        frame,
        base,
        lines,
        [*by_category.all_figures(), *totals, *funding.values(), *lines.lines.values()],
        _totals_frame(sums),
    )


#: The measures summed over the categories each year.
TOTAL_MEASURES = ("plans", "placement_costs", "plans_mitigated", "placement_costs_mitigated")


def _totals_frame(sums: dict[str, dict[str, Traced]]) -> pd.DataFrame:
    """One row a year: each measure's sum over the categories (NaN where none is given)."""
    years = sorted({year for by_year in sums.values() for year in by_year})
    columns = {
        measure: [float(by_year[y]) if y in by_year else float("nan") for y in years]
        for measure, by_year in sums.items()
    }
    return pd.DataFrame({"year": years} | columns)
