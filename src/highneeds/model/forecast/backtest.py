"""How well each way of forecasting EHC plans would have done: from each origin January, using
only the Januaries up to it, forecast every council's plans 1 to N years ahead with each
method, and score the forecasts against what followed.

Methods (each a growth rate a year, applied to the plans at the origin, ``p (1 + g)^h``):

- ``last_growth``: the council's own growth in the year to the origin;
- ``mean_growth``: the council's own average (geometric) growth over the last three years
  (fewer where the file has fewer);
- ``regional_growth``: its region's growth in the year to the origin;
- ``national_growth``: England's growth in the year to the origin;
- ``pooled``: the three pooled, each a third: the council's own average growth, its region's
  and England's last growth (a council's own growth is noisy; its region's and England's
  carry what councils have in common).

The method the tool uses (``chosen``) is the one with the lowest mean absolute percentage
error over the forecasts whose outcome was known at the origin (the file's history up to
it); where none was, ``pooled``. Each method's 80% interval comes from its own past errors:
the 10th and 90th percentile of ``ln(actual / forecast)`` over the forecasts at that horizon
known at the origin (at least :data:`MIN_ERRORS` of them); where there are fewer, from those
at horizon 1, widened by ``h ** 0.8`` (:data:`WIDENING`); where there are none at all, from
the spread of the councils' own last growth around England's, widened the same way.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd

METHODS = ("last_growth", "mean_growth", "regional_growth", "national_growth", "pooled")
DEFAULT_METHOD = "pooled"
#: The month a January's figures are published (January Y in June Y).
PUBLISHED_MONTH = 6
#: Years of growth the council's own average takes.
MEAN_YEARS = 3
#: Fewest past errors an interval is read from.
MIN_ERRORS = 20
#: How an interval widens with the horizon where there are no errors at that horizon yet:
#: the log interval at horizon 1 times ``h ** WIDENING`` (between a random walk's square
#: root and a wrong trend's straight line; 2 ** 0.8 = 1.74, where the shipped file's
#: pooled forecasts from January 2020 widened 1.5 to 1.8 times from one year to two).
WIDENING = 0.8
#: The interval's percentiles of past log errors.
LOW, HIGH = 10, 90
#: The interval in words, from its percentiles: what the paper calls it.
INTERVAL = f"{HIGH - LOW}% interval"


@dataclass(frozen=True)
class Caseload:
    """Plans each January (columns: the January's year, 2019 for January 2019) by council
    (index: the DfE's three-digit number), with each council's name and region, and the
    regions' and England's own totals."""

    councils: pd.DataFrame
    names: pd.Series
    regions: pd.Series
    regional: pd.DataFrame
    national: pd.Series

    @property
    def januaries(self) -> list[int]:
        return sorted(int(c) for c in self.councils.columns)


def published_by(january: int, year: int, month: int) -> bool:
    """Whether January ``january``'s figures were published by ``year``-``month``."""
    return (year, month) >= (january, PUBLISHED_MONTH)


def _growth(frame: pd.DataFrame | pd.Series, origin: int, years: int = 1) -> pd.Series | float:
    """Average (geometric) growth a year over the ``years`` to ``origin``; none (NaN) where a
    file has no figures for either January (a council's rows without its region's)."""
    columns = frame.columns if isinstance(frame, pd.DataFrame) else frame.index
    if origin not in columns or origin - years not in columns:
        return (
            pd.Series(float("nan"), index=frame.index)
            if isinstance(frame, pd.DataFrame)
            else float("nan")
        )
    return (frame[origin] / frame[origin - years]) ** (1 / years) - 1


def growth_rates(data: Caseload, origin: int) -> dict[str, pd.Series]:
    """Each method's growth a year for every council, from the Januaries up to ``origin``."""
    councils = data.councils
    available = [y for y in data.januaries if y <= origin]
    years = min(MEAN_YEARS, len(available) - 1)
    own_last = _growth(councils, origin)
    own_mean = _growth(councils, origin, years)
    region = data.regions.map(_growth(data.regional, origin)).astype(float)
    england = pd.Series(float(_growth(data.national, origin)), index=councils.index)
    return {
        "last_growth": own_last,
        "mean_growth": own_mean,
        "regional_growth": region,
        "national_growth": england,
        "pooled": (own_mean + region + england) / 3,
    }


@dataclass
class Forecast:
    """One council's forecast from one origin at one horizon by one method."""

    la: str
    la_name: str
    origin: int
    h: int
    method: str
    forecast: float
    low80: float
    high80: float
    actual: float | None


def point_forecasts(data: Caseload, origin: int, horizon: int) -> pd.DataFrame:
    """Every council's forecast by every method, horizons 1 to ``horizon``, in long form
    (``la``, ``origin``, ``h``, ``method``, ``forecast``, ``actual``); a council without
    the plans its method needs is left out."""
    if origin - 1 not in data.januaries or origin not in data.januaries:
        return pd.DataFrame(columns=["la", "origin", "h", "method", "forecast", "actual"])
    rates = growth_rates(data, origin)
    plans = data.councils[origin]
    rows = []
    for method, rate in rates.items():
        for h in range(1, horizon + 1):
            forecast = plans * (1 + rate) ** h
            actual = data.councils[origin + h] if origin + h in data.januaries else None
            frame = pd.DataFrame(
                {
                    "la": data.councils.index,
                    "origin": origin,
                    "h": h,
                    "method": method,
                    "forecast": forecast.to_numpy(dtype=float),
                    "actual": np.full(len(plans), np.nan)
                    if actual is None
                    else actual.to_numpy(dtype=float),
                }
            )
            rows.append(frame[np.isfinite(frame["forecast"])])
    return pd.concat(rows, ignore_index=True)


def _errors(known: pd.DataFrame, method: str, h: int) -> np.ndarray:
    rows = known[(known["method"] == method) & (known["h"] == h)]
    return np.log(rows["actual"] / rows["forecast"]).to_numpy(dtype=float)


def interval(
    known: pd.DataFrame, method: str, h: int, spread: np.ndarray
) -> tuple[float, float, str]:
    """The log interval (10th, 90th percentile) for ``method`` at ``h`` from the errors
    ``known`` at the origin, and how it was made (see the module's rule)."""
    errors = _errors(known, method, h)
    if len(errors) >= MIN_ERRORS:
        low, high = np.percentile(errors, [LOW, HIGH])
        return float(low), float(high), f"its {len(errors)} past errors at {h} year(s)"
    first = _errors(known, method, 1)
    scale = h**WIDENING
    if len(first) >= MIN_ERRORS:
        low, high = np.percentile(first, [LOW, HIGH])
        return (
            float(low) * scale,
            float(high) * scale,
            f"its {len(first)} past errors at 1 year, times {h}^{WIDENING}",
        )
    low, high = np.percentile(spread, [LOW, HIGH]) if len(spread) else (0.0, 0.0)
    return (
        float(low) * scale,
        float(high) * scale,
        f"no past errors: the spread of the councils' own last growth around England's, "
        f"times {h}^{WIDENING}",
    )


def backtest(
    data: Caseload, origins: list[int], horizon: int
) -> tuple[pd.DataFrame, dict[int, str], dict[tuple[int, str, int], str]]:
    """Every forecast from each origin, with its 80% interval from errors known at the
    origin; the method chosen at each origin; how each (origin, method, h) interval was made."""
    made = [point_forecasts(data, origin, horizon) for origin in data.januaries]
    every = pd.concat([frame for frame in made if not frame.empty], ignore_index=True)
    every[["forecast", "actual"]] = every[["forecast", "actual"]].astype(float)
    scored = every[every["actual"].notna()]
    out, chosen, rules = [], {}, {}
    for origin in origins:
        known = scored[(scored["origin"] + scored["h"]) <= origin]
        chosen[origin] = choose(known)
        ahead = every[every["origin"] == origin].copy()
        if ahead.empty:
            continue
        rates = growth_rates(data, origin)
        # With no past errors, how far councils' own growth strays from England's.
        spread = (
            (np.log1p(rates["last_growth"]) - np.log1p(rates["national_growth"]))
            .dropna()
            .to_numpy(dtype=float)
        )
        for method in METHODS:
            for h in range(1, horizon + 1):
                low, high, rule = interval(known, method, h, spread)
                rules[(origin, method, h)] = rule
                pick = (ahead["method"] == method) & (ahead["h"] == h)
                ahead.loc[pick, "low80"] = ahead.loc[pick, "forecast"] * np.exp(low)
                ahead.loc[pick, "high80"] = ahead.loc[pick, "forecast"] * np.exp(high)
        out.append(ahead)
    frame = pd.concat(out, ignore_index=True) if out else every.iloc[0:0]
    frame["la_name"] = frame["la"].map(data.names)
    return frame, chosen, rules


def choose(known: pd.DataFrame, methods: tuple[str, ...] = METHODS) -> str:
    """Of ``methods``, the one with the lowest mean absolute percentage error over ``known``
    (ties to the earlier of :data:`METHODS`), or :data:`DEFAULT_METHOD` (else the first of
    ``methods``) where nothing is known yet."""
    if known.empty:
        return DEFAULT_METHOD if DEFAULT_METHOD in methods else methods[0]
    ape = (known["forecast"] - known["actual"]).abs() / known["actual"]
    mape = ape.groupby(known["method"]).mean()
    return min(methods, key=lambda m: (mape.get(m, np.inf), METHODS.index(m)))


def chosen_method(data: Caseload, origin: int, methods: tuple[str, ...] = METHODS) -> str:
    """Of ``methods``, the one whose one-year forecasts known by ``origin`` erred least: the
    choice the backtest makes at ``origin``, among the methods a council has the figures for."""
    made = [point_forecasts(data, january, 1) for january in data.januaries]
    made = [frame for frame in made if not frame.empty]
    if not made:
        return choose(pd.DataFrame(), methods)
    every = pd.concat(made, ignore_index=True)
    every[["forecast", "actual"]] = every[["forecast", "actual"]].astype(float)
    known = every[every["actual"].notna() & ((every["origin"] + every["h"]) <= origin)]
    return choose(known, methods)


def scores(forecasts: pd.DataFrame) -> pd.DataFrame:
    """Each method's score at each horizon over the forecasts with an outcome, on the councils
    every method forecast: ``n``,
    ``mape`` and ``median_ape`` (percent), ``bias`` (mean of (forecast - actual) / actual,
    percent) and ``coverage80`` (percent of actuals inside the 80% interval)."""
    known = forecasts[forecasts["actual"].notna()]
    # Every method on the same councils: those each method could forecast.
    counts = known.groupby(["la", "origin", "h"])["method"].transform("nunique")
    known = known[counts == known["method"].nunique()]
    measures: dict[str, Callable[[pd.DataFrame], float]] = {
        "n": len,
        "mape": lambda g: 100 * float(((g.forecast - g.actual).abs() / g.actual).mean()),
        "median_ape": lambda g: 100 * float(((g.forecast - g.actual).abs() / g.actual).median()),
        "bias": lambda g: 100 * float(((g.forecast - g.actual) / g.actual).mean()),
        "coverage80": lambda g: (
            100 * float(((g.actual >= g.low80) & (g.actual <= g.high80)).mean())
        ),
    }
    rows = []
    for (method, h), group in known.groupby(["method", "h"], sort=False):
        rows.append({"method": method, "h": int(h)} | {k: f(group) for k, f in measures.items()})
    return pd.DataFrame(rows, columns=["method", "h", *measures])


def caseload(rows: pd.DataFrame) -> Caseload:
    """The caseload of the gate's typed SEN2 rows (``january``, ``level``, ``la``,
    ``la_name``, ``region``, ``plans``): councils, regions and England."""
    rows = rows[rows["plans"].notna()]  # a figure not collected is none: never a 0
    councils = rows[rows["level"] == "Local authority"]
    regional = rows[rows["level"] == "Regional"]
    national = rows[rows["level"] == "National"]
    latest = councils.sort_values("january").drop_duplicates("la", keep="last").set_index("la")
    return Caseload(
        councils.pivot_table(index="la", columns="january", values="plans", aggfunc="sum"),
        latest["la_name"],
        latest["region"],
        regional.pivot_table(index="region", columns="january", values="plans", aggfunc="sum"),
        national.groupby("january")["plans"].sum(),
    )
