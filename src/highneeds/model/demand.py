"""EHCP demand: plans in place, new plans since a date, and open requests for assessment."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pandas as pd

from highneeds.errors import InputDataError


@dataclass(frozen=True)
class EhcpGrowth:
    """EHCP demand since a date: plans in place then, new plans since, and open requests."""

    since: date
    plans_at_start: int
    new_plans_to_date: int
    requests_for_assessment: int

    @property
    def growth_to_date(self) -> float:
        """New plans as a share of the plans in place at the start."""
        return self.new_plans_to_date / self.plans_at_start

    @property
    def growth_if_all_convert(self) -> float:
        """Growth if every open request for assessment also becomes a plan."""
        return (self.new_plans_to_date + self.requests_for_assessment) / self.plans_at_start


EHCP_MEASURES = ("plans_at_start", "new_plans_to_date", "requests_for_assessment")


def ehcp_growth(demand: pd.DataFrame) -> EhcpGrowth:
    """Summarise the EHCP demand table (one row per measure) as an :class:`EhcpGrowth`."""
    repeated = sorted(set(demand.loc[demand["measure"].duplicated(), "measure"]))
    if repeated:
        raise InputDataError(
            f"ehcp_demand.csv: measure(s) given more than once: {', '.join(repeated)}"
        )
    by_measure = demand.set_index("measure")
    missing = [m for m in EHCP_MEASURES if m not in by_measure.index]
    if missing:
        raise InputDataError(f"ehcp_demand.csv: missing measure(s): {', '.join(missing)}")
    since = pd.Timestamp(by_measure.loc["plans_at_start", "since"]).date()
    return EhcpGrowth(
        since=since,
        plans_at_start=int(by_measure.loc["plans_at_start", "count"]),
        new_plans_to_date=int(by_measure.loc["new_plans_to_date", "count"]),
        requests_for_assessment=int(by_measure.loc["requests_for_assessment", "count"]),
    )


def plans_forecast(plans_now: float, years: list[str], base_year: str, growth: float) -> pd.Series:
    """EHCPs in each year from ``base_year`` on: the plans in place now, growing by ``growth``
    (a fraction) a year. Years before the base year have no forecast and are left out."""
    start = years.index(base_year)
    return pd.Series(
        [plans_now * (1 + growth) ** n for n in range(len(years) - start)],
        index=years[start:],
        dtype=float,
    )


def demand_forecast(
    budget: pd.DataFrame,
    ehcp: EhcpGrowth,
    base_year: str,
    growth: float,
    growth_if_all_convert: float,
) -> pd.DataFrame:
    """The typed forecast's placement costs explained as plans x cost per plan, and what they
    would be if plans grew faster.

    From the base year (the cycle's own financial year) on: ``plans`` in place (those now,
    growing by ``growth`` a year), the typed ``placement_costs`` (£000), the ``cost_per_plan``
    they imply (£000), and, if every open request became a plan and plans grew by
    ``growth_if_all_convert`` instead, ``plans_if_all_convert`` and
    ``placement_costs_if_all_convert`` at the same cost per plan. Growth rates are fractions.
    """
    years = list(dict.fromkeys(budget["year"]))
    if base_year not in years:
        raise InputDataError(
            f"high_needs_budget.csv: the cycle's financial year {base_year} is not one of its "
            f"years ({', '.join(years)}), so the forecast cannot start from the plans in place"
        )
    costs = budget[budget["line"] == "placement_costs"].set_index("year")["amount"]
    plans_now = ehcp.plans_at_start + ehcp.new_plans_to_date
    plans = plans_forecast(plans_now, years, base_year, growth)
    plans_all = plans_forecast(plans_now, years, base_year, growth_if_all_convert)
    placement = costs.reindex(plans.index).astype(float)
    cost_per_plan = placement / plans
    return pd.DataFrame(
        {
            "year": plans.index,
            "plans": plans.to_numpy(),
            "placement_costs": placement.to_numpy(),
            "cost_per_plan": cost_per_plan.to_numpy(),
            "plans_if_all_convert": plans_all.to_numpy(),
            "placement_costs_if_all_convert": (plans_all * cost_per_plan).to_numpy(),
        }
    )


def extra_cost_if_all_convert(forecast: pd.DataFrame, years: list[str]) -> pd.Series:
    """Each year's extra placement costs (£000) if all requests convert; 0 before the base
    year and in the base year itself (its plans are those in place now)."""
    extra = (
        forecast.set_index("year")["placement_costs_if_all_convert"]
        - forecast.set_index("year")["placement_costs"]
    )
    return extra.reindex(years).fillna(0.0)


def forecast_from_figures(
    budget: pd.DataFrame, ehcp_demand: pd.DataFrame, figures: dict[str, object], base_year: str
) -> pd.DataFrame | None:
    """The :func:`demand_forecast` at the growth rates ``figures.csv`` states (in percent:
    ``ehcp_growth_per_year`` and ``ehcp_growth_if_all_requests_convert``), or ``None`` for a
    cycle that states neither."""
    names = ("ehcp_growth_per_year", "ehcp_growth_if_all_requests_convert")
    given = [name for name in names if name in figures]
    if not given:
        return None
    if len(given) < len(names):
        missing = next(name for name in names if name not in figures)
        raise InputDataError(
            f"figures.csv: {given[0]} is given but {missing} is not; the demand forecast needs both"
        )
    return demand_forecast(
        budget,
        ehcp_growth(ehcp_demand),
        base_year,
        float(figures[names[0]]) / 100,  # type: ignore[arg-type]
        float(figures[names[1]]) / 100,  # type: ignore[arg-type]
    )
