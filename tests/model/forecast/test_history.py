"""The DfE's history of the council's EHC plans beside the forecast: only what was published
by the meeting, every figure traced to its row, the method the backtest scores best among
those the file has the figures for, and the deficit at the history's growth."""

from __future__ import annotations

import math

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from highneeds.domain.traced import constant
from highneeds.model.basis.inputs import budget_figures
from highneeds.model.forecast import deficit
from highneeds.model.forecast.demand import DemandForecast
from highneeds.model.forecast.history import (
    SCENARIO,
    compared,
    comparison_words,
    council_history,
    with_history_deficit,
)

OWN = "857"
#: Plans each January 2019-2022: the council, a neighbour in its region, one elsewhere.
PLANS = {OWN: [200, 220, 250, 270], "858": [1000, 1100, 1150, 1300], "900": [500, 520, 560, 600]}
REGIONS = {OWN: "East Midlands", "858": "East Midlands", "900": "London"}


def _rows(plans: dict[str, list[float]] = PLANS, with_regions: bool = True) -> pd.DataFrame:
    """Typed SEN2 rows as the gate writes them (row numbers in file order), England and the
    regions the councils added up."""
    records = []
    for la, series in plans.items():
        for index, value in enumerate(series):
            january = 2019 + index
            records.append(("Local authority", la, f"Council {la}", REGIONS[la], january, value))
    frame = pd.DataFrame(records, columns=["level", "la", "la_name", "region", "january", "plans"])
    parts = [frame]
    if with_regions:
        region = frame.groupby(["region", "january"], as_index=False)["plans"].sum()
        parts.append(region.assign(level="Regional", la="", la_name=""))
    england = frame.groupby("january", as_index=False)["plans"].sum()
    parts.append(england.assign(level="National", la="", la_name="", region=""))
    rows = pd.concat(parts, ignore_index=True)
    rows["row"] = range(2, len(rows) + 2)
    rows["own"] = rows["la"] == OWN
    rows.attrs["source"] = "sen2_caseload.csv"
    return rows


def test_only_the_januaries_published_by_the_meeting_are_used() -> None:
    before_june = council_history(_rows(), "2021-05")
    from_june = council_history(_rows(), "2021-06")
    assert before_june is not None and before_june.januaries == [2019, 2020]
    assert from_june is not None and from_june.januaries == [2019, 2020, 2021]


def test_each_figure_is_the_files_cell_and_growth_is_plans_over_plans_before() -> None:
    told = council_history(_rows(), "2022-06")
    assert told is not None
    rows = _rows()
    at = rows[(rows["la"] == OWN) & (rows["january"] == 2021)].iloc[0]
    plans = told.plans[2021]
    assert plans.key == "history.plans[2021]" and plans.rule == "same"
    read = plans.parts[0][0].cell  # the name stands for the file's cell
    assert read is not None and (read.file, read.row, read.column) == (
        "sen2_caseload.csv",
        int(at["row"]),
        "ehcplans",
    )
    assert float(told.growth[2021]) == pytest.approx(250 / 220 - 1)
    # The region is the council's own, added up from its councils.
    assert float(told.region_growth[2021]) == pytest.approx((250 + 1150) / (220 + 1100) - 1)
    assert float(told.england_growth[2022]) == pytest.approx(2170 / 1960 - 1)
    assert told.council == f"Council {OWN}" and told.region == "East Midlands"
    assert told.word("council") == f"Council {OWN}"


def test_the_growth_ahead_is_the_chosen_methods_and_says_which() -> None:
    told = council_history(_rows(), "2022-06")
    assert told is not None
    assert told.method in (
        "last_growth",
        "mean_growth",
        "regional_growth",
        "national_growth",
        "pooled",
    )
    assert told.growth_ahead.key == "history.growth_ahead"
    assert told.method in told.growth_ahead.formula
    assert told.word("method")  # the method in words, for the paper


def test_without_the_regions_rows_a_method_needing_them_is_never_chosen() -> None:
    told = council_history(_rows(with_regions=False), "2022-06")
    assert told is not None
    assert told.method not in ("regional_growth", "pooled")
    assert math.isfinite(float(told.growth_ahead))
    assert "of the methods the file has the figures for" in told.growth_ahead.formula


def test_fewer_than_two_of_the_councils_januaries_give_no_history() -> None:
    assert council_history(_rows(), "2019-12") is None  # only January 2019 published
    assert council_history(None, "2022-01") is None
    gap = {**PLANS, OWN: [200, float("nan"), float("nan"), float("nan")]}
    assert council_history(_rows(gap), "2022-06") is None


@pytest.mark.parametrize(
    ("forecast", "words"),
    [
        (2.0, "slower growth than in any of the last 3 years (5.0% to 13.6%)"),
        (20.0, "faster growth than in any of the last 3 years (5.0% to 13.6%)"),
        (8.0, "growth within the range of the last 3 years (5.0% to 13.6%)"),
    ],
)
def test_the_forecasts_growth_is_set_against_the_history(forecast: float, words: str) -> None:
    assert words in comparison_words([0.10, 0.136, 0.05], forecast)


def test_the_comparison_traces_to_the_growths_it_compares() -> None:
    told = council_history(_rows(), "2022-06")
    assert told is not None
    forecast_growth = constant(4.0)
    told = compared(told, forecast_growth)
    words = next(w for w in told.words if w.key == "history.comparison")
    assert "slower growth than in any" in str(words.value)
    assert {p.key for p, _ in words.parts} >= {"history.growth[2021]", forecast_growth.key}


def _forecast(years: list[str], plans_now: float, growth: float, cost: float) -> DemandForecast:
    plans = {y: constant(plans_now * (1 + growth) ** i) for i, y in enumerate(years)}
    cost_per_plan = {y: constant(cost) for y in years}
    costs = {y: plans[y] * cost_per_plan[y] for y in years}
    return DemandForecast(years, plans, costs, cost_per_plan, plans, costs, constant(100 * growth))


@settings(max_examples=40, deadline=None)
@given(
    history_growth=st.floats(-0.2, 0.4),
    forecast_growth=st.floats(-0.2, 0.4),
    plans_now=st.floats(50, 5000),
    cost=st.floats(5, 80),
)
def test_the_deficit_at_the_historys_growth_adds_each_years_extra_plans_at_their_cost(
    shipped_tables: dict,
    history_growth: float,
    forecast_growth: float,
    plans_now: float,
    cost: float,
) -> None:
    roll = deficit.carry_forward(budget_figures(shipped_tables["budget"]))
    years = roll.years[1:]  # the forecast starts in the cycle's own year
    told = council_history(_rows(), "2022-06")
    assert told is not None
    told.growth_ahead = constant(history_growth)
    forecast = _forecast(years, plans_now, forecast_growth, cost)
    result = with_history_deficit(told, forecast, roll, constant(0)).deficit
    assert result is not None and result.scenario == SCENARIO and not result.shown
    running = 0.0
    for index, year in enumerate(roll.years):
        if year in years:
            k = years.index(year)
            running += plans_now * ((1 + history_growth) ** k - (1 + forecast_growth) ** k) * cost
        assert float(result.cfwd[year]) == pytest.approx(
            float(roll.cfwd[year]) + running, rel=1e-9, abs=1e-6
        ), (index, year)


def test_at_the_forecasts_own_growth_the_history_changes_nothing(shipped_tables: dict) -> None:
    roll = deficit.carry_forward(budget_figures(shipped_tables["budget"]))
    told = council_history(_rows(), "2022-06")
    assert told is not None
    told.growth_ahead = constant(0.07)
    forecast = _forecast(roll.years, 300, 0.07, 25)
    result = with_history_deficit(told, forecast, roll, constant(0)).deficit
    assert result is not None
    assert [float(result.cfwd[y]) for y in roll.years] == pytest.approx(
        [float(roll.cfwd[y]) for y in roll.years]
    )
