"""Assemble the Cabinet paper's HTML parts from paper.yaml, the narrative and the model's
outputs: header block, recommendations, numbered sections with their tables and chart, footer.
Every part is rendered from an autoescaped template under ``templates/parts/``."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import pandas as pd

from highneeds.paper.chart import deficit_chart_html
from highneeds.paper.model_outputs import ModelOutputs
from highneeds.paper.narrative import Narrative, TextRenderer, render_sections
from highneeds.paper.tables import (
    budget_table_html,
    business_cases_table_html,
    demand_table_html,
    placements_table_html,
    scenarios_table_html,
)
from highneeds.templating import render_template


class _ByYear(dict):
    """A year-indexed mapping that names the missing year and the years it has."""

    def __missing__(self, year: str) -> float:
        raise KeyError(f"no figure for year {year!r}; the years are {', '.join(self)}")


@dataclass(frozen=True)
class ScenarioView:
    """One scenario's figures by year, for placeholders: ``mitigated.cfwd["2024/25"]``."""

    label: str
    cfwd: Mapping[str, float]
    in_year: Mapping[str, float]


def narrative_context(outputs: ModelOutputs) -> dict[str, Any]:
    """Everything a placeholder may name: figures, EHCP demand, scenarios and years."""
    years = list(dict.fromkeys(outputs.budget["year"]))
    context: dict[str, Any] = {
        "fig": outputs.figures,
        "ehcp": outputs.ehcp,
        "years": years,
        "first_year": years[0],
        "last_year": years[-1],
        "current_year": outputs.current_year,
    }
    for scenario, label in outputs.scenario_labels.items():
        rows = outputs.scenarios[outputs.scenarios["scenario"] == scenario]
        context[scenario] = ScenarioView(
            label,
            _ByYear(zip(rows["year"], rows["cfwd"], strict=True)),
            _ByYear(zip(rows["year"], rows["in_year"], strict=True)),
        )
    wide = outputs.budget_wide
    impact = wide.loc["recovery_plan_impact"] if "recovery_plan_impact" in wide.index else None
    context["recovery_plan_impact"] = _ByYear(
        (y, 0.0 if impact is None or pd.isna(impact[y]) else float(impact[y])) for y in years
    )
    if outputs.demand is not None:
        by_year = outputs.demand.set_index("year")
        context["demand"] = {column: _ByYear(by_year[column].items()) for column in by_year.columns}
    if outputs.placements is not None:
        context["placements"] = {
            category: {
                column: _ByYear(rows.set_index("year")[column].items())
                for column in ("plans", "cost_per_plan", "placement_costs", "plans_mitigated")
            }
            for category, rows in outputs.placements.groupby("category", sort=False)
        }
    context["business_cases"] = {
        rec.intervention_id: rec._asdict() for rec in outputs.business_cases.itertuples(index=False)
    }
    return context


def header_html(meta: Mapping[str, Any]) -> str:
    """The header block: committee, date, title, report of, and the key facts table."""
    return render_template(
        "highneeds.paper",
        "parts/header.html.j2",
        meta=meta,
        key_decision="Yes" if meta["key_decision"] else "No",
    )


def recommendations_html(meta: Mapping[str, Any], renderer: TextRenderer) -> str:
    """The decision recommendations."""
    recs = meta["recommendations"]
    items = [
        renderer.render_html(item, "paper.yaml (recommendations)", 0) for item in recs["items"]
    ]
    return render_template(
        "highneeds.paper",
        "parts/recommendations.html.j2",
        lead=recs.get("lead", ""),
        items=items,
    )


def footer_html(meta: Mapping[str, Any]) -> str:
    """The offer of a large print or Braille version."""
    return render_template(
        "highneeds.paper", "parts/footer.html.j2", phone=meta["large_print_phone"]
    )


@dataclass
class PaperParts:
    """The paper's HTML, in reading order, one part per notebook output."""

    header: str
    recommendations: str
    sections: list[str]
    footer: str
    figures: list[dict[str, Any]]


def build_paper(meta: Mapping[str, Any], narrative: Narrative, outputs: ModelOutputs) -> PaperParts:
    """Render the whole paper: header, recommendations, numbered sections, footer."""
    counters = {"table": 0, "chart": 0}
    renderer: TextRenderer

    def next_number(kind: str) -> str:
        counters[kind] += 1
        return str(counters[kind])

    def table(name: str) -> str:
        number = next_number("table")
        if name == "high_needs_budget":
            return budget_table_html(outputs, number, renderer.figures)
        if name == "scenarios":
            return scenarios_table_html(outputs, number, renderer.figures)
        if name == "business_cases":
            return business_cases_table_html(outputs, number, meta, renderer)
        if name == "demand":
            return demand_table_html(outputs, number, renderer.figures)
        if name == "placements":
            return placements_table_html(outputs, number, renderer.figures)
        raise KeyError(
            f"no table named {name!r}; the tables are high_needs_budget, "
            "business_cases, demand, placements and scenarios"
        )

    def chart(name: str) -> str:
        if name != "deficit_scenarios":
            raise KeyError(f"no chart named {name!r}; the chart is deficit_scenarios")
        return deficit_chart_html(outputs.scenarios, outputs.scenario_labels, next_number("chart"))

    renderer = TextRenderer(narrative, narrative_context(outputs), {"table": table, "chart": chart})
    recommendations = recommendations_html(meta, renderer)
    sections = render_sections(narrative, renderer)
    return PaperParts(
        header=header_html(meta),
        recommendations=recommendations,
        sections=sections,
        footer=footer_html(meta),
        figures=renderer.figures,
    )


__all__ = ["ModelOutputs", "PaperParts", "build_paper", "narrative_context"]
