"""What the paper takes from the model: its tables and figures, handed over by the report
notebook (the paper does not import the model; the notebook wires the two)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from highneeds.domain.amounts import BudgetFormat


@dataclass
class ModelOutputs:
    """What the model notebooks produced, as the paper needs it."""

    budget: pd.DataFrame
    #: The budget with lines as rows and years as columns, in the file's order.
    budget_wide: pd.DataFrame
    scenarios: pd.DataFrame
    #: Scenario names, in the order the paper shows them, with their labels.
    scenario_labels: Mapping[str, str]
    #: The business cases' savings and summary; None for a cycle without business cases.
    savings: pd.DataFrame | None
    business_cases: pd.DataFrame | None
    figures: dict[str, Any]
    #: The EHCP counts and their growth; None for a cycle without them.
    ehcp: Any
    current_year: str
    #: Plans, placement costs and cost per plan by year, as forecast and if all requests for
    #: assessment become plans (the model's demand forecast); None for a cycle without one.
    demand: pd.DataFrame | None = None
    #: The growth the demand forecast's plans follow: ``growth_a_year`` (percent) and, where
    #: it is this year's growth to date made a rate a year, ``growth_to_date`` and
    #: ``months_to_date``.
    demand_basis: Mapping[str, Any] | None = None
    #: The driver model by DfE placement category and year (EHCPs, cost per EHCP, placement
    #: costs, with and without the interventions); None for a cycle without drivers.
    placements: pd.DataFrame | None = None
    #: Each year's sums over the categories, as the model computed them.
    placement_totals: pd.DataFrame | None = None
    #: The DfE's history of the council's EHC plans by January (plans, growth, its region's
    #: and England's growth), and what it suggests (``method``, ``growth_ahead``); None
    #: without the DfE's file.
    history: pd.DataFrame | None = None
    history_basis: Mapping[str, Any] | None = None
    #: How sure the forecast is: the tornado (one row per assumption), the percentiles of each
    #: year's deficit over the simulations, and the break-even figures; None where not measured.
    sensitivity: pd.DataFrame | None = None
    uncertainty: pd.DataFrame | None = None
    break_even: Mapping[str, Any] | None = None
    #: What the forecast says the deficit grows by a year after the cycle's own year, with
    #: and without the Recovery Plan: ``low``, ``high``, ``from``, ``to`` (None without one).
    forecast_growth: Mapping[str, Any] | None = None
    #: The notebooks' lineage (``lineage_*.json`` as plain data): which figures the model
    #: derived, so that only those carry a note's mark; None marks by the notes' names alone.
    lineage: Mapping[str, Mapping[str, Any]] | None = None
    #: The council's own scenarios as scenarios.csv declares them (one row a change); None
    #: for a cycle that declares none.
    declared: pd.DataFrame | None = None
    #: How the model read the council's figures (``reading``, ``value``, ``chosen_by``, and
    #: for the impact line ``other``, the deficit read the other way); None from an
    #: older run.
    readings: pd.DataFrame | None = None
    #: The business cases' savings against the impact line (``measure``: claimed, counted,
    #: difference; ``year``; ``value``, £000); None without business cases.
    reconciliation: pd.DataFrame | None = None
    #: Earlier papers' forecasts against this cycle's outturn (``paper``, ``figure``,
    #: ``year``, ``forecast``, ``outturn``, ``error``, ``relative``, ``widening``); None
    #: where none is scored.
    track_record: pd.DataFrame | None = None
    #: The track record in the model's words (``words``, ``widening_words``, ``scored``,
    #: ``widening``); None from an older run.
    track_record_words: Mapping[str, Any] | None = None
    #: How the council writes its budget table: unit, the sign of a deficit, block, decimals.
    budget_format: BudgetFormat = field(default_factory=BudgetFormat)
