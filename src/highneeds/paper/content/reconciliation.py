"""The business cases' savings against the Recovery Plan Impact line, as the paper prints
them: the placeholders ``reconciliation.claimed``, ``.counted``, ``.difference``, ``.year``
and ``.difference_words``, and the table ``{{ table("savings_reconciliation") }}``. The words
come from the figures: they say the two differ and by how much, never which is right."""

from __future__ import annotations

from typing import Any

from highneeds.common.templating import render_template
from highneeds.paper.content.model_outputs import ModelOutputs
from highneeds.paper.content.tables import written_row
from highneeds.paper.text.figure_notes import FigureNotes
from highneeds.paper.text.formatting import gbp_k, table_amount

#: The table's rows: each measure and how the table labels it.
ROWS = {
    "claimed": "Savings the business cases claim, a year",
    "counted": "Saving the Recovery Plan Impact line counts in {year}",
    "difference": "Difference: claimed beyond what the line counts",
}


def difference_words(claimed: float, counted: float, year: str) -> str:
    """What the difference between the cases' savings and the impact line means, in words."""
    gap = claimed - counted
    if abs(gap) < 0.5:
        return (
            f"the business cases' savings of {gbp_k(claimed)} a year are what the Recovery Plan "
            f"Impact line counts in {year}"
        )
    more = "more" if gap > 0 else "less"
    return (
        f"the business cases claim {gbp_k(claimed)} a year, {gbp_k(abs(gap))} {more} than the "
        f"{gbp_k(counted)} the Recovery Plan Impact line counts in {year}; the figures do not "
        "say whether the difference is in the placement costs already or not counted at all"
    )


def reconciliation_context(outputs: ModelOutputs) -> dict[str, Any]:
    """The ``reconciliation`` placeholders, where the cycle has business cases."""
    table = outputs.reconciliation
    if table is None or table.empty:
        return {}
    values = dict(zip(table["measure"], table["value"].astype(float), strict=True))
    year = str(table["year"].iloc[0])
    return {
        "reconciliation": {
            **values,
            "year": year,
            "difference_words": difference_words(values["claimed"], values["counted"], year),
        }
    }


def reconciliation_table_html(
    outputs: ModelOutputs,
    number: str,
    figures: list[dict[str, Any]] | None = None,
    notes: FigureNotes | None = None,
) -> str:
    """The business cases' savings, what the impact line counts, and the difference (£000)."""
    table = outputs.reconciliation
    if table is None or table.empty:
        raise KeyError(
            "no table named 'savings_reconciliation' in this cycle: it is there only when the "
            "cycle gives business_cases.csv"
        )
    year = str(table["year"].iloc[0])
    values = dict(zip(table["measure"], table["value"].astype(float), strict=True))
    sources = ["business_cases", "high_needs_budget"]
    rows = [
        written_row(
            figures,
            "savings_reconciliation",
            label.format(year=year),
            label.format(year=year),
            {"£000": values[measure]},
            table_amount,
            sources,
            f"reconciliation.{measure}",
            notes,
        )
        for measure, label in ROWS.items()
    ]
    rows[-1]["css"] = "total"
    return render_template(
        "highneeds.paper",
        "parts/finance-table.html.j2",
        number=number,
        caption="The business cases' savings against the Recovery Plan Impact line (£000)",
        years=["£000"],
        rows=rows,
        unit=None,
    )
