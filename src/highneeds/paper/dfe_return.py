"""The DfE DSG management plan return: EHCP numbers and costs by the template's seven
placement categories and year, and the High Needs balance, unmitigated and mitigated, laid
out so that finance can copy them into the management plan workbook.

A cycle that knows only totals fills the "All placements" line and leaves the seven
categories' cells empty, saying so: no split is invented.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from zipfile import ZIP_DEFLATED, ZipFile

import pandas as pd

#: The DfE DSG management plan template's placement categories, in its order.
DFE_CATEGORIES = (
    "Mainstream schools or academies",
    "Resourced provision or SEN units",
    "Maintained special schools or special academies",
    "Non-maintained special schools or independent",
    "Hospital schools or alternative provision",
    "Post-16 and further education",
    "Other placements or direct payments",
)
ALL_PLACEMENTS = "All placements"
_NOT_SPLIT = "not split by category in this cycle: see All placements"


def write_dfe_return(
    target: Path,
    scenarios: pd.DataFrame,
    scenario_labels: dict[str, str],
    demand: pd.DataFrame | None,
    created: datetime,
) -> None:
    """Write the return as an XLSX workbook at ``target`` (fixed metadata date ``created``)."""
    from openpyxl import Workbook
    from openpyxl.styles import Font
    from openpyxl.writer.excel import ExcelWriter

    book = Workbook()
    book.properties.created = book.properties.modified = created.replace(tzinfo=None)
    book.properties.creator = book.properties.lastModifiedBy = "highneeds"
    bold = Font(bold=True)

    plans = book.active
    plans.title = "EHCPs and costs"
    years = list(demand["year"]) if demand is not None else []
    plans.append(["Placement category", "Measure", *years, "Note"])
    for category in DFE_CATEGORIES:
        for measure in ("Number of EHCPs", "Cost (£000)"):
            plans.append([category, measure, *([None] * len(years)), _NOT_SPLIT])
    if demand is not None:
        for measure, column in (
            ("Number of EHCPs", "plans"),
            ("Average cost per EHCP (£000)", "cost_per_plan"),
            ("Cost (£000)", "placement_costs"),
            ("Number of EHCPs if all requests convert", "plans_if_all_convert"),
            ("Cost (£000) if all requests convert", "placement_costs_if_all_convert"),
        ):
            values = [round(float(v), 3) for v in demand[column]]
            plans.append([ALL_PLACEMENTS, measure, *values, None])
    else:
        plans.append([ALL_PLACEMENTS, "Number of EHCPs", "the cycle gives no EHCP forecast"])

    balance = book.create_sheet("High Needs balance")
    all_years = list(dict.fromkeys(scenarios["year"]))
    balance.append(
        ["Scenario", "Measure (£000; brackets in the paper are negative here)", *all_years]
    )
    for scenario, label in scenario_labels.items():
        rows = scenarios[scenarios["scenario"] == scenario]
        for name, column in (("In-year movement", "in_year"), ("Cumulative C/Fwd", "cfwd")):
            balance.append([label, name, *[round(float(v), 3) for v in rows[column]]])

    for sheet in (plans, balance):
        for cell in sheet[1]:
            cell.font = bold
        sheet.column_dimensions["A"].width = 48
        sheet.column_dimensions["B"].width = 40
    # Saved through the writer itself: Workbook.save stamps the time now as "modified", and
    # the same inputs must give the same bytes.
    with ZipFile(target, "w", ZIP_DEFLATED) as archive:
        ExcelWriter(book, archive).save()
