"""The model's entry points, the one place its parts are wired together: notebooks 02 and 03
call them and show what they return, and the tests call the same functions.

:func:`run_model` is notebook 02 (the printed forecast, its roll-forward and scenarios, the
demand behind it, the driver model where the cycle gives drivers, and how sure it is);
:func:`run_interventions` is notebook 03 (the business cases' savings and EHCP growth).
Each returns its tables and the lineage its arithmetic built (``highneeds.domain.traced``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any

import pandas as pd

from highneeds.domain.amounts import BudgetFormat
from highneeds.domain.traced import FigureValue, Traced, described
from highneeds.model.basis import readings
from highneeds.model.basis.inputs import (
    ehcp_cells,
    parameter_cell,
)
from highneeds.model.basis.lineage import Lineage
from highneeds.model.basis.parameters import ModelParameters
from highneeds.model.basis.switches import DEFAULT_DRAWS
from highneeds.model.certainty import certainty, sensitivity
from highneeds.model.certainty import tornado as measures
from highneeds.model.forecast import (
    deficit,
    demand,
    drivers,
    dsg,
    reconciliation,
    return_lines,
    scenarios,
    track_record,
)
from highneeds.model.forecast.interventions import business_case_summary, intervention_savings
from highneeds.model.wiring.forecast_choice import ChosenForecast, choose_forecast
from highneeds.model.wiring.forecast_figures import ForecastFigures, forecast_figures

#: The business cases' tables: the places each avoids, their costs and the savings stated.
BUSINESS_CASE_TABLES = ("interventions", "placement_costs", "business_cases")

#: Besides the budget's lines, the figures the measures of how sure the forecast is start from.
CERTAINTY_INPUTS = (
    "ehcp_growth_per_year",
    "ehcp_growth_if_all_requests_convert",
)


@dataclass
class ModelResult:
    """What the model computed: which forecast the paper prints (``typed`` or ``drivers``),
    the tables the paper reads (``None`` where the cycle gives no input for one), and the
    lineage of every figure."""

    source: str
    tables: dict[str, pd.DataFrame | None]
    lineage: Lineage = field(default_factory=Lineage)
    #: The growth in cost per plan (percent a year) the printed forecast implies, by year.
    implied_cost_per_plan_growth: dict[str, float] | None = None

    def __getitem__(self, name: str) -> pd.DataFrame | None:
        return self.tables[name]


def run_model(
    tables: Mapping[str, pd.DataFrame],
    figures: Mapping[str, FigureValue],
    params: ModelParameters,
) -> ModelResult:
    """The deficit model of one cycle, from the gate's typed tables (blanks kept blank, each
    with its ``source`` file) and ``figures`` (figures.csv's values read by their units)."""
    # How the council's figures are read: the run's choice, else the council's, else assumed.
    impact = readings.reading(
        "recovery_plan_impact", tables.get("readings"), params.recovery_plan_basis
    )
    centre = readings.reading("certainty_centre", tables.get("readings"), params.uncertainty_centre)
    params = replace(params, recovery_plan_basis=impact.value, uncertainty_centre=centre.value)
    chosen = choose_forecast(tables, params.forecast_source, impact.value)
    built = forecast_figures(tables, figures, params, impact.figure, chosen)
    years, by_name, forecast, told = built.years, built.by_name, built.forecast, built.told
    forecast_frame = None if forecast is None else forecast.frame()
    base, ranges = sensitivity.ranges_for_cycle(
        chosen.printed,
        forecast_frame,
        built.values,
        built.current,
        tables.get("assumption_ranges"),
        chosen.basis,
        12 if forecast is None else forecast.months_to_date_count,
        # The agreed pressures inside every path, where the run asks for it.
        built.pressures if params.uncertainty_centre == "with_agreed_pressures" else None,
        # EHCP growth's range from the DfE's history, where the cycle gives it.
        None if told is None else told.growth_range,
    )
    # What the Recovery Plan Impact line read the other way would give, for the paper to say.
    as_read = by_name["mitigated"].cfwd[years[-1]]
    if chosen.source == "typed":
        flip = "cumulative" if chosen.basis == "in_year" else "in_year"
        other = deficit.recovery_saving(chosen.cells, flip)
        other_cfwd = readings.other_reading(impact, built.recovery, as_read, other)
    else:
        other_cfwd = readings.one_reading(impact, as_read)
    lines = [ln for item in scenarios.agreed(built.declared) for ln in item.lines]
    measured = (
        _how_sure(base, ranges, by_name, built.with_pressures, params, lines, centre.chosen_by)
        if ranges
        else None
    )
    # Earlier papers' forecasts against this cycle's outturn; the band widened if they say so.
    given = {y: chosen.cells.given("cfwd", y) for y in years}
    scores = track_record.score_forecasts(
        tables.get("earlier_forecasts"),
        params.cycle,
        built.current,
        track_record.outturns(years, built.current, given, built.roll.cfwd),
    )
    widening = None
    if measured is not None:
        levels, widening = track_record.widen_levels(scores, measured[1], years[-1])
        measured = (measured[0], levels, measured[2], measured[3])

    lineage = Lineage()
    read = [impact.figure, centre.figure, other_cfwd]  # how the council's figures were read
    opening, groups, reconciled = _record_forecast(lineage, built, chosen, tables, read)
    if measured is not None:
        tornado, levels, even, seed = measured
        draws = parameter_cell("uncertainty_draws", params.uncertainty_draws).named(
            "uncertainty.draws",
            "Simulations",
            formula=(f"the run's parameter (default {DEFAULT_DRAWS:,}; -p uncertainty_draws=N)"),
        )
        inside = (
            None
            if base.pressures is None
            else dict(zip(base.years, base.pressures.tolist(), strict=True))
        )
        recipe = certainty.simulation_recipe(
            ranges, params.cycle, seed, params.uncertainty_draws, inside
        )
        starts = _certainty_starts(built, chosen)
        lineage.record(
            *certainty.certainty_figures(tornado, levels, even, starts, draws, recipe, widening)
        )
        lineage.record(*_odds_against(by_name, built.with_pressures, years[-1], centre))
    growth, growth_years = _forecast_growth(by_name, years, built.current)
    lineage.record(*growth)
    said = track_record.words(scores, widening, built.current_year)
    lineage.record(*track_record.figures(scores), *([] if widening is None else [widening]), *said)

    implied = (
        None
        if forecast_frame is None
        else drivers.implied_cost_per_plan_growth(forecast_frame).round(1).to_dict()
    )
    driven = chosen.driven
    return ModelResult(
        chosen.source,
        {
            "forecast_budget": chosen.printed,
            # How the council writes its table (unit, sign, block, decimals), as the paper does.
            "budget_format": pd.DataFrame(
                [tables["budget"].attrs.get("format") or BudgetFormat().to_dict()]
            ),
            # The typed forecast's roll-forward is the one checked: not computed again.
            "roll_forward": chosen.roll_forward,
            "scenarios": deficit.scenarios_frame(built.deficits),
            "forecast_growth": deficit.growth_frame(growth, growth_years),
            # The whole DSG's opening balance, for the DfE return, where the cycle gives it.
            "dsg_opening": dsg.opening_frame(opening, years[0]),
            "budget_groups": groups,
            "demand": forecast_frame,
            "demand_basis": None if forecast is None else forecast.basis(),
            "placements_forecast": None if driven is None else driven.by_category,
            "placements_totals": None if driven is None else driven.totals,
            # The DfE's history of the council's EHC plans, where the cycle gives it.
            "ehcp_history": None if told is None else told.frame(),
            "history_basis": None
            if told is None
            else told.basis(None if forecast is None else float(forecast.growth_a_year)),
            "forecast_comparison": chosen.comparison,
            # The business cases' savings against the Recovery Plan Impact line.
            "savings_reconciliation": reconciliation.reconciliation_frame(reconciled, years[-1]),
            # Earlier papers' forecasts against this cycle's outturn, and the band's widening.
            "track_record": track_record.frame(scores, widening),
            "track_record_words": track_record.words_frame(said, scores, widening),
            # How the council's figures were read, by whom, and the other reading's deficit.
            "readings_used": pd.DataFrame(
                [
                    impact.frame()
                    | {"other": float(other_cfwd), "one_reading": chosen.source != "typed"},
                    centre.frame(),
                ]
            ),
            # None where no assumption moves the forecast: nothing to measure.
            "sensitivity": None if measured is None else measured[0],
            "uncertainty": None if measured is None else measured[1],
            "break_even": None if measured is None else pd.DataFrame([measured[2]]),
        },
        lineage,
        implied,
    )


def _record_forecast(
    lineage: Lineage,
    built: ForecastFigures,
    chosen: ChosenForecast,
    tables: Mapping[str, pd.DataFrame],
    read: list[Traced],
) -> tuple[Traced | None, pd.DataFrame | None, list[Traced]]:
    """Record the forecast's figures in ``lineage``: the budget's lines and headings, the
    figures and counts read and how (``read``), the scenarios, the demand, the driver model
    and the history, the return's own lines and the business cases set against the impact
    line. Return the whole DSG's opening balance, the return's group totals and the
    reconciliation."""
    cells, roll, years = chosen.cells, built.roll, built.years
    blocks = dsg.block_figures(tables.get("dsg_blocks"))
    opening = dsg.dsg_opening(blocks, roll.bfwd[years[0]], years[0])
    lineage.record(*([] if opening is None else [opening]))
    for name, figure in (
        ("first_year", cells.headings[years[0]]),
        ("last_year", cells.headings[years[-1]]),
    ):
        lineage.record(figure.named(name, f"The {name.replace('_', ' ')} of the forecast"))
    lineage.record(built.current_year, *built.fig.values(), *built.ehcp.values(), *read)
    for_return, groups = return_lines.return_lines(cells, tables)
    lineage.record(*blocks.values(), *for_return)
    reconciled = reconciliation.savings_reconciliation(
        tables.get("business_cases"), built.recovery, years[-1]
    )
    lineage.record(*reconciled)
    lineage.record(*deficit.printed_lines(cells, roll), *built.recovery.values())
    for item in built.declared.values():
        lineage.record(*item.figures())
    for scenario in built.deficits:
        lineage.record(*scenario.figures())
        if scenario.scenario in built.declared:
            lineage.record(*scenarios.second_names(scenario))
    if built.forecast is not None:
        lineage.record(*built.forecast.figures())
    if chosen.driven is not None:
        lineage.record(*chosen.driven.figures)
    if built.told is not None:
        lineage.record(*built.told.figures())
    return opening, groups, reconciled


def _certainty_starts(built: ForecastFigures, chosen: ChosenForecast) -> list[Traced]:
    """The figures the measures of how sure the forecast is start from: the budget's lines,
    the EHCP growth figures and counts, and the months to date the growth is made yearly
    over (it moves them)."""
    forecast = built.forecast
    return [
        *(figure for (_, _), figure in sorted(chosen.cells.lines.items())),
        *(built.fig[name] for name in CERTAINTY_INPUTS if name in built.fig),
        *(built.ehcp[m] for m in demand.EHCP_MEASURES if m in built.ehcp),
        *([] if forecast is None or forecast.months_to_date is None else [forecast.months_to_date]),
    ]


def _how_sure(
    base: sensitivity.ForecastBase,
    ranges: list[sensitivity.AssumptionRange],
    by_name: Mapping[str, deficit.Deficit],
    with_pressures: deficit.Deficit | None,
    params: ModelParameters,
    pressure_lines: list[str],
    centre_chosen_by: str,
) -> tuple[pd.DataFrame, pd.DataFrame, dict[str, object], int]:
    """The tornado, the simulations' percentiles, the break-even figures and the seed."""
    tornado = measures.tornado(base, ranges)
    seed = sensitivity.seed_of(params.cycle)
    paths = sensitivity.simulate(base, ranges, seed, params.uncertainty_draws)
    levels = sensitivity.uncertainty(base, paths)
    last = base.years[-1]
    # The simulations move the forecast with the savings; unless the run puts the agreed
    # pressures inside them, their odds are given against the forecast with those too.
    inside = params.uncertainty_centre == "with_agreed_pressures" and with_pressures is not None
    mitigated = float(by_name["mitigated"].cfwd[last])
    assumed = measures.odds_evidence(ranges, tornado)
    even: dict[str, Any] = measures.break_even(base) | {
        "probability_still_growing": sensitivity.probability_still_growing(base, paths),
        "draws": params.uncertainty_draws,
        "pressures_inside": inside,
        "centre_chosen_by": centre_chosen_by,
        # Odds only where every range that moves the deficit has a source or evidence.
        "odds_given": not assumed,
        "assumed_ranges": " ".join(assumed),
    }
    if with_pressures is not None:
        pressured = float(with_pressures.cfwd[last])
        even |= {
            "pressures_label": with_pressures.label,
            "pressures_lines": " and ".join(pressure_lines),
            "forecast_with_pressures": pressured,
            "share_above_forecast_with_pressures": sensitivity.share_above(
                paths["mitigated"], pressured
            ),
        }
    forecast_cfwd = float(even.get("forecast_with_pressures", mitigated)) if inside else mitigated
    even |= {
        "forecast": forecast_cfwd,
        "share_above_forecast": sensitivity.share_above(paths["mitigated"], forecast_cfwd),
    }
    return tornado, levels, even, seed


def _odds_against(
    by_name: Mapping[str, deficit.Deficit],
    with_pressures: deficit.Deficit | None,
    last: str,
    centre: readings.Reading,
) -> list[Traced]:
    """The forecasts the simulations' odds are given against, and what they centre on."""
    setting = centre.figure
    inside = centre.value == "with_agreed_pressures" and with_pressures is not None
    forecast = with_pressures.cfwd[last] if inside else by_name["mitigated"].cfwd[last]  # type: ignore[union-attr]
    words = "the forecast with the savings" + (" and the agreed pressures" if inside else "")
    named = [
        forecast.named("uncertainty.forecast", f"The forecast the odds are given against: {words}"),
        # The run's setting itself, under the names the paper's words trace to.
        setting.named("uncertainty.pressures", "Whether the simulations include the pressures"),
        setting.named("sensitivity.centre", "What the measures of how sure it is centre on"),
    ]
    if with_pressures is not None:
        named.append(
            with_pressures.cfwd[last].named(
                "uncertainty.forecast_with_pressures",
                f"The forecast with the savings and the agreed pressures: {with_pressures.label}",
            )
        )
    return named


def _forecast_growth(
    by_name: Mapping[str, deficit.Deficit], years: list[str], current: str
) -> tuple[list[Traced], tuple[str, str] | None]:
    """What the forecast says the deficit grows by a year (``forecast_growth``), traced: its
    lowest and highest yearly movement, and the first and last year they span (none with no
    year after the cycle's own)."""
    found = deficit.movements_after({n: d.in_year for n, d in by_name.items()}, years, current)
    if found is None:
        return [], None
    movements, first, last = found
    span = f"from {first} to {last}, with and without the Recovery Plan"
    # Every movement is an input of both ends: which one is the lowest or highest depends on
    # all of them (a change to any may move the end), so each end names them all.
    ends = [
        described(
            float(pick(movements, key=float)),
            f"forecast_growth.{end}",
            f"The {end}est yearly growth {span}",
            f"the {end}est of the {len(movements)} yearly movements {span}",
            movements,
        )
        for end, pick in (("low", min), ("high", max))
    ]
    return ends, (first, last)


def run_interventions(tables: Mapping[str, pd.DataFrame]) -> ModelResult:
    """The business cases' savings (places avoided x cost per place, checked against the
    saving each states) where the cycle gives them, and EHCP growth where it gives the EHCP
    counts, with their lineage (``None`` for a table the cycle has no input for)."""
    cases = [tables.get(name) for name in BUSINESS_CASE_TABLES]
    counts = tables.get("ehcp_demand")
    lineage = Lineage()
    out: dict[str, pd.DataFrame | None] = {
        "intervention_savings": None,
        "business_case_summary": None,
        "ehcp_growth": None,
    }
    if all(table is not None for table in cases):
        interventions, costs, stated = cases
        savings = intervention_savings(interventions, costs)
        out["intervention_savings"] = savings.frame()
        out["business_case_summary"] = business_case_summary(savings, stated)
        lineage.record(*savings.figures())
    if counts is not None:
        ehcp = ehcp_cells(counts)
        out["ehcp_growth"] = pd.DataFrame([demand.ehcp_growth(counts).__dict__])
        lineage.record(*ehcp.values(), *demand.growth_figures(ehcp))
    return ModelResult("typed", out, lineage)
