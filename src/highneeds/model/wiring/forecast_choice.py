"""Which forecast the paper prints, chosen once: finance's typed table, or the driver model's
where the cycle gives its drivers (``-p forecast_source``; ``auto`` takes the typed table where
it covers every forecast year), with what each reading of it rests on."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import pandas as pd

from highneeds.model.basis.inputs import BudgetFigures, budget_figures
from highneeds.model.forecast import deficit, drivers


@dataclass(frozen=True)
class ChosenForecast:
    """The forecast the paper prints (``source``: ``typed`` or ``drivers``): its table
    (``printed``) and roll-forward, the figures it is computed from (``cells``), how its
    Recovery Plan Impact line is read (``basis``), the driver model where the cycle gives
    drivers, and the two forecasts compared where both cover the forecast's years."""

    source: str
    printed: pd.DataFrame
    roll_forward: pd.DataFrame
    cells: BudgetFigures
    basis: str
    driven: drivers.DriverForecast | None
    comparison: pd.DataFrame | None


def choose_forecast(
    tables: Mapping[str, pd.DataFrame], requested: str, impact_basis: str
) -> ChosenForecast:
    """The typed table, checked (its roll-forward must reconcile), the driver model where the
    cycle gives drivers, and the one of them the paper prints (``requested``: the run's
    ``forecast_source``; ``impact_basis``: how the typed table's impact line is read)."""
    typed = tables["budget"]
    budget = deficit.with_derived_lines(typed)
    checked = deficit.roll_forward(budget)
    deficit.check_reconciliation(checked)
    placements, assumptions = (
        tables.get("placements_by_category"),
        tables.get("forecast_assumptions"),
    )
    driven = (
        None
        if placements is None or assumptions is None
        else drivers.build_driver_forecast(
            budget, placements, assumptions, tables.get("intervention_places"), impact_basis
        )
    )
    years = [] if assumptions is None else drivers.forecast_years(assumptions)
    covers = drivers.typed_forecast_covers(budget, years)
    source = drivers.choose_forecast_source(
        requested, has_drivers=driven is not None, typed_covers=covers
    )
    comparison = (
        drivers.compare_forecasts(budget, driven.budget, years)
        if driven is not None and covers
        else None
    )
    if source == "typed" or driven is None:
        return ChosenForecast(
            "typed", budget, checked, budget_figures(typed), impact_basis, driven, comparison
        )
    # The driver model writes its Recovery Plan line as each year's own saving.
    printed = driven.budget
    return ChosenForecast(
        "drivers",
        printed,
        deficit.roll_forward(printed),
        driven.lines,
        "in_year",
        driven,
        comparison,
    )
