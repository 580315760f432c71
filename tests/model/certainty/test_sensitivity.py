"""How sure is the forecast: ranges, tornado, break-even and Monte Carlo, checked against the
model's own forecast and as properties over generated ranges."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from highneeds.common.errors import InputDataError
from highneeds.gate.tables.figures import figure_values
from highneeds.model.basis.ranges import ASSUMPTION_LABELS, AssumptionRange, apply_range_overrides
from highneeds.model.certainty import sensitivity, tornado
from tests.conftest import model_tables

BASE_YEAR = "2021/22"


@pytest.fixture(scope="module")
def shipped(shipped_tables):
    budget = shipped_tables["budget"]
    merged, _ = model_tables(shipped_tables, draws=10)
    figures = figure_values(shipped_tables["figures"])
    # The growth figures are over the nine months from April 2021 to the January 2022 cycle.
    base, ranges = sensitivity.ranges_for_cycle(
        budget, merged["demand"], figures, BASE_YEAR, None, months_to_date=9
    )
    return base, ranges, merged["scenarios"]


def cfwd(scenarios: pd.DataFrame, scenario: str) -> np.ndarray:
    return scenarios.loc[scenarios["scenario"] == scenario, "cfwd"].to_numpy()


def test_at_every_central_value_the_paths_are_the_models_forecast(shipped) -> None:
    base, _, scenarios = shipped
    unmitigated, mitigated = sensitivity.deficit_paths(base, {})
    assert unmitigated[0] == pytest.approx(cfwd(scenarios, "unmitigated"))
    assert mitigated[0] == pytest.approx(cfwd(scenarios, "mitigated"))


def test_the_shipped_ranges_come_from_the_papers_own_figures(shipped) -> None:
    _, ranges, _ = shipped
    by_name = {r.name: r for r in ranges}
    # 5.4% (14 on 260) and 12.3% ((14 + 18) / 260) over nine months, each made a rate a year.
    assert (by_name["ehcp_growth"].low, by_name["ehcp_growth"].high) == pytest.approx(
        (1.054 ** (12 / 9) - 1, 1.12 ** (12 / 9) - 1)
    )
    assert round(by_name["cost_per_plan_growth"].low, 3) == 0.006
    assert round(by_name["cost_per_plan_growth"].high, 3) == 0.050
    assert round(by_name["allocation_growth"].low, 3) == 0.050
    assert round(by_name["allocation_growth"].high, 3) == 0.087
    assert set(by_name) == set(ASSUMPTION_LABELS)


def test_the_tornados_central_value_is_the_forecast_and_its_ends_move_the_lines_they_name(
    shipped,
) -> None:
    base, ranges, scenarios = shipped
    table = tornado.tornado(base, ranges).set_index("assumption")
    central = cfwd(scenarios, "mitigated")[-1]
    assert table["cfwd_central"].to_numpy() == pytest.approx([central] * len(table))
    # At its high end, EHCP growth moves only the placement costs after 2021/22, each by
    # ((1 + high) / (1 + forecast))^n in the n-th year after it.
    low, high = 1.054 ** (12 / 9), 1.12 ** (12 / 9)
    extra = sum(c * ((high / low) ** n - 1) for n, c in enumerate((5814, 6271, 6823), 1))
    assert table.loc["ehcp_growth", "cfwd_at_high"] == pytest.approx(3592 + extra)
    assert table.loc["schools_block_transfer", "cfwd_at_low"] == pytest.approx(3592 + 3 * 132)
    assert table.loc["recovery_plan_delivery", "cfwd_at_low"] == pytest.approx(3853)
    assert list(table["swing"]) == sorted(table["swing"], reverse=True)


def test_break_even_stops_the_final_years_growth(shipped) -> None:
    base, _, _ = shipped
    even = tornado.break_even(base)
    assert even["extra_saving_needed"] == pytest.approx(1205 - 135)
    assert even["ehcp_growth_reachable"]
    _, mitigated = sensitivity.deficit_paths(base, {"ehcp_growth": even["ehcp_growth"]})
    assert mitigated[0, -1] - mitigated[0, -2] == pytest.approx(0, abs=1e-6)


def test_break_even_is_not_reachable_when_funding_alone_falls_short() -> None:
    base = sensitivity.ForecastBase(
        years=["a", "b"],
        opening=0.0,
        transfer=np.array([0.0, 0.0]),
        allocation=np.array([-100.0, 50.0]),  # a clawback: income below nothing
        placement_costs=np.array([100.0, 100.0]),
        recovery=np.zeros(2),
        steps=np.array([0, 1]),
        ehcp_growth=0.05,
        cost_per_plan_growth=0.0,
        allocation_growth=0.0,
    )
    even = tornado.break_even(base)
    assert not even["ehcp_growth_reachable"] and np.isnan(even["ehcp_growth"])


def test_the_same_seed_gives_the_same_draws_and_another_cycle_others(shipped) -> None:
    base, ranges, _ = shipped
    first = sensitivity.simulate(base, ranges, sensitivity.seed_of("2022-01"), 500)
    again = sensitivity.simulate(base, ranges, sensitivity.seed_of("2022-01"), 500)
    other = sensitivity.simulate(base, ranges, sensitivity.seed_of("2022-02"), 500)
    assert np.array_equal(first["mitigated"], again["mitigated"])
    assert not np.array_equal(first["mitigated"], other["mitigated"])
    assert sensitivity.seed_of("2022-01") != sensitivity.seed_of("2022-02")


def test_a_zero_width_range_collapses_every_percentile_to_the_forecast(shipped) -> None:
    base, ranges, scenarios = shipped
    fixed = [AssumptionRange(r.name, r.central, r.central, r.central, "fixed") for r in ranges]
    paths = sensitivity.simulate(base, fixed, 1, 200)
    levels = sensitivity.uncertainty(base, paths)
    for scenario in ("unmitigated", "mitigated"):
        rows = levels[levels["scenario"] == scenario]
        for p in ("p10", "p50", "p90"):
            assert rows[p].to_numpy() == pytest.approx(cfwd(scenarios, scenario))


@settings(max_examples=40, deadline=None)
@given(
    st.sampled_from(list(ASSUMPTION_LABELS)),
    st.lists(st.floats(-0.5, 1.5, allow_nan=False), min_size=2, max_size=6, unique=True),
)
def test_the_final_deficit_moves_one_way_as_each_assumption_rises(shipped, name, values) -> None:
    base, _, _ = shipped
    finals = [sensitivity.deficit_paths(base, {name: v})[1][0, -1] for v in sorted(values)]
    steps = np.diff(finals)
    # More demand, dearer plans: more deficit. More allocation, transfer or savings: less.
    rising = name in ("ehcp_growth", "cost_per_plan_growth")
    assert (steps >= -1e-9).all() if rising else (steps <= 1e-9).all()


def ranges_file(rows: list[dict[str, object]]) -> pd.DataFrame:
    """assumption_ranges.csv as the gate reads it: ``rows`` numbered from 2, under the header."""
    return pd.DataFrame([{"row": number, **row} for number, row in enumerate(rows, start=2)])


def test_a_range_that_leaves_out_the_central_value_is_refused(shipped) -> None:
    _, ranges, _ = shipped
    overrides = ranges_file(
        [
            {
                "assumption": "ehcp_growth",
                "low": 8.0,
                "high": 12.0,
                "source": "EHCP history",
            }
        ]
    )
    with pytest.raises(Exception, match="row 2: ehcp_growth runs from 8 to 12"):
        apply_range_overrides(ranges, overrides)


def test_the_transfer_is_approved_or_refused_and_held_unless_a_chance_is_stated(shipped) -> None:
    """The default: the tornado shows a refusal, but the simulations do not average a
    two-thirds transfer; held at the forecast's approval, as no chance of refusal is stated."""
    base, ranges, _ = shipped
    transfer = next(r for r in ranges if r.name == "schools_block_transfer")
    assert (transfer.low, transfer.high, transfer.draw) == (0.0, 1.0, "held")
    assert "no chance of a refusal has been stated" in transfer.source
    paths = sensitivity.simulate(base, [transfer], seed=1, draws=500)
    _, at_forecast = sensitivity.deficit_paths(base, {})
    assert paths["mitigated"] == pytest.approx(np.repeat(at_forecast, 500, axis=0))


@settings(max_examples=40, deadline=None)
@given(probability=st.floats(min_value=0, max_value=1), seed=st.integers(0, 2**32))
def test_one_end_or_the_other_draws_only_the_ends_as_often_as_stated(
    shipped, probability: float, seed: int
) -> None:
    base, _, _ = shipped
    either = AssumptionRange(
        "schools_block_transfer",
        0.0,
        1.0,
        1.0,
        "approved or refused",
        "Forum",
        "either",
        probability,
    )
    draws = 4_000
    final = sensitivity.simulate(base, [either], seed, draws)["mitigated"][:, -1]
    _, approved = sensitivity.deficit_paths(base, {"schools_block_transfer": 1.0})
    _, refused = sensitivity.deficit_paths(base, {"schools_block_transfer": 0.0})
    at_high = np.isclose(final, approved[0, -1])
    assert (at_high | np.isclose(final, refused[0, -1])).all()
    # Within five standard errors of the stated chance, and a few draws more: where the chance
    # is tiny (1 in 100,000) the normal bound allows no draw at all, and two in 4,000 happen
    # (a chance under 1 in 1,000 each example, which hypothesis then finds and replays).
    spread = 5 * np.sqrt(probability * (1 - probability) / draws) + 4 / draws
    assert abs(at_high.mean() - probability) <= spread


def test_a_fixed_assumption_has_no_range_and_is_not_drawn(shipped) -> None:
    _, ranges, _ = shipped
    overrides = ranges_file(
        [
            {
                "assumption": "allocation_growth",
                "low": float("nan"),
                "high": float("nan"),
                "source": "DfE announcement",
                "distribution": "fixed",
                "probability": float("nan"),
            }
        ]
    )
    (fixed,) = [
        r for r in apply_range_overrides(ranges, overrides) if r.name == "allocation_growth"
    ]
    assert fixed.low == fixed.central == fixed.high
    assert (fixed.source, fixed.drawn_how) == ("DfE announcement", "held")


def _declaring(tables: dict, tmp_path, text: str) -> dict:
    """The tables with the readings a paper.yaml of ``text`` declares, as the gate reads them."""
    from highneeds.gate.tables.readings import read_readings

    path = tmp_path / "paper.yaml"
    path.write_text(text, encoding="utf-8")
    return {**tables, "readings": read_readings(path)}


def test_the_centre_has_the_agreed_uplift_unless_the_council_or_run_says_otherwise(
    shipped_tables, tmp_path
) -> None:
    """The finance table leaves the agreed top-up uplift out: by default the measures centre on
    the forecast with it inside every path; a council's paper.yaml may centre them on the
    finance table's forecast (the odds then given against it with the uplift too), and a run's
    -p uncertainty_centre overrides both."""
    default, lineage = model_tables(shipped_tables, draws=500)
    table = _declaring(shipped_tables, tmp_path, "certainty_centre: finance_table\n")
    declared, declared_lineage = model_tables(table, draws=500)
    run, _ = model_tables(table, draws=500, uncertainty_centre="with_agreed_pressures")
    assert default["sensitivity"]["cfwd_central"].iloc[0] == pytest.approx(4102)
    assert declared["sensitivity"]["cfwd_central"].iloc[0] == pytest.approx(3592)
    assert run["sensitivity"]["cfwd_central"].iloc[0] == pytest.approx(4102)
    even, moved = declared["break_even"].iloc[0], default["break_even"].iloc[0]
    assert (even["forecast"], even["forecast_with_pressures"]) == pytest.approx((3592, 4102))
    assert not even["pressures_inside"] and moved["pressures_inside"]
    assert moved["forecast"] == pytest.approx(4102)
    assert moved["share_above_forecast"] == moved["share_above_forecast_with_pressures"]
    # The same draws, shifted by the uplift (170 a year from 2022/23: 510 by 2024/25).
    shift = default["uncertainty"]["p50"].to_numpy() - declared["uncertainty"]["p50"].to_numpy()
    assert shift[-1] == pytest.approx(510)
    # Who chose the centre, traced: assumed by the model, or paper.yaml's line.
    assumed = lineage["reading.certainty_centre"]
    assert assumed.rule == "described" and "assumed" in assumed.formula
    chosen = declared_lineage.inputs_of("reading.certainty_centre")
    assert [str(leaf.cell) for leaf in chosen] == [
        "paper.yaml, row 1, column 'certainty_centre': finance_table"
    ]


@settings(max_examples=200, deadline=None)
@given(
    low=st.floats(-0.5, 0.5),
    widths=st.tuples(st.floats(0.001, 1), st.floats(0.001, 1)),
    points=st.lists(st.floats(0, 1), min_size=2, max_size=20),
)
def test_a_range_read_at_a_point_runs_from_its_low_end_through_its_peak_to_its_high_end(
    low: float, widths: tuple[float, float], points: list[float]
) -> None:
    mode, high = low + widths[0], low + widths[0] + widths[1]
    rng = AssumptionRange("ehcp_growth", low, mode, high, "test")
    assert float(rng.at(np.array([0.0]))[0]) == pytest.approx(low)
    assert float(rng.at(np.array([1.0]))[0]) == pytest.approx(high)
    peak = widths[0] / (widths[0] + widths[1])
    assert float(rng.at(np.array([peak]))[0]) == pytest.approx(mode)
    values = rng.at(np.array(sorted(points)))
    assert (np.diff(values) >= -1e-12).all()


def test_two_assumptions_said_to_move_together_are_drawn_at_the_same_point(shipped) -> None:
    base, ranges, _ = shipped
    overrides = ranges_file(
        [
            {
                "assumption": "ehcp_growth",
                "low": 7.0,
                "high": 16.0,
                "source": "EHCP history",
                "moves_with": "cost_per_plan_growth",
            },
            {
                "assumption": "cost_per_plan_growth",
                "low": 1.0,
                "high": 5.0,
                "source": "CPI forecasts",
                "moves_with": "",
            },
        ]
    )
    together = apply_range_overrides(ranges, overrides)
    by_name = {r.name: r for r in together}
    assert by_name["ehcp_growth"].moves_with == "cost_per_plan_growth"
    assert by_name["cost_per_plan_growth"].moves_with == "ehcp_growth"
    assert by_name["cost_per_plan_growth"].drawn_with == "EHCP growth"
    pair = [by_name["ehcp_growth"], by_name["cost_per_plan_growth"]]
    rng = np.random.default_rng(11)
    point = rng.random(5_000)
    growth, cost = pair[0].at(point), pair[1].at(point)
    # One moves up exactly when the other does: the same rank order.
    assert (np.argsort(growth, kind="stable") == np.argsort(cost, kind="stable")).all()
    # Each still follows its own triangle: the mean of a triangle is (low + mode + high) / 3.
    for r, values in zip(pair, (growth, cost), strict=True):
        assert values.mean() == pytest.approx((r.low + r.central + r.high) / 3, abs=0.002)
    apart = sensitivity.simulate(base, ranges, seed=3, draws=5_000)["mitigated"][:, -1]
    joint = sensitivity.simulate(base, together, seed=3, draws=5_000)["mitigated"][:, -1]
    # Moving together widens the spread of the deficit.
    assert np.percentile(joint, 90) - np.percentile(joint, 10) > (
        np.percentile(apart, 90) - np.percentile(apart, 10)
    )


@pytest.mark.parametrize(
    ("partner", "message"),
    [
        ("ehcp_growth", "found 'ehcp_growth'; expected another assumption"),
        ("inflation", "found 'inflation'; expected another assumption"),
        ("schools_block_transfer", "must both be drawn to move together"),
    ],
)
def test_moving_together_needs_another_drawn_assumption(shipped, partner, message) -> None:
    _, ranges, _ = shipped
    overrides = ranges_file(
        [
            {
                "assumption": "ehcp_growth",
                "low": 7.0,
                "high": 16.0,
                "source": "EHCP history",
                "moves_with": partner,
            }
        ]
    )
    with pytest.raises(InputDataError, match=message):
        apply_range_overrides(ranges, overrides)
