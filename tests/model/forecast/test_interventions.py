from __future__ import annotations

import pytest

from highneeds.common.errors import InputDataError
from highneeds.model.forecast.interventions import (
    business_case_summary,
    intervention_savings,
)


def test_savings_are_places_times_cost_and_match_para_7_6(shipped_tables) -> None:
    savings = intervention_savings(
        shipped_tables["interventions"], shipped_tables["placement_costs"]
    )
    summary = business_case_summary(savings, shipped_tables["business_cases"])
    by_id = summary.set_index("intervention_id")["computed_saving"]
    assert by_id["nurture"] == pytest.approx(113)
    assert by_id["eip"] == pytest.approx(279)


def test_business_case_that_does_not_follow_from_places_is_refused(shipped_tables) -> None:
    interventions = shipped_tables["interventions"].copy()
    interventions.loc[interventions["placement_type"] == "Academy mainstream", "places_avoided"] = (
        10
    )
    savings = intervention_savings(interventions, shipped_tables["placement_costs"])
    with pytest.raises(InputDataError) as caught:
        business_case_summary(savings, shipped_tables["business_cases"])
    assert caught.value.problems == [
        "business_cases.csv, row 3, column C ('business_case_saving'): Education Inclusion "
        "Partnerships (EIP) states 279 but places avoided x cost per place = 205.0"
    ]


def test_unknown_placement_type_names_the_row(shipped_tables) -> None:
    interventions = shipped_tables["interventions"].copy()
    interventions.loc[0, "placement_type"] = "Boarding school"
    with pytest.raises(InputDataError) as caught:
        intervention_savings(interventions, shipped_tables["placement_costs"])
    assert (
        "interventions.csv, row 2, column B ('placement_type'): found 'Boarding school'"
        in (caught.value.problems[0])
    )


def test_business_case_without_places_is_refused(shipped_tables) -> None:
    interventions = shipped_tables["interventions"]
    savings = intervention_savings(
        interventions[interventions["intervention_id"] != "eip"], shipped_tables["placement_costs"]
    )
    with pytest.raises(InputDataError, match="has no places avoided"):
        business_case_summary(savings, shipped_tables["business_cases"])
