"""Charts remembered by what they draw, for the preview's warm process."""

from __future__ import annotations

import pandas as pd

from highneeds.paper.charts import drawing_memo
from highneeds.paper.charts.chart import STANDARD, deficit_chart_drawings
from highneeds.paper.charts.drawing_memo import remembered


def test_a_chart_is_drawn_again_only_when_what_it_draws_changes() -> None:
    calls: list[int] = []

    @remembered
    def draw(frame: pd.DataFrame, formats: tuple[str, ...]) -> dict[str, bytes]:
        calls.append(1)
        return {fmt: f"{fmt}:{frame['v'].sum()}".encode() for fmt in formats}

    frame = pd.DataFrame({"v": [1, 2]})
    assert draw(frame, ("svg",)) == {"svg": b"svg:3"}
    assert draw(frame.copy(), ("svg",)) == {"svg": b"svg:3"}
    assert len(calls) == 1
    assert draw(pd.DataFrame({"v": [1, 3]}), ("svg",)) == {"svg": b"svg:4"}
    assert draw(frame, ("svg", "png")) == {"svg": b"svg:3", "png": b"png:3"}
    assert len(calls) == 3
    kept = draw(frame, ("svg",))
    kept["svg"] = b"changed by a caller"
    assert draw(frame, ("svg",)) == {"svg": b"svg:3"}  # a caller cannot change what is kept


def test_only_the_recent_drawings_are_kept() -> None:
    calls: list[int] = []

    @remembered
    def draw(value: int) -> dict[str, bytes]:
        calls.append(value)
        return {"svg": str(value).encode()}

    for value in range(drawing_memo.KEEP + 1):
        draw(value)
    draw(drawing_memo.KEEP)  # the newest: kept
    draw(0)  # the oldest: forgotten, drawn again
    assert calls == [*range(drawing_memo.KEEP + 1), 0]


def test_a_remembered_chart_is_the_same_bytes_as_a_new_drawing(shipped_tables) -> None:
    from tests.conftest import shipped_model_outputs

    outputs = shipped_model_outputs(shipped_tables)
    args = (outputs.scenarios, dict(outputs.scenario_labels), STANDARD, ("svg",))
    first = deficit_chart_drawings(*args)
    deficit_chart_drawings.forget()
    assert deficit_chart_drawings(*args) == first
