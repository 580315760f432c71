"""The backtest of EHC plan forecasts: each method's arithmetic, the choice from the history
up to the origin only, intervals from past errors (or the stated rule), and scores on the same
councils for every method; on the DfE's own file, the pooled method beats a council's own
growth."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pandas as pd
import pytest

from highneeds.gate.tables.sen2 import read_sen2
from highneeds.model.forecast.backtest import (
    DEFAULT_METHOD,
    WIDENING,
    backtest,
    caseload,
    choose,
    growth_rates,
    published_by,
    scores,
)
from tests.conftest import run_pipeline

SEN2 = Path(__file__).parents[2] / "fixtures" / "sen2" / "ehcp-caseload-2019-2022.csv"


def _rows(plans: dict[str, list[float]], regions: dict[str, str]) -> pd.DataFrame:
    """Typed SEN2 rows for councils with these plans in January 2019, 2020, ...; their
    regions and England are the councils added up."""
    rows = []
    for la, series in plans.items():
        for index, value in enumerate(series):
            rows.append(("Local authority", la, f"Council {la}", regions[la], 2019 + index, value))
    frame = pd.DataFrame(rows, columns=["level", "la", "la_name", "region", "january", "plans"])
    region = frame.groupby(["region", "january"], as_index=False)["plans"].sum()
    england = frame.groupby("january", as_index=False)["plans"].sum()
    return pd.concat(
        [
            frame,
            region.assign(level="Regional", la="", la_name=""),
            england.assign(level="National", la="", la_name="", region=""),
        ],
        ignore_index=True,
    )


def test_each_method_grows_the_plans_at_its_rate() -> None:
    data = caseload(_rows({"1": [100, 110, 121], "2": [100, 100, 100]}, {"1": "A", "2": "B"}))
    rates = growth_rates(data, 2021)
    assert rates["last_growth"]["1"] == pytest.approx(0.10)
    assert rates["mean_growth"]["1"] == pytest.approx(0.10)
    assert rates["regional_growth"]["2"] == pytest.approx(0.0)
    england = 221 / 210 - 1
    assert rates["national_growth"]["2"] == pytest.approx(england)
    assert rates["pooled"]["1"] == pytest.approx((0.10 + 0.10 + england) / 3)
    forecasts, chosen, _ = backtest(data, [2021], 2)
    one = forecasts[(forecasts["la"] == "1") & (forecasts["method"] == "last_growth")]
    assert one.set_index("h")["forecast"].to_dict() == pytest.approx({1: 133.1, 2: 146.41})
    assert chosen == {2021: "last_growth"}  # its forecasts from 2020 were exact


def test_the_choice_sees_only_what_was_known_at_the_origin() -> None:
    known = pd.DataFrame(columns=["method", "forecast", "actual"])
    assert choose(known) == DEFAULT_METHOD
    # Council 1 grows 10% a year for good; council 2 jumps: from 2020 its own growth misleads.
    data = caseload(
        _rows({"1": [100, 110, 121, 133.1], "2": [100, 150, 150, 150]}, {"1": "A", "2": "A"})
    )
    _, chosen, _ = backtest(data, [2020, 2021], 1)
    assert chosen[2020] == DEFAULT_METHOD  # nothing scored by January 2020
    assert chosen[2021] != "last_growth"  # 2020's own-growth forecast for council 2 failed


def test_an_interval_comes_from_past_errors_or_the_stated_rule() -> None:
    plans = {str(n): [100, 100 + n, 100 + 2 * n] for n in range(30)}
    data = caseload(_rows(plans, dict.fromkeys(plans, "A")))
    _, _, rules = backtest(data, [2020, 2021], 2)
    assert rules[(2020, "pooled", 1)].startswith("no past errors")
    assert rules[(2021, "pooled", 1)] == "its 30 past errors at 1 year(s)"
    assert rules[(2021, "pooled", 2)] == f"its 30 past errors at 1 year, times 2^{WIDENING}"


def test_scores_are_on_the_same_councils_for_every_method() -> None:
    rows = _rows({"1": [100, 110, 120], "2": [math.nan, 100, 105]}, {"1": "A", "2": "A"})
    forecasts, _, _ = backtest(caseload(rows), [2020], 1)
    # Council 2 has no own growth by January 2020: no method is scored on it.
    assert set(scores(forecasts)["n"]) == {1}


def test_a_january_is_used_only_once_published() -> None:
    assert published_by(2021, 2022, 1)  # January 2021, published June 2021
    assert not published_by(2022, 2022, 1)  # January 2022, published June 2022
    assert published_by(2022, 2022, 6)


def test_on_the_dfes_file_the_pooled_method_beats_a_councils_own_growth() -> None:
    data = caseload(read_sen2(SEN2))
    assert data.januaries == [2019, 2020, 2021, 2022]
    assert data.councils.loc["857"].tolist() == [197, 222, 261, 279]  # Rutland
    forecasts, chosen, _ = backtest(data, [2020], 2)
    table = scores(forecasts).set_index(["method", "h"])
    assert chosen[2020] == "pooled"
    for h in (1, 2):
        own = min(table.loc[("last_growth", h), "mape"], table.loc[("mean_growth", h), "mape"])
        assert table.loc[("pooled", h), "mape"] < own
        assert 70 <= table.loc[("pooled", h), "coverage80"] <= 92


def test_the_command_scores_every_council_as_json(project_root: Path) -> None:
    result = run_pipeline(
        project_root,
        "--sen2",
        str(SEN2),
        "--origin",
        "2020",
        "--horizon",
        "2",
        "--format",
        "json",
        command="backtest",
    )
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    chosen = [m for m in report["methods"] if m["chosen"]]
    assert [m["name"] for m in chosen] == ["pooled"]
    assert {h["h"] for h in chosen[0]["horizons"]} == {1, 2}
    assert set(report["forecasts"][0]) == {
        "la",
        "la_name",
        "origin",
        "h",
        "method",
        "forecast",
        "low80",
        "high80",
        "actual",
    }
    assert len({f["la"] for f in report["forecasts"]}) >= 150


def test_an_origin_the_file_cannot_forecast_from_is_a_usage_error(project_root: Path) -> None:
    result = run_pipeline(project_root, "--sen2", str(SEN2), "--origin", "2019", command="backtest")
    assert result.returncode == 2
    assert "an origin needs the January before it" in result.stderr
