"""The DfE's DSG management plan return, laid out as the DfE's template is: a cover (the
authority, its number, the version and date, sign-off by the Director of Children's Services
and the Chief Finance Officer), the DSG's four blocks with the block transfer and the opening
balance, High Needs spending by budget line, EHCPs by placement category and by age band,
the mitigations by workstream, and the paper's own words as the narrative. A scenario the
template does not have is on a sheet of its own.

What the cycle does not give is never a zero: the cell is empty and its note names the
input to add (``dsg_blocks.csv``, ``ehcps_by_age.csv``, ``placements_by_category.csv``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import pandas as pd

from highneeds.categories import (
    AGE_BANDS,
    ALL_PLACEMENTS,
    ALL_PLACEMENTS_LABEL,
    DFE_CATEGORIES,
    OTHER_DSG_BLOCKS,
)
from highneeds.paper.workbook import Line, Sheet, write_workbook

#: The scenarios the template's summary holds; any other goes on a sheet of its own.
TEMPLATE_SCENARIOS = ("unmitigated", "mitigated")
ADD_BLOCKS = "not in this cycle's inputs: add dsg_blocks.csv (block, year, bfwd, funding, spend)"
ADD_AGES = "not in this cycle's inputs: add ehcps_by_age.csv (age_band, year, plans)"
ADD_CATEGORIES = "not split by category in this cycle: add placements_by_category.csv"
SIGN_OFF = ("Director of Children's Services", "Chief Finance Officer (s151 officer)")


@dataclass
class ReturnInputs:
    """What the return is made of: the paper's header, the run, the model's tables (each
    optional table None where the cycle does not give it), the lineage, the paper's words."""

    meta: Mapping[str, Any]
    cycle: str
    created: datetime
    roll_forward: pd.DataFrame
    budget: pd.DataFrame
    scenarios: pd.DataFrame
    scenario_labels: Mapping[str, str]
    business_cases: pd.DataFrame
    savings: pd.DataFrame
    derivations: Mapping[str, Mapping[str, Any]]
    paragraphs: list[tuple[str, str, str]]  # section, number, text
    demand: pd.DataFrame | None = None
    placements: pd.DataFrame | None = None
    dsg_blocks: pd.DataFrame | None = None
    ehcps_by_age: pd.DataFrame | None = None


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


def _keys(name: str, years: list[str]) -> list[str]:
    return [f"{name}[{y}]" for y in years]


def cover(inputs: ReturnInputs) -> Sheet:
    meta = inputs.meta
    number = meta.get("la_number") or "not given: add la_number (the DfE's number) to paper.yaml"
    rows: list[tuple[Any, ...]] = [
        ("Local authority", meta["council"]),
        ("Local authority number", number),
        ("Version", f"the paper of cycle {inputs.cycle}"),
        ("Date", inputs.created.date().isoformat()),
        ("Presented to", f"{meta['committee']}, {meta['meeting']}: {meta['title']}"),
        ("Money", "£000 (thousands of pounds); spending positive, income and savings in brackets"),
        ("Children", "whole numbers of children and young people with an EHCP"),
        (
            "Kind",
            "each line says whether its figures are given (an input of the cycle), "
            "calculated (arithmetic on the inputs) or modelled (resting on an assumption)",
        ),
        (),
        ("Sign-off", "Name", "Signature", "Date"),
        *((role, "", "", "") for role in SIGN_OFF),
    ]
    return Sheet("Cover", ("Dedicated schools grant (DSG) management plan",), lines=rows)


#: The High Needs block's lines in the DSG summary, as the template words them, and the model's
#: column (each given, or derived from given lines, but for the in-year movement: calculated).
_HIGH_NEEDS_LINES = (
    ("Balance brought forward", "bfwd"),
    ("Transfer from the Schools block", "transfer"),
    ("Funding (High Needs allocation)", "allocation"),
    ("Spending (placement costs)", "placement_costs"),
    ("In-year movement", "in_year"),
    ("Balance carried forward", "cfwd"),
)


def dsg_summary(inputs: ReturnInputs, years: list[str]) -> Sheet:
    roll, high = inputs.roll_forward, "High Needs block"
    lines: list[Line | tuple[Any, ...]] = [
        Line((high, measure), _by_year(roll, column, years), keys=_keys(f"budget.{column}", years))
        if column != "in_year"
        else Line((high, measure), _by_year(roll, column, years), kind="calculated")
        for measure, column in _HIGH_NEEDS_LINES
    ]
    transfer_out = [None if v is None else -v for v in _by_year(roll, "transfer", years)]
    blocks = inputs.dsg_blocks
    for block, label in OTHER_DSG_BLOCKS.items():
        given = None if blocks is None else blocks[blocks["block"] == block]
        for measure, column in (
            ("Balance brought forward", "bfwd"),
            ("Funding", "funding"),
            ("Spending", "spend"),
        ):
            if given is not None and len(given):
                lines.append(Line((label, measure), _by_year(given, column, years), kind="given"))
            else:
                lines.append(Line((label, measure), [None] * len(years), note=ADD_BLOCKS))
        if block == "schools":
            lines.append(
                Line(
                    (label, "Block transfer to the High Needs block"),
                    transfer_out,
                    keys=_keys("budget.transfer", years),
                    note="the High Needs table's transfer line, as the Schools block gives it",
                )
            )
    lines.append(_opening_balance(inputs, years))
    for scenario in TEMPLATE_SCENARIOS:
        rows = inputs.scenarios[inputs.scenarios["scenario"] == scenario]
        if rows.empty:
            continue
        label = inputs.scenario_labels.get(scenario, scenario)
        for measure, column in (
            ("In-year movement", "in_year"),
            ("Balance carried forward", "cfwd"),
        ):
            lines.append(
                Line(
                    (f"High Needs forecast: {label}", measure),
                    _by_year(rows, column, years),
                    keys=_keys(f"{scenario}.{column}", years),
                )
            )
    return Sheet("DSG summary", ("Block", "Line (£000)", *years, "Kind", "Note"), years, lines)


def _opening_balance(inputs: ReturnInputs, years: list[str]) -> Line:
    """The whole DSG's balance brought forward into the first year: the four blocks' own,
    added, where the cycle gives them all."""
    label = ("Whole DSG (all four blocks)", f"Opening balance, {years[0]}")
    empty = [None] * len(years)
    blocks = inputs.dsg_blocks
    high = float(inputs.roll_forward["bfwd"].iloc[0])
    if blocks is None:
        return Line(label, empty, note=ADD_BLOCKS)
    first = blocks[blocks["year"] == years[0]].set_index("block")["bfwd"]
    missing = [OTHER_DSG_BLOCKS[b] for b in OTHER_DSG_BLOCKS if b not in first or pd.isna(first[b])]
    if missing:
        return Line(
            label, empty, note=f"dsg_blocks.csv gives no {years[0]} bfwd for: {', '.join(missing)}"
        )
    total = high + float(first.sum())
    return Line(
        label, [total, *empty[1:]], kind="calculated", note="the four blocks' balances, added"
    )


def high_needs_lines(inputs: ReturnInputs, years: list[str]) -> Sheet:
    """The High Needs table's lines as the council labels them."""
    labels = inputs.budget.drop_duplicates("line").set_index("line")["label"]
    lines: list[Line | tuple[Any, ...]] = []
    for line, label in labels.items():
        if line == "recovery_plan_impact":
            values = _by_year(inputs.budget[inputs.budget["line"] == line], "amount", years)
        else:
            values = _by_year(inputs.roll_forward, line, years)
        lines.append(Line((label,), values, keys=_keys(f"budget.{line}", years)))
    return Sheet(
        "High Needs spending", ("Budget line (£000)", *years, "Kind", "Note"), years, lines
    )


def ehcps(inputs: ReturnInputs, years: list[str]) -> Sheet:
    lines: list[Line | tuple[Any, ...]] = []
    placements, demand = inputs.placements, inputs.demand
    split = placements is not None and ALL_PLACEMENTS not in set(placements["category"])
    for category, label in DFE_CATEGORIES.items():
        rows = placements[placements["category"] == category] if split else None
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
    if split:
        added = placements.groupby("year", as_index=False)[
            ["plans", "placement_costs", "plans_mitigated", "placement_costs_mitigated"]
        ].sum()
        for measure, column, unit in _CATEGORY_MEASURES:
            if column in added:
                label = (f"{ALL_PLACEMENTS_LABEL} (the categories added)", measure)
                lines.append(Line(label, _by_year(added, column, years), unit, kind="calculated"))
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
    ages = inputs.ehcps_by_age
    for band, label in AGE_BANDS.items():
        rows = None if ages is None else ages[ages["age_band"] == band]
        if rows is not None and len(rows):
            lines.append(
                Line(
                    (f"Age band: {label}", "Number of EHCPs"),
                    _by_year(rows, "plans", years),
                    "children",
                    kind="given",
                )
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


def mitigations(inputs: ReturnInputs, years: list[str]) -> Sheet:
    """Each workstream (intervention) with the saving its business case states and the saving
    its places avoided give; the Recovery Plan's impact by year, which the cycle gives as one
    line for all of them."""
    lines: list[Line | tuple[Any, ...]] = []
    computed = inputs.savings.groupby("intervention_id")["saving"].sum()
    for case in inputs.business_cases.itertuples(index=False):
        workstream = str(case.intervention)
        lines.append(
            Line(
                (workstream, "Saving its business case states (£000 a year)"),
                [case.business_case_saving],
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
    impact = inputs.budget[inputs.budget["line"] == "recovery_plan_impact"]
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


def narrative(inputs: ReturnInputs) -> Sheet:
    rows = [(section, number, text) for section, number, text in inputs.paragraphs]
    return Sheet("Narrative", ("Section of the Cabinet paper", "Para", "Text"), lines=rows)


def other_scenarios(inputs: ReturnInputs, years: list[str]) -> Sheet | None:
    """The scenarios the paper shows that the template has no place for."""
    lines: list[Line | tuple[Any, ...]] = []
    for scenario, label in inputs.scenario_labels.items():
        if scenario in TEMPLATE_SCENARIOS:
            continue
        rows = inputs.scenarios[inputs.scenarios["scenario"] == scenario]
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


def write_dfe_return(target: Path, inputs: ReturnInputs) -> None:
    """Write the return as an XLSX workbook at ``target`` (metadata dated ``created``)."""
    years = list(dict.fromkeys(inputs.roll_forward["year"]))
    sheets = [
        cover(inputs),
        dsg_summary(inputs, years),
        high_needs_lines(inputs, years),
        ehcps(inputs, years),
        mitigations(inputs, years),
        narrative(inputs),
    ]
    extra = other_scenarios(inputs, years)
    if extra is not None:
        sheets.append(extra)
    author = str(inputs.meta.get("report_of") or inputs.meta["council"])
    write_workbook(target, sheets, inputs.created, author, inputs.derivations)


def paper_paragraphs(html: str) -> list[tuple[str, str, str]]:
    """Each numbered paragraph of the paper's HTML: its section's heading, its number, its
    text (the narrative tab, in the paper's own words)."""
    from highneeds.paper.word import parse_html

    def clean(text: str) -> str:
        return " ".join(text.split())

    out = []
    for section in parse_html(html).find_all("section"):
        if "section" not in section.classes:
            continue
        heading = next(iter(section.find_all("h2")), None)
        title = clean(heading.text()) if heading else ""
        for para in (d for d in section.find_all("div") if "para" in d.classes):
            parts = [c for c in para.children if not isinstance(c, str)]
            number = next((clean(c.text()) for c in parts if "para-number" in c.classes), "")
            body = next((c for c in parts if "para-body" in c.classes), None)
            # The paragraph's words: its text paragraphs (a table or chart in it is not prose).
            texts = [
                clean(c.text())
                for c in (body.children if body else [])
                if not isinstance(c, str) and c.tag == "p"
            ]
            out.append((title, number, " ".join(texts)))
    return out
