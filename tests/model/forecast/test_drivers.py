"""The forward model: EHCPs x cost per EHCP by category, interventions as places avoided or
moved, and the budget it gives; its identities as properties over generated inputs."""

from __future__ import annotations

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from highneeds.common.errors import InputDataError
from highneeds.domain.categories import ALL_PLACEMENTS, DFE_CATEGORIES
from highneeds.domain.traced import constant
from highneeds.model.forecast import deficit, demand, drivers

BASE, FORECAST = "2021/22", ["2022/23", "2023/24", "2024/25"]
YEARS = ["2020/21", BASE, *FORECAST]


def placements(plans: dict[str, int], costs: dict[str, float]) -> pd.DataFrame:
    """Base-year EHCPs and cost per EHCP by category."""
    rows = [
        {"row": i + 2, "category": c, "year": BASE, "plans": n, "cost_per_plan": costs[c]}
        for i, (c, n) in enumerate(plans.items())
    ]
    return pd.DataFrame(rows)


def assumptions(
    growth: float | list[float] = 5.0,
    cost_growth: float | list[float] = 3.0,
    extra: list[tuple[str, str, str, float]] = (),
) -> pd.DataFrame:
    """Growth for every category each forecast year, funding as figures, plus ``extra`` rows
    of (year, assumption, category, value)."""
    growth = growth if isinstance(growth, list) else [growth] * len(FORECAST)
    cost_growth = cost_growth if isinstance(cost_growth, list) else [cost_growth] * len(FORECAST)
    rows = []
    for year, g, c in zip(FORECAST, growth, cost_growth, strict=True):
        rows += [
            (year, "ehcp_growth", "", g),
            (year, "cost_per_plan_growth", "", c),
            (year, "allocation", "", -5000.0),
            (year, "transfer", "", -132.0),
        ]
    rows += list(extra)
    frame = pd.DataFrame(rows, columns=["year", "assumption", "category", "value"])
    frame.insert(0, "row", range(2, len(frame) + 2))
    # A later row for the same year, assumption and category wins nowhere: keep the first.
    return frame.drop_duplicates(["year", "assumption", "category"], keep="last")


def budget(opening: float = 500.0, base_costs: float = 5000.0) -> pd.DataFrame:
    """A two-year typed budget (2020/21 and the base year) that reconciles."""
    rows = []
    bfwd = opening
    for year, costs in (("2020/21", base_costs * 0.9), (BASE, base_costs)):
        cfwd = bfwd - 130 - 4500 + costs
        for line, amount in (
            ("bfwd", bfwd),
            ("transfer", -130.0),
            ("allocation", -4500.0),
            ("placement_costs", costs),
            ("cfwd", cfwd),
        ):
            rows.append({"row": 0, "line": line, "label": line, "year": year, "amount": amount})
        bfwd = cfwd
    return pd.DataFrame(rows)


def moves(*rows: tuple[str, str, str, int, str]) -> pd.DataFrame:
    frame = pd.DataFrame(
        rows, columns=["intervention_id", "from_category", "to_category", "places", "start_year"]
    )
    frame.insert(0, "row", range(2, len(frame) + 2))
    return frame


TWO = {"maintained_special": 80, "independent_special": 20}
TWO_COSTS = {"maintained_special": 24.0, "independent_special": 70.0}


def test_plans_and_costs_grow_from_the_base_year() -> None:
    forecast = drivers.forecast_by_category(placements(TWO, TWO_COSTS), assumptions(10, 5)).frame
    special = forecast[forecast["category"] == "maintained_special"].set_index("year")
    assert special.loc[BASE, "basis"] == "actual" and special.loc[BASE, "plans"] == 80
    assert special.loc["2024/25", "plans"] == pytest.approx(80 * 1.1**3)
    assert special.loc["2024/25", "cost_per_plan"] == pytest.approx(24 * 1.05**3)
    assert special.loc["2024/25", "category_label"] == DFE_CATEGORIES["maintained_special"]


def test_a_category_row_overrides_the_every_category_growth() -> None:
    extra = [(year, "ehcp_growth", "independent_special", 20.0) for year in FORECAST]
    forecast = drivers.forecast_by_category(
        placements(TWO, TWO_COSTS), assumptions(5, 0, extra)
    ).frame
    last = forecast[forecast["year"] == "2024/25"].set_index("category")["plans"]
    assert last["independent_special"] == pytest.approx(20 * 1.2**3)
    assert last["maintained_special"] == pytest.approx(80 * 1.05**3)


def test_a_year_without_growth_is_named() -> None:
    given_ = assumptions()
    given_ = given_[~((given_["year"] == "2023/24") & (given_["assumption"] == "ehcp_growth"))]
    with pytest.raises(InputDataError, match="no ehcp_growth for 2023/24 maintained_special"):
        drivers.forecast_by_category(placements(TWO, TWO_COSTS), given_)


def test_a_base_year_without_a_cost_per_plan_is_refused() -> None:
    given_ = placements(TWO, {**TWO_COSTS, "independent_special": float("nan")})
    with pytest.raises(InputDataError, match="no cost_per_plan for independent_special in"):
        drivers.forecast_by_category(given_, assumptions())


def test_only_totals_model_all_placements() -> None:
    total = placements({ALL_PLACEMENTS: 274}, {ALL_PLACEMENTS: 18.8})
    assert drivers.modelled_categories(total) == [ALL_PLACEMENTS]
    both = pd.concat([total, placements(TWO, TWO_COSTS)])
    assert drivers.modelled_categories(both) == ["maintained_special", "independent_special"]


def test_categories_must_add_up_to_the_total_beside_them() -> None:
    both = pd.concat(
        [placements({ALL_PLACEMENTS: 101}, {ALL_PLACEMENTS: 1}), placements(TWO, TWO_COSTS)]
    )
    (problem,) = drivers.categories_sum_to_totals(both)
    assert "found 101 for 2021/22; expected the categories' total, 100" in problem
    both.loc[both["category"] == ALL_PLACEMENTS, "plans"] = 100
    assert drivers.categories_sum_to_totals(both) == []


def test_an_avoided_place_saves_its_whole_cost_and_a_moved_one_the_difference() -> None:
    forecast = drivers.forecast_by_category(placements(TWO, TWO_COSTS), assumptions(0, 0))
    mitigated = drivers.apply_interventions(
        forecast,
        moves(
            ("avoid", "independent_special", "", 1, "2022/23"),
            ("move", "independent_special", "maintained_special", 2, "2023/24"),
        ),
    )
    saving = drivers.intervention_saving(mitigated)
    assert saving["2022/23"] == pytest.approx(-70)
    assert saving["2023/24"] == pytest.approx(-70 - 2 * (70 - 24))
    frame = mitigated.frame
    assert frame.loc[frame["basis"] == "actual", "plans_mitigated"].equals(
        frame.loc[frame["basis"] == "actual", "plans"]
    )


def test_more_places_out_than_plans_is_refused() -> None:
    forecast = drivers.forecast_by_category(placements(TWO, TWO_COSTS), assumptions(0, 0))
    with pytest.raises(InputDataError, match="more places out of independent_special"):
        drivers.apply_interventions(
            forecast, moves(("avoid", "independent_special", "", 21, "2022/23"))
        )


def test_an_intervention_in_a_category_not_modelled_is_named() -> None:
    forecast = drivers.forecast_by_category(placements(TWO, TWO_COSTS), assumptions())
    with pytest.raises(InputDataError, match="row 2: category 'post_16' is not one"):
        drivers.apply_interventions(forecast, moves(("x", "post_16", "", 1, "2022/23")))


def test_funding_as_figures_as_growth_or_as_typed() -> None:
    given_ = assumptions(extra=[("2023/24", "allocation_growth", "", 10.0)])
    given_ = given_[~((given_["year"] == "2023/24") & (given_["assumption"] == "allocation"))]
    given_ = given_[~((given_["year"] == "2024/25") & (given_["assumption"] == "transfer"))]
    typed = pd.concat(
        [
            budget(),
            pd.DataFrame(
                [{"row": 0, "line": "transfer", "label": "t", "year": "2024/25", "amount": -140.0}]
            ),
        ]
    )
    funding = drivers.funding_forecast(given_, typed, BASE, FORECAST).set_index("year")
    assert funding.loc["2023/24", "allocation"] == pytest.approx(-5500)
    assert funding.loc["2024/25", "transfer"] == -140
    with pytest.raises(InputDataError, match="no transfer for 2024/25"):
        drivers.funding_forecast(given_, budget(), BASE, FORECAST)


def test_forecast_years_must_follow_the_base_year() -> None:
    with pytest.raises(InputDataError, match="found the year '2023/24' where '2022/23'"):
        drivers.check_forecast_years(BASE, FORECAST[1:], "forecast_assumptions.csv")


def test_interventions_start_in_a_forecast_year() -> None:
    with pytest.raises(InputDataError, match="column 'start_year': found '2021/22'"):
        drivers.build_driver_forecast(
            budget(),
            placements(TWO, TWO_COSTS),
            assumptions(),
            moves(("x", "maintained_special", "", 1, BASE)),
        )


@pytest.mark.parametrize(
    ("requested", "has_drivers", "covers", "chosen"),
    [
        ("auto", False, False, "typed"),
        ("auto", True, True, "typed"),
        ("auto", True, False, "drivers"),
        ("typed", True, True, "typed"),
        ("drivers", True, True, "drivers"),
    ],
)
def test_which_forecast_the_paper_prints(requested, has_drivers, covers, chosen) -> None:
    assert drivers.choose_forecast_source(requested, has_drivers, covers) == chosen


def test_a_forecast_source_the_cycle_cannot_give_is_refused() -> None:
    with pytest.raises(InputDataError, match="gives no drivers"):
        drivers.choose_forecast_source("drivers", False, True)
    with pytest.raises(InputDataError, match="does not type placement costs"):
        drivers.choose_forecast_source("typed", True, False)
    with pytest.raises(ValueError, match="forecast_source must be one of"):
        drivers.choose_forecast_source("excel", True, True)


# Properties ------------------------------------------------------------------------------

CATEGORY = st.sampled_from(list(DFE_CATEGORIES))
PLANS = st.dictionaries(CATEGORY, st.integers(1, 5_000), min_size=1, max_size=7)
RATE = st.floats(-20, 30, allow_nan=False)
RATES = st.lists(RATE, min_size=3, max_size=3)


@st.composite
def driver_inputs(draw: st.DrawFn) -> tuple[pd.DataFrame, pd.DataFrame]:
    plans = draw(PLANS)
    costs = {c: draw(st.floats(1, 300, allow_nan=False)) for c in plans}
    return placements(plans, costs), assumptions(draw(RATES), draw(RATES))


@settings(max_examples=60, deadline=None)
@given(driver_inputs(), st.floats(-2_000, 20_000, allow_nan=False))
def test_the_driver_budget_rolls_forward_and_adds_up_its_categories(inputs, opening) -> None:
    given_placements, given_assumptions = inputs
    built = drivers.build_driver_forecast(
        budget(opening), given_placements, given_assumptions, None
    )
    roll = deficit.roll_forward(built.budget)
    # C/Fwd = B/Fwd + the year's lines, and each B/Fwd is the previous C/Fwd.
    assert deficit.reconciliation_problems(roll, tolerance=1e-6 * max(1, abs(opening))) == []
    # The budget's placement costs are the categories' total, which is plans x cost each.
    by_category = built.by_category
    assert (
        by_category["placement_costs"] - by_category["plans"] * by_category["cost_per_plan"]
    ).abs().max() < 1e-9
    totals = by_category.groupby("year")["placement_costs"].sum()
    placed = built.budget[built.budget["line"] == "placement_costs"].set_index("year")["amount"]
    assert placed[FORECAST].to_numpy() == pytest.approx(totals[FORECAST].to_numpy())
    # The sums the paper and the DfE return print are the model's, one a year and measure.
    written = built.totals.set_index("year")
    added = by_category.groupby("year")[["plans", "placement_costs"]].sum()
    assert written[["plans", "placement_costs"]].to_numpy() == pytest.approx(added.to_numpy())


@settings(max_examples=60, deadline=None)
@given(
    driver_inputs(),
    st.lists(
        st.tuples(
            CATEGORY, st.one_of(st.just(""), CATEGORY), st.integers(0, 5), st.sampled_from(FORECAST)
        ),
        max_size=4,
    ),
)
def test_mitigated_never_exceeds_unmitigated_when_every_saving_is_positive(
    inputs, raw_moves
) -> None:
    given_placements, given_assumptions = inputs
    forecast = drivers.forecast_by_category(given_placements, given_assumptions)
    cost = forecast.frame.set_index(["category", "year"])["cost_per_plan"]
    modelled = set(forecast.frame["category"])
    # Only moves that save in every year: to nowhere, or to a cheaper category throughout.
    kept = [
        (f"i{n}", a, b, places, start)
        for n, (a, b, places, start) in enumerate(raw_moves)
        if a in modelled
        and (b == "" or (b in modelled and all(cost[(b, y)] <= cost[(a, y)] for y in FORECAST)))
    ]
    try:
        mitigated = drivers.apply_interventions(forecast, moves(*kept) if kept else None)
    except InputDataError:
        return  # more places out of a category than it has: refused, nothing to compare
    # A category that places move into costs more; the total of every category does not.
    by_year = mitigated.frame.groupby("year")
    totals = by_year[["placement_costs", "placement_costs_mitigated"]].sum()
    assert (totals["placement_costs_mitigated"] <= totals["placement_costs"] * (1 + 1e-12)).all()
    assert (drivers.intervention_saving(mitigated) <= 1e-9 * totals["placement_costs"].max()).all()


@settings(max_examples=60, deadline=None)
@given(
    st.integers(50, 20_000),
    st.lists(st.floats(100, 90_000, allow_nan=False), min_size=4, max_size=4),
    st.floats(-10, 25, allow_nan=False),
)
def test_decomposition_then_forward_reproduces_the_typed_forecast(plans_now, costs, growth) -> None:
    """A typed forecast, explained as plans x the cost per plan it implies, and forecast
    forward again from those assumptions, gives back every typed placement cost."""
    years = [BASE, *FORECAST]
    ehcp = {
        "plans_at_start": constant(plans_now),
        "new_plans_to_date": constant(0),
        "requests_for_assessment": constant(0),
    }
    placement = {y: constant(c) for y, c in zip(years, costs, strict=True)}
    decomposition = demand.demand_forecast(placement, ehcp, BASE, constant(growth)).frame()
    implied = drivers.implied_cost_per_plan_growth(decomposition)
    rows = [(y, "ehcp_growth", "", growth) for y in FORECAST]
    rows += [(y, "cost_per_plan_growth", "", implied[y]) for y in FORECAST]
    given_assumptions = pd.DataFrame(rows, columns=["year", "assumption", "category", "value"])
    given_assumptions.insert(0, "row", range(2, len(given_assumptions) + 2))
    base = placements({ALL_PLACEMENTS: plans_now}, {ALL_PLACEMENTS: costs[0] / plans_now})
    forward = drivers.forecast_by_category(base, given_assumptions).frame
    assert forward["placement_costs"].to_numpy() == pytest.approx(costs, rel=1e-9)
