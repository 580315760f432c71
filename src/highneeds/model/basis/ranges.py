"""The ranges of the assumptions the forecast rests on: what each is called, how the simulations
draw it, where its range comes from and what it rests on, and the cycle's own ranges
(``assumption_ranges.csv``) in place of the evidence's or the defaults
(:func:`highneeds.model.certainty.sensitivity.default_ranges`)."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

import numpy as np
import pandas as pd

from highneeds.common.errors import InputDataError, column_in

#: The assumptions the forecast rests on, in the order the paper lists them, with labels.
ASSUMPTION_LABELS = {
    "ehcp_growth": "EHCP growth a year",
    "cost_per_plan_growth": "Growth in cost per plan a year",
    "allocation_growth": "High Needs allocation growth a year",
    "schools_block_transfer": "Schools block transfer, share of the forecast",
    "recovery_plan_delivery": "Recovery Plan savings delivered, share of the forecast",
}
#: Each assumption as the ranges table names another it is drawn with.
ASSUMPTION_WORDS_SHORT = {
    "ehcp_growth": "EHCP growth",
    "cost_per_plan_growth": "the growth in cost per plan",
    "allocation_growth": "the allocation's growth",
    "schools_block_transfer": "the Schools block transfer",
    "recovery_plan_delivery": "the Recovery Plan's delivery",
}
#: Which assumptions are a rate a year and which a share of the forecast's own figure.
SHARES = ("schools_block_transfer", "recovery_plan_delivery")
#: How the simulations draw an assumption: over its range peaked at the forecast's value; one
#: end or the other (a decision made or not), the high end with a stated probability; or held
#: at the forecast's value (its range is still shown one end at a time).
DRAWS = ("triangular", "either", "held")
#: Where a range the model had to set comes from, in the words of the ranges table.
ASSUMED = "assumed in this analysis: no source given"
#: What a range rests on: the council's stated source (``assumption_ranges.csv``), the DfE's
#: published history of the council's EHC plans (the backtest), or nothing but the model's
#: choice. The paper gives odds only where every range that moves the deficit rests on the
#: first two.
EVIDENCE = ("council", "history", "assumed")


@dataclass(frozen=True)
class AssumptionRange:
    """One assumption: its low, central and high value (fractions), how they were set
    (``basis``), where the range comes from (``source``), and how the simulations draw it
    (``draw``, with ``probability`` the chance of the high end for ``either``; ``moves_with``
    another assumption drawn at the same point of its own range), what it rests on
    (``evidence``: :data:`EVIDENCE`) and, for a range from evidence, where its draws peak
    (``mode``: the evidence's own central value, which the forecast's may differ from, or
    even lie outside the range)."""

    name: str
    low: float
    central: float
    high: float
    basis: str
    source: str = ASSUMED
    draw: str = "triangular"
    probability: float | None = None
    moves_with: str = ""
    evidence: str = "assumed"
    mode: float | None = None

    @property
    def peak(self) -> float:
        """Where a triangular draw peaks: the evidence's central value, else the forecast's."""
        return self.central if self.mode is None else self.mode

    @property
    def sourced(self) -> bool:
        """Whether the range rests on a stated source or on evidence, not on the model alone."""
        return self.evidence != "assumed"

    @property
    def drawn(self) -> bool:
        """Whether the simulations draw it at all (not held at the forecast's value)."""
        return self.high > self.low and self.draw != "held"

    def at(self, point: np.ndarray) -> np.ndarray:
        """The value at each ``point`` of the range (a share from 0 to 1 of the way through
        its distribution: the inverse of its cumulative distribution)."""
        low, mode, high = self.low, self.peak, self.high
        if self.draw == "either":
            return np.where(point < 1 - (self.probability or 0.0), low, high)
        peak = (mode - low) / (high - low)
        rising = low + np.sqrt(point * (high - low) * (mode - low))
        falling = high - np.sqrt((1 - point) * (high - low) * (high - mode))
        return np.where(point < peak, rising, falling)

    @property
    def label(self) -> str:
        return ASSUMPTION_LABELS[self.name]

    @property
    def drawn_how(self) -> str:
        """How the simulations draw it: ``held`` at the forecast's value, ``either`` end (the
        high with :attr:`probability`), anywhere peaking at the evidence's ``mode``, or
        anywhere peaking at the ``forecast``'s value. The paper puts it into words, with its
        figures traced."""
        if self.high <= self.low or self.draw == "held":
            return "held"
        if self.draw == "either":
            return "either"
        return "mode" if self.mode is not None and self.mode != self.central else "forecast"

    @property
    def drawn_with(self) -> str:
        """The assumption it is drawn with, as the ranges table names it ('' for none)."""
        return ASSUMPTION_WORDS_SHORT[self.moves_with] if self.moves_with else ""


def apply_range_overrides(
    ranges: list[AssumptionRange], overrides: pd.DataFrame | None
) -> list[AssumptionRange]:
    """The cycle's own ranges (``assumption_ranges.csv``: ``assumption``, ``low`` and ``high``
    in percent, ``source``, and optionally ``distribution`` and ``probability``) in place of
    the defaults; the central value is always the forecast's own. ``fixed`` takes the
    forecast's value with no range (an announced allocation); ``either`` draws one end or the
    other, the high end with ``probability`` percent (a transfer approved or refused)."""
    if overrides is None:
        return ranges
    given = {rec.assumption: rec for rec in overrides.itertuples(index=False)}
    known = {r.name for r in ranges}
    problems = [
        f"assumption_ranges.csv, row {rec.row}, {column_in(overrides, 'assumption')}: found "
        f"{name!r}; expected "
        f"one this cycle's forecast uses: {', '.join(sorted(known))}"
        for name, rec in given.items()
        if name not in known
    ]
    out = []
    for default in ranges:
        rec = given.get(default.name)
        if rec is None:
            out.append(default)
            continue
        chosen, problem = _given_range(default, rec, overrides)
        if problem:
            problems.append(problem)
        else:
            out.append(chosen)
    out = _drawn_together(out, given, problems, overrides)
    if problems:
        raise InputDataError("The assumption ranges cannot be used.", problems)
    return out


def _drawn_together(
    ranges: list[AssumptionRange],
    given: dict[str, Any],
    problems: list[str],
    table: pd.DataFrame,
) -> list[AssumptionRange]:
    """The pairs the cycle says move together (``moves_with``), each told of the other."""
    by_name = {r.name: r for r in ranges}
    partners: dict[str, str] = {}
    for name, rec in given.items():
        partner = str(getattr(rec, "moves_with", "") or "").strip()
        if not partner or name not in by_name:
            continue
        where = f"assumption_ranges.csv, row {rec.row}, {column_in(table, 'moves_with')}"
        if partner == name or partner not in by_name:
            problems.append(
                f"{where}: found {partner!r}; expected another assumption the forecast uses: "
                f"{', '.join(sorted(set(by_name) - {name}))}"
            )
        elif not (by_name[name].drawn and by_name[partner].drawn):
            problems.append(f"{where}: {name} and {partner} must both be drawn to move together")
        elif partners.get(partner, name) != name or name in partners:
            problems.append(f"{where}: an assumption moves with one other at most")
        else:
            partners[name], partners[partner] = partner, name
    return [replace(r, moves_with=partners.get(r.name, "")) for r in ranges]


def _given_range(
    default: AssumptionRange, rec: Any, table: pd.DataFrame
) -> tuple[AssumptionRange, str]:
    """The range a row of ``assumption_ranges.csv`` (``table``) gives, or why it cannot be
    used."""
    row, name = rec.row, default.name
    where = f"assumption_ranges.csv, row {row}"
    source = str(getattr(rec, "source", "") or "").strip()
    draw = str(getattr(rec, "distribution", "") or "").strip() or "triangular"
    if not source:
        return default, (
            f"{where}, {column_in(table, 'source')}: {name} gives no source; say where the range "
            "comes from (the council's EHCP history, an inflation or OBR forecast, an announced "
            "allocation ...)"
        )
    if draw == "fixed":
        c = default.central
        fixed = AssumptionRange(name, c, c, c, "fixed at the forecast's value", source)
        return replace(fixed, evidence="council"), ""
    low, high = (float(getattr(rec, column)) for column in ("low", "high"))
    if np.isnan(low) or np.isnan(high):
        return default, f"{where}: {name} needs a low and a high value (or distribution fixed)"
    low, high = low / 100, high / 100
    if not low <= default.central <= high:
        return default, (
            f"{where}: {name} runs from {low * 100:.4g} to {high * 100:.4g} but the forecast's "
            f"own value, {default.central * 100:.4g}, is not within it"
        )
    chance = getattr(rec, "probability", None)
    probability = None if chance is None or pd.isna(chance) else float(chance) / 100
    if draw == "either" and probability is None:
        return default, (
            f"{where}, {column_in(table, 'probability')}: {name} is drawn as one end or the other "
            "(distribution either), so say how likely the high end is, in percent"
        )
    basis = "the cycle's own" if draw == "triangular" else "the cycle's own: one end or the other"
    given = AssumptionRange(name, low, default.central, high, basis, source, draw, probability)
    return replace(given, evidence="council"), ""
