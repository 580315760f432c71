"""How certain the forecast is, as printed: the sensitivity table, the break-even words, the
two charts and their text alternatives, all from the model's figures."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from highneeds.gate.paper_yaml import read_paper_metadata
from highneeds.model.sensitivity import POSITIONS, position_in_range
from highneeds.paper import certainty, uncertainty_charts
from highneeds.paper.assemble import build_paper, narrative_context
from highneeds.paper.chart import LARGE_PRINT, STANDARD
from highneeds.paper.narrative import parse_narrative
from highneeds.paths import PROJECT_ROOT
from tests.conftest import shipped_model_outputs
from tests.paper.test_assemble import table_rows


@pytest.fixture(scope="module")
def outputs(shipped_tables):
    return shipped_model_outputs(shipped_tables)


def test_the_table_lists_each_assumption_biggest_swing_first(outputs) -> None:
    html = certainty.sensitivity_table_html(outputs, "5")
    rows = table_rows(html)
    assert rows[2] == ["EHCP growth a year", "7.3%", "7.3%", "16.3%", "3,592", "7,061"]
    assert rows[-1][0] == "Recovery Plan savings delivered, share of the forecast"
    assert rows[-1][1:] == ["0%", "100%", "100%", "3,853", "3,592"]


@pytest.mark.parametrize(
    ("even", "words"),
    [
        (
            {"ehcp_growth_reachable": True, "ehcp_growth": -0.0043},
            "rather than growing by 5.4% a year after 2021/22, the number of EHCPs would have to "
            "fall by 0.4% a year",
        ),
        (
            {"ehcp_growth_reachable": True, "ehcp_growth": 0.021},
            "growth in the number of EHCPs after 2021/22 would have to slow to 2.1% a year",
        ),
        (
            {"ehcp_growth_reachable": False, "ehcp_growth": float("nan")},
            "no rate of growth in the number of EHCPs would stop it within the plan's years",
        ),
    ],
)
def test_break_even_in_words(even, words) -> None:
    assert certainty.ehcp_break_even_words(even, 0.054, "2021/22") == words


def test_placeholders_read_the_models_figures(outputs) -> None:
    context = narrative_context(outputs)
    assert context["sensitivity"]["biggest"]["assumption"] == "ehcp_growth"
    assert context["sensitivity"]["central"] == pytest.approx(3592)
    assert context["break_even"]["extra_saving_needed"] == pytest.approx(1070)
    levels = outputs.uncertainty.set_index(["scenario", "year"])
    assert (
        context["uncertainty"]["mitigated"]["p90"]["2024/25"]
        == levels.loc[("mitigated", "2024/25"), "p90"]
    )


def test_text_alternatives_are_written_from_the_data(outputs) -> None:
    tornado = uncertainty_charts.describe_tornado(outputs.sensitivity, "2024/25")
    assert "£3,592k as forecast" in tornado
    assert "EHCP growth a year: £3,592k at 7.3%, £7,061k at 16.3%" in tornado
    forecast = {"2023/24": 2522.0, "2024/25": 3592.0}
    fan = uncertainty_charts.describe_fan(outputs.uncertainty, 2_000, forecast)
    assert "the forecast, £3,592k." in fan
    last = outputs.uncertainty.set_index(["scenario", "year"]).loc[("mitigated", "2024/25")]
    assert f"With the Recovery Plan, between £{last['p10']:,.0f}k" in fan
    assert "over 2,000 simulations" in fan


#: The shipped forecast with the Recovery Plan, as the fan chart draws it over the bands.
FORECAST = {
    "2020/21": 575.0,
    "2021/22": 1028.0,
    "2022/23": 1701.0,
    "2023/24": 2522.0,
    "2024/25": 3592.0,
}


def test_the_charts_draw_the_same_bytes_twice(outputs) -> None:
    for draw in (
        lambda: uncertainty_charts.tornado_drawings(outputs.sensitivity, STANDARD, ("svg",)),
        lambda: uncertainty_charts.fan_drawings(
            outputs.uncertainty, FORECAST, LARGE_PRINT, ("svg",)
        ),
        lambda: uncertainty_charts.fan_drawings(outputs.uncertainty, FORECAST, STANDARD, ("png",)),
    ):
        assert draw() == draw()


def test_a_narrative_places_both_charts_and_word_gets_a_png_for_each(outputs) -> None:
    story = parse_narrative(
        '## Money {#money}\n\n{#a} The forecast.\n\n{{ chart("deficit_scenarios") }}\n\n'
        '{{ chart("tornado") }}\n\n{{ chart("uncertainty_fan") }}\n'
    )
    meta = read_paper_metadata(PROJECT_ROOT / "data" / "raw" / "2022-01" / "paper.yaml")
    parts = build_paper(meta, story, outputs)
    assert list(parts.chart_pngs) == ["figure-1", "figure-2", "figure-3"]
    assert parts.chart_pngs["figure-3"].startswith(b"\x89PNG")
    assert 'id="figure-2"' in "".join(parts.sections)


ENDS = st.floats(min_value=-1e5, max_value=1e5, allow_nan=False)


@settings(max_examples=300, deadline=None)
@given(at_low=ENDS, at_high=ENDS, share=st.floats(min_value=0, max_value=1))
def test_where_the_forecast_sits_is_read_from_the_range_either_way_round(
    at_low: float, at_high: float, share: float
) -> None:
    """Two-sided ranges, either end the higher: the words follow how far the forecast's deficit
    lies from the range's lowest deficit towards its highest."""
    least, most = sorted((at_low, at_high))
    central = least + share * (most - least)
    words = position_in_range(at_low, central, at_high)
    if most - least <= 1e-9 * max(1.0, abs(most)):
        assert words == ""
        return
    exact = (central - least) / (most - least)
    if exact < 0.33:
        assert words == "hopeful end"
    elif exact > 0.34 and exact < 0.66:
        assert words == "middle"
    elif exact > 0.67:
        assert words == "cautious end"
    # Swapping the ends (a range given high to low) never changes the words.
    assert position_in_range(at_high, central, at_low) == words


@settings(max_examples=200, deadline=None)
@given(
    at_low=ENDS,
    width=st.floats(min_value=1, max_value=1e5),
    shares=st.lists(st.floats(min_value=0, max_value=1), min_size=2, max_size=2),
)
def test_a_higher_forecast_never_sits_nearer_the_hopeful_end(
    at_low: float, width: float, shares: list[float]
) -> None:
    lower, higher = sorted(shares)
    order = POSITIONS
    first = position_in_range(at_low, at_low + lower * width, at_low + width)
    second = position_in_range(at_low, at_low + higher * width, at_low + width)
    assert order.index(first) <= order.index(second)


def test_the_shipped_sentence_on_the_ranges_is_written_from_the_tornado(outputs) -> None:
    words = narrative_context(outputs)["sensitivity"]["position_words"]
    assert words.startswith(
        "The forecast sits at the hopeful end of the range (the deficit near its lowest) for the "
        "growth in the number of EHCPs, the transfer from the Schools block and how much of the "
        "Recovery Plan's savings are delivered"
    )
    # The allocation's forecast growth (6.2%) is near its range's slow end (5.0% to 8.7%): a
    # slower-growing allocation means a higher deficit.
    assert words.endswith(
        "at the cautious end of the range (the deficit near its highest) for the growth in the "
        "High Needs allocation"
    )


@settings(max_examples=100, deadline=None)
@given(share=st.floats(min_value=0, max_value=1))
def test_the_odds_words_follow_the_share_above_the_forecast(share: float) -> None:
    words = certainty.likelier_words(share)
    assert ("higher than forecast than lower" in words) == (share > 0.55)
    assert ("lower than forecast than higher" in words) == (share < 0.45)


def test_the_odds_of_exceeding_the_forecast_fall_as_the_forecast_rises(outputs) -> None:
    """The share of simulations above a figure only falls as the figure rises: the odds move
    the right way as the forecast moves."""
    import numpy as np

    from highneeds.model.sensitivity import share_above

    rng = np.random.default_rng(7)
    paths = rng.normal(4000, 800, size=(2_000, 5))
    shares = [share_above(paths, value) for value in np.linspace(1000, 7000, 25)]
    assert shares == sorted(shares, reverse=True)
    context = narrative_context(outputs)["uncertainty"]
    assert context["share_above_forecast"] >= context["share_above_forecast_with_pressures"]
    assert context["share_above_forecast_words"] == certainty.likelier_words(
        context["share_above_forecast"]
    )


def test_the_ranges_table_says_where_each_range_comes_from(outputs) -> None:
    rows = table_rows(certainty.ranges_table_html(outputs, "6"))
    assert rows[0] == ["Assumption", "Range", "In the simulations", "Source"]
    by_label = {row[0]: row[1:] for row in rows[1:]}
    growth = by_label["EHCP growth a year"]
    assert growth[:2] == [
        "7.3% to 16.3%",
        "anywhere in the range, most often near the forecast's value",
    ]
    assert growth[2].startswith("computed from the cycle's own figures (from this year's growth")
    transfer = by_label["Schools block transfer, share of the forecast"]
    assert transfer[:2] == ["0% to 100%", "held at the forecast's value"]
    assert "no chance of a refusal has been stated" in transfer[2]


def test_the_paper_says_which_assumptions_are_drawn_together() -> None:
    import pandas as pd

    apart = pd.DataFrame(
        [
            {"assumption": "ehcp_growth", "moves_with": float("nan")},
            {"assumption": "cost_per_plan_growth", "moves_with": float("nan")},
        ]
    )
    assert certainty.together_words(apart).endswith("as if none moved with another")
    together = pd.DataFrame(
        [
            {"assumption": "ehcp_growth", "moves_with": "cost_per_plan_growth"},
            {"assumption": "cost_per_plan_growth", "moves_with": "ehcp_growth"},
        ]
    )
    assert certainty.together_words(together) == (
        "The simulations draw the growth in the average cost of a plan and the growth in the "
        "number of EHCPs together, at the same point of each range, as the council states "
        "they move together; the others each on its own"
    )
