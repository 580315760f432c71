"""The paper's words on how the model read the council's figures, from the model's figures."""

from __future__ import annotations

from highneeds.paper.content.assemble import narrative_context
from highneeds.paper.content.readings import impact_words
from tests.conftest import shipped_model_outputs


def test_the_shipped_paper_says_the_reading_was_assumed_and_what_the_other_gives(
    shipped_tables,
) -> None:
    reading = narrative_context(shipped_model_outputs(shipped_tables))["reading"]
    assert reading["recovery_plan_impact"] == "each_year"
    assert reading["certainty_centre"] == "with_agreed_pressures"
    assert reading["recovery_plan_impact_other_words"] == (
        "the Recovery Plan Impact line is read as each year's own saving, as the model assumed: "
        "the council has not said whether it is that or a running total; read as a running "
        "total, the deficit with the Recovery Plan at the end of 2024/25 would be £3,718k "
        "rather than £3,592k"
    )


def test_a_declared_reading_is_the_councils_and_equal_readings_say_so() -> None:
    assert impact_words("running_total", "the council", 3592, 3718, "2024/25") == (
        "the Recovery Plan Impact line is read as a running total, as the council states; read "
        "as each year's own saving, the deficit with the Recovery Plan at the end of 2024/25 "
        "would be £3,592k rather than £3,718k"
    )
    assert impact_words("each_year", "the run", 500, 500, "2024/25").endswith(
        "as this run was set to; read the other way, the deficit would be the same"
    )
