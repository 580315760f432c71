"""The High Needs deficit model: roll-forward, reconciliation and scenarios.

All money is in £000 with income negative, as in the finance team's table.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from highneeds.amounts import as_written
from highneeds.errors import InputDataError, ReconciliationError

#: Scenario names, in the order the paper shows them, with their labels.
SCENARIO_LABELS = {
    "unmitigated": "No interventions (unmitigated)",
    "mitigated": "With the Recovery Plan (mitigated)",
    "mitigated_with_topup_uplift": "With the Recovery Plan and the top-up uplift",
    "all_requests_convert": "No interventions, if all requests for assessment become plans",
}

#: How the Recovery Plan Impact line may be read: each year's own saving, or the running total.
RECOVERY_PLAN_BASES = ("in_year", "cumulative")

_FLOWS = ("transfer", "allocation", "placement_costs")


def budget_to_wide(budget: pd.DataFrame) -> pd.DataFrame:
    """Pivot the long budget table to lines as rows and years as columns (file order kept)."""
    years = list(dict.fromkeys(budget["year"]))
    lines = list(dict.fromkeys(budget["line"]))
    wide = budget.pivot(index="line", columns="year", values="amount")
    return wide.loc[lines, years]


#: The budget table's lines in the order the paper prints them.
LINE_ORDER = ("bfwd", *_FLOWS, "cfwd", "recovery_plan_impact")
#: How the paper labels a derived line the table leaves out.
DERIVED_LABELS = {
    "bfwd": "High Needs DSG B/Fwd Deficit / (Surplus)",
    "cfwd": "High Needs DSG C/Fwd Deficit / (Surplus)",
}


def with_derived_lines(budget: pd.DataFrame) -> pd.DataFrame:
    """The budget with its derived lines complete: a B/Fwd after the first year or a C/Fwd
    left blank, or a line left out, is the roll-forward's (finance's own workbook computes
    them with formulas). Figures that are given are kept as given (the gate has checked that
    they reconcile). A table with nothing to derive is returned as it is."""
    roll = roll_forward(budget)
    computed = {line: dict(zip(roll["year"], roll[line], strict=True)) for line in DERIVED_LABELS}
    present = set(budget["line"])
    blank = budget["line"].isin(list(DERIVED_LABELS)) & budget["amount"].isna()
    missing = [line for line in DERIVED_LABELS if line not in present]
    if not blank.any() and not missing:
        return budget
    frame = budget.copy()
    frame.loc[blank, "amount"] = [
        computed[line][year]
        for line, year in zip(frame.loc[blank, "line"], frame.loc[blank, "year"], strict=True)
    ]
    added = [
        {"row": pd.NA, "line": line, "label": DERIVED_LABELS[line], "year": year, "amount": value}
        for line in missing
        for year, value in computed[line].items()
    ]
    if added:
        frame = pd.concat([frame, pd.DataFrame(added, columns=frame.columns)], ignore_index=True)
        frame["row"] = frame["row"].astype("Int64")
        order = {line: i for i, line in enumerate(LINE_ORDER)}
        frame = frame.sort_values("line", key=lambda s: s.map(order), kind="stable")
        frame = frame.reset_index(drop=True)
    frame.attrs = dict(budget.attrs)
    return frame


def roll_forward(budget: pd.DataFrame) -> pd.DataFrame:
    """Roll the deficit forward year by year from the first B/Fwd and the in-year flows.

    Returns one row per year with the given lines, ``in_year`` (the year's movement),
    ``cfwd`` (computed) and ``cfwd_given`` / ``bfwd_given`` (as typed in the table), so that
    :func:`check_reconciliation` can compare them.
    """
    wide = budget_to_wide(budget)
    years = list(wide.columns)
    missing = [line for line in ("bfwd", *_FLOWS) if line not in wide.index]
    if missing:
        raise InputDataError(f"The High Needs table has no line for: {', '.join(missing)}")
    flows = wide.loc[list(_FLOWS)].fillna(0.0)
    in_year = flows.sum(axis=0)
    opening = float(wide.loc["bfwd", years[0]])
    cfwd = opening + in_year.cumsum()
    bfwd = pd.concat([pd.Series([opening], index=[years[0]]), cfwd.iloc[:-1]])
    bfwd.index = years
    given_cfwd = wide.loc["cfwd"] if "cfwd" in wide.index else pd.Series(np.nan, index=years)
    frame = pd.DataFrame(
        {
            "year": years,
            "bfwd": bfwd.to_numpy(),
            "transfer": flows.loc["transfer"].to_numpy(),
            "allocation": flows.loc["allocation"].to_numpy(),
            "placement_costs": flows.loc["placement_costs"].to_numpy(),
            "in_year": in_year.to_numpy(),
            "cfwd": cfwd.to_numpy(),
            "bfwd_given": wide.loc["bfwd"].to_numpy(),
            "cfwd_given": given_cfwd.to_numpy(),
        }
    )
    return frame


@dataclass(frozen=True)
class Mismatch:
    """A given figure of the budget table that the roll-forward does not reproduce."""

    year: str
    line: str
    message: str

    def __str__(self) -> str:
        return f"{self.year}: {self.message}"


def reconciliation_problems(roll: pd.DataFrame, tolerance: float = 1e-6) -> list[Mismatch]:
    """Every year whose given figures disagree with the roll-forward, naming both figures."""
    problems: list[Mismatch] = []
    previous_cfwd: float | None = None
    previous_year: str | None = None
    for rec in roll.itertuples(index=False):
        # A B/Fwd left blank (derived) is the roll-forward's; a given C/Fwd is still checked.
        opening = rec.bfwd if np.isnan(rec.bfwd_given) else rec.bfwd_given
        computed = opening + rec.transfer + rec.allocation + rec.placement_costs
        if not np.isnan(rec.cfwd_given) and abs(computed - rec.cfwd_given) > tolerance:
            problems.append(
                Mismatch(
                    rec.year,
                    "cfwd",
                    f"C/Fwd is given as {as_written(rec.cfwd_given)} but B/Fwd + transfer + "
                    f"allocation + placement costs = {as_written(opening)} + "
                    f"{as_written(rec.transfer)} + {as_written(rec.allocation)} + "
                    f"{as_written(rec.placement_costs)} = {as_written(computed)}",
                )
            )
        if (
            previous_cfwd is not None
            and not np.isnan(previous_cfwd)
            and (abs(rec.bfwd_given - previous_cfwd) > tolerance)
        ):
            problems.append(
                Mismatch(
                    rec.year,
                    "bfwd",
                    f"B/Fwd is given as {as_written(rec.bfwd_given)} but the C/Fwd of "
                    f"{previous_year} is {as_written(previous_cfwd)}",
                )
            )
        previous_cfwd, previous_year = rec.cfwd_given, rec.year
    return problems


def check_reconciliation(roll: pd.DataFrame, tolerance: float = 1e-6) -> None:
    """Raise :class:`ReconciliationError` unless the table's given figures reconcile."""
    problems = reconciliation_problems(roll, tolerance)
    if problems:
        raise ReconciliationError(
            "high_needs_budget.csv: the carried-forward figures do not reconcile.",
            [str(p) for p in problems],
        )


def recovery_plan_in_year(budget: pd.DataFrame, basis: str = "in_year") -> pd.Series:
    """Each year's own Recovery Plan saving (negative), blank years as 0.

    ``basis`` says how the table's Recovery Plan Impact line is to be read: ``in_year`` (each
    year's own saving, carried into later years by the model) or ``cumulative`` (already a
    running total, so the in-year figure is the difference between years).
    """
    if basis not in RECOVERY_PLAN_BASES:
        raise ValueError(f"recovery plan basis must be one of {RECOVERY_PLAN_BASES}: {basis!r}")
    wide = budget_to_wide(budget)
    if "recovery_plan_impact" not in wide.index:
        return pd.Series(0.0, index=wide.columns)
    given = wide.loc["recovery_plan_impact"].astype(float)
    if basis == "cumulative":
        # A blank year adds nothing: the running total stays where it was (a blank final year
        # used to read as 0 and give back the whole saving, [-33, -93, blank] -> +93).
        running = given.ffill().fillna(0.0)
        impact = running.diff().fillna(running.iloc[0])
    else:
        impact = given.fillna(0.0)
    impact.name = "recovery_plan_impact"
    return impact


def topup_uplift_in_year(years: list[str], per_year: float, from_year: str) -> pd.Series:
    """The CPI top-up uplift added to each year's deficit from ``from_year`` on (£000)."""
    if from_year not in years:
        raise InputDataError(
            f"figures.csv: cpi_topup_uplift_from is {from_year!r}, which is not one of the "
            f"High Needs table's years ({', '.join(years)})"
        )
    start = years.index(from_year)
    return pd.Series(
        [per_year if i >= start else 0.0 for i in range(len(years))],
        index=years,
        name="topup_uplift",
    )


def build_scenarios(
    roll: pd.DataFrame,
    recovery_impact: pd.Series,
    topup_uplift: pd.Series,
    demand_extra: pd.Series | None = None,
) -> pd.DataFrame:
    """The deficit under each scenario, in-year and cumulative, in long form.

    With ``demand_extra`` (each year's extra placement costs if all requests for assessment
    become plans), a fourth scenario: no interventions, with that extra demand.

    Returns rows of ``scenario``, ``year``, ``adjustment`` (in-year change against the
    unmitigated forecast), ``in_year`` (the year's movement), ``bfwd`` and ``cfwd``. A saving
    in one year lowers every later carried-forward deficit, because the deficit is cumulative.
    """
    years = list(roll["year"])
    base_in_year = pd.Series(roll["in_year"].to_numpy(), index=years)
    opening = float(roll["bfwd"].iloc[0])
    adjustments = {
        "unmitigated": pd.Series(0.0, index=years),
        "mitigated": recovery_impact.reindex(years).fillna(0.0),
        "mitigated_with_topup_uplift": (
            recovery_impact.reindex(years).fillna(0.0) + topup_uplift.reindex(years).fillna(0.0)
        ),
    }
    if demand_extra is not None:
        adjustments["all_requests_convert"] = demand_extra.reindex(years).fillna(0.0)
    frames = []
    for scenario, adjustment in adjustments.items():
        in_year = base_in_year + adjustment
        cfwd = opening + in_year.cumsum()
        bfwd = cfwd.shift(1).fillna(opening)
        frames.append(
            pd.DataFrame(
                {
                    "scenario": scenario,
                    "year": years,
                    "adjustment": adjustment.to_numpy(),
                    "in_year": in_year.to_numpy(),
                    "bfwd": bfwd.to_numpy(),
                    "cfwd": cfwd.to_numpy(),
                }
            )
        )
    return pd.concat(frames, ignore_index=True)


def financial_year_of(cycle: str) -> str:
    """The financial year (April to March) a ``YYYY-MM`` cycle falls in: 2022-01 is 2021/22."""
    year, month = (int(part) for part in cycle.split("-"))
    start = year if month >= 4 else year - 1
    return f"{start}/{(start + 1) % 100:02d}"
