"""EHCP demand: plans in place, new plans since a date, and open requests for assessment."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date

import pandas as pd

from highneeds.errors import InputDataError
from highneeds.model.inputs import ehcp_cells
from highneeds.traced import Traced, described

_DEMAND = "02_deficit_model.ipynb: The printed forecast, explained as EHCPs x cost per plan"
_GROWTH = "03_interventions.ipynb: EHCP growth"


@dataclass(frozen=True)
class EhcpGrowth:
    """EHCP demand since a date: plans in place then, new plans since, open requests, and the
    growth they give (shares of the plans at the start; :func:`growth_figures`)."""

    since: date
    plans_at_start: int
    new_plans_to_date: int
    requests_for_assessment: int
    growth_to_date: float
    growth_if_all_convert: float


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
    to_date, _, if_all = growth_figures(ehcp_cells(demand))
    return EhcpGrowth(
        since=since,
        plans_at_start=int(by_measure.loc["plans_at_start", "count"]),
        new_plans_to_date=int(by_measure.loc["new_plans_to_date", "count"]),
        requests_for_assessment=int(by_measure.loc["requests_for_assessment", "count"]),
        growth_to_date=float(to_date),
        growth_if_all_convert=float(if_all),
    )


@dataclass(frozen=True)
class DemandForecast:
    """The printed forecast's placement costs explained as plans x cost per plan, from the
    base year (the cycle's own financial year) on, and what they would be if plans grew at
    the all-requests-convert rate instead; each figure traced, by year."""

    years: list[str]
    plans: dict[str, Traced]
    placement_costs: dict[str, Traced]
    cost_per_plan: dict[str, Traced]
    plans_if_all_convert: dict[str, Traced]
    placement_costs_if_all_convert: dict[str, Traced]

    def frame(self) -> pd.DataFrame:
        """The forecast as a table, one row per year, values only."""
        columns = (
            "plans",
            "placement_costs",
            "cost_per_plan",
            "plans_if_all_convert",
            "placement_costs_if_all_convert",
        )
        return pd.DataFrame(
            {"year": self.years}
            | {c: [float(getattr(self, c)[y]) for y in self.years] for c in columns}
        )

    def extra_cost(self, years: list[str], current_year: Traced) -> dict[str, Traced]:
        """Each year's extra placement costs (£000) if all requests convert; 0 before the
        base year and in it (its plans are those in place now)."""
        out = {}
        for year in years:
            key, label = f"all_requests_convert.extra_cost[{year}]", f"Extra placement costs {year}"
            if year in self.years:
                out[year] = (
                    self.placement_costs_if_all_convert[year] - self.placement_costs[year]
                ).named(key, f"{label} if all requests convert", role="extra placement costs")
            else:
                out[year] = described(
                    0.0,
                    key,
                    label,
                    "0: the demand forecast starts in the cycle's own year",
                    [current_year],
                )
        return out

    def figures(self) -> list[Traced]:
        return [
            figure
            for column in (
                self.plans,
                self.cost_per_plan,
                self.plans_if_all_convert,
                self.placement_costs_if_all_convert,
                self.placement_costs,
            )
            for figure in column.values()
        ]


def growth_factor(rate: Traced, name: str) -> Traced:
    """``1 + rate / 100`` for a growth rate figures.csv states in percent."""
    share = (rate / 100).named(f"share.{name}", f"{name} as a share", formula="percent / 100")
    return (1 + share.as_role("growth")).named(
        f"factor.{name}", f"1 + {name}", role="(1 + growth a year)", formula="1 + growth a year"
    )


def plans_forecast(
    plans_now: Traced, years: list[str], factor: Traced, column: str
) -> dict[str, Traced]:
    """EHCPs in each of ``years`` (the first the base year): the plans in place now, then the
    year before's plans x ``factor`` (1 + growth a year)."""
    suffix = ", if all convert" if column.endswith("all_convert") else ""
    plans: dict[str, Traced] = {}
    for index, year in enumerate(years):
        key, label = f"demand.{column}[{year}]", f"EHCPs {year}{suffix}"
        if index == 0:
            plans[year] = plans_now.named(
                key, label, role="plans", formula="the plans in place now", computed_in=_DEMAND
            )
        else:
            plans[year] = (plans[years[index - 1]] * factor).named(
                key, label, role="plans", computed_in=_DEMAND
            )
    return plans


def demand_forecast(
    placement_costs: Mapping[str, Traced],
    ehcp: Mapping[str, Traced],
    base_year: str,
    growth: Traced,
    growth_if_all_convert: Traced,
) -> DemandForecast:
    """The forecast's placement costs (``placement_costs``, by year, from the budget) from
    ``base_year`` on explained as plans (those in place now, growing by ``growth`` percent a
    year) x the cost per plan they imply; and, at that cost per plan, the placement costs if
    plans grew by ``growth_if_all_convert`` percent a year instead."""
    years = list(placement_costs)
    if base_year not in years:
        raise InputDataError(
            f"high_needs_budget.csv: the cycle's financial year {base_year} is not one of its "
            f"years ({', '.join(years)}), so the forecast cannot start from the plans in place"
        )
    years = years[years.index(base_year) :]
    plans_now = (ehcp["plans_at_start"] + ehcp["new_plans_to_date"]).named(
        "demand.plans_now", "EHCPs in place now", computed_in=_DEMAND
    )
    plans = plans_forecast(plans_now, years, growth_factor(growth, "ehcp_growth_per_year"), "plans")
    plans_all = plans_forecast(
        plans_now,
        years,
        growth_factor(growth_if_all_convert, "ehcp_growth_if_all_requests_convert"),
        "plans_if_all_convert",
    )
    costs = {
        y: placement_costs[y].named(
            f"demand.placement_costs[{y}]",
            f"Placement costs {y}",
            role="placement costs",
            formula="the forecast's placement costs",
        )
        for y in years
    }
    per_plan = {
        y: (placement_costs[y] / plans[y]).named(
            f"demand.cost_per_plan[{y}]",
            f"Average cost per plan {y} (£000)",
            role="cost per plan",
            computed_in=_DEMAND,
        )
        for y in years
    }
    if_all = {
        y: (plans_all[y] * per_plan[y]).named(
            f"demand.placement_costs_if_all_convert[{y}]",
            f"Placement costs {y} if all requests convert",
            role="placement costs if all convert",
            computed_in=_DEMAND,
        )
        for y in years
    }
    return DemandForecast(years, plans, costs, per_plan, plans_all, if_all)


def forecast_from_figures(
    placement_costs: Mapping[str, Traced],
    ehcp: Mapping[str, Traced],
    figures: Mapping[str, Traced],
    base_year: str,
) -> DemandForecast | None:
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
    return demand_forecast(placement_costs, ehcp, base_year, figures[names[0]], figures[names[1]])


def growth_figures(ehcp: Mapping[str, Traced]) -> list[Traced]:
    """EHCP growth to date, and if all requests convert, as shares of the plans at the start."""
    plans, new = ehcp["plans_at_start"], ehcp["new_plans_to_date"]
    both = (
        new.as_role("new plans") + ehcp["requests_for_assessment"].as_role("open requests")
    ).named(
        "ehcp.new_and_requested",
        "New plans and open requests",
        role="(new plans + open requests)",
        computed_in=_GROWTH,
    )
    return [
        (new.as_role("new plans to date") / plans.as_role("plans at the start")).named(
            "ehcp.growth_to_date", "EHCP growth to date", computed_in=_GROWTH
        ),
        both,
        (both / plans.as_role("plans at the start")).named(
            "ehcp.growth_if_all_convert", "EHCP growth if all requests convert", computed_in=_GROWTH
        ),
    ]
