"""The council's track record in the paper: the placeholders ``track_record.summary`` (what the
earlier papers' forecasts came to), ``track_record.band`` (whether the simulations'
band was widened for it), ``track_record.scored`` and ``track_record.widening``, and the table
``{{ table("track_record") }}``. The words are always there (a first paper says it has no
record yet), so a narrative can keep them from cycle to cycle; the table only once a forecast
is scored. The words come from the figures, never typed."""

from __future__ import annotations

from typing import Any

import pandas as pd

from highneeds.common.templating import Markup, render_template
from highneeds.paper.content.model_outputs import ModelOutputs
from highneeds.paper.content.tables import written_row
from highneeds.paper.text.figure_notes import FigureNotes
from highneeds.paper.text.formatting import pct, table_amount

#: The table's columns: heading, the frame's column, its lineage key (the outturn's is the
#: budget's, on each row).
COLUMNS = (
    ("Forecast", "forecast", "track_record.forecast[{where}]"),
    ("Outturn", "outturn", None),
    ("Error", "error", "track_record.error[{where}]"),
    ("Error %", "relative", "track_record.relative[{where}]"),
)


def track_record_context(outputs: ModelOutputs) -> dict[str, Any]:
    """The ``track_record`` placeholders, in the model's words (there in every cycle the
    model recorded them for)."""
    said = outputs.track_record_words
    if said is None:
        return {}
    widening = said.get("widening")
    return {
        "track_record": {
            "summary": str(said["summary"]),
            "band": str(said["band"]),
            "scored": int(said["scored"]),
            "widening": None if widening is None or pd.isna(widening) else float(widening),
        }
    }


def track_record_table_html(
    outputs: ModelOutputs,
    number: str,
    figures: list[dict[str, Any]] | None = None,
    notes: FigureNotes | None = None,
) -> str:
    """Each earlier paper's forecast of a year against the outturn (£000), and the error."""
    table = outputs.track_record
    if table is None or table.empty:
        raise KeyError(
            "no table named 'track_record' in this cycle: it is there once an earlier paper's "
            "forecast of a year is scored against this cycle's outturn (the words "
            "track_record.summary are there in every cycle)"
        )
    sources = ["earlier_forecasts", "high_needs_budget"]
    rows = []
    for rec in table.itertuples(index=False):
        where = f"{rec.paper}:{rec.figure}:{rec.year}"
        label = str(rec.label)
        amounts: list[str] = []
        marks: list[Markup] = []
        for heading, column, trace in COLUMNS:
            key = str(rec.outturn_key) if trace is None else trace.format(where=where)
            write = pct if column == "relative" else table_amount
            row = written_row(
                figures,
                "track_record",
                label,
                label,
                {heading: float(getattr(rec, column))},
                write,
                sources,
                key,
                notes,
            )
            amounts += row["amounts"]
            marks += [row["note"]] if row["note"] else []
        rows.append(
            {
                "label": label,
                "note": marks[0] if marks else Markup(""),
                "group": False,
                "css": "",
                "amounts": amounts,
            }
        )
    return render_template(
        "highneeds.paper",
        "parts/finance-table.html.j2",
        number=number,
        caption="Earlier papers' forecasts of the deficit carried forward against the outturn "
        "(£000; error: outturn less forecast)",
        years=[heading for heading, _, _ in COLUMNS],
        rows=rows,
        unit=None,
    )
