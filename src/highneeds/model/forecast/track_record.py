"""The council's track record: each earlier paper's forecast of a year's deficit set against
the outturn this cycle's budget table gives for it, and the error, each traced.

The forecasts come from ``earlier_forecasts.csv``: rows an author typed from papers published
before the tool, and the rows a run adds from the council's papers the tool published (their
lineage). A year of this cycle's table is an outturn when it ended before the cycle's
financial year began: in a paper for January 2023 (2022/23), 2021/22 and earlier are outturn.

Once three or more forecasts are scored, the council's own errors may widen the simulations'
10-90% band: when the 80th percentile of the errors' size (relative to the forecast) is more
than the band's half-width relative to its middle, the band is widened about its middle by
their ratio. The paper says whether it was, and by how much.
"""

from __future__ import annotations

import calendar
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

import numpy as np
import pandas as pd

from highneeds.common.errors import InputDataError
from highneeds.domain.traced import Cell, Traced, cell, described
from highneeds.model.basis.inputs import source_of
from highneeds.model.forecast.deficit import financial_year_of

_WHERE = "02_deficit_model.ipynb: The council's track record"
#: What each forecast figure is, in the paper's words.
FIGURES = {
    "unmitigated": "Deficit carried forward, no interventions",
    "mitigated": "Deficit carried forward, with the Recovery Plan",
}
#: The scored forecasts the council needs before its own errors may widen the band.
MINIMUM_SCORED = 3
#: The forecast whose errors may widen the band: the one the simulations' band is drawn around.
WIDENED_BY = "mitigated"


@dataclass(frozen=True)
class Score:
    """One earlier forecast of a year set against that year's outturn."""

    paper: str
    figure: str
    year: str
    horizon: int
    forecast: Traced
    outturn: Traced
    error: Traced
    relative: Traced


def outturn_years(years: list[str], current_year: str) -> list[str]:
    """The years of this cycle's table that had ended before its financial year began."""
    return [year for year in years if year < current_year]


def _year_gap(first: str, last: str) -> int:
    return int(last[:4]) - int(first[:4])


def score_forecasts(
    rows: pd.DataFrame | None,
    cycle: str,
    current_year: str,
    outturns: Mapping[str, Traced],
) -> list[Score]:
    """Each earlier forecast (``rows``: the typed ``earlier_forecasts`` table) of a year this
    cycle gives the outturn of (``outturns``: the carried-forward deficit by year, £000),
    oldest paper first. A row of a paper not before this cycle is refused."""
    if rows is None or rows.empty:
        return []
    file = source_of(rows, "earlier_forecasts.csv")
    later = rows[rows["paper"].astype(str) >= cycle]
    if not later.empty:
        rec = later.iloc[0]
        raise InputDataError(
            f"{file}, row {int(rec['row'])}, column 'paper': found {rec['paper']!r}; expected "
            f"a cycle before {cycle} (a forecast is scored against a later cycle's outturn)"
        )
    scores = []
    for rec in rows.sort_values(["paper", "figure", "year"]).itertuples(index=False):
        year, paper = str(rec.year), str(rec.paper)
        if year not in outturns:
            continue
        paper_year = financial_year_of(paper)
        if year < paper_year:  # the paper's own outturn: nothing it forecast
            continue
        forecast = cell(
            float(rec.forecast),
            Cell(file, int(rec.row), "forecast", f"{float(rec.forecast):g}"),
            f"the paper of {paper}'s forecast for {year} ({rec.source})",
            role=f"forecast of {paper}",
        )
        where = f"{paper}:{rec.figure}:{year}"
        outturn = outturns[year]
        error = (outturn - forecast).named(
            f"track_record.error[{where}]",
            f"Outturn less the paper of {paper}'s forecast, {year}",
            computed_in=_WHERE,
        )
        relative = described(
            float(error) / abs(float(forecast)) if float(forecast) else float("nan"),
            f"track_record.relative[{where}]",
            f"The error as a share of the paper of {paper}'s forecast, {year}",
            "(outturn - forecast) / |forecast|",
            [error, forecast],
            _WHERE,
        )
        scores.append(
            Score(
                paper,
                str(rec.figure),
                year,
                _year_gap(paper_year, year),
                forecast.named(
                    f"track_record.forecast[{where}]",
                    f"The paper of {paper}'s forecast for {year}: {FIGURES[str(rec.figure)]}",
                ),
                outturn,
                error,
                relative,
            )
        )
    return scores


def widening(scores: list[Score], band: tuple[float, float, float]) -> Traced | None:
    """How much the council's own errors widen the simulations' 10-90% band (``band``: the
    final year's 10th, 50th and 90th percentile, with the Recovery Plan): ``None`` with fewer
    than :data:`MINIMUM_SCORED` scored forecasts; 1 where the band is already as wide."""
    own = [s for s in scores if s.figure == WIDENED_BY and np.isfinite(float(s.relative))]
    if len(own) < MINIMUM_SCORED:
        return None
    low, middle, high = band
    size = float(np.quantile([abs(float(s.relative)) for s in own], 0.8))
    half = (high - low) / 2 / abs(middle) if middle else float("inf")
    factor = max(1.0, size / half) if half > 0 else 1.0
    return described(
        factor,
        "track_record.widening",
        "How much the council's own forecast errors widen the simulations' 10-90% band",
        f"the larger of 1 and the 80th percentile of the size of the council's {len(own)} "
        f"scored forecasts' errors with the Recovery Plan ({size:.1%} of the forecast) over "
        f"the band's half-width relative to its middle ({half:.1%})",
        [s.relative for s in own],
        _WHERE,
    )


def widened(levels: pd.DataFrame, factor: float) -> pd.DataFrame:
    """The simulations' percentiles with the 10-90% band widened about its middle by
    ``factor`` (every year, both scenarios); the middle stays."""
    out = levels.copy()
    for column in ("p10", "p90"):
        out[column] = out["p50"] + (out[column] - out["p50"]) * factor
    return out


def figures(scores: list[Score]) -> list[Traced]:
    """Every scored forecast's figures, for the lineage."""
    return [f for s in scores for f in (s.forecast, s.error, s.relative)]


def frame(scores: list[Score], widening: Traced | None = None) -> pd.DataFrame | None:
    """The track record as the paper's table reads it, oldest paper first; ``widening`` (the
    band's factor, blank with too few scored forecasts) on every row."""
    if not scores:
        return None
    factor = None if widening is None else float(widening)
    return pd.DataFrame(
        [
            {
                "paper": s.paper,
                "figure": s.figure,
                "year": s.year,
                "horizon": s.horizon,
                "forecast": float(s.forecast),
                "outturn": float(s.outturn),
                "outturn_key": s.outturn.key,
                "label": f"{paper_name(s.paper)[4:]}: {_first_lower(FIGURES[s.figure])}, {s.year}",
                "error": float(s.error),
                "relative": float(s.relative),
                "widening": factor,
            }
            for s in scores
        ]
    )


def outturns(
    years: list[str],
    current_year: str,
    given: Mapping[str, Traced | None],
    rolled: Mapping[str, Traced],
) -> dict[str, Traced]:
    """Each outturn year's deficit carried forward: the table's C/Fwd where it gives one, else
    the roll-forward's."""
    return {year: given.get(year) or rolled[year] for year in outturn_years(years, current_year)}


def widen_levels(
    scores: list[Score], levels: pd.DataFrame, last: str
) -> tuple[pd.DataFrame, Traced | None]:
    """The simulations' percentiles, widened where the council's track record says
    (:func:`widening`), and the factor (``None`` with too few scored forecasts)."""
    final = levels[(levels["scenario"] == WIDENED_BY) & (levels["year"] == last)]
    if final.empty:
        return levels, None
    row = final.iloc[0]
    factor = widening(scores, (float(row["p10"]), float(row["p50"]), float(row["p90"])))
    if factor is None or float(factor) <= 1:
        return levels, factor
    return widened(levels, float(factor)), factor


NONE_YET = (
    "No earlier paper's forecast of a year now past is on record yet (the forecasts of the "
    "council's published papers, and any typed in earlier_forecasts.csv, are scored once a "
    "later cycle gives the year's outturn)"
)


def paper_name(cycle: str) -> str:
    """An earlier paper as a reader knows it: the cycle ``2022-01`` is the January 2022 paper."""
    year, month = cycle.split("-")
    return f"the {calendar.month_name[int(month)]} {year} paper"


def _k(value: float) -> str:
    rounded = Decimal(str(value)).quantize(Decimal(1), ROUND_HALF_UP)
    return f"{'-' if rounded < 0 else ''}£{abs(rounded):,}k"


def _pct(fraction: float) -> str:
    return f"{Decimal(str(fraction * 100)).quantize(Decimal('0.1'), ROUND_HALF_UP)}%"


def _first_lower(text: str) -> str:
    return text[:1].lower() + text[1:]


def record_words(scores: list[Score]) -> str:
    """What the earlier papers' forecasts with the Recovery Plan (else without) came to."""
    if not scores:
        return NONE_YET
    own = [s for s in scores if s.figure == WIDENED_BY] or scores
    count, papers = len(own), sorted({s.paper for s in own})
    below = sum(float(s.error) > 0 for s in own)
    mean = float(np.mean([abs(float(s.relative)) for s in own]))
    latest = own[-1]
    gap = float(latest.error)
    outcome = (
        "matched the outturn"
        if abs(gap) < 0.5
        else f"was {_k(abs(gap))} {'below' if gap > 0 else 'above'} the outturn"
    )
    many = "s" if count != 1 else ""
    return (
        f"Earlier papers' forecasts can now be set against the outturn: {count} forecast{many} "
        f"of the {_first_lower(FIGURES[latest.figure])} in {len(papers)} earlier "
        f"paper{'s' if len(papers) != 1 else ''}, {below} of {count} below it, missing by "
        f"{_pct(mean)} on average; the latest, {paper_name(latest.paper)}'s "
        f"{_k(float(latest.forecast))} for {latest.year}, {outcome} of "
        f"{_k(float(latest.outturn))}"
    )


def widening_words(scores: list[Score], widening: Traced | None) -> str:
    """Whether, and by how much, the council's own errors widened the simulations' band."""
    scored = len([s for s in scores if s.figure == WIDENED_BY])
    if widening is None:
        return (
            f"with {scored} scored forecast{'s' if scored != 1 else ''} with the Recovery Plan "
            f"(fewer than {MINIMUM_SCORED}), the council's track record does not change the "
            "simulations' 10-90% band"
        )
    if float(widening) <= 1:
        return (
            f"the council's {scored} scored forecasts missed by no more than the simulations' "
            "10-90% band allows: the band is as simulated"
        )
    return (
        f"the council's {scored} scored forecasts missed by more than the simulations' 10-90% "
        f"band allows, so the band is widened about its middle by {float(widening):.2f} times"
    )


def words(scores: list[Score], widening: Traced | None, current_year: Traced) -> list[Traced]:
    """The track record in words, traced to the figures they say and to the cycle's year
    (which decides the years that are outturn)."""
    behind = [current_year, *(f for s in scores for f in (s.forecast, s.error, s.relative))]
    return [
        described(
            record_words(scores),
            "track_record.summary",
            "What the earlier papers' forecasts came to against the outturn, in words",
            "the count of scored forecasts with the Recovery Plan (else without), how many were "
            "below the outturn, their mean relative error's size, and the latest's forecast, "
            "error and outturn",
            behind,
            _WHERE,
        ),
        described(
            widening_words(scores, widening),
            "track_record.band",
            "Whether the council's track record widened the simulations' band, in words",
            f"with fewer than {MINIMUM_SCORED} scored forecasts with the Recovery Plan, no "
            "change; else the factor track_record.widening (docs/assumptions.md, item 14)",
            [widening] if widening is not None else behind,
            _WHERE,
        ),
    ]


def words_frame(said: list[Traced], scores: list[Score], widening: Traced | None) -> pd.DataFrame:
    """The words and counts as the paper reads them (one row, in every cycle)."""
    return pd.DataFrame(
        [
            {
                "summary": str(said[0].value),
                "band": str(said[1].value),
                "scored": len(scores),
                "widening": None if widening is None else float(widening),
            }
        ]
    )
