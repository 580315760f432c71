"""Assemble the Cabinet paper's HTML parts from the inputs and the model's outputs."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from html import escape
from typing import Any

import pandas as pd

from highneeds.chart import deficit_chart_html
from highneeds.formatting import gbp_k, table_amount
from highneeds.interventions import describe_places
from highneeds.model import SCENARIO_LABELS, budget_to_wide
from highneeds.narrative import Narrative, TextRenderer, render_sections

MITIGATED_LINE_LABEL = "High Needs DSG C/Fwd Deficit / (Surplus) after Recovery Plan Impact"


@dataclass
class ModelOutputs:
    """What the model notebooks produced, as the paper needs it."""

    budget: pd.DataFrame
    scenarios: pd.DataFrame
    savings: pd.DataFrame
    business_cases: pd.DataFrame
    figures: dict[str, Any]
    ehcp: Any
    current_year: str


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
    for scenario, label in SCENARIO_LABELS.items():
        rows = outputs.scenarios[outputs.scenarios["scenario"] == scenario]
        context[scenario] = ScenarioView(
            label,
            _ByYear(zip(rows["year"], rows["cfwd"], strict=True)),
            _ByYear(zip(rows["year"], rows["in_year"], strict=True)),
        )
    wide = budget_to_wide(outputs.budget)
    impact = wide.loc["recovery_plan_impact"] if "recovery_plan_impact" in wide.index else None
    context["recovery_plan_impact"] = _ByYear(
        (y, 0.0 if impact is None or pd.isna(impact[y]) else float(impact[y])) for y in years
    )
    context["business_cases"] = {
        rec.intervention_id: rec._asdict() for rec in outputs.business_cases.itertuples(index=False)
    }
    return context


def _amount_cells(values: list[float | None]) -> str:
    return "".join(f'<td class="num">{table_amount(v)}</td>' for v in values)


def _register_row(
    figures: list[dict[str, Any]] | None,
    table: str,
    label: str,
    years: list[str],
    values: list[float | None],
    sources: list[str],
) -> None:
    """Record each printed cell of a £000 table row, for comparing papers figure by figure."""
    if figures is None:
        return
    for year, value in zip(years, values, strict=True):
        figures.append(
            {
                "id": f"{table}: {label}, {year}",
                "where": f"table {table}",
                "text": table_amount(value),
                "sources": sources,
                "rows": [label],
            }
        )


def _year_header(years: list[str], first: str = "") -> str:
    cells = "".join(f'<th scope="col" class="num">{escape(y)}</th>' for y in years)
    units = "".join('<th scope="col" class="num unit">£000</th>' for _ in years)
    return (
        f'<thead><tr><td class="blank">{first}</td>{cells}</tr>'
        f'<tr><td class="blank"></td>{units}</tr></thead>'
    )


def budget_table_html(
    outputs: ModelOutputs, number: str, figures: list[dict[str, Any]] | None = None
) -> str:
    """The para 7.3 table cell for cell, with the mitigated carried-forward line added."""
    wide = budget_to_wide(outputs.budget)
    labels = outputs.budget.drop_duplicates("line").set_index("line")["label"]
    years = list(wide.columns)
    rows = []
    for line in wide.index:
        css = ' class="total"' if line == "cfwd" else ""
        _register_row(
            figures,
            "high_needs_budget",
            labels[line],
            years,
            list(wide.loc[line]),
            ["high_needs_budget"],
        )
        rows.append(
            f'<tr{css}><th scope="row">{escape(labels[line])}</th>'
            f"{_amount_cells(list(wide.loc[line]))}</tr>"
        )
    mitigated = outputs.scenarios[outputs.scenarios["scenario"] == "mitigated"]
    _register_row(
        figures,
        "high_needs_budget",
        MITIGATED_LINE_LABEL,
        years,
        list(mitigated["cfwd"]),
        ["high_needs_budget"],
    )
    rows.append(
        f'<tr class="derived"><th scope="row">{MITIGATED_LINE_LABEL}</th>'
        f"{_amount_cells(list(mitigated['cfwd']))}</tr>"
    )
    return (
        f'<table class="finance" id="table-{number}"><caption>Table {number}: High Needs DSG '
        f"forecast if no interventions are made, and after the Recovery Plan Impact "
        f"(£000; brackets denote income or surplus)</caption>"
        f"{_year_header(years)}<tbody>{''.join(rows)}</tbody></table>"
    )


def scenarios_table_html(
    outputs: ModelOutputs, number: str, figures: list[dict[str, Any]] | None = None
) -> str:
    """Carried-forward deficit and in-year movement by scenario and year."""
    years = list(dict.fromkeys(outputs.scenarios["year"]))
    body = []
    for measure, heading in (("cfwd", "Deficit carried forward"), ("in_year", "In-year movement")):
        body.append(
            f'<tr class="group"><th scope="rowgroup" colspan="{len(years) + 1}">{heading}</th></tr>'
        )
        for scenario, label in SCENARIO_LABELS.items():
            rows = outputs.scenarios[outputs.scenarios["scenario"] == scenario]
            _register_row(
                figures,
                "scenarios",
                f"{heading}: {label}",
                years,
                list(rows[measure]),
                ["high_needs_budget", "figures"],
            )
            body.append(
                f'<tr><th scope="row">{escape(label)}</th>{_amount_cells(list(rows[measure]))}</tr>'
            )
    return (
        f'<table class="finance" id="table-{number}"><caption>Table {number}: High Needs '
        f"deficit by scenario (£000)</caption>{_year_header(years)}"
        f"<tbody>{''.join(body)}</tbody></table>"
    )


def business_cases_table_html(
    outputs: ModelOutputs,
    number: str,
    meta: Mapping[str, Any],
    renderer: TextRenderer,
    narrative: Narrative,
) -> str:
    """The para 7.6 table: each intervention, its business case basis and current position."""
    wording = meta.get("business_cases", {})
    rows = []
    for rec in outputs.business_cases.itertuples(index=False):
        words = wording.get(rec.intervention_id, {})
        described = words.get("described_in") or []
        where = ""
        if described:
            refs = (
                renderer.refs(described[0], described[-1])
                if len(described) > 1
                else (renderer.refs(described[0]))
            )
            where = f" (paras {refs})"
        basis = (
            f"Assumes {describe_places(outputs.savings, rec.intervention_id)} avoided "
            f"({gbp_k(rec.computed_saving)})"
        )
        renderer.figures.append(
            {
                "id": f"business_cases: {rec.intervention}, saving",
                "where": "table business_cases",
                "text": gbp_k(rec.computed_saving),
                "sources": ["interventions", "placement_costs", "business_cases"],
                "rows": [],
            }
        )
        position = renderer.render(
            words.get("current_position", ""),
            f"paper.yaml (business_cases: {rec.intervention_id}: current_position)",
            0,
        )
        rows.append(
            f'<tr><th scope="row">{escape(rec.intervention)}{where}</th>'
            f"<td>{basis}</td><td>{position}</td></tr>"
        )
    return (
        f'<table class="text-table" id="table-{number}"><caption>Table {number}: Recovery '
        f"Plan interventions and the basis of their business cases</caption>"
        f'<thead><tr><th scope="col">Provision</th><th scope="col">Business Case Basis</th>'
        f'<th scope="col">Current Position</th></tr></thead><tbody>{"".join(rows)}</tbody></table>'
    )


def header_html(meta: Mapping[str, Any]) -> str:
    """The header block: committee, date, title, report of, and the key facts table."""
    members = "<br>".join(
        f"{escape(m['name'])}, {escape(m['role'])}" for m in meta["cabinet_members"]
    )
    officers = "".join(
        f"<li>{escape(o['name'])}, {escape(o['role'])}, "
        f'<span class="phone">{escape(str(o["phone"]))}</span>, '
        f'<a href="mailto:{escape(o["email"])}">{escape(o["email"])}</a></li>'
        for o in meta["contact_officers"]
    )
    key = "Yes" if meta["key_decision"] else "No"
    forward_plan = escape(str(meta["forward_plan_reference"]))
    return f"""<header class="paper-header">
<p class="council">{escape(meta["council"])}</p>
<p class="committee">{escape(meta["committee"])}</p>
<p class="meeting">{escape(meta["meeting"])}</p>
<h1 class="title">{escape(meta["title"])}</h1>
<p class="report-of">Report of the {escape(meta["report_of"])}</p>
<table class="facts"><caption class="visually-hidden">Key facts of the report</caption>
<tr><th scope="row">Strategic Aim:</th><td colspan="3">{escape(meta["strategic_aim"])}</td></tr>
<tr><th scope="row">Key Decision:</th><td>{key}</td>
<th scope="row">Forward Plan Reference:</th><td>{forward_plan}</td></tr>
<tr><th scope="row">Cabinet Member(s) Responsible:</th><td colspan="3">{members}</td></tr>
<tr><th scope="row">Contact Officer(s):</th><td colspan="3">
<ul class="officers">{officers}</ul></td></tr>
<tr><th scope="row">Ward Councillors:</th><td colspan="3">{escape(str(meta["wards"]))}</td></tr>
</table>
</header>"""


def recommendations_html(meta: Mapping[str, Any], renderer: TextRenderer) -> str:
    """The decision recommendations."""
    recs = meta["recommendations"]
    items = "".join(
        f"<li>{renderer.render(item, 'paper.yaml (recommendations)', 0)}</li>"
        for item in recs["items"]
    )
    return (
        f'<section class="recommendations" aria-labelledby="recommendations-title">'
        f'<h2 id="recommendations-title">Decision Recommendations</h2>'
        f"<p>{escape(recs.get('lead', ''))}</p><ol>{items}</ol></section>"
    )


def footer_html(meta: Mapping[str, Any]) -> str:
    """The offer of a large print or Braille version."""
    return (
        f'<p class="large-print">A Large Print or Braille Version of this Report is '
        f"available upon request – Contact {escape(str(meta['large_print_phone']))}.</p>"
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
            return business_cases_table_html(outputs, number, meta, renderer, narrative)
        raise KeyError(
            f"no table named {name!r}; the tables are high_needs_budget, "
            "business_cases and scenarios"
        )

    def chart(name: str) -> str:
        if name != "deficit_scenarios":
            raise KeyError(f"no chart named {name!r}; the chart is deficit_scenarios")
        return deficit_chart_html(outputs.scenarios, next_number("chart"))

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
