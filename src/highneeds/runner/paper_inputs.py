"""What the paper takes from the model, wired once: notebook 04 hands it the model's tables
as the notebooks wrote them, the tests the tables :func:`highneeds.model.run.run_model`
returned. (The paper does not import the model; this is where the two meet.)"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pandas as pd

from highneeds.gate.figures import figure_values
from highneeds.model.deficit import SCENARIO_LABELS, budget_to_wide, financial_year_of
from highneeds.model.demand import EhcpGrowth
from highneeds.paper.model_outputs import ModelOutputs

#: The tables the paper reads: the gate's figures and the model's outputs, by name.
PAPER_TABLES = (
    "figures",
    "forecast_budget",
    "scenarios",
    "intervention_savings",
    "business_case_summary",
    "ehcp_growth",
    "demand",
    "demand_basis",
    "placements_forecast",
    "sensitivity",
    "uncertainty",
    "break_even",
)


def paper_outputs(
    tables: Mapping[str, pd.DataFrame | None],
    cycle: str,
    lineage: Mapping[str, Mapping[str, Any]] | None = None,
) -> ModelOutputs:
    """The model's outputs as the paper needs them (``lineage``: which figures the model
    derived, so that only those carry a note's mark)."""
    budget, scenarios = tables["forecast_budget"], tables["scenarios"]
    assert budget is not None and scenarios is not None
    growth = tables["ehcp_growth"].iloc[0]  # type: ignore[union-attr]
    even = tables.get("break_even")
    return ModelOutputs(
        budget=budget,
        budget_wide=budget_to_wide(budget),
        scenarios=scenarios,
        scenario_labels={
            name: label
            for name, label in SCENARIO_LABELS.items()
            if name in set(scenarios["scenario"])
        },
        savings=tables["intervention_savings"],  # type: ignore[arg-type]
        business_cases=tables["business_case_summary"],  # type: ignore[arg-type]
        figures=figure_values(tables["figures"]),  # type: ignore[arg-type]
        ehcp=EhcpGrowth(
            since=pd.Timestamp(growth["since"]).date(),
            plans_at_start=int(growth["plans_at_start"]),
            new_plans_to_date=int(growth["new_plans_to_date"]),
            requests_for_assessment=int(growth["requests_for_assessment"]),
            growth_to_date=float(growth["growth_to_date"]),
            growth_if_all_convert=float(growth["growth_if_all_convert"]),
        ),
        current_year=financial_year_of(cycle),
        demand=tables.get("demand"),
        demand_basis=_first_row(tables.get("demand_basis")),
        placements=tables.get("placements_forecast"),
        sensitivity=tables.get("sensitivity"),
        uncertainty=tables.get("uncertainty"),
        break_even=_first_row(even),
        lineage=lineage,
    )


def _first_row(table: pd.DataFrame | None) -> dict[str, Any] | None:
    """A one-row table as a mapping (None for a table the cycle does not have)."""
    return None if table is None else table.iloc[0].to_dict()
