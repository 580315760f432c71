"""The demand forecast: the typed placement costs as EHCPs x cost per plan, and the scenario
in which every open request for assessment becomes a plan."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from highneeds.errors import InputDataError
from highneeds.gate.figures import figure_values
from highneeds.model import deficit, demand
from highneeds.model.identities import input_identities
from highneeds.model.inputs import budget_figures, ehcp_cells, figure_cells
from highneeds.traced import Traced, constant

YEARS = ["2020/21", "2021/22", "2022/23", "2023/24", "2024/25"]


def _shipped_forecast(tables, figures=None) -> demand.DemandForecast | None:
    values = figure_values(tables["figures"]) if figures is None else figures
    return demand.forecast_from_figures(
        budget_figures(tables["budget"]).line("placement_costs"),
        ehcp_cells(tables["ehcp_demand"]),
        {k: v for k, v in figure_cells(tables["figures"], values).items() if k in values},
        "2021/22",
    )


def test_plans_grow_from_those_in_place_now() -> None:
    factor = demand.growth_factor(constant(5.4), "growth")
    plans = demand.plans_forecast(constant(274), YEARS[1:], factor, "plans")
    assert list(plans) == YEARS[1:]
    assert float(plans["2021/22"]) == 274
    assert float(plans["2024/25"]) == pytest.approx(274 * 1.054**3)


def test_the_shipped_forecast_as_the_issue_and_paper_state_it(shipped_tables) -> None:
    forecast = _shipped_forecast(shipped_tables)
    by_year = forecast.frame().set_index("year")
    assert by_year.loc["2021/22", "plans"] == 274  # 260 on 1 April 2021 and 14 since
    assert round(by_year.loc["2021/22", "cost_per_plan"], 1) == 18.8  # 5,164 / 274
    assert round(by_year.loc["2022/23", "cost_per_plan"], 1) == 20.1
    assert round(by_year.loc["2024/25", "cost_per_plan"], 1) == 21.3
    roll = deficit.carry_forward(budget_figures(shipped_tables["budget"]))
    extra = forecast.extra_cost(YEARS, constant(0))
    scenario = deficit.scenario("all_requests_convert", roll, {y: [extra[y]] for y in YEARS})
    assert round(float(scenario.cfwd["2024/25"])) == 6391  # against 3,853 growing at 5.4%
    assert [float(v) for v in roll.cfwd.values()] == [575, 1028, 1734, 2648, 3853]


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


def _forecast(costs: list[float], plans: int, growth: float, other: float):
    ehcp = {"plans_at_start": constant(plans), "new_plans_to_date": constant(0)}
    placement = {y: constant(c) for y, c in zip(YEARS, costs, strict=True)}
    return demand.demand_forecast(
        placement, ehcp, "2021/22", constant(growth * 100), constant(other * 100)
    )


COSTS = st.lists(st.floats(min_value=1, max_value=50_000), min_size=5, max_size=5)
GROWTH = st.floats(min_value=-0.2, max_value=0.5)


@settings(max_examples=200, deadline=None)
@given(costs=COSTS, growth=GROWTH, other=GROWTH, plans=st.integers(min_value=1, max_value=5000))
def test_plans_times_cost_per_plan_give_back_the_typed_forecast(
    costs: list[float], growth: float, other: float, plans: int
) -> None:
    forecast = _forecast(costs, plans, growth, other).frame()
    rebuilt = forecast["plans"] * forecast["cost_per_plan"]
    assert list(rebuilt) == pytest.approx(costs[1:])
    # The base year's plans are those in place now, whichever growth follows.
    assert forecast["placement_costs_if_all_convert"].iloc[0] == pytest.approx(costs[1])


@settings(max_examples=200, deadline=None)
@given(costs=COSTS, growth=GROWTH, extra=st.floats(min_value=0, max_value=0.3))
def test_faster_growth_never_costs_less_and_equal_growth_costs_the_same(
    costs: list[float], growth: float, extra: float
) -> None:
    def extra_cost(forecast: demand.DemandForecast) -> list[float]:
        return [float(v) for v in forecast.extra_cost(YEARS, constant(0)).values()]

    same = _forecast(costs, 274, growth, growth)
    assert extra_cost(same) == pytest.approx([0.0] * 5, abs=1e-6)
    faster = _forecast(costs, 274, growth, growth + extra)
    assert all(v >= -1e-9 for v in extra_cost(faster))


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
