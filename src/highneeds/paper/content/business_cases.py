"""The business cases table: each intervention, the basis of its business case (the places
it avoids and the saving they make) and its current position; and, last, what the cases claim
together against what the Recovery Plan Impact line counts."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pandas as pd

from highneeds.common.templating import Markup, render_template
from highneeds.paper.content.model_outputs import ModelOutputs
from highneeds.paper.text.formatting import gbp_k, num
from highneeds.paper.text.narrative import TextRenderer


def places_text(places: float) -> str:
    """A count of places avoided as the table prints it: 2, or 1.5 where a case gives part of
    a place."""
    return num(places, 0 if float(places).is_integer() else 1)


def describe_places(
    savings: pd.DataFrame, intervention_id: str, figures: list[dict[str, Any]] | None = None
) -> str:
    """The business case basis in words: '1 independent special school place and 2 ...';
    each count recorded in ``figures`` (traced to its cell) where given."""
    rows = savings[savings["intervention_id"] == intervention_id]
    parts = []
    for rec in rows.itertuples(index=False):
        noun = "place" if rec.places_avoided == 1 else "places"
        count = places_text(rec.places_avoided)
        parts.append(f"{count} {rec.placement_type.lower()} {noun}")
        if figures is not None:
            figures.append(
                {
                    "id": f"business_cases: {intervention_id}, {rec.placement_type} places",
                    "where": "table business_cases",
                    "text": count,
                    "sources": ["interventions"],
                    "rows": [],
                    "traces": f"places.{intervention_id}.{rec.placement_type}",
                    "value": float(rec.places_avoided),
                    "note": None,
                }
            )
    if len(parts) > 1:
        return ", ".join(parts[:-1]) + " and " + parts[-1]
    return parts[0] if parts else ""


def business_cases_table_html(
    outputs: ModelOutputs, number: str, meta: Mapping[str, Any], renderer: TextRenderer
) -> str:
    """The para 7.6 table: each intervention, its business case basis and current position."""
    if outputs.business_cases is None or outputs.savings is None:
        raise KeyError(
            "no table named 'business_cases' in this cycle: it gives no business_cases.csv "
            "(with interventions.csv and placement_costs.csv)"
        )
    notes = renderer.notes
    wording = meta.get("business_cases", {})
    rows = []
    for rec in outputs.business_cases.itertuples(index=False):
        words = wording.get(rec.intervention_id, {})
        described = words.get("described_in") or []
        where = ""
        if described:
            where = (
                renderer.refs(described[0], described[-1])
                if len(described) > 1
                else renderer.refs(described[0])
            )
        renderer.figures.append(
            {
                "id": f"business_cases: {rec.intervention}, saving",
                "where": "table business_cases",
                "text": gbp_k(rec.computed_saving),
                "sources": ["interventions", "placement_costs", "business_cases"],
                "rows": [],
                "traces": f"savings.{rec.intervention_id}",
                "value": float(rec.computed_saving),
                "note": None if notes is None else notes.letter(f"savings.{rec.intervention_id}"),
            }
        )
        position = renderer.render_html(
            words.get("current_position", ""),
            f"paper.yaml (business_cases: {rec.intervention_id}: current_position)",
            0,
            where="table business_cases",
        )
        rows.append(
            {
                "intervention": rec.intervention,
                "where": Markup(where),
                "basis": "Assumes "
                + describe_places(outputs.savings, rec.intervention_id, renderer.figures)
                + f" avoided ({gbp_k(rec.computed_saving)})",
                "note": Markup("")
                if notes is None
                else notes.mark(f"savings.{rec.intervention_id}"),
                "position": position,
            }
        )
    if outputs.reconciliation is not None and not outputs.reconciliation.empty:
        rows.append(_reconciliation_row(outputs.reconciliation, renderer))
    return render_template(
        "highneeds.paper", "parts/business-cases-table.html.j2", number=number, rows=rows
    )


def _reconciliation_row(table: pd.DataFrame, renderer: TextRenderer) -> dict[str, Any]:
    """The business cases table's last row: what the cases claim together, what the Recovery
    Plan Impact line counts in the last year, and the difference, each figure recorded."""
    values = dict(zip(table["measure"], table["value"].astype(float), strict=True))
    year = str(table["year"].iloc[0])
    notes = renderer.notes
    for measure, value in values.items():
        renderer.figures.append(
            {
                "id": f"business_cases: all interventions, {measure}",
                "where": "table business_cases",
                "text": gbp_k(value),
                "sources": ["business_cases", "high_needs_budget"],
                "rows": [],
                "traces": f"reconciliation.{measure}",
                "value": value,
                "note": None if notes is None else notes.letter(f"reconciliation.{measure}"),
            }
        )
    gap = values["difference"]
    return {
        "intervention": "All interventions",
        "where": Markup(""),
        "basis": f"Together {gbp_k(values['claimed'])} a year; the Recovery Plan Impact line "
        f"counts {gbp_k(values['counted'])} in {year}, "
        + (f"{gbp_k(abs(gap))} {'less' if gap > 0 else 'more'}" if abs(gap) >= 0.5 else "the same"),
        "note": Markup("") if notes is None else notes.mark("reconciliation.difference"),
        "position": Markup(""),
        "css": "total",
    }
