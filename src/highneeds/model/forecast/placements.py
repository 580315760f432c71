"""The driver model by DfE placement category, as traced arithmetic: EHCPs and cost per EHCP
from the cycle's cells, each forecast year grown by its assumptions, placement costs = EHCPs x
cost per EHCP, the interventions' places taken out (or moved), and the totals and saving the
budget takes. The tables the paper prints are views of these figures."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from highneeds.common.errors import InputDataError
from highneeds.domain.categories import ALL_PLACEMENTS, DFE_CATEGORIES, category_label
from highneeds.domain.traced import Traced, total
from highneeds.model.basis.inputs import assumption_cells, placements_cells, places_cells, source_of


def modelled_categories(placements: pd.DataFrame) -> list[str]:
    """The categories the model forecasts: the DfE categories the cycle gives, in the
    template's order, or ``all_placements`` for a cycle that gives only totals (where a cycle
    gives both, the total is a control the gate checks the categories against)."""
    given = set(placements["category"])
    split = [c for c in DFE_CATEGORIES if c in given]
    return split or [ALL_PLACEMENTS]


def base_year(placements: pd.DataFrame) -> str:
    """The last year with actual EHCP numbers: the forecast starts from it."""
    return str(max(placements["year"]))


def forecast_years(assumptions: pd.DataFrame) -> list[str]:
    """The years the assumptions forecast, in order."""
    return sorted(set(assumptions["year"]))


#: Where the driver model is shown (the notebook and its section).
WHERE = "02_deficit_model.ipynb: The forecast from its drivers"
_WORDS = {
    "plans": "EHCPs",
    "cost_per_plan": "cost per EHCP",
    "placement_costs": "placement costs",
    "plans_mitigated": "EHCPs with the interventions",
    "placement_costs_mitigated": "placement costs with the interventions",
}
#: Each row's measures, in the table's order.
MEASURES = tuple(_WORDS)

#: A driver model figure by (measure, category, year); ``None`` where there is none (a year the
#: cycle gives no cost for).
Figures = dict[tuple[str, str, str], Traced | None]


def _named(figure: Traced | None, measure: str, category: str, year: str) -> Traced | None:
    if figure is None:
        return None
    return figure.named(
        f"placements.{category}.{measure}[{year}]",
        f"{_WORDS[measure]}, {category}, {year}",
        role=_WORDS[measure],
        computed_in=WHERE,
    )


def _value(figure: Traced | None) -> float:
    return float("nan") if figure is None else float(figure)


@dataclass(frozen=True)
class CategoryForecast:
    """The driver model by category and year: each row's basis (``actual`` or ``forecast``)
    and its figures, traced."""

    rows: list[tuple[str, str, str]]
    figures: Figures

    @property
    def frame(self) -> pd.DataFrame:
        """One row per category and year: ``category``, ``category_label``, ``year``,
        ``basis``, ``plans``, ``cost_per_plan``, ``placement_costs`` (£000) and, once the
        interventions are applied, ``plans_mitigated`` and ``placement_costs_mitigated``."""
        measures = [m for m in MEASURES if any((m, c, y) in self.figures for c, y, _ in self.rows)]
        frame = pd.DataFrame(
            [
                (
                    c,
                    category_label(c),
                    y,
                    basis,
                    *(_value(self.figures.get((m, c, y))) for m in measures),
                )
                for c, y, basis in self.rows
            ],
            columns=["category", "category_label", "year", "basis", *measures],
        )
        return frame

    def totals(self, measure: str) -> dict[str, Traced]:
        """``placements.total.<measure>[<year>]``: each year's sum over the categories."""
        years = sorted({y for _, y, _ in self.rows})
        out = {}
        for year in years:
            parts = [self.figures.get((measure, c, y)) for c, y, _ in self.rows if y == year]
            given = [p for p in parts if p is not None]
            if given:
                out[year] = total(given).named(
                    f"placements.total.{measure}[{year}]",
                    f"{_WORDS[measure]}, all placements, {year}",
                    formula="the categories' sum",
                    computed_in=WHERE,
                )
        return out

    def all_figures(self) -> list[Traced]:
        return [f for f in self.figures.values() if f is not None]


def _growth(
    cells: dict[tuple[str, str, str], Traced],
    assumptions: pd.DataFrame,
    name: str,
    categories: list[str],
    years: list[str],
) -> dict[tuple[str, str], Traced]:
    """Each year's growth (percent) of assumption ``name`` by category: a category's own
    row, else the year's row with a blank category. Raises if a year has neither."""
    found, missing = {}, []
    for year in years:
        for category in categories:
            cell = cells.get((name, year, category)) or cells.get((name, year, ""))
            if cell is None:
                missing.append(f"{year} {category}")
            else:
                found[(year, category)] = cell
    if missing:
        raise InputDataError(
            f"{source_of(assumptions, 'forecast_assumptions.csv')}: no {name} for "
            + ", ".join(missing),
            [f"give {name} for each year, with a blank category for every category"],
        )
    return found


def forecast_by_category(placements: pd.DataFrame, assumptions: pd.DataFrame) -> CategoryForecast:
    """EHCPs, average annual cost per EHCP and placement costs by category and year.

    Actual years are as given (cost where the cycle gives a cost per plan for that year);
    each forecast year grows the previous year's plans by ``ehcp_growth`` and its cost per
    plan by ``cost_per_plan_growth`` (percent); placement costs = EHCPs x cost per EHCP.
    """
    categories = modelled_categories(placements)
    base = base_year(placements)
    years = forecast_years(assumptions)
    assumed = assumption_cells(assumptions)
    plans_growth = _growth(assumed, assumptions, "ehcp_growth", categories, years)
    cost_growth = _growth(assumed, assumptions, "cost_per_plan_growth", categories, years)
    given = placements_cells(placements)
    source = source_of(placements, "placements_by_category.csv")
    rows: list[tuple[str, str, str]] = []
    figures: Figures = {}

    def add(category: str, year: str, basis: str, plans: Traced | None, cost: Traced | None):
        rows.append((category, year, basis))
        plans, cost = (
            _named(plans, "plans", category, year),
            _named(cost, "cost_per_plan", category, year),
        )
        figures[("plans", category, year)] = plans
        figures[("cost_per_plan", category, year)] = cost
        costs = None if plans is None or cost is None else plans * cost
        figures[("placement_costs", category, year)] = _named(
            costs, "placement_costs", category, year
        )
        return plans, cost

    for category in categories:
        actual = sorted(placements.loc[placements["category"] == category, "year"])
        for year in actual:
            found = add(
                category,
                year,
                "actual",
                given.get((category, year, "plans")),
                given.get((category, year, "cost_per_plan")),
            )
            if year == base:
                plans, cost = found
        if (category, base, "plans") not in given:
            raise InputDataError(
                f"{source}: no EHCPs for {category} in {base}, the year the forecast starts from"
            )
        if (category, base, "cost_per_plan") not in given:
            raise InputDataError(
                f"{source}: no cost_per_plan for {category} in {base}, the year the forecast "
                "starts from"
            )
        for year in years:
            plans, cost = add(
                category,
                year,
                "forecast",
                plans * (1 + plans_growth[(year, category)] / 100),
                cost * (1 + cost_growth[(year, category)] / 100),
            )
    return CategoryForecast(rows, figures)


def apply_interventions(
    forecast: CategoryForecast, places: pd.DataFrame | None
) -> CategoryForecast:
    """The forecast with ``plans_mitigated`` and ``placement_costs_mitigated``: from its start
    year on, each intervention takes its places out of the ``from_category`` every forecast
    year and, if it names a ``to_category``, puts them there instead (at that category's cost
    per plan). An avoided place saves its whole cost; a moved place the difference."""
    figures = dict(forecast.figures)
    mitigated = {(c, y): figures[("plans", c, y)] for c, y, _ in forecast.rows}
    modelled = list(dict.fromkeys(c for c, _, _ in forecast.rows))
    if places is not None:
        for rec, place in zip(places.itertuples(index=False), places_cells(places), strict=True):
            for category, sign in ((rec.from_category, -1), (rec.to_category, 1)):
                if not category:
                    continue
                if category not in modelled:
                    raise InputDataError(
                        f"{source_of(places, 'intervention_places.csv')}, row {rec.row}: "
                        f"category {category!r} is not one the forecast models "
                        f"({', '.join(modelled)})"
                    )
                for c, y, basis in forecast.rows:
                    if c == category and basis == "forecast" and y >= rec.start_year:
                        before = mitigated[(c, y)]
                        mitigated[(c, y)] = before - place if sign < 0 else before + place  # type: ignore[operator]
        for c, y, _ in forecast.rows:
            left = mitigated[(c, y)]
            if left is not None and float(left) < -1e-9:
                raise InputDataError(
                    f"{source_of(places, 'intervention_places.csv')}: the interventions take more "
                    f"places out of {c} in {y} than the {_value(figures[('plans', c, y)]):.1f} "
                    "EHCPs forecast there"
                )
    for (c, y), plans in mitigated.items():
        plans = _named(plans, "plans_mitigated", c, y)
        cost = figures[("cost_per_plan", c, y)]
        figures[("plans_mitigated", c, y)] = plans
        costs = None if plans is None or cost is None else plans * cost
        figures[("placement_costs_mitigated", c, y)] = _named(
            costs, "placement_costs_mitigated", c, y
        )
    return CategoryForecast(forecast.rows, figures)


def saving_figures(forecast: CategoryForecast) -> dict[str, Traced]:
    """Each forecast year's saving from the interventions (negative, £000): mitigated
    placement costs less unmitigated, over every category."""
    years = sorted({y for _, y, basis in forecast.rows if basis == "forecast"})
    costs = forecast.totals("placement_costs")
    mitigated = forecast.totals("placement_costs_mitigated")
    return {
        year: (mitigated[year] - costs[year]).named(
            f"drivers.intervention_saving[{year}]",
            f"Interventions' saving {year}",
            role="interventions' saving",
            computed_in=WHERE,
        )
        for year in years
    }


def intervention_saving(forecast: CategoryForecast) -> pd.Series:
    """:func:`saving_figures` as values by year."""
    saving = {year: float(figure) for year, figure in saving_figures(forecast).items()}
    return pd.Series(saving, name="intervention_saving", dtype=float)
