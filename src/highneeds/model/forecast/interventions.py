"""Intervention savings: places avoided by placement type times the average cost per place."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from highneeds.common.errors import InputDataError, column_in
from highneeds.domain.traced import Traced, total
from highneeds.model.basis.inputs import placement_cells

_SAVINGS = "03_interventions.ipynb: Savings from places avoided"

#: A stated business-case saving (typed to the nearest £1k) may differ from places x cost by this.
SAVING_TOLERANCE = 0.5


@dataclass(frozen=True)
class Savings:
    """The interventions' savings as traced figures: by intervention and placement type
    (places avoided x cost per place), and by intervention (their sum)."""

    by_type: dict[tuple[str, str], Traced]
    by_intervention: dict[str, Traced]

    def frame(self) -> pd.DataFrame:
        """Each saving by placement type, as a table (values only)."""
        rows = [
            {
                "intervention_id": intervention,
                "placement_type": placement,
                "places_avoided": saving.parts[0][0].value,
                "cost_per_place": float(saving.parts[1][0]),
                "saving": float(saving),
            }
            for (intervention, placement), saving in self.by_type.items()
        ]
        columns = ["intervention_id", "placement_type", "places_avoided", "cost_per_place"]
        return pd.DataFrame(rows, columns=[*columns, "saving"])

    def figures(self) -> list[Traced]:
        """The savings, and the places avoided each rests on as the paper prints them
        (``places.<intervention>.<placement type>``, the input cell under that name)."""
        places = [
            saving.parts[0][0].named(
                f"places.{intervention}.{placement}", f"Places avoided, {placement}"
            )
            for (intervention, placement), saving in self.by_type.items()
        ]
        return [*self.by_type.values(), *self.by_intervention.values(), *places]


def intervention_savings(interventions: pd.DataFrame, placement_costs: pd.DataFrame) -> Savings:
    """Each intervention's saving by placement type: ``places_avoided`` x cost per place (£000),
    and each intervention's total."""
    repeated = placement_costs[placement_costs["placement_type"].duplicated(keep="first")]
    if not repeated.empty:
        source = placement_costs.attrs.get("source", "placement_costs.csv")
        raise InputDataError(
            "A placement type has more than one cost.",
            [
                f"{source}, row {r.row}, {column_in(placement_costs, 'placement_type')}: found "
                f"{r.placement_type!r} "
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
            f"{source}, row {r.row}, {column_in(interventions, 'placement_type')}: found "
            f"{r.placement_type!r}; expected one of the types in {costs_source} "
            f"({', '.join(costs.index)})"
            for r in unknown.itertuples(index=False)
        ]
        raise InputDataError("An intervention names an unknown placement type.", problems)
    places, cost = placement_cells(interventions, placement_costs)
    by_type = {
        (intervention, placement): (avoided * cost[placement]).named(
            f"savings.{intervention}.{placement}",
            f"Saving from {placement} places avoided",
            role=placement,
            computed_in=_SAVINGS,
        )
        for (intervention, placement), avoided in places.items()
    }
    by_intervention: dict[str, list[Traced]] = {}
    for (intervention, _), saving in by_type.items():
        by_intervention.setdefault(intervention, []).append(saving)
    return Savings(
        by_type,
        {
            intervention: total(parts).named(
                f"savings.{intervention}",
                f"Saving of {intervention}",
                formula="the savings by placement type",
                computed_in=_SAVINGS,
            )
            for intervention, parts in by_intervention.items()
        },
    )


def business_case_summary(savings: Savings, business_cases: pd.DataFrame) -> pd.DataFrame:
    """One row per business case: computed saving beside the stated one, checked to agree.

    Raises :class:`InputDataError` naming the intervention and both figures when the stated
    saving is not places avoided times cost per place.
    """
    computed = {k: float(v) for k, v in savings.by_intervention.items()}
    summary = business_cases[
        ["row", "intervention_id", "intervention", "business_case_saving"]
    ].copy()
    summary["computed_saving"] = summary["intervention_id"].map(computed)
    source = business_cases.attrs.get("source", "business_cases.csv")
    problems = []
    for rec in summary.itertuples(index=False):
        if pd.isna(rec.computed_saving):
            problems.append(
                f"{source}, row {rec.row}, {column_in(business_cases, 'intervention_id')}: "
                f"{rec.intervention_id!r} has no places avoided in the interventions table"
            )
        elif abs(rec.computed_saving - rec.business_case_saving) > SAVING_TOLERANCE:
            problems.append(
                f"{source}, row {rec.row}, {column_in(business_cases, 'business_case_saving')}: "
                f"{rec.intervention} states {rec.business_case_saving:,.0f} but places avoided "
                f"x cost per place = {rec.computed_saving:,.1f}"
            )
    if problems:
        raise InputDataError("A business case's saving does not follow from its places.", problems)
    return summary.drop(columns="row").reset_index(drop=True)
