"""What the paper takes from the model, wired once: notebook 04 and the preview build the
paper with :func:`build_report` and keep what the render reads with :func:`write_report`, from
the model's tables as the notebooks wrote them; the tests hand :func:`paper_outputs` the tables
:func:`highneeds.model.wiring.run.run_model` returned. (The paper does not import the model;
this is where the two meet.)"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from highneeds.common import processed
from highneeds.domain.amounts import BudgetFormat
from highneeds.domain.catalog import PAPER_TABLES, RETURN_TABLES
from highneeds.gate.tables.figures import figure_values
from highneeds.gate.tables.paper_yaml import read_paper_metadata
from highneeds.model.basis.lineage import read_lineage
from highneeds.model.forecast.deficit import (
    SCENARIO_LABELS,
    budget_to_wide,
    financial_year_of,
)
from highneeds.model.forecast.demand import EhcpGrowth
from highneeds.paper.content.assemble import PaperParts, build_paper
from highneeds.paper.content.model_outputs import ModelOutputs
from highneeds.paper.formats.dfe_return import ReturnTables, write_return_figures
from highneeds.paper.text.narrative import parse_narrative


def read_paper_tables(folder: Path) -> dict[str, pd.DataFrame | None]:
    """The tables notebooks 01-03 wrote into ``folder`` that the paper and the DfE return
    read (None for one the cycle does not give)."""
    return {
        name: processed.read_table_if_present(folder, name) for name in PAPER_TABLES + RETURN_TABLES
    }


def paper_outputs(
    tables: Mapping[str, pd.DataFrame | None],
    cycle: str,
    lineage: Mapping[str, Mapping[str, Any]] | None = None,
) -> ModelOutputs:
    """The model's outputs as the paper needs them (``lineage``: which figures the model
    derived, so that only those carry a note's mark)."""
    budget, scenarios = tables["forecast_budget"], tables["scenarios"]
    assert budget is not None and scenarios is not None
    even = tables.get("break_even")
    return ModelOutputs(
        budget=budget,
        budget_wide=budget_to_wide(budget),
        budget_format=_budget_format(tables.get("budget_format")),
        scenarios=scenarios,
        declared=tables.get("declared_scenarios"),
        scenario_labels=_scenario_labels(scenarios),
        savings=tables.get("intervention_savings"),
        business_cases=tables.get("business_case_summary"),
        figures=figure_values(tables.get("figures")),
        ehcp=_ehcp(tables.get("ehcp_growth")),
        current_year=financial_year_of(cycle),
        demand=tables.get("demand"),
        demand_basis=_first_row(tables.get("demand_basis")),
        placements=tables.get("placements_forecast"),
        placement_totals=tables.get("placements_totals"),
        history=tables.get("ehcp_history"),
        history_basis=_first_row(tables.get("history_basis")),
        sensitivity=tables.get("sensitivity"),
        uncertainty=tables.get("uncertainty"),
        break_even=_first_row(even),
        forecast_growth=_first_row(tables.get("forecast_growth")),
        lineage=lineage,
        readings=tables.get("readings_used"),
        reconciliation=tables.get("savings_reconciliation"),
        track_record=tables.get("track_record"),
        track_record_words=_first_row(tables.get("track_record_words")),
    )


def return_tables(tables: Mapping[str, pd.DataFrame | None]) -> ReturnTables:
    """The model's tables as the DfE return reads them (``tables`` by their processed names)."""
    scenarios = tables["scenarios"]
    assert scenarios is not None
    return ReturnTables(
        roll_forward=tables["roll_forward"],
        budget_format=_budget_format(tables.get("budget_format")),
        budget=tables["budget"],
        scenarios=scenarios,
        scenario_labels=_scenario_labels(scenarios),
        business_cases=tables.get("business_cases"),
        savings=tables.get("business_case_summary"),  # the model's saving of each case
        demand=tables.get("demand"),
        placements=tables.get("placements_forecast"),
        placement_totals=tables.get("placements_totals"),
        dsg_blocks=tables.get("dsg_blocks"),
        budget_groups=tables.get("budget_groups"),
        dsg_opening=tables.get("dsg_opening"),
        ehcps_by_age=tables.get("ehcps_by_age"),
        history=tables.get("ehcp_history"),
        stated_dsg=_stated_dsg(tables.get("figures")),
    )


def _stated_dsg(figures: pd.DataFrame | None) -> dict[str, tuple[float, str]]:
    """The whole DSG's balance carried forward at the end of each year the council states it
    (figures.csv's ``dfe_return``: ``whole_dsg_cfwd 2021/22``), in £000, with each figure's key."""
    if figures is None or "dfe_return" not in figures:
        return {}
    values = figure_values(figures)
    stated = {}
    for rec in figures.itertuples(index=False):
        said = str(rec.dfe_return or "").split()
        if len(said) == 2 and said[0] == "whole_dsg_cfwd" and rec.name in values:
            stated[said[1]] = (float(values[rec.name]), f"fig.{rec.name}")
    return stated


def _ehcp(table: pd.DataFrame | None) -> EhcpGrowth | None:
    """The EHCP counts and their growth, where the cycle gives the counts."""
    if table is None:
        return None
    growth = table.iloc[0]
    return EhcpGrowth(
        since=pd.Timestamp(growth["since"]).date(),
        plans_at_start=int(growth["plans_at_start"]),
        new_plans_to_date=int(growth["new_plans_to_date"]),
        requests_for_assessment=int(growth["requests_for_assessment"]),
        growth_to_date=float(growth["growth_to_date"]),
        growth_if_all_convert=float(growth["growth_if_all_convert"]),
    )


def _budget_format(table: pd.DataFrame | None) -> BudgetFormat:
    """How the council writes its budget table (the shipped layout's where not recorded)."""
    return BudgetFormat.from_dict(_first_row(table))


def _scenario_labels(scenarios: pd.DataFrame) -> dict[str, str]:
    """The labels of the scenarios the paper shows, in the model's order; a scenario the
    council has not agreed says its status (``(proposed)``)."""
    first = scenarios.drop_duplicates("scenario")
    labels = {}
    for rec in first.to_dict("records"):
        if not _shown(rec.get("shown", True)):
            continue
        status = str(rec.get("status") or "")
        label = str(rec.get("label") or SCENARIO_LABELS.get(rec["scenario"], rec["scenario"]))
        labels[str(rec["scenario"])] = label if status in ("", "agreed") else f"{label} ({status})"
    return labels


def _shown(value: object) -> bool:
    """A ``shown`` cell as written to CSV and read back (``True``, ``False``, blank)."""
    return str(value).strip().lower() not in ("false", "0")


def _first_row(table: pd.DataFrame | None) -> dict[str, Any] | None:
    """A one-row table as a mapping (None for a table the cycle does not have)."""
    return None if table is None else table.iloc[0].to_dict()


def narrative_claims(
    tables: Mapping[str, pd.DataFrame],
    cycle: str,
    narrative_text: str,
    meta: Mapping[str, Any] | None = None,
) -> list[str]:
    """The claims of a narrative the forecast does not bear out
    (:mod:`highneeds.paper.text.claims`), from the gate's typed tables, without running the
    notebooks: what ``validate`` warns of.
    The narrative is rendered as the run renders it (with ``meta``, paper.yaml's, the whole
    paper; charts drawn for the screen only), so that a narrative the run would refuse is
    refused here too, with the run's :class:`~highneeds.common.errors.NarrativeError` (exit 4)."""
    from highneeds.model.wiring.run import ModelParameters, run_interventions, run_model
    from highneeds.paper.content.assemble import build_paper, narrative_context
    from highneeds.paper.text.claims import check_claims
    from highneeds.paper.text.narrative import parse_narrative

    # One simulation: the claims read the scenarios, not how sure the forecast is.
    parameters = ModelParameters(cycle, uncertainty_draws=1)
    model = run_model(tables, figure_values(tables.get("figures")), parameters)
    merged = {
        "figures": tables.get("figures"),
        "declared_scenarios": tables.get("declared_scenarios"),
        **model.tables,
        **run_interventions(tables).tables,
    }
    outputs = paper_outputs(merged, cycle)
    story = parse_narrative(narrative_text, figures=outputs.figures)
    if meta is not None:
        return build_paper(meta, story, outputs, word_charts=False, large_print_charts=False).claims
    return check_claims(story, narrative_context(outputs))


@dataclass(frozen=True)
class Report:
    """A cycle's paper as built from its processed tables: its parts (sections, tables,
    charts, every printed figure), paper.yaml as read and checked, the tables it was built
    from, and the narrative's labels with their paragraph numbers."""

    parts: PaperParts
    meta: dict[str, Any]
    tables: dict[str, pd.DataFrame | None]
    labels: dict[str, str]


def build_report(
    cycle: str, raw: Path, folder: Path, *, html_only: bool = False, large_print_charts: bool = True
) -> Report:
    """The paper of ``cycle`` from its inputs (``raw``: paper.yaml, narrative.md) and the
    tables notebooks 01-03 wrote into ``folder``; the lineage says which figures the model
    derived (those carry a note's mark). ``html_only``: no chart images for Word;
    ``large_print_charts``: each chart drawn at large print's size too."""
    meta = read_paper_metadata(raw / "paper.yaml")
    tables = read_paper_tables(folder)
    outputs = paper_outputs(tables, cycle, read_lineage(folder))
    text = (raw / "narrative.md").read_text(encoding="utf-8")
    story = parse_narrative(text, figures=outputs.figures)
    parts = build_paper(
        meta, story, outputs, word_charts=not html_only, large_print_charts=large_print_charts
    )
    return Report(parts, meta, tables, dict(story.labels))


def write_report(report: Report, folder: Path, *, html_only: bool = False) -> list[str]:
    """Keep in ``folder`` what the render and later runs read of the paper: its records
    (:func:`write_paper_records`), each chart as PNG (for the Word paper) and, unless
    ``html_only``, the DfE return's figures; the lines notebook 04 prints of them."""
    shown = write_paper_records(folder, report.parts, report.meta)
    for figure_id, png in report.parts.chart_pngs.items():
        shown.append(f"{figure_id}: {(folder / f'{figure_id}.png').write_bytes(png)} bytes")
    if not html_only:
        sheets = write_return_figures(return_tables(report.tables), folder)
        shown += [
            f"{s.title}: {len(s.lines)} lines" for s in sheets.template + sheets.beyond_template
        ]
    return shown


def write_paper_records(folder: Path, parts: Any, meta: Mapping[str, Any]) -> list[str]:
    """What notebook 04 keeps of the paper beside the tables: every printed figure (for
    explain and the next run's changes), paper.yaml as read and checked (what the render puts
    in each file) and the narrative's claims the forecast does not bear out; and the lines it
    prints of them."""
    for name, data in (
        ("paper_figures.json", parts.figures),
        ("paper_meta.json", meta),
        ("claims.json", parts.claims),
    ):
        (folder / name).write_text(json.dumps(data, indent=1) + "\n", encoding="utf-8")
    shown = parts.claims or ["no claim in the narrative disagrees with the forecast"]
    return [f"{len(parts.figures)} figures printed", *shown]
