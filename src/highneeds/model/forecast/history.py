"""The council's EHC plans as the DfE published them (SEN2), beside the forecast: plans each
January published before the meeting, growth each year for the council, its region and
England; the growth the backtest's chosen method gives for the years ahead; and, at the
forecast's cost per plan, the deficit if plans grew at that rate instead.

Every figure is traced to the DfE file's rows: ``history.plans[2021]`` is the cell of the
council's row for January 2021, column ``ehcplans``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import pandas as pd

from highneeds.domain.traced import Cell, Traced, cell, constant, described
from highneeds.model.basis.inputs import source_of
from highneeds.model.basis.ranges import AssumptionRange
from highneeds.model.forecast.backtest import (
    INTERVAL,
    METHODS,
    Caseload,
    backtest,
    caseload,
    chosen_method,
    growth_rates,
    published_by,
)
from highneeds.model.forecast.deficit import Deficit, scenario
from highneeds.model.forecast.demand import DemandForecast, plans_forecast

_WHERE = "02_deficit_model.ipynb: The DfE's history of EHC plans"
#: How each method is said in the paper.
METHOD_WORDS = {
    "last_growth": "the council's own growth in the last year",
    "mean_growth": "the council's own average growth over the last three years",
    "regional_growth": "its region's growth in the last year",
    "national_growth": "England's growth in the last year",
    "pooled": "a third each of the council's own average growth, its region's and England's",
}
SCENARIO = "history_growth"
SCENARIO_LABEL = "No interventions, if plans grew as the DfE's history suggests"


@dataclass
class History:
    """The council's history and what it suggests, traced."""

    januaries: list[int]
    council: str
    region: str
    plans: dict[int, Traced]
    growth: dict[int, Traced]
    region_growth: dict[int, Traced]
    england_growth: dict[int, Traced]
    method: str
    growth_ahead: Traced
    deficit: Deficit | None = None
    #: The 80% interval of a year's growth (fractions): the chosen method's one-year forecast
    #: with its own past errors (``history.growth_low80``, ``history.growth_high80``).
    interval: tuple[Traced, Traced] | None = None

    #: The council's and region's names, the method in words and how the forecast's growth
    #: compares with the history's, as figures the paper's words trace to.
    words: list[Traced] = field(default_factory=list)

    def figures(self) -> list[Traced]:
        out = [*self.plans.values(), *self.growth.values()]
        out += [*self.region_growth.values(), *self.england_growth.values(), self.growth_ahead]
        out += self.words + ([] if self.interval is None else list(self.interval))
        return out + ([] if self.deficit is None else self.deficit.figures())

    def growth_range(self, central: float) -> AssumptionRange | None:
        """EHCP growth's range from the history: the 80% interval of a year's growth, the
        draws peaking at the growth the history suggests; ``central`` is the forecast's own
        growth (a fraction), which may lie anywhere, even outside the interval."""
        if self.interval is None:
            return None
        low, high = (float(end) for end in self.interval)
        if not low < high:
            return None
        peak = min(max(float(self.growth_ahead), low), high)
        first, last = self.januaries[0], self.januaries[-1]
        return AssumptionRange(
            "ehcp_growth",
            low,
            central,
            high,
            f"the {INTERVAL} of a year's growth by the backtest's chosen method "
            f"({self.method}), from its own past errors",
            f"the DfE's published EHC plans (SEN2), January {first} to {last}",
            evidence="history",
            mode=peak,
        )

    def word(self, name: str) -> str:
        """One of :attr:`words` by its name (``history.comparison``), as text."""
        return next((str(w.value) for w in self.words if w.key == f"history.{name}"), "")

    def frame(self) -> pd.DataFrame:
        """Plans and growth by January: the council's, its region's and England's growth."""
        return pd.DataFrame(
            {
                "january": self.januaries,
                "plans": [float(self.plans[j]) for j in self.januaries],
                "growth": [_value(self.growth.get(j)) for j in self.januaries],
                "region_growth": [_value(self.region_growth.get(j)) for j in self.januaries],
                "england_growth": [_value(self.england_growth.get(j)) for j in self.januaries],
            }
        )

    def basis(self, forecast_growth: float | None) -> pd.DataFrame:
        """One row: the council, its region, the method and its growth, and the forecast's."""
        return pd.DataFrame(
            [
                {
                    "la_name": self.council,
                    "region": self.region,
                    "method": self.word("method"),
                    "comparison": self.word("comparison"),
                    "growth_ahead": float(self.growth_ahead),
                    "forecast_growth": forecast_growth,
                }
            ]
        )


def comparison_words(growths: list[float], forecast_growth: float) -> str:
    """How the forecast's growth a year (percent) compares with the council's growth in each
    year of its history (fractions): slower than in any, faster than in any, or within."""
    shown = [100 * g for g in growths]
    low, high = min(shown), max(shown)
    count = len(shown)
    last = "the last year" if count == 1 else f"the last {count} years"
    span = f"{low:.1f}%" if count == 1 else f"{low:.1f}% to {high:.1f}%"
    if forecast_growth < low:
        return f"the forecast assumes slower growth than in any of {last} ({span})"
    if forecast_growth > high:
        return f"the forecast assumes faster growth than in any of {last} ({span})"
    return f"the forecast assumes growth within the range of {last} ({span})"


def _value(figure: Traced | None) -> float:
    return float("nan") if figure is None else float(figure)


def published(rows: pd.DataFrame, cycle: str) -> pd.DataFrame:
    """The rows of the Januaries published before the cycle's month (January Y in June Y)."""
    year, month = (int(part) for part in cycle.split("-"))
    known = [
        january
        for january in sorted(set(rows["january"]))
        if published_by(int(january), year, month)
    ]
    return rows[rows["january"].isin(known)]


def _cells(rows: pd.DataFrame, file: str, name: str, label: str) -> dict[int, Traced]:
    """Each January's plans of ``rows`` (one a January) as the DfE file's cells."""
    out = {}
    for rec in rows.sort_values("january").itertuples(index=False):
        if pd.isna(rec.plans):
            continue
        january = int(rec.january)
        text = f"{rec.plans:g}"
        where = Cell(file, int(rec.row), "ehcplans", text)
        out[january] = cell(float(rec.plans), where, f"{label}, January {january}").named(
            f"history.{name}[{january}]", f"EHC plans of {label}, January {january}"
        )
    return out


def _growth(plans: dict[int, Traced], name: str, label: str) -> dict[int, Traced]:
    """Growth in each year to January from the January before: plans / plans before - 1."""
    return {
        january: (plans[january] / plans[january - 1] - constant(1)).named(
            f"history.{name}[{january}]",
            f"Growth of {label}'s EHC plans in the year to January {january}",
            role="growth",
            computed_in=_WHERE,
        )
        for january in plans
        if january - 1 in plans
    }


def council_history(rows: pd.DataFrame | None, cycle: str) -> History | None:
    """The council's history from the gate's typed SEN2 rows (``own`` marks the council's),
    the Januaries published before the cycle's month only; ``None`` without the file."""
    if rows is None or rows.empty:
        return None
    file = source_of(rows, "sen2_caseload.csv")
    rows = published(rows, cycle)
    own = rows[rows["own"].astype(str).str.lower() == "true"]
    if own.empty:
        return None
    council, region = str(own["la_name"].iloc[-1]), str(own["region"].iloc[-1])
    regional = rows[(rows["level"] == "Regional") & (rows["region"] == region)]
    england = rows[rows["level"] == "National"]
    plans = _cells(own, file, "plans", council)
    region_plans = _cells(regional, file, "region_plans", region)
    england_plans = _cells(england, file, "england_plans", "England")
    if len(plans) < 2:  # no growth to show with fewer than two Januaries of the council's
        return None
    data = caseload(rows)
    la, last = str(own["la"].iloc[-1]), max(plans)
    rates = {m: float(r.get(la, float("nan"))) for m, r in growth_rates(data, last).items()}
    usable = tuple(m for m in METHODS if math.isfinite(rates[m]))
    if not usable:  # no growth of the council's, its region's or England's to January `last`
        return None
    method = chosen_method(data, last, usable)
    rate = rates[method]
    among = (
        ""
        if usable == METHODS
        else f"; of the methods the file has the figures for ({', '.join(usable)})"
    )
    used = [*plans.values(), *region_plans.values(), *england_plans.values()]
    growth_ahead = described(
        rate,
        "history.growth_ahead",
        "Growth a year of EHC plans the DfE's history suggests",
        f"the backtest's chosen method at January {last}, {method}: {METHOD_WORDS[method]} "
        f"(its forecasts scored best on the councils' published history{among}; "
        "docs/assumptions.md)",
        used,
        _WHERE,
    )
    named = own.iloc[-1]
    where = Cell(file, int(named["row"]), "la_name", council)
    council_cell = cell(council, where, "the council's name").named(
        "history.council", "The council, as the DfE names it"
    )
    region_cell = cell(region, Cell(file, int(named["row"]), "region_name", region), "its region")
    told = History(
        sorted(plans),
        council,
        region,
        plans,
        _growth(plans, "growth", council),
        _growth(region_plans, "region_growth", region),
        _growth(england_plans, "england_growth", "England"),
        method,
        growth_ahead,
    )
    told.interval = _interval(data, la, last, method, plans[last], growth_ahead)
    told.words = [
        council_cell,
        region_cell.named("history.region", "The council's region, as the DfE names it"),
        described(
            METHOD_WORDS[method],
            "history.method",
            "The method whose growth the history suggests, in words",
            f"the backtest's chosen method at January {last}: {method}",
            [growth_ahead],
            _WHERE,
        ),
    ]
    return told


def _interval(
    data: Caseload, la: str, last: int, method: str, plans: Traced, growth_ahead: Traced
) -> tuple[Traced, Traced] | None:
    """The 80% interval of the council's growth in the year after January ``last``: the
    chosen method's one-year forecast, its interval from the method's own past errors (or
    the backtest's stated rule where there are too few), as growth on the plans now."""
    frame, _, rules = backtest(data, [last], 1)
    pick = frame[(frame["la"] == la) & (frame["method"] == method) & (frame["h"] == 1)]
    if pick.empty:
        return None
    how = rules[(last, method, 1)]
    ends = []
    for column, end in (("low80", "low"), ("high80", "high")):
        growth = float(pick[column].iloc[0]) / float(plans) - 1
        ends.append(
            described(
                growth,
                f"history.growth_{column}",
                f"The {end} end of the {INTERVAL} of a year's growth in EHC plans",
                f"the {end} end of the {INTERVAL} of {method}'s forecast for January "
                f"{last + 1}, as growth on January {last}'s plans; the interval from {how}",
                [growth_ahead, plans],
                _WHERE,
            )
        )
    return ends[0], ends[1]


def compared(history: History, forecast_growth: Traced | None) -> History:
    """The history with the words comparing the forecast's growth (percent) with it."""
    if forecast_growth is None or not history.growth:
        return history
    growths = list(history.growth.values())
    history.words.append(
        described(
            comparison_words([float(g) for g in growths], float(forecast_growth)),
            "history.comparison",
            "How the forecast's growth compares with the council's history",
            "the forecast's growth a year against the lowest and highest of the council's "
            "growth in each year of the DfE's history",
            [*growths, forecast_growth],
            _WHERE,
        )
    )
    return history


def with_history_deficit(
    history: History, forecast: DemandForecast, roll: Deficit, current_year: Traced
) -> History:
    """The deficit with no interventions if plans grew from the forecast's plans now at the
    history's rate, each year's extra plans at the forecast's own cost per plan."""
    factor = (1 + history.growth_ahead.as_role("growth")).named(
        "factor.history_growth", "1 + growth a year the DfE's history suggests"
    )
    plans = plans_forecast(
        forecast.plans[forecast.years[0]], forecast.years, factor, "plans_at_history_growth"
    )
    adjustments: dict[str, list[Traced]] = {}
    for year in roll.years:
        key = f"{SCENARIO}.extra_cost[{year}]"
        if year in forecast.years:
            extra = ((plans[year] - forecast.plans[year]) * forecast.cost_per_plan[year]).named(
                key, f"Extra placement costs {year} at the history's growth", computed_in=_WHERE
            )
        else:
            extra = described(
                0.0,
                key,
                f"Extra placement costs {year}",
                "0: before the forecast's base year",
                [current_year],
            )
        adjustments[year] = [extra]
    history.deficit = scenario(SCENARIO, roll, adjustments, SCENARIO_LABEL, shown=False)
    return history


__all__ = [
    "METHODS",
    "History",
    "compared",
    "council_history",
    "published",
    "with_history_deficit",
]
