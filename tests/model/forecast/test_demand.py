"""The demand forecast: the typed placement costs as EHCPs x cost per plan, and the scenario
in which every open request for assessment becomes a plan."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from highneeds.common.errors import InputDataError
from highneeds.domain.traced import Traced, constant
from highneeds.gate.tables.figures import figure_values
from highneeds.model.basis.inputs import budget_figures, cycle_cell, ehcp_cells, figure_cells
from highneeds.model.forecast import deficit, demand
from highneeds.model.wiring.identities import input_identities

YEARS = ["2020/21", "2021/22", "2022/23", "2023/24", "2024/25"]


def _shipped_forecast(tables, figures=None) -> demand.DemandForecast | None:
    values = figure_values(tables["figures"]) if figures is None else figures
    return demand.forecast_from_figures(
        budget_figures(tables["budget"]).line("placement_costs"),
        ehcp_cells(tables["ehcp_demand"]),
        {k: v for k, v in figure_cells(tables["figures"], values).items() if k in values},
        "2021/22",
        cycle_cell("2022-01"),
    )


def test_plans_grow_from_those_in_place_now() -> None:
    factor = demand.growth_factor(constant(5.4), "growth")
    plans = demand.plans_forecast(constant(274), YEARS[1:], factor, "plans")
    assert list(plans) == YEARS[1:]
    assert float(plans["2021/22"]) == 274
    assert float(plans["2024/25"]) == pytest.approx(274 * 1.054**3)


def test_the_shipped_forecast_as_the_issue_and_paper_state_it(shipped_tables) -> None:
    forecast = _shipped_forecast(shipped_tables)
    # 14 new plans on 260 is 5.4% in the nine months from 1 April 2021 to January 2022:
    # 7.3% a year, compounded (never "5.4% a year").
    assert int(float(forecast.months_to_date)) == 9
    assert float(forecast.growth_a_year) == pytest.approx((1.054 ** (12 / 9) - 1) * 100)
    by_year = forecast.frame().set_index("year")
    assert by_year.loc["2021/22", "plans"] == 274  # 260 on 1 April 2021 and 14 since
    assert round(by_year.loc["2021/22", "cost_per_plan"], 1) == 18.8  # 5,164 / 274
    assert round(by_year.loc["2024/25", "cost_per_plan"], 1) == 20.2
    # All requests become plans: a one-off rise this year (274 + 18), then the same growth.
    assert by_year.loc["2021/22", "plans_if_all_convert"] == 292
    roll = deficit.carry_forward(budget_figures(shipped_tables["budget"]))
    extra = forecast.extra_cost(YEARS, constant(0))
    scenario = deficit.scenario("all_requests_convert", roll, {y: [extra[y]] for y in YEARS})
    # 3,853 + 18/274 x (5,814 + 6,271 + 6,823): the issue's c£5,095k.
    assert float(scenario.cfwd["2024/25"]) == pytest.approx(3853 + 18 / 274 * (5814 + 6271 + 6823))
    assert round(float(scenario.cfwd["2024/25"])) == 5095
    assert [float(v) for v in roll.cfwd.values()] == [575, 1028, 1734, 2648, 3853]


@settings(max_examples=200, deadline=None)
@given(
    rate=st.floats(min_value=-50, max_value=200),
    months=st.integers(min_value=1, max_value=36),
)
def test_a_rate_over_some_months_made_yearly_compounds_back_to_it(rate: float, months: int) -> None:
    yearly = demand.annualised(rate, months)
    # Compounded over the same months, the yearly rate gives back the rate to date.
    assert ((1 + yearly / 100) ** (months / 12) - 1) * 100 == pytest.approx(rate, abs=1e-9)
    if months == 12:
        assert yearly == pytest.approx(rate)
    # The same growth over less than a year is faster growth a year; over more, slower.
    if abs(rate) > 1e-6 and months != 12:
        assert (yearly > rate) == ((rate > 0) == (months < 12))


def test_growth_to_date_needs_a_period_before_the_cycle(shipped_tables) -> None:
    ehcp = ehcp_cells(shipped_tables["ehcp_demand"])
    with pytest.raises(InputDataError, match="2021-04-01, which is not before the cycle's month"):
        demand.growth_a_year(constant(5.4), ehcp["since"], cycle_cell("2021-04"))
    months, _ = demand.growth_a_year(constant(5.4), ehcp["since"], cycle_cell("2022-04"))
    assert float(months) == 12


def test_a_cycle_without_growth_figures_has_no_demand_forecast(shipped_tables) -> None:
    figures = figure_values(shipped_tables["figures"])
    for name in ("ehcp_growth_per_year", "ehcp_growth_if_all_requests_convert"):
        figures.pop(name)
    assert _shipped_forecast(shipped_tables, figures) is None
    figures["ehcp_growth_per_year"] = 5.4
    with pytest.raises(InputDataError, match="the demand forecast needs both"):
        _shipped_forecast(shipped_tables, figures)


def test_a_growth_figure_that_is_not_the_counts_growth_is_refused(shipped_tables) -> None:
    tables = dict(shipped_tables)
    figures = tables["figures"].copy()
    figures.loc[figures["name"] == "ehcp_growth_if_all_requests_convert", "value"] = "15"
    figures.attrs = shipped_tables["figures"].attrs
    tables["figures"] = figures
    (check,) = [c for c in input_identities(tables) if c.check.startswith("growth_figures")]
    (problem,) = check.problems
    assert "ehcp_growth_if_all_requests_convert is 15 but the EHCP counts in ehcp_demand.csv " in (
        problem
    )
    assert problem.endswith("give 12%")


def _forecast(costs: list[float], plans: int, growth: float, requests: int = 0):
    ehcp = {
        "plans_at_start": constant(plans),
        "new_plans_to_date": constant(0),
        "requests_for_assessment": constant(requests),
    }
    placement = {y: constant(c) for y, c in zip(YEARS, costs, strict=True)}
    return demand.demand_forecast(placement, ehcp, "2021/22", constant(growth * 100))


COSTS = st.lists(st.floats(min_value=1, max_value=50_000), min_size=5, max_size=5)
GROWTH = st.floats(min_value=-0.2, max_value=0.5)


@settings(max_examples=200, deadline=None)
@given(costs=COSTS, growth=GROWTH, plans=st.integers(min_value=1, max_value=5000))
def test_plans_times_cost_per_plan_give_back_the_typed_forecast(
    costs: list[float], growth: float, plans: int
) -> None:
    forecast = _forecast(costs, plans, growth, requests=7).frame()
    rebuilt = forecast["plans"] * forecast["cost_per_plan"]
    assert list(rebuilt) == pytest.approx(costs[1:])
    # The base year's costs are its outturn, whatever the requests do by its end.
    assert forecast["placement_costs_if_all_convert"].iloc[0] == pytest.approx(costs[1])


@settings(max_examples=200, deadline=None)
@given(
    costs=COSTS,
    growth=GROWTH,
    plans=st.integers(min_value=1, max_value=5000),
    requests=st.integers(min_value=0, max_value=500),
)
def test_all_requests_converting_is_a_one_off_rise_whatever_the_growth(
    costs: list[float], growth: float, plans: int, requests: int
) -> None:
    """Every year after the base, the extra cost is the requests' share of the plans in place
    now times that year's placement costs: a one-off rise carried forward, not a faster rate
    compounding (the growth rate cancels out)."""
    forecast = _forecast(costs, plans, growth, requests)
    extra = [float(v) for v in forecast.extra_cost(YEARS, constant(0)).values()]
    assert extra[:2] == [0.0, 0.0]  # before the forecast, and its base year
    assert extra[2:] == pytest.approx([requests / plans * c for c in costs[2:]], abs=1e-6)


@settings(max_examples=100, deadline=None)
@given(extra=st.lists(st.floats(min_value=0, max_value=10_000), min_size=5, max_size=5))
def test_the_demand_scenario_rolls_forward_like_the_others(shipped_tables, extra) -> None:
    roll = deficit.carry_forward(budget_figures(shipped_tables["budget"]))
    adjustments: dict[str, list[Traced]] = {
        y: [constant(e)] for y, e in zip(YEARS, extra, strict=True)
    }
    rows = deficit.scenario("all_requests_convert", roll, adjustments).frame()
    assert list(rows["cfwd"]) == pytest.approx(list(rows["bfwd"] + rows["in_year"]))
    assert list(rows["bfwd"].iloc[1:]) == pytest.approx(list(rows["cfwd"].iloc[:-1]))
    unmitigated = roll.frame()
    assert (rows["cfwd"].to_numpy() >= unmitigated["cfwd"].to_numpy() - 1e-9).all()


def test_growth_figures_left_out_of_figures_csv_come_from_the_ehcp_counts(shipped_tables) -> None:
    """The author types only what finance gives: without its two growth rows, figures.csv's
    growth figures are the EHCP counts' own (5.4%, 12%), calculated and traced to the counts,
    and the forecast is the same."""
    import pandas as pd

    from highneeds.domain.figure_kinds import kind_of
    from tests.conftest import model_tables

    figures = shipped_tables["figures"]
    without = figures[~figures["name"].str.startswith("ehcp_growth")].copy()
    without.attrs = dict(figures.attrs)
    typed, _ = model_tables(shipped_tables, draws=20)
    derived, lineage = model_tables(dict(shipped_tables) | {"figures": without}, draws=20)
    assert lineage["fig.ehcp_growth_per_year"].value == 5.4
    assert lineage["fig.ehcp_growth_if_all_requests_convert"].value == 12
    leaves = {str(leaf.cell) for leaf in lineage.inputs_of("fig.ehcp_growth_per_year")}
    assert leaves == {
        "ehcp_demand.csv, row 2, column 'count': 260",
        "ehcp_demand.csv, row 3, column 'count': 14",
    }
    from dataclasses import asdict

    plain = {key: asdict(d) for key, d in lineage.derivations.items()}
    assert kind_of("fig.ehcp_growth_per_year", plain) == "calculated"
    pd.testing.assert_frame_equal(typed["demand"], derived["demand"])
    pd.testing.assert_frame_equal(typed["scenarios"], derived["scenarios"])
