"""What the DfE return prints beyond the paper's figures, computed or named here so that each
of its numbers has a lineage: the budget's flow lines added by the template's groups (where a
group has several lines), and, as given, the EHC plans by age band and the savings the
business cases state. (The other DSG blocks' lines are :mod:`highneeds.model.forecast.dsg`'s.)"""

from __future__ import annotations

import math
from collections.abc import Mapping

import pandas as pd

from highneeds.domain.amounts import as_written
from highneeds.domain.budget_lines import template_groups
from highneeds.domain.categories import AGE_BANDS
from highneeds.domain.traced import Cell, Traced, cell, total
from highneeds.model.basis.inputs import BudgetFigures, source_of
from highneeds.model.forecast.reconciliation import stated_savings

_WHERE = "02_deficit_model.ipynb: The DfE return's lines"


def group_totals(budget: BudgetFigures) -> dict[tuple[str, str], Traced]:
    """``budget_groups.<group>[<year>]``, by group and year: each template group's lines
    added, for a group of several lines (a group of one is its line's own figure,
    ``budget.<line>[<year>]``)."""
    out = {}
    for group, members in template_groups(budget.roles).items():
        if len(members) < 2:
            continue
        for year in budget.years:
            given = [budget.given(line, year) for line in members]
            out[(group, year)] = total([figure for figure in given if figure is not None]).named(
                f"budget_groups.{group}[{year}]",
                f"The budget's {group} lines added, {year}",
                role=group,
                computed_in=_WHERE,
            )
    return out


def groups_frame(totals: Mapping[tuple[str, str], Traced]) -> pd.DataFrame | None:
    """The group totals as the return reads them (``group``, ``year``, ``amount``)."""
    if not totals:
        return None
    rows = [{"group": g, "year": y, "amount": float(f)} for (g, y), f in totals.items()]
    return pd.DataFrame(rows)


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
    """Every figure the return prints beyond the paper's and the other DSG blocks' (which
    :mod:`highneeds.model.forecast.dsg` reads), for the lineage (the stated savings of the
    business cases among them), and the group totals' table."""
    totals = group_totals(budget)
    given = [*age_cells(tables.get("ehcps_by_age")), *stated_savings(tables.get("business_cases"))]
    return [*totals.values(), *given], groups_frame(totals)
