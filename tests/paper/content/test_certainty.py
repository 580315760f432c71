"""How certain the forecast is, as printed: the sensitivity table, the break-even words, the
two charts and their text alternatives, all from the model's figures."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from highneeds.common.paths import PROJECT_ROOT
from highneeds.gate.tables.paper_yaml import read_paper_metadata
from highneeds.model.certainty.tornado import POSITIONS, position_in_range
from highneeds.paper.charts import uncertainty_charts
from highneeds.paper.charts.chart import LARGE_PRINT, STANDARD
from highneeds.paper.content import certainty
from highneeds.paper.content.assemble import build_paper, narrative_context
from highneeds.paper.text.narrative import (
    NarrativeError,
    TextRenderer,
    parse_narrative,
    render_sections,
)
from tests.conftest import shipped_model_outputs
from tests.paper.content.test_assemble import table_rows


@pytest.fixture(scope="module")
def outputs(shipped_tables):
    return shipped_model_outputs(shipped_tables)


def test_the_table_lists_each_assumption_biggest_swing_first(outputs) -> None:
    html = certainty.sensitivity_table_html(outputs, "5")
    rows = table_rows(html)
    # EHCP growth's range is the DfE history's; the forecast's own 7.3% near its low end.
    assert rows[2] == ["EHCP growth a year", "7.1%", "7.3%", "17.9%", "4,031", "8,210"]
    assert rows[-1][0] == "Recovery Plan savings delivered, share of the forecast"
    # Centred on the forecast with the agreed top-up uplift (£510k by 2024/25).
    assert rows[-1][1:] == ["0%", "100%", "100%", "4,363", "4,102"]
    assert "Forecast's own" in html and "with the Recovery Plan and the top-up uplift" in html


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
    assert context["sensitivity"]["central"] == pytest.approx(4102)
    assert context["break_even"]["extra_saving_needed"] == pytest.approx(1240)
    levels = outputs.uncertainty.set_index(["scenario", "year"])
    assert (
        context["uncertainty"]["mitigated"]["p90"]["2024/25"]
        == levels.loc[("mitigated", "2024/25"), "p90"]
    )


def test_text_alternatives_are_written_from_the_data(outputs) -> None:
    centre = "with the Recovery Plan and the top-up uplift (agreed)"
    tornado = uncertainty_charts.describe_tornado(outputs.sensitivity, "2024/25", centre)
    assert f"2024/25 {centre}, £4,102k as forecast" in tornado
    assert "EHCP growth a year: £4,031k at 7.1%, £8,210k at 17.9%" in tornado
    forecast = {"2023/24": 2862.0, "2024/25": 4102.0}
    fan = uncertainty_charts.describe_fan(outputs.uncertainty, 2_000, forecast, centre)
    assert f"the forecast {centre} as points" in fan and "the forecast, £4,102k." in fan
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


def test_the_odds_of_exceeding_the_forecast_fall_as_the_forecast_rises() -> None:
    """The share of simulations above a figure only falls as the figure rises: the odds move
    the right way as the forecast moves."""
    import numpy as np

    from highneeds.model.certainty.sensitivity import share_above

    rng = np.random.default_rng(7)
    paths = rng.normal(4000, 800, size=(2_000, 5))
    shares = [share_above(paths, value) for value in np.linspace(1000, 7000, 25)]
    assert shares == sorted(shares, reverse=True)


#: Sources for every range the shipped forecast moves with that the DfE's history does not give.
SOURCED = (
    "assumption,low,high,source\n"
    "cost_per_plan_growth,0.5,5,finance's placement cost model\n"
    "allocation_growth,4,9,the DfE's provisional allocations\n"
    "recovery_plan_delivery,70,130,SEND Programme Board's delivery review\n"
)


def _with_ranges(shipped_tables, tmp_path, text: str):
    from highneeds.gate.tables.tables import read_assumption_ranges

    (tmp_path / "assumption_ranges.csv").write_text(text, encoding="utf-8")
    ranges = read_assumption_ranges(tmp_path)
    return shipped_model_outputs({**shipped_tables, "assumption_ranges": ranges})


def test_odds_only_where_every_range_that_moves_the_deficit_has_a_source(
    outputs, shipped_tables, tmp_path
) -> None:
    """The shipped cycle's cost per plan, allocation and Recovery Plan ranges are the model's
    own: no odds, and the words say which ranges are assumed. With a source for each (and a
    Recovery Plan that may deliver more than forecast), the odds are given, two-sided."""
    withheld = narrative_context(outputs)["uncertainty"]
    assert "share_above_forecast" not in withheld and "probability_still_growing" not in withheld
    assert withheld["odds_words"].startswith(
        "the paper gives no odds of it coming out above or below the forecast of £4,102k: the "
        "ranges of the growth in the average cost of a plan, the growth in the High Needs "
        "allocation and how much of the Recovery Plan's savings are delivered are assumed"
    )
    story = parse_narrative("## T {#t}\n\nIn {{ uncertainty.share_above_forecast | in_100 }}.\n")
    with pytest.raises(NarrativeError, match="uncertainty.share_above_forecast is odds, and this"):
        render_sections(story, TextRenderer(story, narrative_context(outputs)))
    sourced = narrative_context(_with_ranges(shipped_tables, tmp_path, SOURCED))
    odds = sourced["uncertainty"]
    share = odds["share_above_forecast"]
    assert 0 < share < 1
    assert odds["odds_words"] == (
        f"in {round(share * 100)} simulations in 100 it comes out above the forecast of £4,102k, "
        f"so the deficit is {certainty.likelier_words(share)}"
    )
    positions = {k: v["position"] for k, v in sourced["sensitivity"].items() if k in SOURCED}
    assert positions["recovery_plan_delivery"] == "middle"  # 70% to 130%: two-sided


def test_the_ranges_table_says_where_each_range_comes_from(outputs, shipped_tables) -> None:
    rows = table_rows(certainty.ranges_table_html(outputs, "6"))
    assert rows[0] == ["Assumption", "Range", "In the simulations", "Source"]
    by_label = {row[0]: row[1:] for row in rows[1:]}
    growth = by_label["EHCP growth a year"]
    # From the DfE's history: the chosen method's 80% interval, peaking at its growth.
    assert growth[:2] == ["7.1% to 17.9%", "anywhere in the range, most often near 12.7%"]
    assert growth[2].startswith("the DfE's published EHC plans (SEN2), January 2019 to 2021")
    cost = by_label["Growth in cost per plan a year"]
    assert cost[2].startswith("assumed in this analysis: no source given (from the lowest")
    transfer = by_label["Schools block transfer, share of the forecast"]
    assert transfer[:2] == ["0% to 100%", "held at the forecast's value"]
    assert "no chance of a refusal has been stated" in transfer[2]
    # Without the DfE's figures, EHCP growth's range is the model's own, and says so.
    alone = shipped_model_outputs({k: v for k, v in shipped_tables.items() if k != "sen2"})
    rows = table_rows(certainty.ranges_table_html(alone, "6"))
    growth = {row[0]: row[1:] for row in rows[1:]}["EHCP growth a year"]
    assert growth[:2] == [
        "7.3% to 16.3%",
        "anywhere in the range, most often near the forecast's value",
    ]
    assert growth[2].startswith("assumed in this analysis: no source given (from this year's")


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


def test_how_an_assumption_is_drawn_is_worded_from_its_printed_figures() -> None:
    from highneeds.paper.content.certainty import chance, drawn_as

    assert (chance(0.2), chance(0.125)) == ("20%", "12.5%")
    printed = {"low": "0%", "high": "100%", "probability": "12.5%", "mode": "12.7%"}
    assert drawn_as("either", "", printed) == (
        "the high end with a 12.5% chance, otherwise the low end"
    )
    assert drawn_as("mode", "EHCP growth", printed) == (
        "anywhere in the range, most often near 12.7%; drawn with EHCP growth"
    )
    assert drawn_as("forecast", "", printed).endswith("near the forecast's value")
    assert drawn_as("held", "", printed) == "held at the forecast's value"
