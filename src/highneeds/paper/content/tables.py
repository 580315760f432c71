"""The paper's tables: the para 7.3 budget table, the scenarios table and the para 7.6
business cases table, rendered from autoescaped templates.

Each printed £000 cell is also recorded (``figures``), so that two papers can be compared
figure by figure.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import pandas as pd

from highneeds.common.templating import Markup, render_template
from highneeds.paper.content.model_outputs import ModelOutputs
from highneeds.paper.text.figure_notes import FigureNotes
from highneeds.paper.text.formatting import num, table_amount


def _register_row(
    figures: list[dict[str, Any]] | None,
    table: str,
    label: str,
    years: list[str],
    values: list[float | None],
    sources: list[str],
    trace: str,
    notes: FigureNotes | None = None,
    write: Callable[[float | None], str] = table_amount,
) -> Markup:
    """Record each printed cell of a money table row (written by ``write``), for comparing
    papers figure by figure, with the model's name for it (``trace`` with ``{year}``: its
    lineage key), its value and its note; return the mark of the row's note (nothing for a
    row of inputs)."""
    mark = _row_mark(notes, [trace.format(year=year) for year in years])
    if figures is None:
        return mark
    for year, value in zip(years, values, strict=True):
        figures.append(
            {
                "id": f"{table}: {label}, {year}",
                "where": f"table {table}",
                "text": write(value),
                "sources": sources,
                "rows": [label],
                "traces": trace.format(year=year),
                "value": None if value is None or pd.isna(value) else float(value),
                "note": None if notes is None else notes.letter(trace.format(year=year)),
            }
        )
    return mark


def _row_mark(notes: FigureNotes | None, keys: list[str]) -> Markup:
    """The mark after a row's label: the note of the first figure of the row the model derived
    (a row of inputs has none)."""
    if notes is None:
        return Markup("")
    derived = [key for key in keys if notes.letter(key) is not None]
    return notes.mark(derived[0]) if derived else Markup("")


def _row(
    label: str,
    values: list[float | None],
    css: str = "",
    note: Markup | None = None,
    write: Callable[[float | None], str] = table_amount,
) -> dict[str, Any]:
    return {
        "label": label,
        "note": note or Markup(""),
        "group": False,
        "css": css,
        "amounts": [write(v) for v in values],
    }


def budget_table_html(
    outputs: ModelOutputs,
    number: str,
    figures: list[dict[str, Any]] | None = None,
    notes: FigureNotes | None = None,
) -> str:
    """The council's budget table cell for cell, in its unit and sign convention, with the
    closing balance after the saving line added where the table has one."""
    wide, form = outputs.budget_wide, outputs.budget_format
    budget = outputs.budget.drop_duplicates("line").set_index("line")
    labels = budget["label"]
    roles = budget["role"] if "role" in budget.columns else pd.Series(dtype=str)
    years = list(wide.columns)
    write = form.table_cell
    rows = []
    for line in wide.index:
        values = list(wide.loc[line])
        mark = _register_row(
            figures,
            "high_needs_budget",
            labels[line],
            years,
            values,
            ["high_needs_budget"],
            f"budget.{line}[{{year}}]",
            notes,
            write,
        )
        css = "total" if line == "cfwd" else ""
        rows.append(_row(labels[line], values, css, mark, write))
    saving = _saving_label(labels, roles)
    if saving is not None:
        closing = labels.get("cfwd", "Balance carried forward")
        after = f"{closing} after {saving}"
        mitigated = list(outputs.scenarios[outputs.scenarios["scenario"] == "mitigated"]["cfwd"])
        mark = _register_row(
            figures,
            "high_needs_budget",
            after,
            years,
            mitigated,
            ["high_needs_budget"],
            "mitigated.cfwd[{year}]",
            notes,
            write,
        )
        rows.append(_row(after, mitigated, "derived", mark, write))
    whose = "DSG" if form.block == "dsg" else "High Needs DSG"
    caption = f"{whose} forecast" + (
        "" if saving is None else f" if no interventions are made, and after the {saving}"
    )
    return render_template(
        "highneeds.paper",
        "parts/finance-table.html.j2",
        number=number,
        caption=f"{caption} ({form.unit}; brackets denote {form.brackets})",
        years=years,
        rows=rows,
        unit=form.unit,
    )


def _saving_label(labels: pd.Series, roles: pd.Series) -> str | None:
    """The saving line's label, where the table has one with a figure."""
    line = next((ln for ln, role in roles.items() if role == "saving"), None)
    if line is None and "recovery_plan_impact" in labels.index:
        line = "recovery_plan_impact"
    return None if line is None else str(labels[line])


def scenarios_table_html(
    outputs: ModelOutputs,
    number: str,
    figures: list[dict[str, Any]] | None = None,
    notes: FigureNotes | None = None,
) -> str:
    """Carried-forward deficit and in-year movement by scenario and year."""
    years = list(dict.fromkeys(outputs.scenarios["year"]))
    form = outputs.budget_format
    rows: list[dict[str, Any]] = []
    for measure, heading in (("cfwd", "Deficit carried forward"), ("in_year", "In-year movement")):
        rows.append({"label": heading, "group": True})
        for scenario, label in outputs.scenario_labels.items():
            values = list(outputs.scenarios[outputs.scenarios["scenario"] == scenario][measure])
            mark = _register_row(
                figures,
                "scenarios",
                f"{heading}: {label}",
                years,
                values,
                ["high_needs_budget", "figures"],
                f"{scenario}.{measure}[{{year}}]",
                notes,
                form.table_cell,
            )
            rows.append(_row(label, values, note=mark, write=form.table_cell))
    whose = "DSG" if form.block == "dsg" else "High Needs"
    brackets = "" if form.sign > 0 else "; brackets denote a deficit"
    return render_template(
        "highneeds.paper",
        "parts/finance-table.html.j2",
        number=number,
        caption=f"{whose} deficit by scenario ({form.unit}{brackets})",
        years=years,
        rows=rows,
        unit=form.unit,
    )


def written_row(
    figures: list[dict[str, Any]] | None,
    table: str,
    label: str,
    shown: str,
    by_year: Mapping[Any, float],
    write: Callable[[float], str],
    sources: list[str],
    trace: str | None = None,
    notes: FigureNotes | None = None,
) -> dict[str, Any]:
    """A table row of figures written by ``write`` (a blank where there is none), each printed
    figure recorded as ``<table>: <shown>, <year>`` for comparing papers figure by figure,
    with its lineage key (``trace`` with ``{year}``) where the model records one."""
    cells = {year: "" if pd.isna(value) else write(value) for year, value in by_year.items()}
    if figures is not None:
        figures.extend(
            {
                "id": f"{table}: {shown}, {year}",
                "where": f"table {table}",
                "text": text,
                "sources": sources,
                "rows": [],
                "traces": None if trace is None else trace.format(year=year),
                "value": float(by_year[year]),
                "note": None
                if notes is None or trace is None
                else notes.letter(trace.format(year=year)),
            }
            for year, text in cells.items()
            if text
        )
    mark = _row_mark(notes, [trace.format(year=year) for year in cells] if trace else [])
    return {
        "label": label,
        "note": mark,
        "group": False,
        "css": "",
        "amounts": list(cells.values()),
    }


def demand_table_html(
    outputs: ModelOutputs,
    number: str,
    figures: list[dict[str, Any]] | None = None,
    notes: FigureNotes | None = None,
) -> str:
    """EHCPs, the cost per plan the forecast implies and placement costs by year, as forecast
    and if all requests for assessment become plans."""
    if outputs.demand is None:
        raise KeyError(
            "no table named 'demand' in this cycle: figures.csv states no EHCP growth "
            "(ehcp_growth_per_year and ehcp_growth_if_all_requests_convert)"
        )
    demand = outputs.demand.set_index("year")
    sources = ["ehcp_demand", "high_needs_budget", "figures"]

    def row(label: str, column: str, write: Callable[[float], str]) -> dict[str, Any]:
        shown = f"{label}, if all requests convert" if column.endswith("all_convert") else label
        return written_row(
            figures,
            "demand",
            label,
            shown,
            demand[column],
            write,
            sources,
            # The forecast's own placement costs are the budget table's cells.
            "budget.placement_costs[{year}]"
            if column == "placement_costs"
            else f"demand.{column}[{{year}}]",
            notes,
        )

    rows = [
        row("EHCPs", "plans", num),
        row("Average cost per plan (£000)", "cost_per_plan", lambda v: num(v, 1)),
        row("Placement costs (£000)", "placement_costs", table_amount),
        {"label": "If all requests for assessment become plans", "group": True},
        row("EHCPs", "plans_if_all_convert", num),
        row("Placement costs (£000)", "placement_costs_if_all_convert", table_amount),
    ]
    return render_template(
        "highneeds.paper",
        "parts/finance-table.html.j2",
        number=number,
        caption="EHCPs, the cost per plan the forecast implies, and placement costs, as "
        "forecast and if all requests for assessment become plans",
        years=list(demand.index),
        rows=rows,
        unit=None,
    )


def placements_table_html(
    outputs: ModelOutputs,
    number: str,
    figures: list[dict[str, Any]] | None = None,
    notes: FigureNotes | None = None,
) -> str:
    """The driver model by placement category: EHCPs, average annual cost per EHCP and
    placement costs each year (actuals, then forecast), then the total of every category
    and, where the cycle's interventions move or avoid places, the total with them."""
    if outputs.placements is None:
        raise KeyError(
            "no table named 'placements' in this cycle: it gives no placements_by_category "
            "and forecast_assumptions"
        )
    placements = outputs.placements
    sources = ["placements_by_category", "forecast_assumptions", "intervention_places"]
    rows: list[dict[str, Any]] = []

    def group(
        label: str, by_year: pd.DataFrame, measures: list[tuple[str, str, Any]], key: str
    ) -> None:
        rows.append({"label": label, "group": True})
        for measure, column, write in measures:
            shown = f"{label}: {measure}"
            trace = f"placements.{key}.{column}[{{year}}]"
            written = written_row(
                figures, "placements", measure, shown, by_year[column], write, sources, trace, notes
            )
            rows.append(written)

    plans = ("EHCPs", "plans", num)
    costs = ("Placement costs (£000)", "placement_costs", table_amount)
    cost_per_plan = ("Average cost per EHCP (£000)", "cost_per_plan", lambda v: num(v, 1))
    for label, category in placements.groupby("category_label", sort=False):
        key = str(category["category"].iloc[0])
        group(str(label), category.set_index("year"), [plans, cost_per_plan, costs], key)
    if outputs.placement_totals is None:
        raise ValueError("the model's placements_totals table is missing beside its placements")
    # Each year's sums over the categories: the model's (placements.total.*), not added here.
    totals = outputs.placement_totals.set_index("year").sort_index()
    total_rows = [plans, costs]
    if not placements["plans_mitigated"].equals(placements["plans"]):
        total_rows += [
            ("EHCPs with the interventions", "plans_mitigated", num),
            (
                "Placement costs with the interventions (£000)",
                "placement_costs_mitigated",
                table_amount,
            ),
        ]
    group("All placements", totals, total_rows, "total")
    return render_template(
        "highneeds.paper",
        "parts/finance-table.html.j2",
        number=number,
        caption="EHCPs, average annual cost per EHCP and placement costs by placement "
        "category: actuals, then forecast",
        years=list(totals.index),
        rows=rows,
        unit=None,
    )
