"""How certain the forecast is, as printed: the sensitivity table, the break-even words, the
two charts and their text alternatives, all from the model's figures."""

from __future__ import annotations

import pytest

from highneeds.gate.paper_yaml import read_paper_metadata
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
