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

from highneeds.categories import ALL_PLACEMENTS, DFE_CATEGORIES, category_label
from highneeds.errors import InputDataError
from highneeds.model.deficit import recovery_plan_in_year, roll_forward

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
FORECAST_SOURCES = ("auto", "typed", "drivers")
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


def modelled_categories(placements: pd.DataFrame) -> list[str]:
    """The categories the model forecasts: the DfE categories the cycle gives, in the
    template's order, or ``all_placements`` for a cycle that gives only totals (where a cycle
    gives both, the total is a control the gate checks the categories against)."""
    given = set(placements["category"])
    split = [c for c in DFE_CATEGORIES if c in given]
    return split or [ALL_PLACEMENTS]


def base_year(placements: pd.DataFrame) -> str:
    """The last year with actual EHCP numbers: the forecast starts from it."""
    return str(max(placements["year"]))


def forecast_years(assumptions: pd.DataFrame) -> list[str]:
    """The years the assumptions forecast, in order."""
    return sorted(set(assumptions["year"]))


#: The assumptions keyed by (assumption, year, category), a blank category for every one.
Assumptions = dict[tuple[str, str, str], float]


def assumption_values(assumptions: pd.DataFrame) -> Assumptions:
    """The assumptions table as a lookup: each value by (assumption, year, category)."""
    return {
        (rec.assumption, rec.year, rec.category): float(rec.value)
        for rec in assumptions.itertuples(index=False)
    }


def _assumption(values: Assumptions, name: str, year: str, category: str = "") -> float | None:
    """The value of one assumption for a year (and category, falling back to the row with a
    blank category, which applies to every category), or ``None`` if the cycle gives none."""
    found = values.get((name, year, category))
    return values.get((name, year, "")) if found is None else found


def growth_rates(
    assumptions: pd.DataFrame, name: str, categories: list[str], years: list[str]
) -> pd.DataFrame:
    """Each year's growth (a fraction) of assumption ``name`` by category: a category's own
    row, else the year's row with a blank category. Raises if a year has neither."""
    values = assumption_values(assumptions)
    missing: list[str] = []
    rates: dict[str, list[float]] = {c: [] for c in categories}
    for year in years:
        for category in categories:
            value = _assumption(values, name, year, category)
            if value is None:
                missing.append(f"{year} {category}")
                value = np.nan
            rates[category].append(value / 100)
    if missing:
        raise InputDataError(
            f"{_source(assumptions, 'forecast_assumptions.csv')}: no {name} for "
            + ", ".join(missing),
            [f"give {name} for each year, with a blank category for every category"],
        )
    return pd.DataFrame(rates, index=years)


def forecast_by_category(placements: pd.DataFrame, assumptions: pd.DataFrame) -> pd.DataFrame:
    """EHCPs, average annual cost per EHCP and placement costs by category and year.

    Actual years are as given (cost where the cycle gives a cost per plan for that year);
    each forecast year grows the previous year's plans by ``ehcp_growth`` and its cost per
    plan by ``cost_per_plan_growth``. Returns one row per category and year: ``category``,
    ``category_label``, ``year``, ``basis`` (``actual`` or ``forecast``), ``plans``,
    ``cost_per_plan`` and ``placement_costs`` (£000).
    """
    categories = modelled_categories(placements)
    base = base_year(placements)
    years = forecast_years(assumptions)
    plans_growth = growth_rates(assumptions, "ehcp_growth", categories, years)
    cost_growth = growth_rates(assumptions, "cost_per_plan_growth", categories, years)
    given = placements.set_index(["category", "year"])
    rows = []
    for category in categories:
        actual = placements[placements["category"] == category].sort_values("year")
        for rec in actual.itertuples(index=False):
            cost = float(rec.cost_per_plan)
            rows.append((category, rec.year, "actual", float(rec.plans), cost))
        if (category, base) not in given.index or np.isnan(given.loc[(category, base), "plans"]):
            raise InputDataError(
                f"{_source(placements, 'placements_by_category.csv')}: no EHCPs for "
                f"{category} in {base}, the year the forecast starts from"
            )
        plans = float(given.loc[(category, base), "plans"])
        cost = float(given.loc[(category, base), "cost_per_plan"])
        if np.isnan(cost):
            raise InputDataError(
                f"{_source(placements, 'placements_by_category.csv')}: no cost_per_plan for "
                f"{category} in {base}, the year the forecast starts from"
            )
        for year in years:
            plans *= 1 + plans_growth.loc[year, category]
            cost *= 1 + cost_growth.loc[year, category]
            rows.append((category, year, "forecast", plans, cost))
    frame = pd.DataFrame(rows, columns=["category", "year", "basis", "plans", "cost_per_plan"])
    frame.insert(1, "category_label", frame["category"].map(category_label))
    frame["placement_costs"] = frame["plans"] * frame["cost_per_plan"]
    return frame


def apply_interventions(forecast: pd.DataFrame, places: pd.DataFrame | None) -> pd.DataFrame:
    """The forecast with ``plans_mitigated`` and ``placement_costs_mitigated``: from its start
    year on, each intervention takes its places out of the ``from_category`` every forecast
    year and, if it names a ``to_category``, puts them there instead (at that category's cost
    per plan). An avoided place saves its whole cost; a moved place the difference."""
    out = forecast.copy()
    out["plans_mitigated"] = out["plans"]
    if places is not None:
        for rec in places.itertuples(index=False):
            later = (out["basis"] == "forecast") & (out["year"] >= rec.start_year)
            for category, sign in ((rec.from_category, -1), (rec.to_category, 1)):
                if not category:
                    continue
                if category not in set(out["category"]):
                    raise InputDataError(
                        f"{_source(places, 'intervention_places.csv')}, row {rec.row}: "
                        f"category {category!r} is not one the forecast models "
                        f"({', '.join(dict.fromkeys(out['category']))})"
                    )
                out.loc[later & (out["category"] == category), "plans_mitigated"] += (
                    sign * rec.places
                )
        short = out[out["plans_mitigated"] < -1e-9]
        if len(short):
            first = short.iloc[0]
            raise InputDataError(
                f"{_source(places, 'intervention_places.csv')}: the interventions take more "
                f"places out of {first['category']} in {first['year']} than the "
                f"{first['plans']:.1f} EHCPs forecast there"
            )
    out["placement_costs_mitigated"] = out["plans_mitigated"] * out["cost_per_plan"]
    return out


def intervention_saving(forecast: pd.DataFrame) -> pd.Series:
    """Each forecast year's saving from the interventions (negative, £000): mitigated
    placement costs less unmitigated, over every category."""
    rows = forecast[forecast["basis"] == "forecast"]
    by_year = rows.groupby("year", sort=True)[["placement_costs", "placement_costs_mitigated"]]
    totals = by_year.sum()
    saving = totals["placement_costs_mitigated"] - totals["placement_costs"]
    saving.name = "intervention_saving"
    return saving


def funding_forecast(
    assumptions: pd.DataFrame, budget: pd.DataFrame, base: str, years: list[str]
) -> pd.DataFrame:
    """Each forecast year's ``transfer`` and ``allocation`` (£000, income negative): the
    figure the assumptions give, else the previous year's grown by the ``<line>_growth`` they
    give, else the figure the budget table types for that year."""
    typed = budget.set_index(["line", "year"])["amount"]
    given = assumption_values(assumptions)
    funding: dict[str, list[float]] = {}
    for line in ("transfer", "allocation"):
        previous = typed.get((line, base), np.nan)
        values = []
        for year in years:
            figure = _assumption(given, line, year)
            growth = _assumption(given, f"{line}_growth", year)
            if figure is not None:
                value = figure
            elif growth is not None and not np.isnan(previous):
                value = previous * (1 + growth / 100)
            elif not np.isnan(typed.get((line, year), np.nan)):
                value = float(typed[(line, year)])
            else:
                raise InputDataError(
                    f"{_source(assumptions, 'forecast_assumptions.csv')}: no {line} for {year}: "
                    f"give {line} (£000) or {line}_growth (percent) for the year, or type it in "
                    "the High Needs table"
                )
            values.append(value)
            previous = value
        funding[line] = values
    return pd.DataFrame({"year": years, **funding})


def driver_budget(
    budget: pd.DataFrame,
    forecast: pd.DataFrame,
    funding: pd.DataFrame,
    recovery_in_year: pd.Series,
) -> pd.DataFrame:
    """The budget table with its forecast years built from the drivers, in the typed table's
    long form (``row``, ``line``, ``label``, ``year``, ``amount``).

    Years up to the base year are the typed table's own. Each forecast year's placement costs
    are the categories' total, its funding from :func:`funding_forecast`, its B/Fwd the
    previous C/Fwd, and its Recovery Plan Impact (in-year) the typed in-year impact plus the
    interventions' saving.
    """
    base = str(forecast.loc[forecast["basis"] == "actual", "year"].max())
    kept = budget[budget["year"] <= base]
    placement = forecast[forecast["basis"] == "forecast"].groupby("year")["placement_costs"].sum()
    saving = intervention_saving(forecast)
    labels = budget.drop_duplicates("line").set_index("line")
    if base not in set(kept["year"]):
        raise InputDataError(
            f"{_source(budget, 'high_needs_budget.csv')}: no column for {base}, the year the "
            "driver forecast starts from"
        )
    cfwd = float(roll_forward(kept)["cfwd"].iloc[-1])
    records = []
    for rec in funding.itertuples(index=False):
        bfwd = cfwd
        cfwd = bfwd + rec.transfer + rec.allocation + float(placement[rec.year])
        recovery = float(recovery_in_year.get(rec.year, 0.0)) + float(saving.get(rec.year, 0.0))
        for line, amount in (
            ("bfwd", bfwd),
            ("transfer", rec.transfer),
            ("allocation", rec.allocation),
            ("placement_costs", float(placement[rec.year])),
            ("cfwd", cfwd),
            ("recovery_plan_impact", recovery if recovery else np.nan),
        ):
            if line in labels.index:
                row, label = labels.loc[line, "row"], labels.loc[line, "label"]
            else:  # a line the typed table leaves out: after its own lines
                row, label = int(budget["row"].max()) + 1, DEFAULT_LABELS[line]
            records.append(
                {"row": row, "line": line, "label": label, "year": rec.year, "amount": amount}
            )
    built = pd.DataFrame.from_records(records, columns=list(budget.columns))
    out = pd.concat([kept, built], ignore_index=True)
    # The typed table's line order, each line's years in order.
    line_order = {line: i for i, line in enumerate(dict.fromkeys(budget["line"]))}
    out = out.assign(_order=out["line"].map(line_order)).sort_values(["_order", "year"])
    out = out.drop(columns="_order").reset_index(drop=True)
    out.attrs["source"] = _source(budget, "high_needs_budget.csv")
    return out


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
    decomposition into plans x cost per plan (:func:`highneeds.model.demand.demand_forecast`):
    the assumption that, with the same plan growth, makes the forward model reproduce it."""
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
                f"{source}, row {total['row'].iloc[0]}, column 'plans': found "
                f"{int(total['plans'].iloc[0])} for {year}; expected the categories' total, "
                f"{added}"
            )
    return problems


@dataclass(frozen=True)
class DriverForecast:
    """The driver model's forecast: by category and year, the funding, the budget it gives."""

    by_category: pd.DataFrame
    funding: pd.DataFrame
    budget: pd.DataFrame
    base_year: str


def build_driver_forecast(
    budget: pd.DataFrame,
    placements: pd.DataFrame,
    assumptions: pd.DataFrame,
    places: pd.DataFrame | None,
    recovery_plan_basis: str = "in_year",
) -> DriverForecast:
    """The whole forward model, from the gate's typed tables to the budget it forecasts."""
    base = base_year(placements)
    years = forecast_years(assumptions)
    check_forecast_years(base, years, _source(assumptions, "forecast_assumptions.csv"))
    if places is not None:
        early = places[~places["start_year"].isin(years)]
        if len(early):
            rec = early.iloc[0]
            raise InputDataError(
                f"{_source(places, 'intervention_places.csv')}, row {rec['row']}, column "
                f"'start_year': found {rec['start_year']!r}; expected one of the forecast "
                f"years ({', '.join(years)})"
            )
    by_category = apply_interventions(forecast_by_category(placements, assumptions), places)
    funding = funding_forecast(assumptions, budget, base, years)
    recovery = recovery_plan_in_year(budget, recovery_plan_basis)
    return DriverForecast(
        by_category, funding, driver_budget(budget, by_category, funding, recovery), base
    )
