"""The demand forecast: the typed placement costs as EHCPs x cost per plan, and the scenario
in which every open request for assessment becomes a plan."""

from __future__ import annotations

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from highneeds.errors import InputDataError
from highneeds.gate.figures import figure_values
from highneeds.model import deficit, demand
from highneeds.model.identities import input_identities

YEARS = ["2020/21", "2021/22", "2022/23", "2023/24", "2024/25"]


def test_plans_grow_from_those_in_place_now() -> None:
    plans = demand.plans_forecast(274, YEARS, "2021/22", 0.054)
    assert list(plans.index) == YEARS[1:]
    assert plans.iloc[0] == 274
    assert plans.iloc[3] == pytest.approx(274 * 1.054**3)


def test_the_shipped_forecast_as_the_issue_and_paper_state_it(shipped_tables) -> None:
    figures = figure_values(shipped_tables["figures"])
    forecast = demand.forecast_from_figures(
        shipped_tables["budget"], shipped_tables["ehcp_demand"], figures, "2021/22"
    )
    by_year = forecast.set_index("year")
    assert by_year.loc["2021/22", "plans"] == 274  # 260 on 1 April 2021 and 14 since
    assert round(by_year.loc["2021/22", "cost_per_plan"], 1) == 18.8  # 5,164 / 274
    assert round(by_year.loc["2022/23", "cost_per_plan"], 1) == 20.1
    assert round(by_year.loc["2024/25", "cost_per_plan"], 1) == 21.3
    roll = deficit.roll_forward(shipped_tables["budget"])
    scenarios = deficit.build_scenarios(
        roll,
        deficit.recovery_plan_in_year(shipped_tables["budget"]),
        pd.Series(0.0, index=YEARS),
        demand.extra_cost_if_all_convert(forecast, YEARS),
    )
    final = scenarios[(scenarios["scenario"] == "all_requests_convert")].iloc[-1]
    assert round(final["cfwd"]) == 6391  # against 3,853 with plans growing at 5.4%
    unmitigated = scenarios[scenarios["scenario"] == "unmitigated"]["cfwd"]
    assert list(unmitigated) == [575, 1028, 1734, 2648, 3853]


def test_a_cycle_without_growth_figures_has_no_demand_forecast(shipped_tables) -> None:
    figures = figure_values(shipped_tables["figures"])
    for name in ("ehcp_growth_per_year", "ehcp_growth_if_all_requests_convert"):
        figures.pop(name)
    assert (
        demand.forecast_from_figures(
            shipped_tables["budget"], shipped_tables["ehcp_demand"], figures, "2021/22"
        )
        is None
    )
    figures["ehcp_growth_per_year"] = 5.4
    with pytest.raises(InputDataError, match="the demand forecast needs both"):
        demand.forecast_from_figures(
            shipped_tables["budget"], shipped_tables["ehcp_demand"], figures, "2021/22"
        )


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


def _budget(costs: list[float]) -> pd.DataFrame:
    rows = [
        {"line": "placement_costs", "label": "Placement costs", "year": y, "amount": c}
        for y, c in zip(YEARS, costs, strict=True)
    ]
    return pd.DataFrame(rows)


COSTS = st.lists(st.floats(min_value=1, max_value=50_000), min_size=5, max_size=5)
GROWTH = st.floats(min_value=-0.2, max_value=0.5)


@settings(max_examples=200, deadline=None)
@given(costs=COSTS, growth=GROWTH, other=GROWTH, plans=st.integers(min_value=1, max_value=5000))
def test_plans_times_cost_per_plan_give_back_the_typed_forecast(
    costs: list[float], growth: float, other: float, plans: int
) -> None:
    ehcp = demand.EhcpGrowth(pd.Timestamp("2021-04-01").date(), plans, 0, 0)
    forecast = demand.demand_forecast(_budget(costs), ehcp, "2021/22", growth, other)
    rebuilt = forecast["plans"] * forecast["cost_per_plan"]
    assert list(rebuilt) == pytest.approx(costs[1:])
    # The base year's plans are those in place now, whichever growth follows.
    assert forecast["placement_costs_if_all_convert"].iloc[0] == pytest.approx(costs[1])


@settings(max_examples=200, deadline=None)
@given(costs=COSTS, growth=GROWTH, extra=st.floats(min_value=0, max_value=0.3))
def test_faster_growth_never_costs_less_and_equal_growth_costs_the_same(
    costs: list[float], growth: float, extra: float
) -> None:
    ehcp = demand.EhcpGrowth(pd.Timestamp("2021-04-01").date(), 274, 0, 0)
    same = demand.demand_forecast(_budget(costs), ehcp, "2021/22", growth, growth)
    assert list(demand.extra_cost_if_all_convert(same, YEARS)) == pytest.approx([0.0] * 5, abs=1e-6)
    faster = demand.demand_forecast(_budget(costs), ehcp, "2021/22", growth, growth + extra)
    assert (demand.extra_cost_if_all_convert(faster, YEARS) >= -1e-9).all()


@settings(max_examples=100, deadline=None)
@given(extra=st.lists(st.floats(min_value=0, max_value=10_000), min_size=5, max_size=5))
def test_the_demand_scenario_rolls_forward_like_the_others(shipped_tables, extra) -> None:
    roll = deficit.roll_forward(shipped_tables["budget"])
    zero = pd.Series(0.0, index=YEARS)
    scenarios = deficit.build_scenarios(roll, zero, zero, pd.Series(extra, index=YEARS))
    rows = scenarios[scenarios["scenario"] == "all_requests_convert"]
    assert list(rows["cfwd"]) == pytest.approx(list(rows["bfwd"] + rows["in_year"]))
    assert list(rows["bfwd"].iloc[1:]) == pytest.approx(list(rows["cfwd"].iloc[:-1]))
    unmitigated = scenarios[scenarios["scenario"] == "unmitigated"]
    assert (rows["cfwd"].to_numpy() >= unmitigated["cfwd"].to_numpy() - 1e-9).all()
