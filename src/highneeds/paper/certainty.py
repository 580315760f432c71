"""How certain the forecast is, as the paper prints it: the sensitivity table, and the
figures and words the narrative's placeholders take (``sensitivity``, ``break_even``,
``uncertainty``)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pandas as pd

from highneeds.paper.figure_notes import FigureNotes
from highneeds.paper.formatting import pct, table_amount
from highneeds.paper.model_outputs import ModelOutputs
from highneeds.paper.uncertainty_charts import assumption_value
from highneeds.templating import Markup, render_template

#: Each assumption as a sentence names it.
ASSUMPTION_WORDS = {
    "ehcp_growth": "the growth in the number of EHCPs",
    "cost_per_plan_growth": "the growth in the average cost of a plan",
    "allocation_growth": "the growth in the High Needs allocation",
    "schools_block_transfer": "the transfer from the Schools block",
    "recovery_plan_delivery": "how much of the Recovery Plan's savings are delivered",
}
#: The data the placeholders of this part come from.
SOURCES = ["high_needs_budget", "ehcp_demand", "figures", "assumption_ranges"]


def _by_year(frame: pd.DataFrame, column: str) -> dict[str, float]:
    return dict(zip(frame["year"], frame[column].astype(float), strict=True))


def ehcp_break_even_words(break_even: Mapping[str, Any], central: float, after: str) -> str:
    """What EHCP growth would stop the deficit growing, in words, from the model's figures."""
    if not bool(break_even["ehcp_growth_reachable"]):
        return "no rate of growth in the number of EHCPs would stop it within the plan's years"
    # The break-even figure ends the words, so that its note's mark (placed after the words)
    # follows it, never the forecast's own growth.
    growth = float(break_even["ehcp_growth"])
    if growth < 0:
        return (
            f"rather than growing by {pct(central, 1)} a year after {after}, the number of EHCPs "
            f"would have to fall by {pct(-growth, 1)} a year"
        )
    return (
        f"growth in the number of EHCPs after {after} would have to slow to {pct(growth, 1)} a year"
    )


def certainty_context(outputs: ModelOutputs) -> dict[str, Any]:
    """The placeholders of "how certain is the forecast", where the model measured it."""
    if outputs.sensitivity is None or outputs.uncertainty is None or outputs.break_even is None:
        return {}
    rows = {
        rec["assumption"]: {**rec, "words": ASSUMPTION_WORDS[rec["assumption"]]}
        for rec in outputs.sensitivity.to_dict("records")
    }
    biggest = next(iter(rows.values()))
    even = dict(outputs.break_even)
    ehcp = rows.get("ehcp_growth")
    even["ehcp_growth_words"] = ehcp_break_even_words(
        even, float(ehcp["central"]) if ehcp else 0.0, outputs.current_year
    )
    levels = outputs.uncertainty
    uncertainty: dict[str, Any] = {
        "draws": int(even["draws"]),
        "probability_still_growing": float(even["probability_still_growing"]),
    }
    for scenario, group in levels.groupby("scenario", sort=False):
        uncertainty[str(scenario)] = {p: _by_year(group, p) for p in ("p10", "p50", "p90")}
    return {
        "sensitivity": {**rows, "biggest": biggest, "central": biggest["cfwd_central"]},
        "break_even": even,
        "uncertainty": uncertainty,
    }


def sensitivity_table_html(
    outputs: ModelOutputs,
    number: str,
    figures: list[dict[str, Any]] | None = None,
    notes: FigureNotes | None = None,
) -> str:
    """The tornado as a table: each assumption's range and the final year's deficit (with the
    Recovery Plan) at its low and its high value, biggest swing first."""
    if outputs.sensitivity is None:
        raise KeyError("no table named 'sensitivity' in this cycle")
    last = str(outputs.budget["year"].iloc[-1])
    rows = []
    for rec in outputs.sensitivity.itertuples(index=False):
        row = {
            "label": rec.label,
            "low": assumption_value(rec.low, rec.kind),
            "central": assumption_value(rec.central, rec.kind),
            "high": assumption_value(rec.high, rec.kind),
            "cfwd_at_low": table_amount(rec.cfwd_at_low),
            "cfwd_at_high": table_amount(rec.cfwd_at_high),
        }
        rows.append(row)
        if figures is not None:
            figures.extend(
                {
                    "id": f"sensitivity: {rec.label}, {column}",
                    "where": "table sensitivity",
                    "text": row[column],
                    "sources": SOURCES,
                    "rows": [],
                    "traces": f"sensitivity.{rec.assumption}.{column}",
                    "value": float(getattr(rec, column)),
                    "note": None
                    if notes is None
                    else notes.letter(f"sensitivity.{rec.assumption}.{column}"),
                }
                for column in ("low", "high", "cfwd_at_low", "cfwd_at_high")
            )
    return render_template(
        "highneeds.paper",
        "parts/sensitivity-table.html.j2",
        number=number,
        caption=f"The deficit carried forward at the end of {last} with the Recovery Plan, "
        "with each assumption at its low and its high value, the others as forecast",
        last_year=last,
        rows=rows,
        # Every figure of the table is the model's: one mark, on its caption.
        note=Markup("") if notes is None else notes.mark("sensitivity.table"),
    )
