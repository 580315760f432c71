"""The gate's checks across rows and tables (beside each table's own expectation suite):
the budget's years, the stated figures' units and formulas, paper.yaml's schema, and the
model's identities the runner or notebook hands the gate."""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

import pandas as pd

from highneeds.common.errors import InputDataError, column_in
from highneeds.gate.read.limits import within_check_time
from highneeds.gate.tables.figures import (
    figure_formula_problems,
    figure_value_problems,
    figure_values,
)
from highneeds.gate.tables.paper_yaml import read_paper_metadata

_FY_RE = re.compile(r"^\d{4}/\d{2}$")


@dataclass(frozen=True)
class CheckResult:
    """One check on one table: what was expected, and each place it failed."""

    table: str
    file: str
    check: str
    expected: str
    success: bool
    failures: list[str]


class IdentityResult(Protocol):
    """An identity the model's arithmetic needs its inputs to satisfy, checked on one table."""

    @property
    def table(self) -> str: ...
    @property
    def file(self) -> str: ...
    @property
    def check(self) -> str: ...
    @property
    def expected(self) -> str: ...
    @property
    def problems(self) -> list[str]: ...


#: Checks handed to the gate by whoever wires the stages (the model's ``input_identities``),
#: given the typed tables and the cycle.
IdentityChecks = Callable[[dict[str, pd.DataFrame], str], Sequence[IdentityResult]]


def consecutive_years_check(budget: pd.DataFrame) -> CheckResult:
    """The budget's financial years follow each other with no gap or repeat."""
    source = budget.attrs.get("source", "high_needs_budget.csv")
    years = list(dict.fromkeys(budget["year"]))
    gaps = [
        f"{source}, header row, {column_in(budget, year)}: found {year!r}; expected a "
        f"financial year "
        f"such as {year[:4]}/{(int(year[:4]) + 1) % 100:02d}"
        for year in years
        if _FY_RE.match(year) and int(year[5:]) != (int(year[:4]) + 1) % 100
    ]
    for before, after in itertools.pairwise(years):
        if not (_FY_RE.match(before) and _FY_RE.match(after)):
            continue  # the year-label expectation reports these
        start = int(before[:4]) + 1
        expected = f"{start}/{(start + 1) % 100:02d}"
        if after != expected:
            gaps.append(
                f"{source}, header row, {column_in(budget, after)}: found {after!r} after "
                f"{before!r}; "
                f"expected {expected!r}"
            )
    gaps += _span_problems(budget, source, years)
    return CheckResult(
        "budget",
        source,
        "consecutive_financial_years",
        f"{MIN_YEARS} to {MAX_YEARS} financial years (2021/22) from {FIRST_YEAR} on, following "
        "each other with no gaps or repeats, none of them blank in every line",
        not gaps,
        gaps,
    )


#: The run of financial years a budget table may give.
MIN_YEARS, MAX_YEARS, FIRST_YEAR = 2, 10, "2015/16"


def _span_problems(budget: pd.DataFrame, source: str, years: list[str]) -> list[str]:
    """Too few or too many years, a year before :data:`FIRST_YEAR`, and a year blank in every
    line (never read as 0: the model would roll the balance forward over nothing)."""
    problems = []
    if not MIN_YEARS <= len(years) <= MAX_YEARS:
        problems.append(
            f"{source}, header row: found {len(years)} financial year(s) ({', '.join(years)}); "
            f"expected a run of {MIN_YEARS} to {MAX_YEARS}"
        )
    early = [y for y in years if _FY_RE.match(y) and y < FIRST_YEAR]
    if early:
        problems.append(
            f"{source}, header row, {column_in(budget, early[0])}: found {early[0]!r}; expected "
            f"a financial year from {FIRST_YEAR} on"
        )
    amounts = budget.groupby("year", sort=False)["amount"]
    for year, blank in amounts.apply(lambda a: bool(a.isna().all())).items():
        if blank:
            problems.append(
                f"{source}, {column_in(budget, str(year))}: the year {year} is blank in every "
                "line; give its figures (a blank is never read as 0), or leave the column out "
                "if the table's years still follow each other"
            )
    return problems


def figure_formulas_check(figures: pd.DataFrame) -> CheckResult:
    """Each figure stated as a sum or difference of others is that, within the rounding."""
    problems = figure_formula_problems(figures)
    return CheckResult(
        "figures",
        figures.attrs.get("source", "figures.csv"),
        "figure_formulas_hold",
        "each figure with a formula to equal the sum or difference of the figures it names, "
        "within the rounding of the figures as stated",
        not problems,
        problems,
    )


def figure_values_check(figures: pd.DataFrame) -> CheckResult:
    """Each figure's value read in its unit by the very reader the model uses."""
    problems = figure_value_problems(figures)
    return CheckResult(
        "figures",
        figures.attrs.get("source", "figures.csv"),
        "figure_values_read_in_their_unit",
        "each value readable in its unit: an amount in £000 such as 1,028 or (4,224), a number, "
        "a whole number, or a financial year written like 2022/23",
        not problems,
        problems,
    )


def balancing_costs_check(costs: pd.DataFrame, cases: pd.DataFrame | None) -> CheckResult:
    """Each cost set to balance a business case (``balances``) names one the cycle has."""
    source = costs.attrs.get("source", "placement_costs.csv")
    ids = set() if cases is None else set(cases["intervention_id"])
    named = costs["balances"] if "balances" in costs else pd.Series(dtype=str)
    problems = [
        f"{source}, row {row}, {column_in(costs, 'balances')}: found {value!r}; expected the "
        "intervention_id of a business case in business_cases"
        + (f" ({', '.join(sorted(ids))})" if ids else " (the cycle gives none)")
        for row, value in zip(costs["row"], named.fillna("").astype(str).str.strip(), strict=True)
        if value and value not in ids
    ]
    return CheckResult(
        "placement_costs",
        source,
        "balancing_costs_name_a_business_case",
        "each cost set to balance a business case (balances) to name a business case the cycle "
        "gives",
        not problems,
        problems,
    )


def cross_table_checks(
    tables: dict[str, pd.DataFrame], identities: IdentityChecks, cycle: str
) -> list[CheckResult]:
    """Checks across rows and tables: years consecutive, then the model's identities."""
    results = [consecutive_years_check(tables["budget"])]
    if "placement_costs" in tables:
        results.append(
            balancing_costs_check(tables["placement_costs"], tables.get("business_cases"))
        )
    if "figures" in tables:
        results.append(figure_formulas_check(tables["figures"]))
        results.append(figure_values_check(tables["figures"]))
        if results[-1].success:  # the values as the model is handed them, for its own checks
            tables["figures"].attrs["values"] = figure_values(tables["figures"])
    for identity in identities(tables, cycle):
        within_check_time(identity.file)
        results.append(
            CheckResult(
                identity.table,
                identity.file,
                identity.check,
                identity.expected,
                not identity.problems,
                list(identity.problems),
            )
        )
    return results


def paper_yaml_check(path: Path) -> CheckResult:
    """paper.yaml against its schema, and no figure typed into its text."""
    try:
        read_paper_metadata(path)
        problems: list[str] = []
    except InputDataError as exc:
        problems = exc.problems or [str(exc)]
    return CheckResult(
        "paper",
        path.name,
        "paper_yaml_schema",
        "every key a paper needs, each holding text (key_decision: yes or no), and no figure "
        "typed into the text",
        not problems,
        problems,
    )
