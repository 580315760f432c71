"""The lineage of the deficit model's figures (notebook 02): the budget's cells, the
roll-forward, the scenarios, the demand forecast and the measures of how sure it is.

Each builder is given the very tables the notebook computed and records, for every figure, the
terms it was computed from, as :mod:`highneeds.model.deficit` and
:mod:`highneeds.model.demand` compute them; the values recorded are the model's own outputs,
so :func:`highneeds.model.lineage.agrees` checks the two against each other.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pandas as pd

from highneeds.amounts import as_written
from highneeds.model.deficit import SCENARIO_LABELS
from highneeds.model.lineage import Cell, Derivation, Lineage, Term

_FLOW_WORDS = {
    "transfer": "transfer",
    "allocation": "allocation",
    "placement_costs": "placement costs",
}
_MODEL = "02_deficit_model.ipynb"
#: Lines whose blank cell the model reads as 0 (a blank B/Fwd or C/Fwd is derived instead).
_ZERO_WHEN_BLANK = (*_FLOW_WORDS, "recovery_plan_impact")


def figure_lineage(lineage: Lineage, figures: pd.DataFrame, file: str, values: Mapping) -> None:
    """``fig.<name>``: each figure of figures.csv, read from its cell in the 'value' column."""
    for rec in figures.itertuples(index=False):
        cell = Cell(file, int(rec.row), "value", str(rec.value))
        read = lineage.cell(cell, values.get(rec.name, rec.value), f"{rec.name} as typed")
        lineage.add(
            Derivation(
                f"fig.{rec.name}",
                str(rec.description),
                values.get(rec.name, rec.value),
                "same",
                "",
                (Term(f"{rec.name} in {file}", read),),
            )
        )


def budget_lineage(
    lineage: Lineage,
    typed: pd.DataFrame,
    printed: pd.DataFrame,
    roll: pd.DataFrame,
    file: str,
) -> None:
    """``budget.<line>[<year>]`` for every line the paper prints, and the roll-forward:
    ``unmitigated.in_year[y]`` and ``unmitigated.cfwd[y]`` (C/Fwd = B/Fwd + transfer +
    allocation + placement costs; the B/Fwd a year gives, else the C/Fwd before it).

    ``typed`` is the budget table as the gate read it (blanks kept blank), ``printed`` the
    budget the paper prints: the same, or the driver model's where it replaced a line."""
    where = f"{_MODEL}: Roll forward and reconcile the typed table"
    years = list(roll["year"])
    shown = dict(
        zip(zip(printed["line"], printed["year"], strict=True), printed["amount"], strict=True)
    )
    given: dict[tuple[str, str], str] = {}
    for rec in typed.itertuples(index=False):
        value = shown.get((rec.line, rec.year))
        if rec.line in _FLOW_WORDS and pd.notna(value) and value != rec.amount:
            continue  # the driver model's figure, not the table's: recorded below
        if pd.notna(rec.amount) and pd.notna(rec.row):
            cell = Cell(file, int(rec.row), rec.year, as_written(float(rec.amount)))
            given[(rec.line, rec.year)] = lineage.cell(
                cell, float(rec.amount), f"{rec.label}, {rec.year}"
            )
        elif pd.notna(rec.row) and rec.line in _ZERO_WHEN_BLANK:  # a blank cell counts as 0
            cell = Cell(file, int(rec.row), rec.year, "(blank)")
            given[(rec.line, rec.year)] = lineage.cell(
                cell, 0.0, f"{rec.label}, {rec.year}, left blank: 0"
            )
    for (line, year), value in shown.items():
        if line in _FLOW_WORDS and (line, year) not in given and pd.notna(value):
            given[(line, year)] = lineage.add(
                Derivation(
                    f"drivers.{line}[{year}]",
                    f"{_FLOW_WORDS[line]} {year} (driver model)",
                    float(value),
                    "described",
                    "the driver model: EHCPs x cost per EHCP by DfE placement category "
                    "(see placements_forecast)",
                    computed_in=f"{_MODEL}: The forecast from its drivers",
                )
            )
    for index, rec in enumerate(roll.itertuples(index=False)):
        year = rec.year
        flows = []
        for line, words in _FLOW_WORDS.items():
            key = f"budget.{line}[{year}]"
            if (line, year) in given:
                _alias(lineage, key, f"{words} {year}", given[(line, year)])
            else:  # the line is not in the table at all
                absent = lineage.constant(0.0)
                _alias(lineage, key, f"{words} {year} (not in the table: 0)", absent)
            flows.append(Term(f"{words} {year}", key))
        lineage.add(
            Derivation(
                f"unmitigated.in_year[{year}]",
                f"In-year movement {year}, no interventions",
                float(rec.in_year),
                "sum",
                "transfer + allocation + placement costs",
                tuple(flows),
                computed_in=where,
            )
        )
        opening = f"budget.bfwd[{year}]"
        if ("bfwd", year) in given:
            _alias(lineage, opening, f"B/Fwd {year}", given[("bfwd", year)])
        elif index > 0:
            before = f"unmitigated.cfwd[{years[index - 1]}]"
            lineage.add(
                Derivation(
                    opening,
                    f"B/Fwd {year}: the C/Fwd of {years[index - 1]}",
                    float(rec.bfwd),
                    "same",
                    "left blank: the C/Fwd of the year before",
                    (Term(f"C/Fwd {years[index - 1]}", before),),
                    computed_in=where,
                )
            )
        lineage.add(
            Derivation(
                f"unmitigated.cfwd[{year}]",
                f"Deficit carried forward at the end of {year}, no interventions",
                float(rec.cfwd),
                "sum",
                "B/Fwd + transfer + allocation + placement costs",
                (Term(f"B/Fwd {year}", opening), *flows[:]),
                computed_in=where,
            )
        )
        closing = f"budget.cfwd[{year}]"
        if ("cfwd", year) in given:
            _alias(lineage, closing, f"C/Fwd {year} as typed", given[("cfwd", year)])
        else:
            _alias(lineage, closing, f"C/Fwd {year}", f"unmitigated.cfwd[{year}]", where)
        impact = f"budget.recovery_plan_impact[{year}]"
        plain = f"recovery_plan_impact[{year}]"  # as a placeholder names it
        if ("recovery_plan_impact", year) in given:
            _alias(
                lineage,
                impact,
                f"Recovery Plan Impact {year}",
                given[("recovery_plan_impact", year)],
            )
        else:
            _alias(
                lineage,
                impact,
                f"Recovery Plan Impact {year} (not in the table: 0)",
                lineage.constant(0),
            )
        _alias(lineage, plain, f"Recovery Plan Impact {year}", impact)


def years_lineage(lineage: Lineage, years: list[str], file: str, cycle: str, current: str) -> None:
    """``first_year`` and ``last_year``: headings of the budget table; ``current_year``: the
    financial year the cycle's month falls in."""
    for name, year in (("first_year", years[0]), ("last_year", years[-1])):
        heading = lineage.cell(Cell(file, None, year, year), year, f"the heading {year}")
        _alias(lineage, name, f"The {name.replace('_', ' ')} of the forecast", heading)
    folder = lineage.cell(
        Cell(f"the cycle's folder, data/raw/{cycle}", None, "", cycle), cycle, "the cycle"
    )
    lineage.add(
        Derivation(
            "current_year",
            "The financial year of the cycle",
            current,
            "described",
            "the financial year (April to March) the cycle's month falls in",
            (Term("the cycle", folder),),
            computed_in=_MODEL,
        )
    )


def scenario_lineage(
    lineage: Lineage,
    scenarios: pd.DataFrame,
    recovery_basis: str,
    uplift_from: str | None,
    demand_years: list[str],
) -> None:
    """``<scenario>.in_year[y]`` and ``<scenario>.cfwd[y]`` for every scenario but the
    unmitigated one (the roll-forward's), with the adjustment each makes."""
    where = f"{_MODEL}: Scenarios"
    years = list(dict.fromkeys(scenarios["year"]))
    for scenario in dict.fromkeys(scenarios["scenario"]):
        if scenario == "unmitigated":
            continue
        rows = scenarios[scenarios["scenario"] == scenario].set_index("year")
        label = SCENARIO_LABELS[scenario]
        for index, year in enumerate(years):
            terms = [
                Term(f"in-year movement {year}, no interventions", f"unmitigated.in_year[{year}]")
            ]
            terms += _adjustments(
                lineage, scenario, year, recovery_basis, uplift_from, demand_years, years
            )
            lineage.add(
                Derivation(
                    f"{scenario}.in_year[{year}]",
                    f"In-year movement {year}: {label}",
                    float(rows.loc[year, "in_year"]),
                    "sum",
                    " + ".join(t.label.split(" 20")[0] for t in terms),
                    tuple(terms),
                    computed_in=where,
                )
            )
            opening = (
                Term(f"B/Fwd {year}", f"budget.bfwd[{year}]")
                if index == 0
                else Term(
                    f"C/Fwd {years[index - 1]}: {label}", f"{scenario}.cfwd[{years[index - 1]}]"
                )
            )
            lineage.add(
                Derivation(
                    f"{scenario}.cfwd[{year}]",
                    f"Deficit carried forward at the end of {year}: {label}",
                    float(rows.loc[year, "cfwd"]),
                    "sum",
                    "the C/Fwd of the year before (the first year: its B/Fwd) + in-year movement",
                    (opening, Term(f"in-year movement {year}", f"{scenario}.in_year[{year}]")),
                    computed_in=where,
                )
            )


def _adjustments(
    lineage: Lineage,
    scenario: str,
    year: str,
    basis: str,
    uplift_from: str | None,
    demand_years: list[str],
    years: list[str],
) -> list[Term]:
    """The in-year adjustments ``scenario`` makes to the unmitigated forecast in ``year``."""
    terms: list[Term] = []
    if scenario in ("mitigated", "mitigated_with_topup_uplift"):
        terms.append(Term(f"Recovery Plan saving {year}", _recovery(lineage, year, basis, years)))
    if scenario == "mitigated_with_topup_uplift":
        key = f"topup_uplift.in_year[{year}]"
        if uplift_from is not None and years.index(year) >= years.index(uplift_from):
            _alias(lineage, key, f"CPI top-up uplift {year}", "fig.cpi_topup_uplift_per_year")
        else:
            _nothing_yet(
                lineage,
                key,
                f"CPI top-up uplift {year}",
                "fig.cpi_topup_uplift_from",
                f"0: the uplift applies from {uplift_from}",
            )
        terms.append(Term(f"CPI top-up uplift {year}", key))
    if scenario == "all_requests_convert":
        key = f"all_requests_convert.extra_cost[{year}]"
        if year in demand_years:
            lineage.add(
                Derivation(
                    key,
                    f"Extra placement costs {year} if all requests convert",
                    float(lineage[f"demand.placement_costs_if_all_convert[{year}]"].value)
                    - float(lineage[f"budget.placement_costs[{year}]"].value),
                    "sum",
                    "placement costs if all requests convert - placement costs as forecast",
                    (
                        Term(
                            "placement costs if all convert",
                            f"demand.placement_costs_if_all_convert[{year}]",
                        ),
                        Term("placement costs as forecast", f"budget.placement_costs[{year}]", -1),
                    ),
                )
            )
        else:
            _nothing_yet(
                lineage,
                key,
                f"Extra placement costs {year}",
                "current_year",
                "0: the demand forecast starts in the cycle's own year",
            )
        terms.append(Term(f"extra placement costs {year}", key))
    return terms


def _recovery(lineage: Lineage, year: str, basis: str, years: list[str]) -> str:
    """The Recovery Plan's own saving in ``year``: the line as typed (``in_year``), or the
    difference between running totals (``cumulative``)."""
    key = f"recovery_plan_impact.in_year[{year}]"
    typed = f"budget.recovery_plan_impact[{year}]"
    given = [y for y in years[: years.index(year)] if not _blank(lineage, y)]
    if basis == "in_year" or not given:
        return _alias(lineage, key, f"Recovery Plan saving {year}", typed)
    if _blank(lineage, year):  # a blank year adds nothing: the running total stays
        return _alias(lineage, key, f"Recovery Plan saving {year} (blank: the total stays)", typed)
    before = f"budget.recovery_plan_impact[{given[-1]}]"
    value = float(lineage[typed].value) - float(lineage[before].value)
    return lineage.add(
        Derivation(
            key,
            f"Recovery Plan saving {year} (the line read as a running total)",
            value,
            "sum",
            "running total this year - running total the year before",
            (
                Term(f"Recovery Plan Impact {year}", typed),
                Term("the running total before", before, -1),
            ),
        )
    )


def _nothing_yet(lineage: Lineage, key: str, label: str, starts: str, words: str) -> str:
    """An adjustment that is 0 in a year before it starts, traced to what says when it starts."""
    terms = (Term(lineage[starts].label, starts),) if starts in lineage else ()
    return lineage.add(Derivation(key, label, 0.0, "described", words, terms))


def _blank(lineage: Lineage, year: str) -> bool:
    """Whether the Recovery Plan Impact line is blank (or absent) in ``year``."""
    target = lineage[lineage[f"budget.recovery_plan_impact[{year}]"].terms[0].key]
    return target.rule == "constant" or (target.cell is not None and target.cell.text == "(blank)")


def _alias(lineage: Lineage, key: str, label: str, target: str, where: str = "") -> str:
    """``key`` as another name for ``target``'s value (a line of the table is its cell)."""
    return lineage.add(
        Derivation(
            key, label, lineage[target].value, "same", "", (Term(label, target),), computed_in=where
        )
    )


#: Besides the budget's lines, the figures the measures of how sure the forecast is start from.
CERTAINTY_INPUTS = (
    "fig.ehcp_growth_per_year",
    "fig.ehcp_growth_if_all_requests_convert",
    "ehcp.plans_at_start",
    "ehcp.new_plans_to_date",
    "ehcp.requests_for_assessment",
)


def forecast_inputs(lineage: Lineage) -> list[str]:
    """The figures the tornado, break-even and simulations start from: every line of the
    budget, and the EHCP counts and growth rates where the cycle gives them."""
    lines = [key for key in lineage if key.startswith("budget.")]
    return sorted(lines) + [key for key in CERTAINTY_INPUTS if key in lineage]


def described(
    lineage: Lineage, key: str, label: str, value: Any, formula: str, inputs: list[str]
) -> str:
    """A figure no formula reproduces (a simulation, a tornado end): what computed it, in
    words, and the figures it read."""
    terms = tuple(Term(lineage[k].label, k) for k in inputs if k in lineage)
    return lineage.add(
        Derivation(
            key,
            label,
            value,
            "described",
            formula,
            terms,
            computed_in=f"{_MODEL}: How sure is the forecast",
        )
    )
