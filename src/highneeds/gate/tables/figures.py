"""Named single figures (``figures.csv``): each value read in its unit, by the one reader the
gate checks with and the model and paper read with."""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

import pandas as pd

from highneeds.common.errors import InputDataError
from highneeds.domain.amounts import formula_terms
from highneeds.gate.read.cells import EXPECTED, Problem, parse_cell

#: How a figure's text value is read, by its unit (kinds of :func:`parse_cell`).
FIGURE_UNITS = {
    "gbp_000": "money",
    "gbp": "money",
    "gbp_m": "money",
    "percent": "float",
    "count": "int",
    "years": "int",
    "year": "int",
    "financial_year": "financial_year",
}


#: Each money unit a figure may be stated in, as a multiple of £000.
MONEY_UNITS = {"gbp_000": Decimal(1), "gbp": Decimal("0.001"), "gbp_m": Decimal(1000)}


def _figure_value(rec: Any, source: str, letters: dict[str, str]) -> tuple[Any, str | None]:
    """A figure's value read by its unit, or the problem that stops it being read."""
    kind = FIGURE_UNITS.get(rec.unit)
    if kind is None:
        expected = "one of " + ", ".join(FIGURE_UNITS)
        return None, str(Problem(source, rec.row, "unit", rec.unit, expected, letters.get("unit")))
    try:
        value = parse_cell(rec.value, kind)
    except (ValueError, OverflowError):
        value = None
    if value is None:
        problem = Problem(source, rec.row, "value", rec.value, EXPECTED[kind], letters.get("value"))
        return None, str(problem)
    if rec.unit in MONEY_UNITS:  # every amount in £000, as the model works
        value = float(Decimal(repr(value)) * MONEY_UNITS[rec.unit])
    return value, None


def _read_figures(figures: pd.DataFrame) -> tuple[dict[str, Any], list[str]]:
    """Each figure's value read in its unit, and the problems of those that cannot be."""
    source = figures.attrs.get("source", "figures.csv")
    letters = figures.attrs.get("letters", {})
    values: dict[str, Any] = {}
    problems: list[str] = []
    for rec in figures.itertuples(index=False):
        value, problem = _figure_value(rec, source, letters)
        if problem:
            problems.append(problem)
        else:
            values[rec.name] = value
    return values, problems


def figure_value_problems(figures: pd.DataFrame) -> list[str]:
    """Each figure whose value cannot be read in its unit (the gate's check)."""
    return _read_figures(figures)[1]


def figure_values(figures: pd.DataFrame | None) -> dict[str, Any]:
    """Named figures as Python values typed by their unit (``count`` as int, £000 as float);
    none for a cycle without figures.csv."""
    if figures is None:
        return {}
    values, problems = _read_figures(figures)
    if problems:
        raise InputDataError("A figure's value cannot be read in its unit.", problems)
    return values


#: The units whose figures a formula may add, besides money: counts and percentages alike.
NUMBER_UNITS = {"count", "percent", "years"}


def _stated_step(text: str, unit: str) -> float:
    """Half a unit of the last decimal a figure is stated to, in £000 (``6.6`` in £m: 50)."""
    found = re.search(r"\.(\d+)", text)
    places = len(found.group(1)) if found else 0
    return float(Decimal(5).scaleb(-places - 1) * MONEY_UNITS.get(unit, Decimal(1)))


def figure_formula_problems(figures: pd.DataFrame) -> list[str]:
    """Each figure that states a formula (a sum or difference of others) and is not that
    sum within the rounding of the figures stated: ``net_overspend`` 6.6 = 8.3 - 1.7."""
    source = figures.attrs.get("source", "figures.csv")
    if "formula" not in figures.columns:
        return []
    values, _ = _read_figures(figures)
    rows = {rec.name: rec for rec in figures.itertuples(index=False)}
    problems = []
    for rec in figures.itertuples(index=False):
        formula = str(rec.formula or "").strip()
        if not formula:
            continue
        where = f"{source}, row {rec.row}, column 'formula'"
        try:
            terms = formula_terms(formula)
        except ValueError:
            problems.append(
                f"{where}: found {formula!r}; expected names of other figures "
                "joined by + and -, such as overspend_october - additional_dfe_funding"
            )
            continue
        unknown = [n for _, n in terms if n not in rows or n == rec.name]
        if unknown:
            problems.append(
                f"{where}: found {formula!r}; {unknown[0]!r} is not another figure of the file"
            )
            continue
        if any(str(rows[n].formula or "").strip() for _, n in terms):
            problems.append(
                f"{where}: found {formula!r}; a formula may name only figures stated as given "
                "(none with a formula of its own)"
            )
            continue
        if rec.name not in values or any(n not in values for _, n in terms):
            continue  # the unit check says which value cannot be read
        units = {rec.unit, *(rows[n].unit for _, n in terms)}
        if not (units <= set(MONEY_UNITS) or (len(units) == 1 and units <= NUMBER_UNITS)):
            problems.append(
                f"{where}: found {formula!r}, which adds figures in {', '.join(sorted(units))}; "
                "a formula adds amounts of money (gbp, gbp_000, gbp_m), or numbers of one unit"
            )
            continue
        computed = sum(sign * float(values[n]) for sign, n in terms)
        allowed = _stated_step(str(rec.value), rec.unit) + sum(
            _stated_step(str(rows[n].value), rows[n].unit) for _, n in terms
        )
        if abs(computed - float(values[rec.name])) > allowed + 1e-9:
            problems.append(
                f"{source}, row {rec.row}, column 'value': {rec.name} is {rec.value} but "
                f"{formula} gives {computed / float(MONEY_UNITS.get(rec.unit, 1)):g} "
                "(in its unit), more than the rounding of the figures stated allows"
            )
    return problems
