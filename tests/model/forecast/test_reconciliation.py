"""The business cases' savings against the Recovery Plan Impact line, and a cost set to balance
a business case marked as the assumption it is."""

from __future__ import annotations

from dataclasses import asdict

import pandas as pd
import pytest

from highneeds.domain.figure_kinds import kind_of
from highneeds.gate.checks.cross_checks import balancing_costs_check
from tests.conftest import model_tables


def _plain(lineage) -> dict:
    return {key: asdict(d) for key, d in lineage.derivations.items()}


def test_the_cases_claim_is_set_against_what_the_line_counts(shipped_tables) -> None:
    merged, lineage = model_tables(shipped_tables, draws=50)
    figures = {
        k: lineage[f"reconciliation.{k}"].value for k in ("claimed", "counted", "difference")
    }
    assert figures == pytest.approx({"claimed": 392, "counted": 135, "difference": 257})
    leaves = {str(leaf.cell) for leaf in lineage.inputs_of("reconciliation.claimed")}
    assert leaves == {
        "business_cases.csv, row 2, column 'business_case_saving': 113",
        "business_cases.csv, row 3, column 'business_case_saving': 279",
    }
    assert list(merged["savings_reconciliation"]["measure"]) == ["claimed", "counted", "difference"]
    # Read as a running total, the line counts 2024/25's own step: 135 - 93.
    _, running = model_tables(shipped_tables, draws=50, recovery_plan_basis="cumulative")
    assert running["reconciliation.counted"].value == pytest.approx(42)
    assert running["reconciliation.difference"].value == pytest.approx(350)


def test_without_business_cases_there_is_nothing_to_reconcile(shipped_tables) -> None:
    tables = {k: v for k, v in shipped_tables.items() if k != "business_cases"}
    merged, lineage = model_tables(tables, draws=50)
    assert merged["savings_reconciliation"] is None
    assert "reconciliation.claimed" not in lineage


def test_a_saving_on_a_balancing_cost_is_modelled_and_on_a_measured_one_calculated(
    shipped_tables,
) -> None:
    from highneeds.model.basis.lineage import Lineage
    from highneeds.model.forecast.interventions import intervention_savings

    def kinds(costs: pd.DataFrame) -> dict[str, str]:
        savings = intervention_savings(shipped_tables["interventions"], costs)
        lineage = Lineage()
        lineage.record(*savings.figures())
        plain = _plain(lineage)
        return {i: kind_of(f"savings.{i}", plain) for i in ("nurture", "eip")}

    costs = shipped_tables["placement_costs"]
    assert kinds(costs) == {"nurture": "modelled", "eip": "modelled"}
    measured = costs.assign(balances="")
    assert kinds(measured) == {"nurture": "calculated", "eip": "calculated"}
    # The assumed cost itself says which business case it balances, traced to its row.
    savings = intervention_savings(shipped_tables["interventions"], costs)
    cost = savings.by_type[("nurture", "Maintained special school")].parts[1][0]
    assert cost.key == "assumed.cost_per_place[Maintained special school]"
    assert "so that the nurture business case's places give its stated saving" in cost.formula


def test_a_cost_balancing_a_case_the_cycle_lacks_is_refused_naming_its_cell(
    shipped_tables,
) -> None:
    costs = shipped_tables["placement_costs"].copy()
    assert balancing_costs_check(costs, shipped_tables["business_cases"]).success
    costs.loc[costs["balances"] == "eip", "balances"] = "epi"
    check = balancing_costs_check(costs, shipped_tables["business_cases"])
    assert not check.success
    assert check.failures == [
        "placement_costs.csv, row 4, column D ('balances'): found 'epi'; expected the "
        "intervention_id of a business case in business_cases (eip, nurture)"
    ]
