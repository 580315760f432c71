"""What the forecast says the deficit grows by a year: computed once, by the model, traced,
and handed to the paper as a table (the paper computes nothing of it)."""

from __future__ import annotations

from tests.conftest import model_tables


def test_the_model_writes_the_growth_it_traces(shipped_tables) -> None:
    merged, lineage = model_tables(shipped_tables, draws=5)
    (row,) = merged["forecast_growth"].to_dict("records")
    assert row["low"] == lineage["forecast_growth.low"].value
    assert row["high"] == lineage["forecast_growth.high"].value
    assert (row["from"], row["to"]) == ("2022/23", "2024/25")
    # The paper's words for the shipped cycle: £673k to £1,205k a year (para 2.5's check).
    assert (round(row["low"]), round(row["high"])) == (673, 1205)
