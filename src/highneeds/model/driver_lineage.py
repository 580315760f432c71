"""The lineage of the driver model's figures by DfE placement category (notebook 02, for a
cycle that gives the forecast's drivers). See :mod:`highneeds.model.lineage` for the rules."""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd

from highneeds.model.lineage import Cell, Derivation, Lineage, Term

#: The tables the driver model reads, whose cells its figures come from.
DRIVER_TABLES = ("placements_by_category", "forecast_assumptions")
_PLACEMENT_MEASURES = (
    "plans",
    "cost_per_plan",
    "placement_costs",
    "plans_mitigated",
    "placement_costs_mitigated",
)


def placements_lineage(
    lineage: Lineage,
    by_category: pd.DataFrame,
    tables: Mapping[str, pd.DataFrame],
    files: Mapping[str, str],
) -> None:
    """``placements.<category>.<measure>[<year>]`` of the driver model: a year the cycle gives
    is its cell of ``placements_by_category``; a forecast year is ``described`` (the model
    grows the year before by the assumptions), with the category's cells and assumptions."""
    where = "02_deficit_model.ipynb: The forecast from its drivers"
    placements, assumptions = tables["placements_by_category"], tables["forecast_assumptions"]
    source, assumed = files["placements_by_category"], files["forecast_assumptions"]
    given = placements.set_index(["category", "year"])
    for category, rows in by_category.groupby("category", sort=False):
        cells = []
        for rec in placements[placements["category"] == category].itertuples(index=False):
            for column in ("plans", "cost_per_plan"):
                value = getattr(rec, column)
                if pd.notna(value):
                    cell = Cell(source, int(rec.row), column, f"{value:g}")
                    cells.append(
                        lineage.cell(cell, float(value), f"{column}, {category}, {rec.year}")
                    )
        for rec in assumptions[assumptions["category"].isin([category, ""])].itertuples(
            index=False
        ):
            cell = Cell(assumed, int(rec.row), "value", str(rec.value))
            cells.append(lineage.cell(cell, str(rec.value), f"{rec.assumption}, {rec.year}"))
        for rec in rows.itertuples(index=False):
            for measure in _PLACEMENT_MEASURES:
                key = f"placements.{category}.{measure}[{rec.year}]"
                value = float(getattr(rec, measure))
                if pd.isna(value):
                    continue  # no figure (a year the cycle gives no cost for): nothing printed
                typed = (
                    given.loc[(category, rec.year), measure]
                    if measure in given.columns and (category, rec.year) in given.index
                    else None
                )
                if typed is not None and pd.notna(typed) and float(typed) == value:
                    row = int(given.loc[(category, rec.year), "row"])
                    cell = lineage.cell(Cell(source, row, measure, f"{value:g}"), value, key)
                    lineage.add(
                        Derivation(
                            key,
                            f"{measure}, {category}, {rec.year}",
                            value,
                            "same",
                            "",
                            (Term(key, cell),),
                        )
                    )
                    continue
                lineage.add(
                    Derivation(
                        key,
                        f"{measure.replace('_', ' ')}, {category}, {rec.year}",
                        value,
                        "described",
                        "the driver model: the year before's EHCPs and cost per EHCP grown by "
                        "the year's assumptions; placement costs = EHCPs x cost per EHCP; "
                        "mitigated: less the interventions' places (assumption 11)",
                        tuple(Term(lineage[c].label, c) for c in cells),
                        computed_in=where,
                    )
                )

    totals_lineage(lineage, by_category)


def totals_lineage(lineage: Lineage, by_category: pd.DataFrame) -> None:
    """``placements.total.<measure>[<year>]``: each year's sum over the categories."""
    for year, rows in by_category.groupby("year", sort=True):
        for measure in ("plans", "placement_costs", "plans_mitigated", "placement_costs_mitigated"):
            if rows[measure].isna().all():
                continue
            terms = tuple(
                Term(str(category), f"placements.{category}.{measure}[{year}]")
                for category, value in zip(rows["category"], rows[measure], strict=True)
                if pd.notna(value)
            )
            lineage.add(
                Derivation(
                    f"placements.total.{measure}[{year}]",
                    f"{measure.replace('_', ' ')}, all placements, {year}",
                    float(rows[measure].sum(min_count=1)),
                    "sum",
                    "the categories' sum",
                    terms,
                    computed_in="02_deficit_model.ipynb: The forecast from its drivers",
                )
            )
