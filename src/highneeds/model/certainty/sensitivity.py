"""How sure is the forecast: each assumption's range, the final year's deficit with each at
its low and high value (the tornado), the break-even figures, and Monte Carlo percentiles of
every year's carried-forward deficit.

Everything works on the forecast the paper prints, so that at every assumption's central
value it gives back that forecast exactly. An assumption moves one of the forecast's lines by
a factor from the base year on (the cycle's own year; earlier years are actuals):

- ``ehcp_growth``: placement costs x ((1 + g) / (1 + g0))^n in the n-th year after the base;
- ``cost_per_plan_growth``: placement costs x ((1 + c) / (1 + c0))^n, c0 the forecast's own
  average growth in cost per plan (its path is the central case);
- ``allocation_growth``: the allocation x ((1 + a) / (1 + a0))^n, a0 likewise;
- ``schools_block_transfer``: the transfer x s in every year after the base (s a share);
- ``recovery_plan_delivery``: the Recovery Plan Impact x r (r a share), for the mitigated
  forecast only.

All money £000, income negative; growth rates and shares are fractions here, percent in the
input and the paper.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace

import numpy as np
import pandas as pd

from highneeds.common.errors import InputDataError
from highneeds.domain.budget_lines import is_transfer, line_roles
from highneeds.domain.traced import FigureValue
from highneeds.model.basis.ranges import (
    ASSUMED,
    AssumptionRange,
    apply_range_overrides,
)
from highneeds.model.basis.switches import DEFAULT_DRAWS
from highneeds.model.forecast.deficit import budget_to_wide, recovery_plan_in_year
from highneeds.model.forecast.demand import annualised

PERCENTILES = (10, 50, 90)


@dataclass(frozen=True)
class ForecastBase:
    """The printed forecast's lines by year, and the central rates its assumptions move."""

    years: list[str]
    opening: float
    transfer: np.ndarray
    allocation: np.ndarray
    placement_costs: np.ndarray
    recovery: np.ndarray
    #: Years after the base year (0 up to and including it).
    steps: np.ndarray
    ehcp_growth: float
    cost_per_plan_growth: float
    allocation_growth: float
    #: The lowest and highest single-year growth the forecast shows, where it has two or more.
    cost_per_plan_growth_range: tuple[float, float] | None = None
    allocation_growth_range: tuple[float, float] | None = None
    #: The movement lines (a net over- or underspend), which no assumption moves.
    held: np.ndarray | None = None
    #: Agreed pressures the finance table leaves out, added to every path by year (£000),
    #: where the run puts them inside the centre (``-p uncertainty_centre``).
    pressures: np.ndarray | None = None


def _growth_low_mean_high(values: pd.Series) -> tuple[float, float, float]:
    """The lowest, average (geometric) and highest year-on-year growth of ``values``."""
    rates = (values / values.shift(1) - 1).iloc[1:]
    average = (values.iloc[-1] / values.iloc[0]) ** (1 / len(rates)) - 1
    return float(rates.min()), float(average), float(rates.max())


def _central_and_range(values: pd.Series) -> tuple[float, tuple[float, float] | None]:
    """The average growth of ``values`` (0 with fewer than two years), and its lowest and
    highest single-year growth where there are at least two years of growth to range over."""
    if len(values) < 2:
        return 0.0, None
    low, average, high = _growth_low_mean_high(values)
    return average, (low, high) if len(values) > 2 else None


def forecast_base(
    budget: pd.DataFrame,
    base_year: str,
    demand: pd.DataFrame | None,
    ehcp_growth: float,
    recovery_plan_basis: str = "in_year",
) -> ForecastBase:
    """The printed budget (long form) ready to be moved by the assumptions; ``demand`` is its
    decomposition into plans x cost per plan (for the central cost-per-plan growth)."""
    wide = budget_to_wide(budget).fillna(0.0)
    years = list(wide.columns)
    if base_year not in years:
        raise InputDataError(
            f"high_needs_budget.csv: the cycle's year {base_year} is not one of its years"
        )
    steps = np.maximum(np.arange(len(years)) - years.index(base_year), 0)
    cost_per_plan = (
        pd.Series(dtype=float) if demand is None else demand.set_index("year")["cost_per_plan"]
    )
    cost_growth, cost_range = _central_and_range(cost_per_plan)
    roles = line_roles(budget)
    funding = [line for line, role in roles.items() if role == "funding"]
    # A funding line that is a transfer between blocks is the one the transfer's range moves.
    transfers = [line for line in funding if is_transfer(line)]
    allocations = [line for line in funding if line not in transfers]

    def summed(role_lines: list[str]) -> np.ndarray:
        if not role_lines:
            return np.zeros(len(years))
        return wide.loc[role_lines].sum(axis=0).to_numpy(dtype=float)

    allocation = summed(allocations)
    forecast_allocation = pd.Series(allocation[years.index(base_year) :]).abs()
    allocation_growth, allocation_range = (
        _central_and_range(forecast_allocation) if (forecast_allocation > 0).all() else (0.0, None)
    )
    return ForecastBase(
        years=years,
        opening=float(wide.loc["bfwd", years[0]]),
        transfer=summed(transfers),
        allocation=allocation,
        placement_costs=summed([line for line, role in roles.items() if role == "spending"]),
        recovery=recovery_plan_in_year(budget, recovery_plan_basis).to_numpy(dtype=float),
        steps=steps,
        ehcp_growth=ehcp_growth,
        cost_per_plan_growth=cost_growth,
        allocation_growth=allocation_growth,
        cost_per_plan_growth_range=cost_range,
        allocation_growth_range=allocation_range,
        held=summed([line for line, role in roles.items() if role == "movement"]),
    )


def default_ranges(base: ForecastBase, ehcp_growth_high: float | None) -> list[AssumptionRange]:
    """Each assumption's range where the cycle states none (``docs/assumptions.md``), from
    the cycle's own figures: EHCP growth from the rate to date to the all-requests-convert
    rate (where ``figures.csv`` states them); cost per plan and allocation growth from the
    lowest to the highest year-on-year growth the forecast itself shows; the transfer from
    none to the forecast's; the Recovery Plan from none of its savings delivered to all."""
    ranges = []
    if ehcp_growth_high is not None:
        ranges.append(
            AssumptionRange(
                "ehcp_growth",
                min(base.ehcp_growth, ehcp_growth_high),
                base.ehcp_growth,
                max(base.ehcp_growth, ehcp_growth_high),
                "from this year's growth to date to the growth if every open request for "
                "assessment became a plan, each made a rate a year",
            )
        )
    for name, central, span, basis in (
        (
            "cost_per_plan_growth",
            base.cost_per_plan_growth,
            base.cost_per_plan_growth_range,
            "from the lowest to the highest growth the forecast implies in a year",
        ),
        (
            "allocation_growth",
            base.allocation_growth,
            base.allocation_growth_range,
            "from the lowest to the highest growth the forecast shows in a year",
        ),
    ):
        if span is not None:
            ranges.append(AssumptionRange(name, span[0], central, span[1], basis))
    if np.any(base.transfer != 0):
        ranges.append(
            AssumptionRange(
                "schools_block_transfer",
                0.0,
                1.0,
                1.0,
                "refused (no transfer) or approved (the forecast's): Schools Forum decides "
                "each year",
                f"{ASSUMED}: the forecast assumes approval, and no chance of a refusal has "
                "been stated",
                draw="held",
            )
        )
    if np.any(base.recovery != 0):
        ranges.append(
            AssumptionRange(
                "recovery_plan_delivery",
                0.0,
                1.0,
                1.0,
                "from none of the forecast savings delivered to all of them",
            )
        )
    return ranges


def deficit_paths(
    base: ForecastBase, values: dict[str, np.ndarray | float]
) -> tuple[np.ndarray, np.ndarray]:
    """The carried-forward deficit each year, unmitigated and mitigated, with the given
    assumptions (fractions; any left out at their central value). Values may be arrays of
    draws: the result then has one row per draw and one column per year."""

    def value(name: str, central: float) -> np.ndarray:
        return np.atleast_1d(np.asarray(values.get(name, central), dtype=float))[:, None]

    steps = base.steps[None, :]
    placement = base.placement_costs[None, :] * (
        ((1 + value("ehcp_growth", base.ehcp_growth)) / (1 + base.ehcp_growth)) ** steps
        * (
            (1 + value("cost_per_plan_growth", base.cost_per_plan_growth))
            / (1 + base.cost_per_plan_growth)
        )
        ** steps
    )
    allocation = (
        base.allocation[None, :]
        * ((1 + value("allocation_growth", base.allocation_growth)) / (1 + base.allocation_growth))
        ** steps
    )
    transfer = base.transfer[None, :] * np.where(
        steps > 0, value("schools_block_transfer", 1.0), 1.0
    )
    unmitigated = transfer + allocation + placement
    if base.held is not None:
        unmitigated = unmitigated + base.held[None, :]
    if base.pressures is not None:
        unmitigated = unmitigated + base.pressures[None, :]
    mitigated = unmitigated + base.recovery[None, :] * value("recovery_plan_delivery", 1.0)
    return base.opening + unmitigated.cumsum(axis=1), base.opening + mitigated.cumsum(axis=1)


#: How a cycle's seed is derived, in words (``explain`` and the docs print it).

SEED_RECIPE = 'the first 8 bytes of SHA-256("highneeds:{cycle}") read as a big-endian integer'


def seed_of(cycle: str) -> int:
    """The random seed of a cycle (:data:`SEED_RECIPE`): the same cycle always draws the same
    numbers."""
    return int.from_bytes(hashlib.sha256(f"highneeds:{cycle}".encode()).digest()[:8], "big")


def simulate(
    base: ForecastBase, ranges: list[AssumptionRange], seed: int, draws: int = DEFAULT_DRAWS
) -> dict[str, np.ndarray]:
    """Draw every assumption independently, as its range says (:data:`DRAWS`: triangular over
    its range peaked at its central value, one end or the other, or held), and return the
    deficit paths of every draw."""
    if draws < 1:
        raise ValueError(f"uncertainty_draws must be a whole number of at least 1: {draws!r}")
    rng = np.random.default_rng(seed)
    values: dict[str, np.ndarray | float] = {}
    by_name = {r.name: r for r in ranges}
    for assumption in ranges:
        partner = by_name.get(assumption.moves_with)
        if assumption.name in values:  # drawn already, with its partner
            continue
        if not assumption.drawn:
            values[assumption.name] = np.full(draws, assumption.central)
        elif partner is not None:  # the same point of each range: they move together
            point = rng.random(draws)
            values[assumption.name], values[partner.name] = assumption.at(point), partner.at(point)
        elif assumption.draw == "either":
            high = rng.random(draws) < (assumption.probability or 0.0)
            values[assumption.name] = np.where(high, assumption.high, assumption.low)
        else:
            values[assumption.name] = rng.triangular(
                assumption.low, assumption.peak, assumption.high, draws
            )
    unmitigated, mitigated = deficit_paths(base, values)
    return {"unmitigated": unmitigated, "mitigated": mitigated}


def uncertainty(base: ForecastBase, paths: dict[str, np.ndarray]) -> pd.DataFrame:
    """The 10th, 50th and 90th percentile of each year's carried-forward deficit, unmitigated
    and mitigated, in long form (``scenario``, ``year``, ``p10``, ``p50``, ``p90``)."""
    rows = []
    for scenario, cfwd in paths.items():
        levels = np.percentile(cfwd, PERCENTILES, axis=0)
        for i, year in enumerate(base.years):
            rows.append(
                {"scenario": scenario, "year": year}
                | {f"p{p}": float(levels[j, i]) for j, p in enumerate(PERCENTILES)}
            )
    return pd.DataFrame(rows)


def probability_still_growing(base: ForecastBase, paths: dict[str, np.ndarray]) -> float:
    """The share of draws in which the mitigated deficit still grows in the final year."""
    cfwd = paths["mitigated"]
    before = cfwd[:, -2] if cfwd.shape[1] > 1 else np.full(len(cfwd), base.opening)
    return float(np.mean(cfwd[:, -1] - before > 0))


def share_above(paths: np.ndarray, value: float) -> float:
    """The share of draws whose final year's deficit is above ``value``."""
    return float(np.mean(paths[:, -1] > value))


def ranges_for_cycle(
    budget: pd.DataFrame,
    demand: pd.DataFrame | None,
    figures: Mapping[str, FigureValue],
    base_year: str,
    overrides: pd.DataFrame | None,
    recovery_plan_basis: str = "in_year",
    months_to_date: int = 12,
    pressures: Sequence[float] | np.ndarray | None = None,
    evidence: Callable[[float], AssumptionRange | None] | None = None,
) -> tuple[ForecastBase, list[AssumptionRange]]:
    """The printed forecast ready to be moved, and the range of each assumption: the cycle's
    own (``assumption_ranges.csv``) where it gives one, else the evidence's (``evidence``:
    EHCP growth's range from the DfE's history, given the forecast's own growth), else the
    defaults. EHCP growth is an assumption only where ``figures.csv`` states the growth to
    date (and, without the history, the growth if all requests convert); each is over
    ``months_to_date`` and is made a rate a year."""
    growth = figures.get("ehcp_growth_per_year")
    growth_high = figures.get("ehcp_growth_if_all_requests_convert")
    central = annualised(float(growth), months_to_date) / 100 if growth is not None else 0.0
    high = annualised(float(growth_high), months_to_date) / 100 if growth_high is not None else None
    base = forecast_base(budget, base_year, demand, central, recovery_plan_basis)
    if pressures is not None:
        base = replace(base, pressures=np.asarray(pressures, dtype=float))
    ranges = default_ranges(base, high)
    from_history = None if evidence is None or growth is None else evidence(central)
    if from_history is not None:
        ranges = [from_history, *(r for r in ranges if r.name != "ehcp_growth")]
    return base, apply_range_overrides(ranges, overrides)
