"""Intervention savings: places avoided by placement type times the average cost per place."""

from __future__ import annotations

import pandas as pd

from highneeds.errors import InputDataError

#: A stated business-case saving (typed to the nearest £1k) may differ from places x cost by this.
SAVING_TOLERANCE = 0.5


def intervention_savings(
    interventions: pd.DataFrame, placement_costs: pd.DataFrame
) -> pd.DataFrame:
    """Each intervention's saving by placement type: ``places_avoided`` x cost per place (£000)."""
    repeated = placement_costs[placement_costs["placement_type"].duplicated(keep="first")]
    if not repeated.empty:
        source = placement_costs.attrs.get("source", "placement_costs.csv")
        raise InputDataError(
            "A placement type has more than one cost.",
            [
                f"{source}, row {r.row}, column 'placement_type': found {r.placement_type!r} "
                "again; expected each placement type once"
                for r in repeated.itertuples()
            ],
        )
    costs = placement_costs.set_index("placement_type")["annual_cost_per_place"]
    unknown = interventions[~interventions["placement_type"].isin(costs.index)]
    if not unknown.empty:
        source = interventions.attrs.get("source", "interventions.csv")
        costs_source = placement_costs.attrs.get("source", "placement_costs.csv")
        problems = [
            f"{source}, row {r.row}, column 'placement_type': found "
            f"{r.placement_type!r}; expected one of the types in {costs_source} "
            f"({', '.join(costs.index)})"
            for r in unknown.itertuples(index=False)
        ]
        raise InputDataError("An intervention names an unknown placement type.", problems)
    out = interventions[["intervention_id", "placement_type", "places_avoided"]].copy()
    out["cost_per_place"] = out["placement_type"].map(costs).astype(float)
    out["saving"] = out["places_avoided"] * out["cost_per_place"]
    return out.reset_index(drop=True)


def business_case_summary(savings: pd.DataFrame, business_cases: pd.DataFrame) -> pd.DataFrame:
    """One row per business case: computed saving beside the stated one, checked to agree.

    Raises :class:`InputDataError` naming the intervention and both figures when the stated
    saving is not places avoided times cost per place.
    """
    computed = savings.groupby("intervention_id", sort=False)["saving"].sum()
    summary = business_cases[
        ["row", "intervention_id", "intervention", "business_case_saving"]
    ].copy()
    summary["computed_saving"] = summary["intervention_id"].map(computed)
    source = business_cases.attrs.get("source", "business_cases.csv")
    problems = []
    for rec in summary.itertuples(index=False):
        if pd.isna(rec.computed_saving):
            problems.append(
                f"{source}, row {rec.row}, column 'intervention_id': "
                f"{rec.intervention_id!r} has no places avoided in the interventions table"
            )
        elif abs(rec.computed_saving - rec.business_case_saving) > SAVING_TOLERANCE:
            problems.append(
                f"{source}, row {rec.row}, column 'business_case_saving': "
                f"{rec.intervention} states {rec.business_case_saving:,.0f} but places avoided "
                f"x cost per place = {rec.computed_saving:,.1f}"
            )
    if problems:
        raise InputDataError("A business case's saving does not follow from its places.", problems)
    return summary.drop(columns="row").reset_index(drop=True)
