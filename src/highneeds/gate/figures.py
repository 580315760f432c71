"""Named single figures (``figures.csv``): each value read in its unit, by the one reader the
gate checks with and the model and paper read with."""

from __future__ import annotations

from typing import Any

import pandas as pd

from highneeds.errors import InputDataError
from highneeds.gate.cells import EXPECTED, Problem, parse_cell

#: How a figure's text value is read, by its unit (kinds of :func:`parse_cell`).
FIGURE_UNITS = {
    "gbp_000": "money",
    "percent": "float",
    "count": "int",
    "years": "int",
    "year": "int",
    "financial_year": "financial_year",
}


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


def figure_values(figures: pd.DataFrame) -> dict[str, Any]:
    """Named figures as Python values typed by their unit (``count`` as int, £000 as float)."""
    values, problems = _read_figures(figures)
    if problems:
        raise InputDataError("A figure's value cannot be read in its unit.", problems)
    return values
