"""``backtest --sen2 FILE``: score every forecasting method on the DfE's EHC plans file, from
each origin January (or one), at horizons 1 to N, and say which the tool would use."""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from highneeds.common.errors import UsageError


@dataclass
class BacktestReport:
    """The scores of each method by horizon, the forecasts, the chosen method and how its
    intervals were made."""

    origins: list[int]
    chosen: str
    scores: Any  # pandas.DataFrame
    forecasts: Any  # pandas.DataFrame
    rules: dict[tuple[int, str, int], str]
    seconds: float

    def as_json(self) -> str:
        methods = []
        for name in self.scores["method"].drop_duplicates():
            rows = self.scores[self.scores["method"] == name]
            methods.append(
                {
                    "name": str(name),
                    "chosen": name == self.chosen,
                    "horizons": [
                        {
                            "h": int(r.h),
                            "mape": _number(r.mape),
                            "median_ape": _number(r.median_ape),
                            "bias": _number(r.bias),
                            "coverage80": _number(r.coverage80),
                            "n": int(r.n),
                        }
                        for r in rows.itertuples(index=False)
                    ],
                }
            )
        forecasts = [
            {
                "la": str(r.la),
                "la_name": str(r.la_name),
                "origin": int(r.origin),
                "h": int(r.h),
                "method": str(r.method),
                "forecast": _number(r.forecast),
                "low80": _number(r.low80),
                "high80": _number(r.high80),
                "actual": _number(r.actual),
            }
            for r in self.forecasts.itertuples(index=False)
        ]
        return json.dumps({"methods": methods, "forecasts": forecasts}, indent=1)

    def as_csv(self) -> str:
        columns = ["la", "la_name", "origin", "h", "method", "forecast", "low80", "high80"]
        return self.forecasts[[*columns, "actual"]].to_csv(index=False, lineterminator="\n")

    def as_text(self) -> str:
        origins = ", ".join(f"January {o}" for o in self.origins)
        lines = [
            f"Backtest of EHC plan forecasts from {origins} ({self.seconds:.2f} s); each "
            "figure in percent over the councils with an outcome in the file:",
            "",
            f"{'method':<17}{'h':>3}{'n':>6}{'MAPE':>8}{'median':>8}{'bias':>8}{'in 80%':>8}",
        ]
        for r in self.scores.itertuples(index=False):
            mark = " (chosen)" if r.method == self.chosen else ""
            lines.append(
                f"{r.method:<17}{r.h:>3}{r.n:>6}{r.mape:>8.2f}{r.median_ape:>8.2f}"
                f"{r.bias:>8.2f}{r.coverage80:>8.1f}{mark}"
            )
        if self.scores.empty:
            lines.append("(no forecast has an outcome in the file yet)")
        from highneeds.model.forecast.backtest import INTERVAL  # pandas: only when asked

        last = self.origins[-1]
        lines += ["", f"The chosen method, {self.chosen}: its {INTERVAL}s from January {last}:"]
        lines += [
            f"  {h} year(s) ahead: {rule}"
            for (origin, method, h), rule in sorted(self.rules.items())
            if origin == last and method == self.chosen
        ]
        return "\n".join(lines)


def _number(value: Any) -> float | None:
    number = float(value)
    return None if math.isnan(number) else round(number, 4)


def run_backtest(path: Path, origin: int | None, horizon: int) -> BacktestReport:
    """Read the DfE file, forecast from each origin (or ``origin``), score, choose."""
    import time

    from highneeds.gate.tables.sen2 import read_sen2
    from highneeds.model.forecast.backtest import backtest, caseload, scores

    started = time.perf_counter()
    if not 1 <= horizon <= 10:
        raise UsageError(f"--horizon is {horizon}; it must be from 1 to 10 years")
    data = caseload(read_sen2(path))
    januaries = data.januaries
    possible = januaries[1:]  # an origin needs the January before it for a growth rate
    if origin is not None and origin not in possible:
        raise UsageError(
            f"--origin {origin}: the file's Januaries are {', '.join(map(str, januaries))}; an "
            f"origin needs the January before it: one of {', '.join(map(str, possible))}"
        )
    origins = [origin] if origin is not None else possible
    if not origins:
        raise UsageError(f"{path.name}: one January only; a forecast needs two")
    forecasts, chosen, rules = backtest(data, origins, horizon)
    return BacktestReport(
        origins,
        chosen[origins[-1]],
        scores(forecasts),
        forecasts,
        rules,
        time.perf_counter() - started,
    )
