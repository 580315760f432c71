"""The forecast's figures before the measures of how sure it is, built once for the printed
forecast: figures.csv's figures traced (with the growth figures the EHCP counts give), the
roll-forward, the demand behind the spending, the Recovery Plan's saving, the scenarios (the
council's own and the model's), and the DfE's history of the council's EHC plans where the
cycle gives it."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import pandas as pd

from highneeds.domain.traced import FigureValue, Traced, described, total
from highneeds.model.basis.inputs import cycle_cell, ehcp_cells, figure_cells
from highneeds.model.basis.parameters import ModelParameters
from highneeds.model.forecast import deficit, demand, history, scenarios
from highneeds.model.wiring.forecast_choice import ChosenForecast

_MODEL = "02_deficit_model.ipynb"


@dataclass(frozen=True)
class ForecastFigures:
    """What :func:`forecast_figures` built: each part traced."""

    #: figures.csv's figures (``fig.<name>``) and the EHCP counts' (``ehcp.<measure>``).
    fig: dict[str, Traced]
    ehcp: dict[str, Traced]
    #: The figures' values by name, the derived growth figures among them.
    values: dict[str, FigureValue]
    roll: deficit.Deficit
    current: str
    current_year: Traced
    forecast: demand.DemandForecast | None
    recovery: dict[str, Traced]
    declared: dict[str, scenarios.DeclaredScenario]
    deficits: list[deficit.Deficit]
    with_pressures: deficit.Deficit | None
    told: history.History | None
    #: The agreed pressures the finance table leaves out, by year (the with-savings
    #: forecast's own adjustments less the savings), for the simulations that put them inside.
    pressures: list[float] | None

    @property
    def years(self) -> list[str]:
        return self.roll.years

    @property
    def by_name(self) -> dict[str, deficit.Deficit]:
        return {d.scenario: d for d in self.deficits}


def forecast_figures(
    tables: Mapping[str, pd.DataFrame],
    figures: Mapping[str, FigureValue],
    params: ModelParameters,
    impact: Traced,
    chosen: ChosenForecast,
) -> ForecastFigures:
    """The figures of ``chosen``, the printed forecast, for the cycle of ``params`` (its
    Recovery Plan Impact line read as ``impact`` says)."""
    cells = chosen.cells
    fig = figure_cells(tables.get("figures"), figures)
    ehcp = ehcp_cells(tables.get("ehcp_demand"))
    # The growth figures figures.csv leaves to the EHCP counts.
    derived = demand.derived_growth_figures(fig, ehcp)
    fig |= derived
    values = {**figures, **{name: float(figure) for name, figure in derived.items()}}
    roll = deficit.carry_forward(cells)
    years = roll.years
    current = deficit.financial_year_of(params.cycle)
    current_year = described(
        current,
        "current_year",
        "The financial year of the cycle",
        "the financial year (April to March) the cycle's month falls in",
        [cycle_cell(params.cycle)],
        _MODEL,
    )
    spending = cells.spending()
    forecast = (
        None
        if spending is None
        else demand.forecast_from_figures(spending, ehcp, fig, current, cycle_cell(params.cycle))
    )
    recovery = deficit.recovery_saving(cells, chosen.basis, impact)
    declared = scenarios.declared_scenarios(tables.get("declared_scenarios"), cells)
    extra = None if forecast is None else forecast.extra_cost(years, current_year)
    deficits, with_pressures = scenarios.build_deficits(roll, cells, recovery, declared, extra)
    told = history.council_history(tables.get("sen2"), params.cycle)
    if told is not None and forecast is not None:
        told = history.with_history_deficit(told, forecast, roll, current_year)
        told = history.compared(told, forecast.growth_a_year)
        deficits.append(told.deficit)  # type: ignore[arg-type]
    pressures = (
        None
        if with_pressures is None
        else [float(total(with_pressures.adjustments[y]).value) - float(recovery[y]) for y in years]
    )
    return ForecastFigures(
        fig,
        ehcp,
        values,
        roll,
        current,
        current_year,
        forecast,
        recovery,
        declared,
        deficits,
        with_pressures,
        told,
        pressures,
    )
