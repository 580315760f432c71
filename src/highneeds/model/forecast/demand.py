"""EHCP demand: plans in place, new plans since a date, and open requests for assessment."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

import pandas as pd

from highneeds.common.errors import InputDataError
from highneeds.domain.traced import Traced, described
from highneeds.model.basis.inputs import ehcp_cells

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
    base year (the cycle's own financial year) on, if plans grew at this year's rate to date
    made a rate a year; and what they would be if every open request for assessment became a
    plan this year (a one-off rise), plans then growing at the same rate; each figure traced,
    by year."""

    years: list[str]
    plans: dict[str, Traced]
    placement_costs: dict[str, Traced]
    cost_per_plan: dict[str, Traced]
    plans_if_all_convert: dict[str, Traced]
    placement_costs_if_all_convert: dict[str, Traced]
    #: The growth rate the plans grow by (percent a year), and where it came from.
    growth_a_year: Traced
    growth_to_date: Traced | None = None
    months_to_date: Traced | None = None

    @property
    def months_to_date_count(self) -> int:
        """The months the growth to date is over (12 where the rate was a yearly one)."""
        return 12 if self.months_to_date is None else int(float(self.months_to_date))

    def basis(self) -> pd.DataFrame:
        """The growth the forecast's plans follow, as one row: the rate to date and over how
        many months (where the rate was made a yearly one), and the rate a year."""
        row: dict[str, object] = {"growth_a_year": float(self.growth_a_year)}
        if self.growth_to_date is not None and self.months_to_date is not None:
            row |= {
                "growth_to_date": float(self.growth_to_date),
                "months_to_date": int(float(self.months_to_date)),
            }
        return pd.DataFrame([row])

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
        base year and in it (the requests become plans by its end)."""
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
        rates = [f for f in (self.months_to_date, self.growth_a_year) if f is not None]
        return rates + [
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


def annualised(rate: float, months: float) -> float:
    """A growth rate (percent) over ``months`` as the rate a year that compounds to it."""
    return ((1 + rate / 100) ** (12 / months) - 1) * 100


def months_between(since: date, cycle: str) -> int:
    """Whole months from ``since`` to the first day of the cycle's month (YYYY-MM)."""
    year, month = (int(part) for part in cycle.split("-"))
    return (year - since.year) * 12 + (month - since.month)


def growth_a_year(to_date: Traced, since: Traced, cycle: Traced) -> tuple[Traced, Traced]:
    """The months from ``since`` to the cycle's month, and the growth to date (percent, over
    those months) made a rate a year (:func:`annualised`)."""
    start = date.fromisoformat(str(since.value))
    months = months_between(start, str(cycle.value))
    if months <= 0:
        raise InputDataError(
            f"ehcp_demand.csv: the counts start on {start.isoformat()}, which is not before "
            f"the cycle's month ({cycle.value}); growth to date needs a period to be over"
        )
    span = described(
        months,
        "demand.months_to_date",
        "Months the growth to date is over",
        "whole months from the date the counts start to the first day of the cycle's month",
        [since, cycle],
        _DEMAND,
    )
    rate = annualised(float(to_date), months)
    yearly = described(
        rate,
        "demand.growth_a_year",
        "EHCP growth a year (this year's growth to date made a rate a year)",
        f"(1 + growth to date)^(12 / months) - 1 = (1 + {float(to_date):g}%)^(12 / {months}) "
        f"- 1 = {rate:.4f}%",
        [to_date, span],
        _DEMAND,
    )
    return span, yearly


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
) -> DemandForecast:
    """The forecast's placement costs (``placement_costs``, by year, from the budget) from
    ``base_year`` on explained as plans (those in place now, growing by ``growth`` percent a
    year) x the cost per plan they imply; and, at that cost per plan, the placement costs if
    every open request for assessment became a plan in the base year (a one-off rise), plans
    then growing at the same rate."""
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
    factor = growth_factor(growth, "ehcp_growth_a_year")
    plans = plans_forecast(plans_now, years, factor, "plans")
    all_now = (plans_now + ehcp["requests_for_assessment"].as_role("open requests")).named(
        "demand.plans_now_if_all_convert",
        "EHCPs in place now, if every open request became a plan",
        computed_in=_DEMAND,
    )
    plans_all = plans_forecast(all_now, years, factor, "plans_if_all_convert")
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
        y: (
            placement_costs[y].named(
                f"demand.placement_costs_if_all_convert[{y}]",
                f"Placement costs {y} if all requests convert",
                role="placement costs if all convert",
                formula="the year's forecast outturn: the requests become plans by its end",
                computed_in=_DEMAND,
            )
            if y == base_year
            else (plans_all[y] * per_plan[y]).named(
                f"demand.placement_costs_if_all_convert[{y}]",
                f"Placement costs {y} if all requests convert",
                role="placement costs if all convert",
                computed_in=_DEMAND,
            )
        )
        for y in years
    }
    return DemandForecast(years, plans, costs, per_plan, plans_all, if_all, growth)


def forecast_from_figures(
    placement_costs: Mapping[str, Traced],
    ehcp: Mapping[str, Traced],
    figures: Mapping[str, Traced],
    base_year: str,
    cycle: Traced,
) -> DemandForecast | None:
    """The :func:`demand_forecast` with plans growing at the growth to date ``figures.csv``
    states (``ehcp_growth_per_year``, percent, over the months from the counts' date to the
    cycle) made a rate a year, or ``None`` for a cycle that states no growth. The growth if
    all requests convert (``ehcp_growth_if_all_requests_convert``) must be stated with it:
    the measures of how sure the forecast is range over the two."""
    names = ("ehcp_growth_per_year", "ehcp_growth_if_all_requests_convert")
    given = [name for name in names if name in figures]
    if not given:
        return None
    if len(given) < len(names):
        missing = next(name for name in names if name not in figures)
        raise InputDataError(
            f"figures.csv: {given[0]} is given but {missing} is not; the demand forecast needs both"
        )
    if "since" not in ehcp:
        raise InputDataError(
            f"figures.csv: {names[0]} is given, but the cycle gives no EHCP counts to grow "
            "(ehcp_demand.csv with plans_at_start, new_plans_to_date and "
            "requests_for_assessment); add them, or take the growth figures out"
        )
    to_date = figures[names[0]]
    months, yearly = growth_a_year(to_date, ehcp["since"], cycle)
    forecast = demand_forecast(placement_costs, ehcp, base_year, yearly)
    return DemandForecast(
        forecast.years,
        forecast.plans,
        forecast.placement_costs,
        forecast.cost_per_plan,
        forecast.plans_if_all_convert,
        forecast.placement_costs_if_all_convert,
        yearly,
        to_date,
        months,
    )


#: The growth figures a paper states, the EHCP growth each is, and the decimals it is stated to
#: (14 / 260 = 5.4%; (14 + 18) / 260 = 12%).
GROWTH_FIGURES = {
    "ehcp_growth_per_year": ("growth_to_date", 1),
    "ehcp_growth_if_all_requests_convert": ("growth_if_all_convert", 0),
}
_GROWTH_WORDS = {
    "ehcp_growth_per_year": "EHCP growth a year in the forecast: this year's growth to date",
    "ehcp_growth_if_all_requests_convert": (
        "EHCP growth a year if every open request for assessment becomes a plan"
    ),
}


def derived_growth_figures(
    stated: Mapping[str, Traced], ehcp: Mapping[str, Traced]
) -> dict[str, Traced]:
    """``fig.<name>`` for each growth figure the cycle's figures.csv does not state, from the
    EHCP counts, to the decimals a paper states it (so the author types only what finance
    gives, and no description of the counts goes stale); none without the counts."""
    if any(measure not in ehcp for measure in EHCP_MEASURES):
        return {}
    growths = {g.key.removeprefix("ehcp."): g for g in growth_figures(ehcp)}
    out = {}
    for name, (measure, places) in GROWTH_FIGURES.items():
        if name in stated:
            continue
        growth = growths[measure]
        exact = Decimal(repr(float(growth) * 100))
        value = float(exact.quantize(Decimal(1).scaleb(-places), ROUND_HALF_UP))
        out[name] = described(
            value,
            f"fig.{name}",
            _GROWTH_WORDS[name],
            f"{growth.written_formula} x 100 = {float(exact):.3f}%, to {places} decimal(s) as a "
            f"paper states growth: {value:g}% (from the EHCP counts; figures.csv does not type it)",
            [growth],
            _GROWTH,
        )
    return out


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
