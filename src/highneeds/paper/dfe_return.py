"""The DfE DSG management plan return: EHCP numbers and costs by the template's
placement categories and year, and the High Needs balance, unmitigated and mitigated, laid
out so that finance can copy them into the management plan workbook.

A cycle that knows only totals fills the "All placements" line and leaves the
categories' cells empty, saying so: no split is invented.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from zipfile import ZIP_DEFLATED, ZipFile

import pandas as pd

from highneeds.categories import ALL_PLACEMENTS, ALL_PLACEMENTS_LABEL, DFE_CATEGORIES

_NOT_SPLIT = "not split by category in this cycle: see All placements"
_NOT_GIVEN = "the cycle gives no EHCPs in this category"

#: The measures of each category, and of the total, from the driver model (by column).
_PLACEMENT_MEASURES = (
    ("Number of EHCPs", "plans"),
    ("Average cost per EHCP (£000)", "cost_per_plan"),
    ("Cost (£000)", "placement_costs"),
    ("Number of EHCPs, mitigated", "plans_mitigated"),
    ("Cost (£000), mitigated", "placement_costs_mitigated"),
)
#: The rows each category keeps, empty, in a cycle that gives only totals.
_CATEGORY_PLACEHOLDERS = (("Number of EHCPs", "plans"), ("Cost (£000)", "placement_costs"))
#: The measures of the total from the demand forecast (the typed forecast explained).
_DEMAND_MEASURES = (
    ("Number of EHCPs", "plans"),
    ("Average cost per EHCP (£000)", "cost_per_plan"),
    ("Cost (£000)", "placement_costs"),
    ("Number of EHCPs if all requests convert", "plans_if_all_convert"),
    ("Cost (£000) if all requests convert", "placement_costs_if_all_convert"),
)


def _values(frame: pd.DataFrame, column: str, years: list[str]) -> list[float | None]:
    by_year = frame.set_index("year")[column].reindex(years)
    return [None if pd.isna(v) else round(float(v), 3) for v in by_year]


def write_dfe_return(
    target: Path,
    scenarios: pd.DataFrame,
    scenario_labels: dict[str, str],
    demand: pd.DataFrame | None,
    created: datetime,
    placements: pd.DataFrame | None = None,
) -> None:
    """Write the return as an XLSX workbook at ``target`` (fixed metadata date ``created``).

    ``placements`` is the driver model by category and year, where the cycle gives drivers;
    ``demand`` the typed forecast explained as plans x cost per plan, where it gives growth.
    """
    from openpyxl import Workbook
    from openpyxl.styles import Font
    from openpyxl.writer.excel import ExcelWriter

    book = Workbook()
    book.properties.created = book.properties.modified = created.replace(tzinfo=None)
    book.properties.creator = book.properties.lastModifiedBy = "highneeds"
    bold = Font(bold=True)

    plans = book.active
    plans.title = "EHCPs and costs"
    years = sorted(
        {*([] if demand is None else demand["year"])}
        | {*([] if placements is None else placements["year"])}
    )
    plans.append(["Placement category", "Measure", *years, "Note"])
    split = placements is not None and ALL_PLACEMENTS not in set(placements["category"])
    for category, label in DFE_CATEGORIES.items():
        rows = placements[placements["category"] == category] if split else None
        for measure, column in _PLACEMENT_MEASURES if split else _CATEGORY_PLACEHOLDERS:
            if rows is not None and len(rows):
                plans.append([label, measure, *_values(rows, column, years), None])
            else:
                note = _NOT_GIVEN if split else _NOT_SPLIT
                plans.append([label, measure, *([None] * len(years)), note])
    if placements is not None:
        total = placements.groupby("year", as_index=False)[
            ["plans", "placement_costs", "plans_mitigated", "placement_costs_mitigated"]
        ].sum()
        total["cost_per_plan"] = total["placement_costs"] / total["plans"]
        for measure, column in _PLACEMENT_MEASURES:
            plans.append([ALL_PLACEMENTS_LABEL, measure, *_values(total, column, years), None])
    if demand is not None:
        note = "the printed forecast, as plans x cost per plan" if placements is not None else None
        for measure, column in _DEMAND_MEASURES:
            if placements is None or column not in dict(_PLACEMENT_MEASURES).values():
                plans.append([ALL_PLACEMENTS_LABEL, measure, *_values(demand, column, years), note])
    if demand is None and placements is None:
        plans.append([ALL_PLACEMENTS_LABEL, "Number of EHCPs", "the cycle gives no EHCP forecast"])

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
