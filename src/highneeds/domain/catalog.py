"""Every table a run passes between its steps, declared once: the file a council gives it in
(if any), whether a cycle may leave it out, the step that writes it, the steps that read it,
and whether the paper or the DfE return prints it.

The gate's file names and readers, the steps' reads and writes (and so which outputs a reused
step copies), the paper's inputs and the changes page's tables all read this list; adding a
table is one line here, its reader (for an input) or its writer in the model, and its suite.
"""

from __future__ import annotations

from dataclasses import dataclass

#: The steps, in the order a run takes them (the render reads no table).
VALIDATE, MODEL, INTERVENTIONS, REPORT = (
    "01_validate",
    "02_deficit_model",
    "03_interventions",
    "04_cabinet_report",
)
#: The notebooks, in order.
NOTEBOOK_STEPS = (VALIDATE, MODEL, INTERVENTIONS, REPORT)


@dataclass(frozen=True)
class Table:
    """One typed table (``processed/<name>.csv`` in a run folder).

    ``stem``: the input file a council gives it in (``<stem>.csv`` or ``<stem>.xlsx``), for a
    table the gate reads from one. ``optional``: a cycle may leave the file out. ``written_by``:
    the step that writes it; ``read_by``: the steps besides the report that read it (the report
    reads every table there is). ``paper``/``dfe_return``: what prints it.
    """

    name: str
    written_by: str
    read_by: tuple[str, ...] = ()
    stem: str | None = None
    optional: bool = True
    paper: bool = False
    dfe_return: bool = False


_BOTH = (MODEL, INTERVENTIONS)

TABLES: tuple[Table, ...] = (
    # What the gate reads from the council's files, typed and checked.
    Table("budget", VALIDATE, (MODEL,), "high_needs_budget", optional=False, dfe_return=True),
    Table("ehcp_demand", VALIDATE, _BOTH, "ehcp_demand"),
    Table("placement_costs", VALIDATE, (INTERVENTIONS,), "placement_costs"),
    Table("interventions", VALIDATE, (INTERVENTIONS,), "interventions"),
    Table("business_cases", VALIDATE, _BOTH, "business_cases", dfe_return=True),
    Table("figures", VALIDATE, (MODEL,), "figures", paper=True),
    # The forecast's drivers.
    Table("placements_by_category", VALIDATE, (MODEL,), "placements_by_category"),
    Table("forecast_assumptions", VALIDATE, (MODEL,), "forecast_assumptions"),
    Table("intervention_places", VALIDATE, (MODEL,), "intervention_places"),
    Table("assumption_ranges", VALIDATE, (MODEL,), "assumption_ranges"),
    # For the DfE return.
    Table("dsg_blocks", VALIDATE, (MODEL,), "dsg_blocks", dfe_return=True),
    Table("ehcps_by_age", VALIDATE, (MODEL,), "ehcps_by_age", dfe_return=True),
    # The council's own scenarios, and the DfE's EHC plans.
    Table("declared_scenarios", VALIDATE, (MODEL,), "scenarios", paper=True),
    Table("sen2", VALIDATE, (MODEL,), "sen2_caseload"),
    # The council's readings of its own figures, from paper.yaml (no file of its own).
    Table("readings", VALIDATE, (MODEL,)),
    # Earlier papers' forecasts, typed or added by the run from the published papers.
    Table("earlier_forecasts", VALIDATE, (MODEL,), "earlier_forecasts"),
    # What the deficit model computes.
    Table("dsg_opening", MODEL, dfe_return=True),
    Table("budget_groups", MODEL, dfe_return=True),
    Table("forecast_budget", MODEL, paper=True),
    Table("budget_format", MODEL, paper=True),
    Table("roll_forward", MODEL, dfe_return=True),
    Table("scenarios", MODEL, paper=True),
    Table("forecast_growth", MODEL, paper=True),
    Table("demand", MODEL, paper=True),
    Table("demand_basis", MODEL, paper=True),
    Table("placements_forecast", MODEL, paper=True),
    Table("placements_totals", MODEL, paper=True),
    Table("ehcp_history", MODEL, paper=True),
    Table("history_basis", MODEL, paper=True),
    Table("forecast_comparison", MODEL),
    Table("readings_used", MODEL, paper=True),
    Table("savings_reconciliation", MODEL, paper=True),
    Table("track_record", MODEL, paper=True),
    Table("track_record_words", MODEL, paper=True),
    Table("sensitivity", MODEL, paper=True),
    Table("uncertainty", MODEL, paper=True),
    Table("break_even", MODEL, paper=True),
    # What the interventions' step computes.
    Table("intervention_savings", INTERVENTIONS, paper=True),
    Table("business_case_summary", INTERVENTIONS, paper=True),
    Table("ehcp_growth", INTERVENTIONS, paper=True),
)

#: Each table by its name.
BY_NAME = {table.name: table for table in TABLES}


def written_by(step: str) -> tuple[str, ...]:
    """The tables ``step`` writes, in the catalog's order."""
    return tuple(t.name for t in TABLES if t.written_by == step)


def read_by(step: str) -> tuple[str, ...]:
    """The tables ``step`` reads, in the catalog's order."""
    return tuple(t.name for t in TABLES if step in t.read_by)


#: The tables read from a council's files: name and file stem, in the gate's order.
SOURCE_STEMS = {t.name: t.stem for t in TABLES if t.stem is not None}
#: What the paper reads, and what the DfE return reads besides.
PAPER_TABLES = tuple(t.name for t in TABLES if t.paper)
RETURN_TABLES = tuple(t.name for t in TABLES if t.dfe_return and not t.paper)
