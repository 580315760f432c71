"""The paper's tables: wording built from the model's outputs."""

from __future__ import annotations

from highneeds.model.forecast.interventions import intervention_savings
from highneeds.paper.content.business_cases import describe_places


def test_business_case_basis_in_words(shipped_tables) -> None:
    savings = intervention_savings(
        shipped_tables["interventions"], shipped_tables["placement_costs"]
    ).frame()
    assert describe_places(savings, "nurture") == (
        "1 independent special school place and 2 maintained special school places"
    )
