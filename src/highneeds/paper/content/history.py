"""The DfE's history of the council's EHC plans in the paper: the placeholders
(``history.plans[2021]``, ``history.growth[2021]``, ``history.growth_ahead``,
``history.comparison``, ``history.method``) and the table ``{{ table("ehcp_history") }}``; the
deficit if plans grew as the history suggests is the scenario ``history_growth``. The words
are the model's, from the figures: never typed."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pandas as pd

from highneeds.common.templating import render_template
from highneeds.paper.content.model_outputs import ModelOutputs
from highneeds.paper.content.tables import written_row
from highneeds.paper.text.figure_notes import FigureNotes
from highneeds.paper.text.formatting import num, pct

#: The line under the table: the DfE's figures are used under the Open Government Licence,
#: which asks that whoever copies them says so.
ATTRIBUTION = (
    "Source: Department for Education, Education, health and care plans (SEN2). Contains "
    "public sector information licensed under the Open Government Licence v3.0."
)


class _ByKey(dict):
    """A mapping that names the missing key and the keys it has."""

    def __missing__(self, key: object) -> float:
        raise KeyError(f"no figure for {key!r}; there are figures for {', '.join(map(str, self))}")


def history_context(outputs: ModelOutputs) -> dict[str, Any]:
    """The placeholders of the history part."""
    frame = outputs.history.set_index("january")  # type: ignore[union-attr]
    basis = dict(outputs.history_basis or {})

    def by_january(column: str) -> _ByKey:
        return _ByKey((int(j), float(v)) for j, v in frame[column].items() if pd.notna(v))

    return {
        "plans": by_january("plans"),
        "growth": by_january("growth"),
        "region_growth": by_january("region_growth"),
        "england_growth": by_january("england_growth"),
        "growth_ahead": float(basis["growth_ahead"]),
        # Words from the model's figures (history.method, .comparison, .council, .region).
        "method": str(basis.get("method", "")),
        "comparison": str(basis.get("comparison", "")),
        "council": str(basis.get("la_name", "")),
        "region": str(basis.get("region", "")),
    }


def history_table_html(
    outputs: ModelOutputs,
    number: str,
    figures: list[dict[str, Any]] | None = None,
    notes: FigureNotes | None = None,
) -> str:
    """The council's EHC plans each January as the DfE published them, and the growth in each
    year of the council's, its region's and England's."""
    if outputs.history is None or outputs.history_basis is None:
        raise KeyError(
            "no table named 'ehcp_history' in this cycle: it is there only when the cycle gives "
            "sen2_caseload.csv (the DfE's EHC plans) with two or more of the council's Januaries "
            "published by the cycle's month"
        )
    frame = outputs.history.set_index("january")
    basis: Mapping[str, Any] = outputs.history_basis
    council, region = str(basis.get("la_name", "")), str(basis.get("region", ""))
    sources = ["sen2_caseload"]

    def row(label: str, column: str, write: Any, key: str) -> dict[str, Any]:
        by_january = {int(j): v for j, v in frame[column].items()}
        return written_row(
            figures,
            "ehcp_history",
            label,
            label,
            by_january,
            write,
            sources,
            f"history.{key}[{{year}}]",
            notes,
        )

    rows = [
        row(f"EHC plans, {council}", "plans", num, "plans"),
        row(f"Growth in the year, {council}", "growth", pct, "growth"),
        row(f"Growth in the year, {region}", "region_growth", pct, "region_growth"),
        row("Growth in the year, England", "england_growth", pct, "england_growth"),
    ]
    return render_template(
        "highneeds.paper",
        "parts/finance-table.html.j2",
        number=number,
        caption="EHC plans each January, as the DfE published them (SEN2), and their growth",
        years=[f"January {int(j)}" for j in frame.index],
        rows=rows,
        unit=None,
        source=ATTRIBUTION,
    )
