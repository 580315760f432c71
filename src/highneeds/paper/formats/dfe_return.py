"""The figures of the DfE's DSG management plan return, from the model's tables, laid out as
the DfE's template is: the DSG's four blocks with the block transfer and the opening balance,
High Needs spending by budget line, EHCPs by placement category and by age band, the
mitigations by workstream. A scenario the template does not have is on a sheet of its own.
Notebook 04 draws them up; the render writes them with the cover and the paper's own words
(:mod:`highneeds.paper.formats.dfe_return_workbook`).

What the cycle does not give is never a zero: the cell is empty and its note names the
input to add (``dsg_blocks.csv``, ``ehcps_by_age.csv``, ``placements_by_category.csv``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from highneeds.domain.amounts import BudgetFormat
from highneeds.domain.budget_lines import line_roles, template_groups
from highneeds.domain.categories import (
    AGE_BANDS,
    ALL_PLACEMENTS,
    ALL_PLACEMENTS_LABEL,
    DFE_CATEGORIES,
    OTHER_DSG_BLOCKS,
)
from highneeds.paper.formats.dfe_return_workbook import FIGURES_FILE, ReturnFigures
from highneeds.paper.formats.workbook import Line, Sheet

#: The scenarios the template's summary holds; any other goes on a sheet of its own.
TEMPLATE_SCENARIOS = ("unmitigated", "mitigated")
ADD_BLOCKS = "not in this cycle's inputs: add dsg_blocks.csv (block, year, bfwd, funding, spend)"
ADD_AGES = "not in this cycle's inputs: add ehcps_by_age.csv (age_band, year, plans)"
ADD_CATEGORIES = "not split by category in this cycle: add placements_by_category.csv"


@dataclass
class ReturnTables:
    """What the return's figures are made of: the model's tables (each optional table None
    where the cycle does not give it) and the scenarios' labels."""

    roll_forward: pd.DataFrame
    budget: pd.DataFrame
    scenarios: pd.DataFrame
    scenario_labels: Mapping[str, str]
    business_cases: pd.DataFrame | None
    #: Each business case's saving from its places avoided, as the model computed it (its
    #: ``business_case_summary``: ``intervention_id``, ``computed_saving``).
    savings: pd.DataFrame | None
    demand: pd.DataFrame | None = None
    placements: pd.DataFrame | None = None
    #: Each year's sums over the categories, as the model computed them.
    placement_totals: pd.DataFrame | None = None
    dsg_blocks: pd.DataFrame | None = None
    #: The template groups of several budget lines, added by the model (``budget_groups``).
    budget_groups: pd.DataFrame | None = None
    #: The whole DSG's opening balance, as the model added it up (``dsg.bfwd[<year>]``).
    dsg_opening: pd.DataFrame | None = None
    ehcps_by_age: pd.DataFrame | None = None
    #: The council's EHC plans each January as the DfE published them (SEN2), where given.
    history: pd.DataFrame | None = None
    #: The whole DSG's balance carried forward as the council states it (figures.csv's
    #: ``dfe_return``), by year: the amount (£000) and the figure's lineage key.
    stated_dsg: Mapping[str, tuple[float, str]] = field(default_factory=dict)
    #: How the council writes its budget table (whose balance it carries: High Needs or DSG).
    budget_format: BudgetFormat = field(default_factory=BudgetFormat)


#: What the return gives for each placement category, from the driver model.
_CATEGORY_MEASURES = (
    ("Number of EHCPs", "plans", "children"),
    ("Average cost per EHCP", "cost_per_plan", "cost"),
    ("Cost", "placement_costs", "money"),
    ("Number of EHCPs, mitigated", "plans_mitigated", "children"),
    ("Cost, mitigated", "placement_costs_mitigated", "money"),
)


def _by_year(frame: pd.DataFrame, column: str, years: list[str]) -> list[float | None]:
    values = frame.set_index("year")[column].reindex(years)
    return [None if pd.isna(v) else float(v) for v in values]


def _keys(name: str, years: list[str], values: list[float | None] | None = None) -> list[str]:
    """Each year's lineage key (``-name`` for a figure printed with its sign turned); with
    ``values``, none where there is no value."""
    if values is None:
        return [f"{name}[{y}]" for y in years]
    return ["" if v is None else f"{name}[{y}]" for y, v in zip(years, values, strict=True)]


def _group(
    tables: ReturnTables, group: str, members: list[str], years: list[str]
) -> tuple[list[float | None], list[str], str]:
    """A template group's figures, their keys and kind: a single line as the table gives it;
    several as the model added them (``budget_groups``)."""
    if len(members) == 1:
        values = _by_year(tables.roll_forward, members[0], years)
        return values, _keys(f"budget.{members[0]}", years, values), ""
    added = tables.budget_groups
    rows = None if added is None else added[added["group"] == group]
    if rows is None or rows.empty:  # the printed forecast (the drivers') has no such lines
        return [None] * len(years), [], ""
    values = _by_year(rows, "amount", years)
    return values, _keys(f"budget_groups.{group}", years, values), "calculated"


#: The budget's groups of lines in the DSG summary, as the template words them.
_GROUP_WORDS = (
    ("transfer", "Transfer from the Schools block"),
    ("funding", "Funding"),
    ("spending", "Spending"),
    ("movement", "Net in-year over- or underspend"),
)


def dsg_summary(tables: ReturnTables, years: list[str]) -> Sheet:
    roll, form = tables.roll_forward, tables.budget_format
    whole = form.block == "dsg"
    block = "Whole DSG (all four blocks)" if whole else "High Needs block"
    groups = template_groups(line_roles(tables.budget))
    lines: list[Line | tuple[Any, ...]] = [
        Line(
            (block, "Balance brought forward"),
            _by_year(roll, "bfwd", years),
            keys=_keys("budget.bfwd", years),
        )
    ]
    for group, words in _GROUP_WORDS:
        members = groups[group]
        if not members:
            continue
        values, keys, kind = _group(tables, group, members, years)
        note = (
            ""
            if len(members) == 1
            else "the table's "
            + ", ".join(str(label) for label in _labels(tables, members))
            + ", added"
        )
        lines.append(Line((block, words), values, kind=kind, keys=keys, note=note))
    lines.append(
        Line(
            (block, "In-year movement"),
            _by_year(roll, "in_year", years),
            keys=_keys("unmitigated.in_year", years),
            kind="calculated",
        )
    )
    lines.append(
        Line(
            (block, "Balance carried forward"),
            _by_year(roll, "cfwd", years),
            keys=_keys("budget.cfwd", years),
        )
    )
    if not whole:
        lines += _other_blocks(tables, years, groups["transfer"])
    lines.append(_opening_balance(tables, years))
    if tables.stated_dsg and not whole:  # a whole-DSG table carries its own balances
        stated = tables.stated_dsg
        lines.append(
            Line(
                (
                    "Whole DSG (all four blocks)",
                    "Balance carried forward, as the council states it",
                ),
                [stated[y][0] if y in stated else None for y in years],
                keys=[stated[y][1] if y in stated else "" for y in years],
                kind="given",
                note="figures.csv, each figure its dfe_return names",
            )
        )
    forecast = "DSG forecast" if whole else "High Needs forecast"
    for scenario in TEMPLATE_SCENARIOS:
        rows = tables.scenarios[tables.scenarios["scenario"] == scenario]
        if rows.empty:
            continue
        label = tables.scenario_labels.get(scenario, scenario)
        for measure, column in (
            ("In-year movement", "in_year"),
            ("Balance carried forward", "cfwd"),
        ):
            lines.append(
                Line(
                    (f"{forecast}: {label}", measure),
                    _by_year(rows, column, years),
                    keys=_keys(f"{scenario}.{column}", years),
                )
            )
    return Sheet("DSG summary", ("Block", "Line (£000)", *years, "Kind", "Note"), years, lines)


def _labels(tables: ReturnTables, lines: list[str]) -> list[str]:
    labels = tables.budget.drop_duplicates("line").set_index("line")["label"]
    return [str(labels.get(line, line)) for line in lines]


def _other_blocks(tables: ReturnTables, years: list[str], transfers: list[str]) -> list[Line]:
    """The DSG's other blocks where the cycle gives them, and the Schools block's transfer
    out (the High Needs table's transfer lines, as the Schools block gives them)."""
    blocks, out = tables.dsg_blocks, []
    for block, label in OTHER_DSG_BLOCKS.items():
        given = None if blocks is None else blocks[blocks["block"] == block]
        for measure, column in (
            ("Balance brought forward", "bfwd"),
            ("Funding", "funding"),
            ("Spending", "spend"),
        ):
            if given is not None and len(given):
                values = _by_year(given, column, years)
                keys = _keys(f"dsg.{block}.{column}", years, values)
                out.append(Line((label, measure), values, keys=keys, kind="given"))
            else:
                out.append(Line((label, measure), [None] * len(years), note=ADD_BLOCKS))
        if block == "schools" and transfers:
            values, keys, kind = _group(tables, "transfer", transfers, years)
            out.append(
                Line(
                    (label, "Block transfer to the High Needs block"),
                    [None if v is None else -v for v in values],
                    kind=kind,
                    keys=[f"-{key}" if key else "" for key in keys],
                    note="the High Needs table's transfer line, as the Schools block gives it",
                )
            )
    return out


def _opening_balance(tables: ReturnTables, years: list[str]) -> Line:
    """The whole DSG's balance brought forward into the first year: the table's own where it
    carries the whole DSG's, else the model's sum of the four blocks' where the cycle gives it."""
    label = ("Whole DSG (all four blocks)", f"Opening balance, {years[0]}")
    empty = [None] * len(years)
    high = float(tables.roll_forward["bfwd"].iloc[0])
    if tables.budget_format.block == "dsg":
        return Line(label, [high, *empty[1:]], keys=_keys("budget.bfwd", years))
    opening = tables.dsg_opening  # the model's sum of the four blocks' balances
    if opening is not None and len(opening):
        values = [float(opening["amount"].iloc[0]), *empty[1:]]
        note = "the four blocks' balances, added"
        return Line(label, values, keys=_keys("dsg.bfwd", years[:1]), kind="calculated", note=note)
    blocks = tables.dsg_blocks
    if blocks is None:
        return Line(label, empty, note=ADD_BLOCKS)
    first = blocks[blocks["year"] == years[0]].set_index("block")["bfwd"]
    missing = [OTHER_DSG_BLOCKS[b] for b in OTHER_DSG_BLOCKS if b not in first or pd.isna(first[b])]
    return Line(
        label, empty, note=f"dsg_blocks.csv gives no {years[0]} bfwd for: {', '.join(missing)}"
    )


def high_needs_lines(tables: ReturnTables, years: list[str]) -> Sheet:
    """The budget table's lines as the council labels them (in £000, a deficit positive)."""
    labels = tables.budget.drop_duplicates("line").set_index("line")["label"]
    lines: list[Line | tuple[Any, ...]] = []
    for line, label in labels.items():
        if line in tables.roll_forward.columns:
            values = _by_year(tables.roll_forward, line, years)
        else:  # the saving line, as the table gives it
            values = _by_year(tables.budget[tables.budget["line"] == line], "amount", years)
        lines.append(Line((label,), values, keys=_keys(f"budget.{line}", years)))
    title = "DSG budget lines" if tables.budget_format.block == "dsg" else "High Needs spending"
    return Sheet(title, ("Budget line (£000)", *years, "Kind", "Note"), years, lines)


def ehcps(tables: ReturnTables, years: list[str]) -> Sheet:
    lines: list[Line | tuple[Any, ...]] = []
    placements, demand = tables.placements, tables.demand
    split = placements is not None and ALL_PLACEMENTS not in set(placements["category"])
    by_category = placements if split else None
    for category, label in DFE_CATEGORIES.items():
        rows = None if by_category is None else by_category[by_category["category"] == category]
        if rows is not None and len(rows):
            for measure, column, unit in _CATEGORY_MEASURES:
                keys = _keys(f"placements.{category}.{column}", years)
                lines.append(Line((label, measure), _by_year(rows, column, years), unit, keys))
        else:
            lines.append(
                Line(
                    (label, "Number of EHCPs"), [None] * len(years), "children", note=ADD_CATEGORIES
                )
            )
    added = tables.placement_totals  # the model's sums over the categories
    if split and added is not None:
        for measure, column, unit in _CATEGORY_MEASURES:
            if column in added and added[column].notna().any():
                total = (f"{ALL_PLACEMENTS_LABEL} (the categories added)", measure)
                keys = _keys(f"placements.total.{column}", years)
                lines.append(Line(total, _by_year(added, column, years), unit, keys, "calculated"))
    if demand is not None:
        for measure, column, unit in (
            ("Number of EHCPs", "plans", "children"),
            ("Average cost per EHCP", "cost_per_plan", "cost"),
            ("Cost", "placement_costs", "money"),
        ):
            keys = _keys(f"demand.{column}", years)
            lines.append(
                Line((ALL_PLACEMENTS_LABEL, measure), _by_year(demand, column, years), unit, keys)
            )
    counted = _sen2_line(tables.history, years)
    if counted is not None:
        lines.append(counted)
    ages = tables.ehcps_by_age
    for band, label in AGE_BANDS.items():
        rows = None if ages is None else ages[ages["age_band"] == band]
        if rows is not None and len(rows):
            values = _by_year(rows, "plans", years)
            keys = _keys(f"ehcps_by_age.{band}", years, values)
            lines.append(
                Line((f"Age band: {label}", "Number of EHCPs"), values, "children", keys, "given")
            )
        else:
            lines.append(
                Line(
                    (f"Age band: {label}", "Number of EHCPs"),
                    [None] * len(years),
                    "children",
                    note=ADD_AGES,
                )
            )
    header = ("Placement category or age band", "Measure (£000 for money)", *years, "Kind", "Note")
    return Sheet("EHCPs", header, years, lines)


def _sen2_line(history: pd.DataFrame | None, years: list[str]) -> Line | None:
    """The council's own count of its EHC plans, as it returned them to the DfE (SEN2): each
    January in the financial year it falls in (January 2021 in 2020/21); None where the
    cycle gives no SEN2 file or none of its Januaries falls in the return's years."""
    if history is None or history.empty:
        return None
    by_year = {
        f"{int(j) - 1}/{int(j) % 100:02d}": (int(j), float(p))
        for j, p in zip(history["january"], history["plans"], strict=True)
    }
    if not set(by_year) & set(years):
        return None
    return Line(
        (ALL_PLACEMENTS_LABEL, "Number of EHCPs in January, as returned to the DfE (SEN2)"),
        [by_year[y][1] if y in by_year else None for y in years],
        "children",
        [f"history.plans[{by_year[y][0]}]" if y in by_year else "" for y in years],
        kind="given",
    )


def mitigations(tables: ReturnTables, years: list[str]) -> Sheet:
    """Each workstream (intervention) with the saving its business case states and the saving
    its places avoided give; the Recovery Plan's impact by year, which the cycle gives as one
    line for all of them."""
    lines: list[Line | tuple[Any, ...]] = []
    cases = tables.business_cases if tables.business_cases is not None else pd.DataFrame()
    computed = (
        pd.Series(dtype=float)
        if tables.savings is None
        else tables.savings.set_index("intervention_id")["computed_saving"]
    )
    if cases.empty:
        lines.append(
            Line(
                ("Workstreams", "Saving each business case states (£000 a year)"),
                [None],
                note="not in this cycle's inputs: add business_cases.csv, interventions.csv "
                "and placement_costs.csv",
            )
        )
    for case in cases.itertuples(index=False):
        workstream = str(case.intervention)
        lines.append(
            Line(
                (workstream, "Saving its business case states (£000 a year)"),
                [case.business_case_saving],
                keys=[f"stated_saving.{case.intervention_id}"],
                kind="given",
            )
        )
        lines.append(
            Line(
                (workstream, "Saving from its places avoided x cost per place (£000 a year)"),
                [float(computed.get(case.intervention_id, float("nan")))],
                keys=[f"savings.{case.intervention_id}"],
                kind="calculated",
            )
        )
    impact = tables.budget[tables.budget["line"] == "recovery_plan_impact"]
    if len(impact):
        lines.append(("",))
        lines.append(
            ("All workstreams", "Recovery Plan impact by year (£000)", *years, "Kind", "Note")
        )
        values = _by_year(impact, "amount", years)
        lines.append(
            Line(
                ("All workstreams", "Recovery Plan impact"),
                values,
                keys=_keys("budget.recovery_plan_impact", years),
                note="the cycle gives the impact by year for the workstreams together",
            )
        )
    header = ("Workstream", "Measure", "Value", "Kind", "Note")
    return Sheet("Mitigations", header, years, lines)


def other_scenarios(tables: ReturnTables, years: list[str]) -> Sheet | None:
    """The scenarios the paper shows that the template has no place for."""
    lines: list[Line | tuple[Any, ...]] = []
    for scenario, label in tables.scenario_labels.items():
        if scenario in TEMPLATE_SCENARIOS:
            continue
        rows = tables.scenarios[tables.scenarios["scenario"] == scenario]
        for measure, column in (
            ("In-year movement", "in_year"),
            ("Balance carried forward", "cfwd"),
        ):
            lines.append(
                Line(
                    (label, measure),
                    _by_year(rows, column, years),
                    keys=_keys(f"{scenario}.{column}", years),
                )
            )
    if not lines:
        return None
    header = ("Scenario (not in the DfE template)", "Line (£000)", *years, "Kind", "Note")
    return Sheet("Scenarios not in template", header, years, lines)


def return_figures(tables: ReturnTables) -> ReturnFigures:
    """The return's sheets of figures, by the financial years of the roll-forward."""
    years = list(dict.fromkeys(tables.roll_forward["year"]))
    template = [
        dsg_summary(tables, years),
        high_needs_lines(tables, years),
        ehcps(tables, years),
        mitigations(tables, years),
    ]
    extra = other_scenarios(tables, years)
    return ReturnFigures(template, [] if extra is None else [extra])


def write_return_figures(tables: ReturnTables, folder: Path) -> ReturnFigures:
    """The return's figures, kept in ``folder`` (a run's ``processed``) for the render."""
    figures = return_figures(tables)
    (folder / FIGURES_FILE).write_text(figures.to_json() + "\n", encoding="utf-8")
    return figures
