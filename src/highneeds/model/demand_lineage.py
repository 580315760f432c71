"""The lineage of the demand figures (EHCPs, cost per plan, the all-requests-convert forecast),
of EHCP growth and the interventions' savings (notebook 03), and of the measures of how sure
the forecast is. See :mod:`highneeds.model.lineage` for the rules."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pandas as pd

from highneeds.model.deficit_lineage import described
from highneeds.model.lineage import Cell, Derivation, Lineage, Term

_DEMAND = "02_deficit_model.ipynb: The printed forecast, explained as EHCPs x cost per plan"
_GROWTH = "03_interventions.ipynb: EHCP growth"
_SAVINGS = "03_interventions.ipynb: Savings from places avoided"


def ehcp_lineage(lineage: Lineage, ehcp_demand: pd.DataFrame, file: str) -> None:
    """``ehcp.<measure>`` from the table's cells; growth to date and if all convert."""
    for rec in ehcp_demand.itertuples(index=False):
        cell = Cell(file, int(rec.row), "count", str(int(rec.count)))
        read = lineage.cell(cell, int(rec.count), f"{rec.measure} as typed")
        lineage.add(
            Derivation(
                f"ehcp.{rec.measure}",
                str(rec.description),
                int(rec.count),
                "same",
                "",
                (Term(f"{rec.measure} in {file}", read),),
            )
        )
        if rec.measure == "plans_at_start":
            since = Cell(file, int(rec.row), "since", pd.Timestamp(rec.since).date().isoformat())
            key = lineage.cell(since, since.text, "the date the counts start")
            lineage.add(
                Derivation(
                    "ehcp.since",
                    "The date the counts start",
                    since.text,
                    "same",
                    "",
                    (Term("since", key),),
                )
            )
    plans, new = "ehcp.plans_at_start", "ehcp.new_plans_to_date"
    value = lambda key: float(lineage[key].value)  # noqa: E731
    lineage.add(
        Derivation(
            "ehcp.growth_to_date",
            "EHCP growth to date",
            value(new) / value(plans),
            "ratio",
            "new plans to date / plans at the start",
            (Term("new plans to date", new), Term("plans at the start", plans)),
            computed_in=_GROWTH,
        )
    )
    both = lineage.add(
        Derivation(
            "ehcp.new_and_requested",
            "New plans and open requests",
            value(new) + value("ehcp.requests_for_assessment"),
            "sum",
            "new plans + open requests",
            (Term("new plans to date", new), Term("open requests", "ehcp.requests_for_assessment")),
            computed_in=_GROWTH,
        )
    )
    lineage.add(
        Derivation(
            "ehcp.growth_if_all_convert",
            "EHCP growth if all requests convert",
            value(both) / value(plans),
            "ratio",
            "(new plans + open requests) / plans at the start",
            (Term("new plans and open requests", both), Term("plans at the start", plans)),
            computed_in=_GROWTH,
        )
    )


def demand_lineage(lineage: Lineage, forecast: pd.DataFrame) -> None:
    """``demand.<column>[<year>]``: plans now growing by the stated rate each year, the cost
    per plan the placement costs imply, and the same plans if all requests convert."""
    years = list(forecast["year"])
    now = lineage.add(
        Derivation(
            "demand.plans_now",
            "EHCPs in place now",
            float(lineage["ehcp.plans_at_start"].value)
            + float(lineage["ehcp.new_plans_to_date"].value),
            "sum",
            "plans at the start + new plans to date",
            (
                Term("plans at the start", "ehcp.plans_at_start"),
                Term("new plans to date", "ehcp.new_plans_to_date"),
            ),
            computed_in=_DEMAND,
        )
    )
    for column, rate in (
        ("plans", "ehcp_growth_per_year"),
        ("plans_if_all_convert", "ehcp_growth_if_all_requests_convert"),
    ):
        factor = _growth_factor(lineage, rate)
        for index, rec in enumerate(forecast.itertuples(index=False)):
            year, key = rec.year, f"demand.{column}[{rec.year}]"
            if index == 0:
                lineage.add(
                    Derivation(
                        key,
                        f"EHCPs {year}",
                        float(getattr(rec, column)),
                        "same",
                        "the plans in place now",
                        (Term("plans now", now),),
                        computed_in=_DEMAND,
                    )
                )
                continue
            before = f"demand.{column}[{years[index - 1]}]"
            lineage.add(
                Derivation(
                    key,
                    f"EHCPs {year}" + (", if all convert" if "all" in column else ""),
                    float(getattr(rec, column)),
                    "product",
                    "the year before's plans x (1 + growth a year)",
                    (Term(f"plans {years[index - 1]}", before), Term("1 + growth a year", factor)),
                    computed_in=_DEMAND,
                )
            )
    for rec in forecast.itertuples(index=False):
        year = rec.year
        lineage.add(
            Derivation(
                f"demand.placement_costs[{year}]",
                f"Placement costs {year}",
                float(rec.placement_costs),
                "same",
                "the forecast's placement costs",
                (Term(f"placement costs {year}", f"budget.placement_costs[{year}]"),),
            )
        )
        lineage.add(
            Derivation(
                f"demand.cost_per_plan[{year}]",
                f"Average cost per plan {year} (£000)",
                float(rec.cost_per_plan),
                "ratio",
                "placement costs / EHCPs",
                (
                    Term(f"placement costs {year}", f"budget.placement_costs[{year}]"),
                    Term(f"EHCPs {year}", f"demand.plans[{year}]"),
                ),
                computed_in=_DEMAND,
            )
        )
        lineage.add(
            Derivation(
                f"demand.placement_costs_if_all_convert[{year}]",
                f"Placement costs {year} if all requests convert",
                float(rec.placement_costs_if_all_convert),
                "product",
                "EHCPs if all convert x cost per plan",
                (
                    Term(f"EHCPs {year} if all convert", f"demand.plans_if_all_convert[{year}]"),
                    Term(f"cost per plan {year}", f"demand.cost_per_plan[{year}]"),
                ),
                computed_in=_DEMAND,
            )
        )


def _growth_factor(lineage: Lineage, rate: str) -> str:
    """``1 + rate / 100`` for a growth rate figures.csv states in percent."""
    share = lineage.add(
        Derivation(
            f"share.{rate}",
            f"{rate} as a share",
            float(lineage[f"fig.{rate}"].value) / 100,
            "ratio",
            "percent / 100",
            (Term(rate, f"fig.{rate}"), Term("100", lineage.constant(100))),
        )
    )
    return lineage.add(
        Derivation(
            f"factor.{rate}",
            f"1 + {rate}",
            1 + float(lineage[share].value),
            "sum",
            "1 + growth a year",
            (Term("1", lineage.constant(1)), Term("growth", share)),
        )
    )


def savings_lineage(
    lineage: Lineage,
    savings: pd.DataFrame,
    summary: pd.DataFrame,
    tables: Mapping[str, pd.DataFrame],
    files: Mapping[str, str],
) -> None:
    """``savings.<intervention>``: places avoided x cost per place, summed by intervention."""
    places = tables["interventions"].set_index(["intervention_id", "placement_type"])["row"]
    costs = tables["placement_costs"].set_index("placement_type")["row"]
    parts: dict[str, list[Term]] = {}
    for rec in savings.itertuples(index=False):
        avoided = lineage.cell(
            Cell(
                files["interventions"],
                int(places[(rec.intervention_id, rec.placement_type)]),
                "places_avoided",
                f"{rec.places_avoided:g}",
            ),
            float(rec.places_avoided),
            f"places avoided, {rec.placement_type}",
        )
        cost = lineage.cell(
            Cell(
                files["placement_costs"],
                int(costs[rec.placement_type]),
                "annual_cost_per_place",
                f"{rec.cost_per_place:g}",
            ),
            float(rec.cost_per_place),
            f"cost per place, {rec.placement_type}",
        )
        key = lineage.add(
            Derivation(
                f"savings.{rec.intervention_id}.{rec.placement_type}",
                f"Saving from {rec.placement_type} places avoided",
                float(rec.saving),
                "product",
                "places avoided x annual cost per place",
                (Term("places avoided", avoided), Term("cost per place", cost)),
                computed_in=_SAVINGS,
            )
        )
        parts.setdefault(rec.intervention_id, []).append(Term(rec.placement_type, key))
    for rec in summary.itertuples(index=False):
        lineage.add(
            Derivation(
                f"savings.{rec.intervention_id}",
                f"Saving of {rec.intervention}",
                float(rec.computed_saving),
                "sum",
                "the savings by placement type",
                tuple(parts.get(rec.intervention_id, ())),
                computed_in=_SAVINGS,
            )
        )


def certainty_lineage(
    lineage: Lineage,
    tornado: pd.DataFrame,
    levels: pd.DataFrame,
    even: Mapping[str, Any],
    inputs: list[str],
) -> None:
    """The tornado, break-even and simulation figures: ``described``, with the model figures
    they start from (``inputs``) and, for each range, where it comes from."""
    last = levels["year"].iloc[-1]
    central = described(
        lineage,
        "sensitivity.central",
        f"Deficit at the end of {last} with the Recovery Plan, as forecast",
        float(tornado["cfwd_central"].iloc[0]),
        "the forecast's own deficit, every assumption central",
        inputs,
    )
    for rank, rec in enumerate(tornado.itertuples(index=False)):
        for column in ("low", "high", "cfwd_at_low", "cfwd_at_high"):
            key = f"sensitivity.{rec.assumption}.{column}"
            words = (
                f"the {column} end of the range ({rec.basis})"
                if column in ("low", "high")
                else f"the deficit at the end of {last} with {rec.label} at the "
                f"{column.removeprefix('cfwd_at_')} end, the others central"
            )
            described(
                lineage,
                key,
                f"{rec.label}: {column.replace('_', ' ')}",
                float(getattr(rec, column)),
                words,
                [central, *inputs],
            )
            if rank == 0:
                _same(lineage, f"sensitivity.biggest.{column}", key)
        if rank == 0:
            described(
                lineage,
                "sensitivity.biggest",
                "The assumption that matters most",
                str(rec.assumption),
                "the assumption whose range moves the deficit most (the tornado's first row)",
                [
                    f"sensitivity.{rec.assumption}.cfwd_at_low",
                    f"sensitivity.{rec.assumption}.cfwd_at_high",
                ],
            )
    last_words = f"the deficit at the end of {last}"
    for name in ("extra_saving_needed", "ehcp_growth"):
        described(
            lineage,
            f"break_even.{name}",
            f"Break-even: {name.replace('_', ' ')}",
            float(even[name]),
            f"solved so that {last_words} stops growing, everything else as forecast",
            inputs,
        )
    draws = int(even["draws"])
    parameter = Cell("the run's parameters", None, "uncertainty_draws", f"{draws}")
    asked = lineage.cell(parameter, draws, "the run's parameter uncertainty_draws")
    lineage.add(
        Derivation(
            "uncertainty.draws",
            "Simulations",
            draws,
            "same",
            "the run's parameter (default 10,000; -p uncertainty_draws=N)",
            (Term("uncertainty_draws", asked),),
        )
    )
    described(
        lineage,
        "uncertainty.probability_still_growing",
        "Share of simulations still growing",
        float(even["probability_still_growing"]),
        "share of the simulations in which the deficit still grows in the final year",
        inputs,
    )
    for rec in levels.itertuples(index=False):
        for level in ("p10", "p50", "p90"):
            described(
                lineage,
                f"uncertainty.{rec.scenario}.{level}[{rec.year}]",
                f"{level} of the deficit at the end of {rec.year}",
                float(getattr(rec, level)),
                f"the {level[1:]}th percentile over the simulations of every assumption's range "
                "(triangular, peaked at the central value; seeded by the cycle)",
                inputs,
            )


def _same(lineage: Lineage, key: str, target: str) -> None:
    lineage.add(
        Derivation(
            key,
            lineage[target].label,
            lineage[target].value,
            "same",
            "",
            (Term(lineage[target].label, target),),
        )
    )
