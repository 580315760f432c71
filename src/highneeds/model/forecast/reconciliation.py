"""The business cases' savings set against the Recovery Plan Impact line: what the cases
claim a year, what the line counts as the saving of the forecast's last year (as the model
reads the line), and the difference, each traced. The paper states them in a sentence and a
table; it never says which is right, only that they differ and by how much."""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd

from highneeds.domain.traced import Cell, Traced, cell, total
from highneeds.model.basis.inputs import source_of

_WHERE = "02_deficit_model.ipynb: The business cases against the Recovery Plan Impact"


def stated_savings(cases: pd.DataFrame | None) -> list[Traced]:
    """``stated_saving.<intervention_id>``: the saving each business case states a year, as
    ``business_cases.csv`` gives it."""
    if cases is None:
        return []
    file = source_of(cases, "business_cases.csv")
    return [
        cell(
            float(rec.business_case_saving),
            Cell(file, int(rec.row), "business_case_saving", f"{rec.business_case_saving:g}"),
            f"stated saving, {rec.intervention}",
            role=str(rec.intervention),
        ).named(
            f"stated_saving.{rec.intervention_id}",
            f"Saving the business case of {rec.intervention} states, a year",
            role=str(rec.intervention),
        )
        for rec in cases.itertuples(index=False)
    ]


def savings_reconciliation(
    cases: pd.DataFrame | None, recovery: Mapping[str, Traced], last: str
) -> list[Traced]:
    """``reconciliation.claimed`` (the business cases' stated savings a year, added up),
    ``reconciliation.counted`` (the Recovery Plan Impact line's saving in ``last``, as read)
    and ``reconciliation.difference`` (claimed less counted); none without business cases."""
    if cases is None or cases.empty or last not in recovery:
        return []
    claimed = total(stated_savings(cases)).named(
        "reconciliation.claimed",
        "Savings the business cases claim, a year",
        role="claimed",
        computed_in=_WHERE,
    )
    counted = (0 - recovery[last]).named(
        "reconciliation.counted",
        f"Saving the Recovery Plan Impact line counts in {last}",
        role="counted",
        formula=f"- Recovery Plan saving {last} (a saving is negative in the budget)",
        computed_in=_WHERE,
    )
    difference = (claimed - counted).named(
        "reconciliation.difference",
        "What the business cases claim beyond what the impact line counts",
        computed_in=_WHERE,
    )
    return [claimed, counted, difference]


def reconciliation_frame(figures: list[Traced], last: str) -> pd.DataFrame | None:
    """The three figures as the paper's table reads them (``measure``, ``year``, ``value``)."""
    if not figures:
        return None
    return pd.DataFrame(
        [
            {"measure": f.key.removeprefix("reconciliation."), "year": last, "value": float(f)}
            for f in figures
        ]
    )
