"""The High Needs deficit model: roll-forward, reconciliation and scenarios.

All money is in £000 with income negative, as in the finance team's table.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TypeVar

import numpy as np
import pandas as pd

from highneeds.common.errors import InputDataError, ReconciliationError
from highneeds.common.paths import financial_year_of  # noqa: F401 (the model names it here too)
from highneeds.domain.amounts import as_written
from highneeds.domain.budget_lines import line_roles
from highneeds.domain.traced import Traced, described, total
from highneeds.model.basis.inputs import BudgetFigures, budget_figures
from highneeds.model.basis.switches import RECOVERY_PLAN_BASES

#: The model's own scenarios, with their labels (the council's own are in scenarios.csv;
#: the paper shows them after ``mitigated`` and before ``all_requests_convert``).
SCENARIO_LABELS = {
    "unmitigated": "No interventions (unmitigated)",
    "mitigated": "With the Recovery Plan (mitigated)",
    "all_requests_convert": "No interventions, if all requests for assessment become plans",
}

#: How the Recovery Plan Impact line may be read: each year's own saving, or the running total.

_ROLL = "02_deficit_model.ipynb: Roll forward and reconcile the typed table"
_SCENARIOS = "02_deficit_model.ipynb: Scenarios"


def budget_to_wide(budget: pd.DataFrame) -> pd.DataFrame:
    """Pivot the long budget table to lines as rows and years as columns (file order kept)."""
    years = list(dict.fromkeys(budget["year"]))
    lines = list(dict.fromkeys(budget["line"]))
    wide = budget.pivot(index="line", columns="year", values="amount")
    return wide.loc[lines, years]


#: The order of a budget's lines by role: the opening balance, the year's flows (in the
#: table's order), the closing balance, the saving.
ROLE_ORDER = {"opening": 0, "funding": 1, "spending": 1, "movement": 1, "closing": 2, "saving": 3}
#: The derived lines a table may leave out or blank, and their roles.
DERIVED = {"bfwd": "opening", "cfwd": "closing"}


def derived_label(line: str, block: str = "high needs") -> str:
    """How the paper labels a derived line the table leaves out: ``High Needs balance brought
    forward: deficit / (surplus)``."""
    whose = "DSG" if block == "dsg" else "High Needs"
    way = "brought" if line == "bfwd" else "carried"
    return f"{whose} balance {way} forward: deficit / (surplus)"


def with_derived_lines(budget: pd.DataFrame) -> pd.DataFrame:
    """The budget with its derived lines complete: a B/Fwd after the first year or a C/Fwd
    left blank, or a line left out, is the roll-forward's (finance's own workbook computes
    them with formulas). Figures that are given are kept as given (the gate has checked that
    they reconcile). A table with nothing to derive is returned as it is."""
    roll = roll_forward(budget)
    computed = {line: dict(zip(roll["year"], roll[line], strict=True)) for line in DERIVED}
    present = set(budget["line"])
    blank = budget["line"].isin(list(DERIVED)) & budget["amount"].isna()
    missing = [line for line in DERIVED if line not in present]
    if not blank.any() and not missing:
        return budget
    frame = budget.copy()
    frame.loc[blank, "amount"] = [
        computed[line][year]
        for line, year in zip(frame.loc[blank, "line"], frame.loc[blank, "year"], strict=True)
    ]
    block = str(budget.attrs.get("format", {}).get("block", "high needs"))
    added = [
        {
            "row": pd.NA,
            "line": line,
            "label": derived_label(line, block),
            "role": DERIVED[line],
            "year": year,
            "amount": value,
            "written": "",
        }
        for line in missing
        for year, value in computed[line].items()
    ]
    if added:
        added_frame = pd.DataFrame(added)[[c for c in frame.columns if c in added[0]]]
        frame = pd.concat([frame, added_frame], ignore_index=True)
        frame["row"] = frame["row"].astype("Int64")
        roles = line_roles(frame)
        frame = frame.sort_values(
            "line", key=lambda s: s.map(lambda line: ROLE_ORDER[roles[line]]), kind="stable"
        )
        frame = frame.reset_index(drop=True)
    frame.attrs = dict(budget.attrs)
    return frame


@dataclass(frozen=True)
class Deficit:
    """One scenario's deficit, year by year, as traced figures: each year's adjustments to the
    unmitigated forecast, its movement, and the deficit brought and carried forward; its label
    as printed, and for a scenario the council declares its status and source."""

    scenario: str
    years: list[str]
    adjustments: dict[str, list[Traced]]
    in_year: dict[str, Traced]
    bfwd: dict[str, Traced]
    cfwd: dict[str, Traced]
    label: str = ""
    status: str = ""
    source: str = ""
    #: Whether the paper shows it (the mitigated forecast of a table with no saving line,
    #: the unmitigated one again, is kept for the measures of how sure it is, not shown).
    shown: bool = True

    def frame(self) -> pd.DataFrame:
        """The scenario in long form (``scenario``, ``year``, ``adjustment``, ``in_year``,
        ``bfwd``, ``cfwd``, ``label``, ``status``, ``source``, ``shown``), values only."""
        return pd.DataFrame(
            {
                "scenario": self.scenario,
                "year": self.years,
                "adjustment": [float(total(self.adjustments.get(y, [])).value) for y in self.years],
                "in_year": [float(self.in_year[y]) for y in self.years],
                "bfwd": [float(self.bfwd[y]) for y in self.years],
                "cfwd": [float(self.cfwd[y]) for y in self.years],
                "label": self.label or SCENARIO_LABELS.get(self.scenario, self.scenario),
                "status": self.status,
                "source": self.source,
                "shown": self.shown,
            }
        )

    def figures(self) -> list[Traced]:
        """Every figure of the scenario, for the lineage."""
        return [*self.in_year.values(), *self.bfwd.values(), *self.cfwd.values()]


def carry_forward(budget: BudgetFigures, from_first_opening: bool = False) -> Deficit:
    """The roll-forward, the one place it is computed: each year's C/Fwd = B/Fwd + the year's
    flows (every funding, spending and movement line, as written), its B/Fwd the one the
    table gives, else the C/Fwd of the year before. The first year's B/Fwd must be given.
    ``from_first_opening``: every later B/Fwd the C/Fwd before it, whatever the table gives
    (what the table's balances would be, rolled forward from its amounts alone)."""
    years = budget.years
    missing = [] if budget.flows else ["a funding, spending or movement line"]
    if budget.given("bfwd", years[0]) is None:
        missing.insert(0, "bfwd")
    if missing:
        raise InputDataError(f"The High Needs table has no line for: {', '.join(missing)}")
    in_year: dict[str, Traced] = {}
    bfwd: dict[str, Traced] = {}
    cfwd: dict[str, Traced] = {}
    for index, year in enumerate(years):
        flows = [budget.given(line, year) for line in budget.flows]
        in_year[year] = total(flows).named(  # type: ignore[arg-type]
            f"unmitigated.in_year[{year}]",
            f"In-year movement {year}, no interventions",
            role="in-year movement",
            computed_in=_ROLL,
        )
        opening = None if index and from_first_opening else budget.given("bfwd", year)
        if opening is None:
            before = years[index - 1]
            opening = cfwd[before].named(
                f"budget.bfwd[{year}]",
                f"B/Fwd {year}: the C/Fwd of {before}",
                role="B/Fwd",
                formula="left blank: the C/Fwd of the year before",
                computed_in=_ROLL,
            )
        bfwd[year] = opening
        cfwd[year] = total([opening, *flows]).named(  # type: ignore[list-item]
            f"unmitigated.cfwd[{year}]",
            f"Deficit carried forward at the end of {year}, no interventions",
            role="C/Fwd",
            computed_in=_ROLL,
        )
    return Deficit("unmitigated", years, {}, in_year, bfwd, cfwd)


def printed_lines(budget: BudgetFigures, roll: Deficit) -> list[Traced]:
    """The budget's lines as the paper prints them: ``budget.cfwd[y]`` the C/Fwd the table
    gives (the finance team's figure, which the roll-forward checks) or the roll-forward's,
    and ``recovery_plan_impact[y]`` as placeholders name it."""
    out = []
    for year in budget.years:
        given = budget.given("cfwd", year)
        out.append(
            given
            if given is not None
            else roll.cfwd[year].named(
                f"budget.cfwd[{year}]", f"C/Fwd {year}", role="C/Fwd", computed_in=_ROLL
            )
        )
        impact = budget.given("recovery_plan_impact", year)
        out.append(impact.named(f"recovery_plan_impact[{year}]", f"Recovery Plan Impact {year}"))  # type: ignore[union-attr]
        out += [budget.given(line, year) for line in budget.flows]  # type: ignore[misc]
    return out


def roll_forward(budget: pd.DataFrame) -> pd.DataFrame:
    """The roll-forward (:func:`carry_forward`) as a table: one row per year with the given
    lines, ``in_year`` (the year's movement), ``cfwd`` (computed) and ``cfwd_given`` /
    ``bfwd_given`` (as typed in the table), so that :func:`check_reconciliation` can compare
    them."""
    figures = budget_figures(budget)
    roll = carry_forward(figures)
    wide = budget_to_wide(budget)
    years = roll.years

    def given(line: str) -> list[float]:
        return list(wide.loc[line].astype(float)) if line in wide.index else [np.nan] * len(years)

    frame = pd.DataFrame(
        {
            "year": years,
            "bfwd": [float(roll.bfwd[y]) for y in years],
            **{line: [float(figures.given(line, y)) for y in years] for line in figures.flows},  # type: ignore[arg-type]
            "in_year": [float(roll.in_year[y]) for y in years],
            "cfwd": [float(roll.cfwd[y]) for y in years],
            "bfwd_given": given("bfwd"),
            "cfwd_given": given("cfwd"),
        }
    )
    frame.attrs["words"] = {line: figures.words(line) for line in figures.flows}
    return frame


def flow_columns(roll: pd.DataFrame) -> list[str]:
    """The roll-forward table's flow columns (those between ``bfwd`` and ``in_year``)."""
    columns = list(roll.columns)
    return columns[columns.index("bfwd") + 1 : columns.index("in_year")]


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
    columns, words = flow_columns(roll), roll.attrs.get("words", {})
    previous_cfwd: float | None = None
    previous_year: str | None = None
    for rec in roll.itertuples(index=False):
        # A B/Fwd left blank (derived) is the roll-forward's; a given C/Fwd is still checked.
        opening = rec.bfwd if np.isnan(rec.bfwd_given) else rec.bfwd_given
        flows = [getattr(rec, column) for column in columns]
        computed = opening + sum(flows)
        if not np.isnan(rec.cfwd_given) and abs(computed - rec.cfwd_given) > tolerance:
            names = " + ".join(["B/Fwd", *(words.get(c, c) for c in columns)])
            terms = " + ".join(as_written(v) for v in [opening, *flows])
            problems.append(
                Mismatch(
                    rec.year,
                    "cfwd",
                    f"C/Fwd is given as {as_written(rec.cfwd_given)} but {names} = {terms} = "
                    f"{as_written(computed)}",
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


def recovery_saving(
    budget: BudgetFigures, basis: str = "in_year", reading: Traced | None = None
) -> dict[str, Traced]:
    """Each year's own Recovery Plan saving (negative; a blank year 0).

    ``basis`` says how the table's Recovery Plan Impact line is to be read: ``in_year`` (each
    year's own saving, carried into later years by the model) or ``cumulative`` (already a
    running total, so the in-year figure is the difference between years; a blank year adds
    nothing: the running total stays where it was). ``reading``, the figure that says who
    chose the basis (``reading.recovery_plan_impact``), becomes a term of every saving, so
    that a saving read as the model assumed is known to rest on that assumption.
    """
    if basis not in RECOVERY_PLAN_BASES:
        raise ValueError(f"recovery plan basis must be one of {RECOVERY_PLAN_BASES}: {basis!r}")
    line = "recovery_plan_impact"
    out = {}
    for index, year in enumerate(budget.years):
        key, typed = f"{line}.in_year[{year}]", budget.given(line, year)
        earlier = [y for y in budget.years[:index] if not budget.blank(line, y)]
        words = f"Recovery Plan saving {year}"
        terms: list[Traced] = [typed]  # type: ignore[list-item]
        if basis == "in_year" or not earlier:
            saving = typed.named(key, words, role="Recovery Plan saving")  # type: ignore[union-attr]
            formula = "the line's figure for the year, read as each year's own saving"
        elif budget.blank(line, year):
            saving = typed.named(key, f"{words} (blank: the total stays)")  # type: ignore[union-attr]
            formula = "blank: the running total stays where it was"
        else:
            before = budget.given(line, earlier[-1])
            terms.append(before)  # type: ignore[arg-type]
            formula = "running total this year - running total the year before"
            saving = (typed - before).named(  # type: ignore[operator]
                key,
                f"{words} (the line read as a running total)",
                role="Recovery Plan saving",
                formula=formula,
            )
        out[year] = (
            saving
            if reading is None
            else described(
                float(saving),
                key,
                saving.label,
                f"{formula} ({reading.key})",
                [*terms, reading],
                _SCENARIOS,
            )
        )
    return out


def recovery_plan_in_year(budget: pd.DataFrame, basis: str = "in_year") -> pd.Series:
    """:func:`recovery_saving` of a budget table, as values by year."""
    saving = recovery_saving(budget_figures(budget), basis)
    return pd.Series({y: float(v) for y, v in saving.items()}, name="recovery_plan_impact")


def scenario(
    name: str,
    roll: Deficit,
    adjustments: Mapping[str, Sequence[Traced]],
    label: str | None = None,
    **about: str | bool,
) -> Deficit:
    """The deficit under scenario ``name``: each year's movement the unmitigated one plus
    the scenario's adjustments, carried forward from the first year's B/Fwd. A saving in one
    year lowers every later carried-forward deficit, because the deficit is cumulative.
    ``about``: the scenario's ``status``, ``source`` and whether it is ``shown``."""
    label = label or SCENARIO_LABELS[name]
    years = roll.years
    in_year: dict[str, Traced] = {}
    bfwd: dict[str, Traced] = {}
    cfwd: dict[str, Traced] = {}
    for index, year in enumerate(years):
        in_year[year] = total([roll.in_year[year], *adjustments.get(year, ())]).named(
            f"{name}.in_year[{year}]",
            f"In-year movement {year}: {label}",
            role="in-year movement",
            computed_in=_SCENARIOS,
        )
        bfwd[year] = roll.bfwd[years[0]] if index == 0 else cfwd[years[index - 1]]
        cfwd[year] = (bfwd[year] + in_year[year]).named(
            f"{name}.cfwd[{year}]",
            f"Deficit carried forward at the end of {year}: {label}",
            role="C/Fwd",
            computed_in=_SCENARIOS,
        )
    return Deficit(
        name,
        years,
        {y: list(a) for y, a in adjustments.items()},
        in_year,
        bfwd,
        cfwd,
        label,
        **about,  # type: ignore[arg-type]
    )


def scenarios_frame(deficits: Sequence[Deficit]) -> pd.DataFrame:
    """Every scenario in long form, in the order given."""
    return pd.concat([d.frame() for d in deficits], ignore_index=True)


#: The scenarios whose yearly movements give the forecast's growth a year.
GROWTH_SCENARIOS = ("unmitigated", "mitigated")


Movement = TypeVar("Movement", float, Traced)


def movements_after(
    in_year: Mapping[str, Mapping[str, Movement]], years: list[str], current_year: str
) -> tuple[list[Movement], str, str] | None:
    """Every yearly movement after the cycle's own year, with and without the Recovery Plan,
    and the first and last year they span (None with no year after it)."""
    after = years[years.index(current_year) + 1 :] if current_year in years else []
    values = [in_year[name][y] for name in GROWTH_SCENARIOS if name in in_year for y in after]
    return (values, after[0], after[-1]) if values else None


def growth_frame(growth: list[Traced], span: tuple[str, str] | None) -> pd.DataFrame | None:
    """``forecast_growth``'s figures as the paper reads them (one row: low, high, from, to)."""
    if not growth or span is None:
        return None
    low, high = (float(end) for end in growth)
    return pd.DataFrame([{"low": low, "high": high, "from": span[0], "to": span[1]}])
