"""Earlier papers' forecasts scored against the outturn a later cycle gives, and the
simulations' band widened by the council's own errors once three or more are scored."""

from __future__ import annotations

import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from highneeds.common.errors import InputDataError
from highneeds.model.forecast import track_record
from tests.conftest import model_tables


def _earlier(rows: list[tuple[str, str, str, float]]) -> pd.DataFrame:
    frame = pd.DataFrame(
        [
            {"row": i + 2, "paper": p, "figure": f, "year": y, "forecast": v, "source": "typed"}
            for i, (p, f, y, v) in enumerate(rows)
        ]
    )
    frame.attrs["source"] = "earlier_forecasts.csv"
    return frame


def test_each_forecast_of_an_outturn_year_is_scored_and_traced(shipped_tables) -> None:
    # The shipped cycle (January 2022, 2021/22) gives 2020/21 as outturn: C/Fwd 575.
    tables = dict(shipped_tables) | {
        "earlier_forecasts": _earlier(
            [
                ("2020-06", "mitigated", "2020/21", 500.0),
                ("2020-06", "mitigated", "2021/22", 900.0),  # not yet an outturn: not scored
                ("2021-01", "unmitigated", "2019/20", 400.0),  # not in this cycle's table
            ]
        )
    }
    merged, lineage = model_tables(tables, draws=50)
    table = merged["track_record"]
    assert list(table["year"]) == ["2020/21"]
    row = table.iloc[0]
    assert (row["forecast"], row["outturn"], row["error"]) == pytest.approx((500, 575, 75))
    assert row["relative"] == pytest.approx(0.15)
    assert pd.isna(row["widening"])  # one scored forecast: too few to widen anything
    error = "track_record.error[2020-06:mitigated:2020/21]"
    leaves = {str(leaf.cell) for leaf in lineage.inputs_of(error)}
    assert "earlier_forecasts.csv, row 2, column 'forecast': 500" in leaves
    assert any(leaf.startswith("high_needs_budget.csv") for leaf in leaves)


def test_three_scored_forecasts_that_missed_widely_widen_the_band(shipped_tables) -> None:
    rows = [(p, "mitigated", "2020/21", 400.0) for p in ("2019-06", "2019-10", "2020-06")]
    plain, _ = model_tables(shipped_tables, draws=200)
    merged, lineage = model_tables(
        dict(shipped_tables) | {"earlier_forecasts": _earlier(rows)}, draws=200
    )
    factor = lineage["track_record.widening"].value
    assert factor > 1  # missed by 43.75% each, more than the simulated band's half-width
    before = plain["uncertainty"].set_index(["scenario", "year"])
    after = merged["uncertainty"].set_index(["scenario", "year"])
    pd.testing.assert_series_equal(before["p50"], after["p50"])
    widths = (after["p90"] - after["p10"]).to_numpy()
    assert widths == pytest.approx(factor * (before["p90"] - before["p10"]).to_numpy())
    last = merged["uncertainty"]["year"].iloc[-1]
    assert "track record" in lineage[f"uncertainty.mitigated.p90[{last}]"].formula
    assert "track record" not in lineage[f"uncertainty.mitigated.p50[{last}]"].formula


def test_forecasts_within_the_band_leave_it_as_simulated(shipped_tables) -> None:
    rows = [(p, "mitigated", "2020/21", 570.0) for p in ("2019-06", "2019-10", "2020-06")]
    plain, _ = model_tables(shipped_tables, draws=200)
    merged, lineage = model_tables(
        dict(shipped_tables) | {"earlier_forecasts": _earlier(rows)}, draws=200
    )
    assert lineage["track_record.widening"].value == 1
    pd.testing.assert_frame_equal(plain["uncertainty"], merged["uncertainty"])


def test_a_forecast_of_a_later_paper_is_refused_with_its_row(shipped_tables) -> None:
    tables = dict(shipped_tables) | {
        "earlier_forecasts": _earlier([("2022-01", "mitigated", "2020/21", 500.0)])
    }
    with pytest.raises(InputDataError, match=r"row 2, column 'paper': found '2022-01'"):
        model_tables(tables, draws=50)


def test_outturn_years_are_those_ended_before_the_cycles_year() -> None:
    years = ["2020/21", "2021/22", "2022/23"]
    assert track_record.outturn_years(years, "2022/23") == ["2020/21", "2021/22"]
    assert track_record.outturn_years(years, "2020/21") == []


@given(
    st.floats(0.5, 3.0),
    st.lists(st.floats(1, 1e4), min_size=2, max_size=5),
)
def test_widening_keeps_the_middle_and_scales_the_band(factor: float, middles: list[float]) -> None:
    levels = pd.DataFrame(
        {
            "scenario": "mitigated",
            "year": [f"{2020 + i}/{(21 + i) % 100:02d}" for i in range(len(middles))],
            "p10": [m * 0.8 for m in middles],
            "p50": middles,
            "p90": [m * 1.3 for m in middles],
        }
    )
    out = track_record.widened(levels, factor)
    assert list(out["p50"]) == middles
    width = (out["p90"] - out["p10"]).to_numpy()
    assert width == pytest.approx(factor * (levels["p90"] - levels["p10"]).to_numpy())
