"""EHCP demand: plans in place, new plans since a date, and open requests for assessment."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pandas as pd

from highneeds.errors import InputDataError


@dataclass(frozen=True)
class EhcpGrowth:
    """EHCP demand since a date: plans in place then, new plans since, and open requests."""

    since: date
    plans_at_start: int
    new_plans_to_date: int
    requests_for_assessment: int

    @property
    def growth_to_date(self) -> float:
        """New plans as a share of the plans in place at the start."""
        return self.new_plans_to_date / self.plans_at_start

    @property
    def growth_if_all_convert(self) -> float:
        """Growth if every open request for assessment also becomes a plan."""
        return (self.new_plans_to_date + self.requests_for_assessment) / self.plans_at_start


EHCP_MEASURES = ("plans_at_start", "new_plans_to_date", "requests_for_assessment")


def ehcp_growth(demand: pd.DataFrame) -> EhcpGrowth:
    """Summarise the EHCP demand table (one row per measure) as an :class:`EhcpGrowth`."""
    by_measure = demand.set_index("measure")
    missing = [m for m in EHCP_MEASURES if m not in by_measure.index]
    if missing:
        raise InputDataError(f"ehcp_demand.csv: missing measure(s): {', '.join(missing)}")
    since = pd.Timestamp(by_measure.loc["plans_at_start", "since"]).date()
    return EhcpGrowth(
        since=since,
        plans_at_start=int(by_measure.loc["plans_at_start", "count"]),
        new_plans_to_date=int(by_measure.loc["new_plans_to_date", "count"]),
        requests_for_assessment=int(by_measure.loc["requests_for_assessment", "count"]),
    )
