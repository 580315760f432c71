"""Assemble the Cabinet paper's HTML parts from paper.yaml, the narrative and the model's
outputs: header block, recommendations, numbered sections with their tables and chart, footer.
Every part is rendered from an autoescaped template under ``templates/parts/``."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import pandas as pd

from highneeds.common.templating import render_template
from highneeds.paper.charts.chart import (
    LARGE_PRINT,
    STANDARD,
    ChartStyle,
    deficit_chart_drawings,
    describe_deficit_chart,
    figure_html,
)
from highneeds.paper.charts.uncertainty_charts import (
    describe_fan,
    describe_tornado,
    fan_drawings,
    tornado_drawings,
)
from highneeds.paper.content.business_cases import business_cases_table_html
from highneeds.paper.content.certainty import (
    centred_on,
    certainty_context,
    ranges_table_html,
    sensitivity_table_html,
)
from highneeds.paper.content.history import history_context, history_table_html
from highneeds.paper.content.model_outputs import ModelOutputs
from highneeds.paper.content.readings import readings_context
from highneeds.paper.content.reconciliation import reconciliation_context, reconciliation_table_html
from highneeds.paper.content.tables import (
    budget_table_html,
    demand_table_html,
    placements_table_html,
    scenarios_table_html,
)
from highneeds.paper.content.track_record import track_record_context, track_record_table_html
from highneeds.paper.text.claims import check_claims
from highneeds.paper.text.figure_notes import FigureNotes
from highneeds.paper.text.narrative import Narrative, TextRenderer, render_sections


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


@dataclass(frozen=True)
class DeclaredView:
    """A scenario the council declares, for placeholders: ``scenario.<id>.closing[year]``,
    its first change a year (``change``, £000) and the year it starts (``first_year``)."""

    label: str
    status: str
    source: str
    change: float
    first_year: str
    closing: Mapping[str, float]
    in_year: Mapping[str, float]


def declared_views(outputs: ModelOutputs) -> dict[str, DeclaredView]:
    """Each declared scenario by id, as placeholders name it."""
    declared = outputs.declared
    if declared is None or declared.empty:
        return {}
    views = {}
    for scenario, changes in declared.groupby("scenario", sort=False):
        rows = outputs.scenarios[outputs.scenarios["scenario"] == scenario]
        first = changes.iloc[0]
        views[str(scenario)] = DeclaredView(
            str(first["label"]),
            str(first["status"]),
            str(first["source"]),
            float(first["change"]),
            str(first["year"]),
            _ByYear(zip(rows["year"], rows["cfwd"], strict=True)),
            _ByYear(zip(rows["year"], rows["in_year"], strict=True)),
        )
    return views


def narrative_context(outputs: ModelOutputs) -> dict[str, Any]:
    """Everything a placeholder may name: figures, EHCP demand, scenarios and years."""
    years = list(dict.fromkeys(outputs.budget["year"]))
    context: dict[str, Any] = {
        "fig": outputs.figures,
        "years": years,
        "first_year": years[0],
        "last_year": years[-1],
        "current_year": outputs.current_year,
    }
    if outputs.ehcp is not None:
        context["ehcp"] = outputs.ehcp
    # Every scenario by its name, those the paper does not show among them (history_growth).
    named = dict.fromkeys(outputs.scenarios["scenario"].drop_duplicates(), "")
    for scenario, label in (named | dict(outputs.scenario_labels)).items():
        rows = outputs.scenarios[outputs.scenarios["scenario"] == scenario]
        context[scenario] = ScenarioView(
            label,
            _ByYear(zip(rows["year"], rows["cfwd"], strict=True)),
            _ByYear(zip(rows["year"], rows["in_year"], strict=True)),
        )
    wide = outputs.budget_wide
    # Each budget line by year, as the model reads it (£000, a deficit positive; a blank None).
    context["budget"] = {
        str(line): _ByYear((y, None if pd.isna(v) else float(v)) for y, v in wide.loc[line].items())
        for line in wide.index
    }
    impact = wide.loc["recovery_plan_impact"] if "recovery_plan_impact" in wide.index else None
    context["recovery_plan_impact"] = _ByYear(
        (y, 0.0 if impact is None or pd.isna(impact[y]) else float(impact[y])) for y in years
    )
    if outputs.demand is not None:
        by_year = outputs.demand.set_index("year")
        context["demand"] = {column: _ByYear(by_year[column].items()) for column in by_year.columns}
        context["demand"] |= dict(outputs.demand_basis or {})
    if outputs.placements is not None:
        context["placements"] = {
            category: {
                column: _ByYear(rows.set_index("year")[column].items())
                for column in ("plans", "cost_per_plan", "placement_costs", "plans_mitigated")
            }
            for category, rows in outputs.placements.groupby("category", sort=False)
        }
    context.update(certainty_context(outputs))
    if outputs.history is not None and outputs.history_basis is not None:
        context["history"] = history_context(outputs)
    context.update(readings_context(outputs))
    context.update(reconciliation_context(outputs))
    context.update(track_record_context(outputs))
    if outputs.forecast_growth is not None:
        context["forecast_growth"] = dict(outputs.forecast_growth)
    cases = outputs.business_cases
    context["business_cases"] = (
        {}
        if cases is None
        else {rec.intervention_id: rec._asdict() for rec in cases.itertuples(index=False)}
    )
    context["scenario"] = declared_views(outputs)
    return context


#: The keys of the header's key facts table, beyond a Cabinet paper's own.
_FACTS = ("item", "report_type", "author", "cabinet_members", "contact_officers", "wards")


def _kind(meta: Mapping[str, Any]) -> str:
    return str(meta.get("committee_kind") or "cabinet")


def header_html(meta: Mapping[str, Any]) -> str:
    """The header block: council, committee, date, title, report of, and the key facts its
    committee's papers have."""
    kind = _kind(meta)
    return render_template(
        "highneeds.paper",
        "parts/header.html.j2",
        meta=meta,
        kind=kind,
        key_decision="Yes" if meta.get("key_decision") else "No",
        has_facts=kind == "cabinet" or any(meta.get(key) for key in _FACTS),
    )


def recommendations_html(meta: Mapping[str, Any], renderer: TextRenderer) -> str:
    """The recommendations (a Cabinet paper's "Decision Recommendations"); nothing for a
    paper that makes none (an item for information)."""
    recs = meta.get("recommendations")
    if not recs:
        return ""
    items = [
        renderer.render_html(item, "paper.yaml (recommendations)", 0) for item in recs["items"]
    ]
    return render_template(
        "highneeds.paper",
        "parts/recommendations.html.j2",
        heading="Decision Recommendations" if _kind(meta) == "cabinet" else "Recommendations",
        lead=recs.get("lead", ""),
        items=items,
    )


def footer_html(meta: Mapping[str, Any]) -> str:
    """The offer of a large print or Braille version, where the paper gives a number."""
    return render_template(
        "highneeds.paper", "parts/footer.html.j2", phone=meta.get("large_print_phone")
    )


@dataclass
class PaperParts:
    """The paper's HTML, in reading order, one part per notebook output."""

    header: str
    recommendations: str
    sections: list[str]
    footer: str
    figures: list[dict[str, Any]]
    #: Each chart's PNG drawing (for Word), by its figure's id (``figure-1``).
    chart_pngs: dict[str, bytes]
    #: Warnings for claims the narrative makes that the forecast does not bear out
    #: (:mod:`highneeds.paper.text.claims`); the words are printed as written.
    claims: list[str]


#: The tables whose printed figures are recorded and marked with their notes, by the name a
#: narrative gives them (``{{ table("scenarios") }}``); business_cases is drawn otherwise (with
#: the cases' wording, which it renders and records).
FIGURE_TABLES: dict[str, Callable[..., str]] = {
    "high_needs_budget": budget_table_html,
    "scenarios": scenarios_table_html,
    "demand": demand_table_html,
    "placements": placements_table_html,
    "sensitivity": sensitivity_table_html,
    "ranges": ranges_table_html,
    "ehcp_history": history_table_html,
    "savings_reconciliation": reconciliation_table_html,
    "track_record": track_record_table_html,
}


def build_paper(
    meta: Mapping[str, Any],
    narrative: Narrative,
    outputs: ModelOutputs,
    *,
    word_charts: bool = True,
    large_print_charts: bool = True,
) -> PaperParts:
    """Render the whole paper: header, recommendations, numbered sections, footer. Each chart
    is drawn as SVG at the paper's size; with ``word_charts`` as PNG too (for the Word paper,
    which does not take SVG), and with ``large_print_charts`` at large print's size (the
    preview, which shows the paper on screen, needs neither)."""
    counters = {"table": 0, "chart": 0}
    renderer: TextRenderer

    def next_number(kind: str) -> str:
        counters[kind] += 1
        return str(counters[kind])

    def table(name: str) -> str:
        if name == "track_record" and (outputs.track_record is None or outputs.track_record.empty):
            return ""  # no forecast scored yet: the words say so; no table, no number taken
        number = next_number("table")
        if name == "business_cases":
            return business_cases_table_html(outputs, number, meta, renderer)
        if name not in FIGURE_TABLES:
            raise KeyError(
                f"no table named {name!r}; the tables are "
                + ", ".join(sorted([*FIGURE_TABLES, "business_cases"]))
            )
        return FIGURE_TABLES[name](outputs, number, renderer.figures, renderer.notes)

    def chart(name: str) -> str:
        draw, alt, caption = chart_parts(name, outputs)
        number = next_number("chart")
        # The paper's drawing is laid out once and saved as SVG and as PNG (for Word).
        standard = draw(STANDARD, ("svg", "png") if word_charts else ("svg",))
        if word_charts:
            chart_pngs[f"figure-{number}"] = standard["png"]
        large_print = draw(LARGE_PRINT, ("svg",))["svg"] if large_print_charts else None
        return figure_html(standard["svg"], large_print, number, alt, caption)

    chart_pngs: dict[str, bytes] = {}
    # A figure the notebooks' lineage shows is the council's own carries no mark.
    notes = FigureNotes(outputs.lineage)
    inserts = {"table": table, "chart": chart}
    context = narrative_context(outputs)
    renderer = TextRenderer(narrative, context, inserts, notes)
    recommendations = recommendations_html(meta, renderer)
    # After the numbered sections: the notes on the marked figures, then the appendix on how
    # every kind of figure the paper prints was calculated.
    sections = [*render_sections(narrative, renderer), notes.section_html(), notes.methods_html()]
    return PaperParts(
        header=header_html(meta),
        recommendations=recommendations,
        sections=sections,
        footer=footer_html(meta),
        figures=renderer.figures,
        chart_pngs=chart_pngs,
        claims=check_claims(narrative, context),
    )


#: A chart drawn at a style, saved in each of the formats asked for (``svg``, ``png``).
Drawing = Callable[[ChartStyle, Sequence[str]], dict[str, bytes]]

#: The charts a narrative may place with ``{{ chart("...") }}``.
CHART_NAMES = ("deficit_scenarios", "tornado", "uncertainty_fan")


def chart_parts(name: str, outputs: ModelOutputs) -> tuple[Drawing, str, str]:
    """A chart's drawing (``draw(style, formats)``), its text alternative and caption."""
    last = outputs.budget["year"].iloc[-1]
    if name == "deficit_scenarios":
        scenarios, labels = outputs.scenarios, outputs.scenario_labels
        form = outputs.budget_format
        whose = "DSG" if form.block == "dsg" else "High Needs"
        return (
            lambda style, formats: deficit_chart_drawings(
                scenarios, labels, style, formats, form.unit
            ),
            describe_deficit_chart(scenarios, labels, form.unit, whose),
            f"{whose} deficit carried forward by scenario ({form.unit})",
        )
    centre, centre_id = centred_on(outputs)
    if name == "tornado" and outputs.sensitivity is not None:
        tornado = outputs.sensitivity
        return (
            lambda style, formats: tornado_drawings(tornado, style, formats),
            describe_tornado(tornado, last, centre),
            f"Deficit carried forward at the end of {last} {centre}, as each "
            "assumption moves across its range (£000)",
        )
    if (
        name == "uncertainty_fan"
        and outputs.uncertainty is not None
        and outputs.break_even is not None
    ):
        levels, draws = outputs.uncertainty, int(outputs.break_even["draws"])
        central = outputs.scenarios[outputs.scenarios["scenario"] == centre_id]
        forecast = dict(zip(central["year"], central["cfwd"].astype(float), strict=True))
        label = f"Forecast {centre}"
        return (
            lambda style, formats: fan_drawings(levels, forecast, style, formats, label),
            describe_fan(levels, draws, forecast, centre),
            "Deficit carried forward over the simulations of the assumptions: the 10th to the "
            "90th percentile (£000)",
        )
    raise KeyError(
        f"no chart named {name!r} in this cycle; the charts are {', '.join(CHART_NAMES)} "
        "(tornado and uncertainty_fan where the model measured how sure the forecast is)"
    )


__all__ = ["ModelOutputs", "PaperParts", "build_paper", "narrative_context"]
