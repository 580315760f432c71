"""Every family of figures the paper prints, declared once: its names, what it is, its unit,
its kind, the note a councillor reads beside it and how it is calculated.

Kinds:

- ``given``: given by the council (an input cell, a stated figure, a run's parameter, a year):
  no mark;
- ``calculated``: arithmetic on the council's own figures, nothing assumed;
- ``modelled``: rests on an assumption or a scenario, which its note names.

The paper's marks and "Notes on figures", its appendix "How the figures were calculated",
``explain``, the auditor's edition and the notes table of ``docs/assumptions.md`` (written from
here by ``python -m highneeds.domain.figure_registry``, and checked by a test) all read this table.
A figure whose lineage ends, through second names only, at an input cell is given whatever its
family: a C/Fwd the finance team typed is theirs, even though the roll-forward checks it.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass

KINDS = ("given", "calculated", "modelled")
#: How the docs name the stated figures a formula ties to others (no key has this name).
FORMULA_PATTERN = "fig.<name> with a formula"
#: How the docs name a growth figure the model derives from the EHCP counts, where the cycle
#: does not state it (no key has this name).
DERIVED_GROWTH_PATTERN = "fig.<growth> from the EHCP counts"
#: The model's readings of the council's figures (``reading.recovery_plan_impact``).
READING_PATTERN = "reading.*"
#: Figures the council set to make something balance, not measured (a cost per place).
ASSUMED_PATTERN = "assumed.*"
#: Families whose kind passes to every figure computed from a figure of theirs that is not
#: the council's own input: a calculation on an assumption is modelled.
PASSED_ON = (READING_PATTERN, ASSUMED_PATTERN)
#: What each kind means, in words for the paper and the docs.
KIND_WORDS = {
    "given": "given by the council: an input, a stated figure, a year or a run's setting",
    "calculated": "calculated from the council's own figures by arithmetic alone",
    "modelled": "modelled: it rests on an assumption or a scenario, which its note names",
}


@dataclass(frozen=True)
class FigureFamily:
    """A family of figures: the names it covers (a name, or a prefix ending in ``*``)."""

    patterns: tuple[str, ...]
    label: str
    unit: str
    kind: str
    #: The note beside a marked figure, in plain words (nothing for a given figure).
    note: str = ""
    #: How the family is calculated, for the appendix and the docs.
    method: str = ""

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"unknown kind {self.kind!r}")
        if self.kind != "given" and not self.note:
            raise ValueError(f"{self.patterns}: a figure that is not given needs its note")

    def covers(self, key: str) -> bool:
        return any(key.startswith(p[:-1]) if p.endswith("*") else key == p for p in self.patterns)


_ROLL = (
    "each year's deficit carried forward (C/Fwd) is the deficit brought forward (B/Fwd) plus "
    "the year's funding, spending and movement lines of the budget table (income negative)"
)

#: The families, most specific first: a figure belongs to the first that covers it.
REGISTRY: tuple[FigureFamily, ...] = (
    FigureFamily(
        ("uncertainty.draws",),
        "Number of simulations",
        "count",
        "given",
        method="A setting of the run (10,000 unless the run asks for another number).",
    ),
    FigureFamily(
        ("sensitivity.centre", "uncertainty.pressures"),
        "What the measures of how sure the forecast is centre on",
        "words",
        "given",
        method="A setting of the run (uncertainty_centre): the finance table's forecast with "
        "its savings, the scenarios the council has agreed left out, unless the run puts them "
        "inside.",
    ),
    FigureFamily(
        (ASSUMED_PATTERN,),
        "Figures the council set to balance a business case",
        "£000",
        "modelled",
        note="Modelled: it rests on a cost the council set so that a business case balances "
        "(the case's places at that cost give its stated saving), not a cost it measured; the "
        "saving is the business case's own claim, not a check of it.",
        method="A cost per place whose row in placement_costs names, in its balances column, "
        "the business case it was set to balance; every figure computed from it is marked as "
        "resting on it.",
    ),
    FigureFamily(
        (READING_PATTERN,),
        "How the model reads the council's figures",
        "words",
        "modelled",
        note="Modelled: it rests on a reading of the council's figures that the council has "
        "not declared (in paper.yaml) and the model assumed, as the paper says beside it: the "
        "Recovery Plan Impact line as each year's own saving rather than a running total (the "
        "paper gives the deficit read the other way), or the measures of how sure the "
        "forecast is centred on the forecast with every agreed pressure.",
        method="The run's setting where it gives one (-p), else the reading paper.yaml "
        "declares (recovery_plan_impact, certainty_centre), else the model's default, which "
        "every figure computed from it is marked as resting on.",
    ),
    FigureFamily(
        ("first_year", "last_year", "current_year"),
        "Years of the forecast",
        "financial year",
        "given",
        method="The budget table's first and last years, and the financial year (April to "
        "March) the cycle's month falls in.",
    ),
    FigureFamily(
        (FORMULA_PATTERN,),
        "Figures the council states as the sum or difference of others",
        "as stated",
        "calculated",
        note="Calculated: the sum or difference of other figures the council states (its "
        "formula in figures.csv), checked within the rounding of the figures as stated.",
        method="The figures its formula names, added or taken away; the gate checks that the "
        "figure the council states is that, within the rounding of the figures as stated.",
    ),
    FigureFamily(
        (DERIVED_GROWTH_PATTERN,),
        "EHCP growth figures the cycle leaves to the counts",
        "percent",
        "calculated",
        note="Calculated from the EHCP counts: new plans to date (and, if every open request "
        "converts, those too) over the plans at the start, to the decimals the paper states "
        "growth to; figures.csv does not type it, so it never goes stale.",
        method="new plans / plans at the start x 100 (or (new plans + open requests) / plans at "
        "the start x 100), rounded half up to 1 decimal (0 for all requests converting).",
    ),
    FigureFamily(
        ("fig.*",),
        "Figures the council states",
        "as stated",
        "given",
        method="Read from the cycle's figures table, each in its stated unit.",
    ),
    FigureFamily(
        (
            "ehcp.plans_at_start",
            "ehcp.new_plans_to_date",
            "ehcp.requests_for_assessment",
            "ehcp.since",
        ),
        "EHCP counts",
        "count",
        "given",
        method="Read from the cycle's EHCP table.",
    ),
    FigureFamily(
        ("ehcp.*",),
        "EHCP growth to date",
        "percent",
        "calculated",
        note="Calculated from the EHCP counts: new plans (and open requests for assessment) "
        "as a share of the plans in place at the start of the year.",
        method="New plans to date ÷ plans at the start; with open requests, (new plans + open "
        "requests) ÷ plans at the start.",
    ),
    FigureFamily(
        ("budget.bfwd*", "budget.cfwd*"),
        "Deficit brought and carried forward, where the budget table leaves them blank",
        "£000",
        "calculated",
        note=f"Calculated by rolling the deficit forward, as the budget table leaves it blank: "
        f"{_ROLL}; each year's B/Fwd is the C/Fwd of the year before.",
        method=f"Rolling the deficit forward: {_ROLL}.",
    ),
    FigureFamily(
        ("budget.*", "recovery_plan_impact[*"),
        "The finance team's budget lines",
        "£000",
        "given",
        method="Read from the cycle's High Needs budget table.",
    ),
    FigureFamily(
        ("unmitigated.*",),
        "Deficit with no interventions (unmitigated)",
        "£000",
        "calculated",
        note=f"Calculated from the finance team's budget with no interventions ('unmitigated'): "
        f"{_ROLL}.",
        method=f"Rolling the deficit forward with no interventions: {_ROLL}.",
    ),
    FigureFamily(
        ("mitigated.*", "recovery_plan_impact.in_year*"),
        "Deficit with the Recovery Plan (mitigated)",
        "£000",
        "calculated",
        note="Calculated from the finance team's budget with the Recovery Plan ('mitigated'): "
        "the deficit with no interventions less each year's Recovery Plan saving; a saving in "
        "one year also lowers every later year's deficit.",
        method="The unmitigated deficit plus each year's Recovery Plan Impact (a saving, "
        "negative), carried forward; the impact line is read as each year's own saving unless "
        "the run reads it as a running total.",
    ),
    FigureFamily(
        ("scenario.*",),
        "Deficit in a scenario the council declares",
        "£000",
        "calculated",
        note="Calculated from the council's own scenario (scenarios.csv, where its status and "
        "source are given): the deficit with no interventions, with the savings where the "
        "scenario says so, plus each change the scenario states, from the year it starts, "
        "carried forward.",
        method="The unmitigated deficit plus the savings (for a scenario on them) and each "
        "change the scenario states to a budget line, every year from its first year (or in "
        "that year once), and those of the scenario it builds on, carried forward.",
    ),
    FigureFamily(
        ("with_agreed_pressures.*",),
        "Deficit with the savings and every agreed scenario",
        "£000",
        "calculated",
        note="Calculated: the deficit with the savings plus every change of every scenario the "
        "council has agreed, carried forward.",
        method="The mitigated deficit plus every agreed scenario's changes, carried forward.",
    ),
    FigureFamily(
        (
            "all_requests_convert.*",
            "demand.plans_now_if_all_convert",
            "demand.plans_if_all_convert*",
            "demand.placement_costs_if_all_convert*",
        ),
        "If all requests for assessment become plans",
        "£000 or count",
        "modelled",
        note="Modelled on a scenario, not a forecast the council has adopted: a one-off rise "
        "in demand this year, every open request for assessment a plan by the year's end, "
        "plans then growing as forecast, at the same cost per plan, with no interventions.",
        method="Plans in place now plus the open requests, grown each year at the forecast's "
        "rate, times the cost per plan the forecast implies (the cycle's own year at its "
        "forecast outturn); the extra placement costs are carried forward on top of the "
        "unmitigated deficit.",
    ),
    FigureFamily(
        ("history.plans*", "history.region_plans*", "history.england_plans*"),
        "EHC plans each January as the DfE published them (SEN2)",
        "count",
        "given",
        method="Read from the DfE's caseload file (sen2_caseload.csv): the council's, its "
        "region's and England's rows of all EHC plans, the Januaries published before the "
        "meeting.",
    ),
    FigureFamily(
        (
            "history.growth_ahead",
            "history.method",
            "factor.history_growth",
            "demand.plans_at_history_growth*",
        ),
        "Growth of EHC plans the DfE's history suggests",
        "percent or count",
        "modelled",
        note="Modelled: the growth a year of EHC plans that the DfE's published history of "
        "every council suggests, by the method whose forecasts scored best on that history "
        "(the backtest; its method is named beside the figure).",
        method="The backtest's chosen method at the last January published (docs/assumptions.md, "
        "'The backtest'): with the shipped file, a third each of the council's own average "
        "growth, its region's and England's last growth.",
    ),
    FigureFamily(
        ("history.comparison",),
        "How the forecast's growth compares with the DfE's history",
        "words",
        "calculated",
        note="Calculated: the forecast's growth a year set against the lowest and highest "
        "growth of the council's EHC plans in each year of the DfE's published history.",
        method="The forecast's growth a year compared with the lowest and highest of the "
        "council's yearly growth in the DfE's figures: slower than any, faster than any, or "
        "within their range.",
    ),
    FigureFamily(
        ("history.growth*", "history.region_growth*", "history.england_growth*"),
        "Growth of EHC plans in each year, from the DfE's figures",
        "percent",
        "calculated",
        note="Calculated from the DfE's published EHC plans (SEN2): the plans in January over "
        "the plans a year before, less one.",
        method="Plans in January / plans the January before - 1, for the council, its region "
        "and England.",
    ),
    FigureFamily(
        ("history_growth.*",),
        "If plans grew as the DfE's history suggests",
        "£000",
        "modelled",
        note="Modelled on a scenario, not a forecast the council has adopted: plans growing "
        "from those in place now at the rate the DfE's history suggests, each extra plan at "
        "the forecast's own cost per plan, with no interventions.",
        method="The plans of the demand forecast grown at the history's rate instead of the "
        "forecast's; the extra plans each year times the forecast's cost per plan that year, "
        "carried forward on top of the unmitigated deficit.",
    ),
    FigureFamily(
        ("demand.*", "share.*", "factor.*"),
        "The forecast's placement costs as EHCPs × cost per plan",
        "count or £000",
        "modelled",
        note="Modelled to explain the finance team's placement costs: if plans grew at this "
        "year's growth to date made a rate a year, from the plans in place now, the cost per "
        "plan those costs imply.",
        method="Growth to date over its months made a rate a year, (1 + growth)^(12 / months) "
        "- 1; plans in place now (at the start plus new to date), grown each year by that "
        "rate; cost per plan = placement costs ÷ plans.",
    ),
    FigureFamily(
        ("reconciliation.*",),
        "The business cases' savings against the Recovery Plan Impact line",
        "£000",
        "calculated",
        note="Calculated: the business cases' stated savings a year added up, set against the "
        "saving the Recovery Plan Impact line counts in the forecast's last year.",
        method="The stated savings of business_cases.csv summed; the impact line's saving in "
        "the last year as read (negated: a saving is negative in the budget); the difference.",
    ),
    FigureFamily(
        ("track_record.*",),
        "Earlier papers' forecasts against the outturn",
        "£000 or a share",
        "calculated",
        note="Calculated: an earlier paper's forecast of a year's deficit set against the "
        "outturn this cycle's budget table gives for it; the band's widening from the "
        "council's own errors (docs/assumptions.md, item 14).",
        method="Error = outturn - forecast; relative error = error / |forecast|; the band "
        "widened by the 80th percentile of the relative errors' size over its own half-width, "
        "where larger, with three or more scored.",
    ),
    FigureFamily(
        ("savings.*",),
        "Savings of the business cases",
        "£000",
        "calculated",
        note="Calculated: places avoided × the annual cost of a place, by placement type, "
        "from the council's costs.",
        method="Places avoided × annual cost per place, summed by business case.",
    ),
    FigureFamily(
        ("placements.*", "drivers.*"),
        "The forecast from its drivers",
        "count or £000",
        "modelled",
        note="Modelled by officers from the forecast's drivers: each year's EHCPs and cost per "
        "EHCP grown by that year's assumptions, placement costs = EHCPs × cost per EHCP, by DfE "
        "placement category.",
        method="By DfE placement category: EHCPs and cost per EHCP grown by each year's "
        "assumptions; placement costs = EHCPs × cost per EHCP; the interventions' places "
        "taken off.",
    ),
    FigureFamily(
        ("sensitivity.*", "break_even.*", "uncertainty.*"),
        "How sure the forecast is",
        "£000, percent or share",
        "modelled",
        note="Modelled to show how sure the forecast is: each assumption moved across its "
        "range, one at a time and all together in simulations; the ranges are listed with "
        "the sensitivity table.",
        method="The printed forecast with each assumption at the ends of its range (the "
        "others as forecast); the growth in EHCPs or the saving at which the deficit stops "
        "growing; and percentiles of the deficit over simulations drawing every assumption "
        "from a triangular distribution over its range, seeded by the cycle.",
    ),
)


def family_of(key: str) -> FigureFamily | None:
    """The family a figure belongs to (``-key``, a figure printed negated, is its own)."""
    key = key.lstrip("-")
    return next((family for family in REGISTRY if family.covers(key)), None)


def notes_markdown() -> str:
    """The notes table of ``docs/assumptions.md``, as this registry has it."""
    lines = ["| figures | kind | note or source |", "|---|---|---|"]
    for family in REGISTRY:
        names = ", ".join(f"`{p}`" for p in family.patterns)
        lines.append(f"| {names} | {family.kind} | {family.note or family.method} |")
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    sys.stdout.write(notes_markdown())
