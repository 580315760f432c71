"""What the DfE return prints beyond the paper's figures, computed or named here so that each
of its numbers has a lineage: the budget's flow lines added by the template's groups (where a
group has several lines), and, as given, the other DSG blocks' lines, the EHC plans by age
band and the savings the business cases state."""

from __future__ import annotations

import math
from collections.abc import Mapping

import pandas as pd

from highneeds.domain.amounts import as_written
from highneeds.domain.budget_lines import template_groups
from highneeds.domain.categories import AGE_BANDS, OTHER_DSG_BLOCKS
from highneeds.domain.traced import Cell, Traced, cell, total
from highneeds.model.basis.inputs import BudgetFigures, source_of
from highneeds.model.forecast.reconciliation import stated_savings

_WHERE = "02_deficit_model.ipynb: The DfE return's lines"
#: The other blocks' measures, as ``dsg_blocks.csv`` names its columns.
BLOCK_MEASURES = ("bfwd", "funding", "spend")


def group_totals(budget: BudgetFigures) -> list[Traced]:
    """``budget_groups.<group>[<year>]``: each template group's lines added, for a group of
    several lines (a group of one is its line's own figure, ``budget.<line>[<year>]``)."""
    out = []
    for group, members in template_groups(budget.roles).items():
        if len(members) < 2:
            continue
        for year in budget.years:
            given = [budget.given(line, year) for line in members]
            out.append(
                total([figure for figure in given if figure is not None]).named(
                    f"budget_groups.{group}[{year}]",
                    f"The budget's {group} lines added, {year}",
                    role=group,
                    computed_in=_WHERE,
                )
            )
    return out


def groups_frame(totals: list[Traced]) -> pd.DataFrame | None:
    """The group totals as the return reads them (``group``, ``year``, ``amount``)."""
    if not totals:
        return None
    rows = []
    for figure in totals:
        group, year = figure.key.removeprefix("budget_groups.").rstrip("]").split("[")
        rows.append({"group": group, "year": year, "amount": float(figure)})
    return pd.DataFrame(rows)


def block_cells(blocks: pd.DataFrame | None) -> list[Traced]:
    """``dsg.<block>.<measure>[<year>]``: each of the other DSG blocks' figures as
    ``dsg_blocks.csv`` gives it (a blank left out)."""
    if blocks is None:
        return []
    file = source_of(blocks, "dsg_blocks.csv")
    out = []
    for rec in blocks.itertuples(index=False):
        if rec.block not in OTHER_DSG_BLOCKS:
            continue
        for measure in BLOCK_MEASURES:
            amount = float(getattr(rec, measure))
            if math.isnan(amount):
                continue
            where = Cell(file, int(rec.row), measure, as_written(amount))
            label = f"{OTHER_DSG_BLOCKS[rec.block]}: {measure}, {rec.year}"
            out.append(
                cell(amount, where, label).named(f"dsg.{rec.block}.{measure}[{rec.year}]", label)
            )
    return out


def age_cells(ages: pd.DataFrame | None) -> list[Traced]:
    """``ehcps_by_age.<band>[<year>]``: the EHC plans in each age band as
    ``ehcps_by_age.csv`` gives them."""
    if ages is None:
        return []
    file = source_of(ages, "ehcps_by_age.csv")
    out = []
    for rec in ages.itertuples(index=False):
        plans = float(rec.plans)
        if rec.age_band not in AGE_BANDS or math.isnan(plans):
            continue
        where = Cell(file, int(rec.row), "plans", as_written(plans))
        label = f"EHC plans, {AGE_BANDS[rec.age_band]}, {rec.year}"
        out.append(
            cell(plans, where, label).named(f"ehcps_by_age.{rec.age_band}[{rec.year}]", label)
        )
    return out


def return_lines(
    budget: BudgetFigures, tables: Mapping[str, pd.DataFrame]
) -> tuple[list[Traced], pd.DataFrame | None]:
    """Every figure the return prints beyond the paper's, for the lineage (the stated
    savings of the business cases among them), and the group totals' table."""
    totals = group_totals(budget)
    given = [
        *block_cells(tables.get("dsg_blocks")),
        *age_cells(tables.get("ehcps_by_age")),
        *stated_savings(tables.get("business_cases")),
    ]
    return [*totals, *given], groups_frame(totals)
