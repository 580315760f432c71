"""The council's track record as the paper says it: words in every cycle, a table once a
forecast is scored."""

from __future__ import annotations

import pandas as pd

from highneeds.paper.content.assemble import narrative_context
from highneeds.paper.content.track_record import track_record_table_html
from tests.conftest import shipped_model_outputs
from tests.paper.content.test_assemble import table_rows


def _with_earlier(shipped_tables, forecasts: list[tuple[str, float]]):
    frame = pd.DataFrame(
        [
            {"row": i + 2, "paper": p, "figure": "mitigated", "year": "2020/21"}
            | {"forecast": v, "source": "typed"}
            for i, (p, v) in enumerate(forecasts)
        ]
    )
    frame.attrs["source"] = "earlier_forecasts.csv"
    return shipped_model_outputs(dict(shipped_tables) | {"earlier_forecasts": frame})


def test_a_first_paper_says_it_has_no_record_yet(shipped_tables) -> None:
    words = narrative_context(shipped_model_outputs(shipped_tables))["track_record"]
    assert words["summary"].startswith("No earlier paper's forecast of a year now past")
    assert words["scored"] == 0
    assert "does not change the simulations' 10-90% band" in words["band"]


def test_scored_forecasts_are_said_and_tabled(shipped_tables) -> None:
    outputs = _with_earlier(shipped_tables, [("2020-06", 500.0)])
    words = narrative_context(outputs)["track_record"]["summary"]
    assert words == (
        "Earlier papers' forecasts can now be set against the outturn: 1 forecast of the "
        "deficit carried forward, with the Recovery Plan in 1 earlier paper, 1 of 1 below it, "
        "missing by 15.0% on average; the latest, the June 2020 paper's £500k for 2020/21, was "
        "£75k below the outturn of £575k"
    )
    rows = table_rows(track_record_table_html(outputs, "7"))
    assert rows[0] == ["", "Forecast", "Outturn", "Error", "Error %"]
    assert rows[1] == [
        "June 2020 paper: deficit carried forward, with the Recovery Plan, 2020/21",
        "500",
        "575",
        "75",
        "15.0%",
    ]


def test_the_widening_is_said_when_three_forecasts_missed_widely(shipped_tables) -> None:
    outputs = _with_earlier(shipped_tables, [("2019-06", 400.0), ("2019-10", 400.0)])
    assert "fewer than 3" in narrative_context(outputs)["track_record"]["band"]
    outputs = _with_earlier(
        shipped_tables, [("2019-06", 400.0), ("2019-10", 400.0), ("2020-06", 400.0)]
    )
    said = narrative_context(outputs)["track_record"]
    assert said["widening"] > 1
    assert f"widened about its middle by {said['widening']:.2f} times" in said["band"]
