"""Claims the narrative makes about the forecast, checked against it."""

from __future__ import annotations

import pytest

from highneeds.common.paths import PROJECT_ROOT
from highneeds.paper.content.assemble import narrative_context
from highneeds.paper.text.claims import check_claims, yearly_claims
from highneeds.paper.text.narrative import parse_narrative
from tests.conftest import shipped_model_outputs

SHIPPED = PROJECT_ROOT / "data" / "raw" / "2022-01" / "narrative.md"


@pytest.fixture(scope="module")
def context(shipped_tables):
    return narrative_context(shipped_model_outputs(shipped_tables))


def _story(sentence: str):
    return parse_narrative(f"## Summary {{#summary}}\n\n{{#claim}} {sentence}\n")


def test_the_shipped_para_2_5_is_checked_against_the_forecast(context) -> None:
    story = parse_narrative(SHIPPED.read_text(encoding="utf-8"))
    (warning,) = check_claims(story, context)
    assert warning.startswith(
        "narrative.md, para 2.5 (line 27): states c£500k a year (£453k rounded to the nearest "
        "£100k), but the forecast has the deficit growing by £673k to £1,205k a year from "
        "2022/23 to 2024/25"
    )
    assert "{{ forecast_growth.low | gbp_k }} to {{ forecast_growth.high | gbp_k }}" in warning


def test_a_sentence_bound_to_the_forecast_is_not_a_claim(context) -> None:
    story = _story(
        "The deficit grows by {{ forecast_growth.low | gbp_k }} to "
        "{{ forecast_growth.high | gbp_k }} a year."
    )
    assert list(yearly_claims(story)) == []
    assert check_claims(story, context) == []
    assert (context["forecast_growth"]["low"], context["forecast_growth"]["high"]) == (
        pytest.approx(673),
        pytest.approx(1205),
    )


@pytest.mark.parametrize(
    ("sentence", "warned"),
    [
        # This year's movement, rounded, with no rate a year: not a claim about the forecast.
        (
            "The deficit rose by c{{ unmitigated.in_year[current_year] | round_to(100) | gbp_k }}.",
            0,
        ),
        # A yearly figure within the forecast's range, give or take its rounding.
        ("It grows by c{{ unmitigated.in_year['2023/24'] | round_to(100) | gbp_k }} a year.", 0),
        ("It grows by c{{ mitigated.in_year['2022/23'] | round_to(1000) | gbp_k }} per annum.", 0),
        # Outside it, by more than the rounding.
        ("It grows by c{{ unmitigated.in_year['2020/21'] | round_to(10) | gbp_k }} each year.", 1),
    ],
)
def test_only_a_rounded_yearly_figure_outside_the_forecast_is_warned_of(
    context, sentence: str, warned: int
) -> None:
    assert len(check_claims(_story(sentence), context)) == warned


def test_validate_warns_of_the_claim_as_a_run_would(project_root, tmp_path) -> None:
    import shutil

    from highneeds.runner.commands.validate import validate_only
    from highneeds.runner.execute.options import RunOptions

    raw = tmp_path / "data" / "raw" / "2022-01"
    shutil.copytree(project_root / "data" / "raw" / "2022-01", raw)
    (warning,) = validate_only(RunOptions(cycle="2022-01", root=tmp_path)).warnings
    assert warning.startswith("warning: narrative.md, para 2.5 (line 27): states c£500k a year")
    narrative = raw / "narrative.md"
    bound = narrative.read_text(encoding="utf-8").replace(
        "c{{ unmitigated.in_year[current_year] | round_to(100) | gbp_k }} per annum",
        "{{ forecast_growth.low | gbp_k }} to {{ forecast_growth.high | gbp_k }} a year",
    )
    narrative.write_text(bound, encoding="utf-8")
    assert validate_only(RunOptions(cycle="2022-01", root=tmp_path)).warnings == []
