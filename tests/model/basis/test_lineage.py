"""The lineage of the model's figures, as the model's own arithmetic records it: each
derivation redoes its rule from its terms and ends at input cells, for the shipped cycle and
for any budget table; and a changed input cell moves exactly the figures that name it."""

from __future__ import annotations

import math

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from highneeds.model.basis.lineage import Lineage
from highneeds.model.forecast import deficit
from tests.conftest import model_tables
from tests.lineage_oracle import assert_every_figure_redoes_and_ends_at_cells

FILE = "high_needs_budget.csv"
LINES = [
    ("bfwd", "High Needs DSG B/Fwd Deficit / (Surplus)"),
    ("transfer", "Transfer From Schools Block"),
    ("allocation", "High Needs Allocation*"),
    ("placement_costs", "Placement costs"),
    ("cfwd", "High Needs DSG C/Fwd Deficit / (Surplus)"),
    ("recovery_plan_impact", "Recovery Plan Impact"),
]


def _lineage(tables: dict[str, pd.DataFrame], basis: str = "in_year") -> tuple[Lineage, dict]:
    merged, lineage = model_tables(tables, draws=50, recovery_plan_basis=basis)
    return lineage, merged


def test_the_shipped_budget_traces_3853_to_its_four_cells(shipped_tables) -> None:
    lineage, _ = _lineage(shipped_tables)
    cfwd = lineage["unmitigated.cfwd[2024/25]"]
    assert cfwd.value == 3853 and cfwd.rule == "sum"
    assert cfwd.formula == "B/Fwd + transfer + allocation + placement costs"
    cells = [str(leaf.cell) for leaf in lineage.inputs_of(cfwd.key)]
    assert cells == [
        "high_needs_budget.csv, row 2, column '2024/25': 2,648",
        "high_needs_budget.csv, row 3, column '2024/25': (132)",
        "high_needs_budget.csv, row 4, column '2024/25': (5,486)",
        "high_needs_budget.csv, row 5, column '2024/25': 6,823",
    ]
    assert_every_figure_redoes_and_ends_at_cells(lineage)


@pytest.mark.parametrize("basis", ["in_year", "cumulative"])
def test_scenarios_redo_from_their_terms_on_either_reading_of_the_impact(
    shipped_tables, basis: str
) -> None:
    lineage, merged = _lineage(shipped_tables, basis)
    scenarios = merged["scenarios"]
    mitigated = scenarios[scenarios["scenario"] == "mitigated"].set_index("year")["cfwd"]
    assert lineage["mitigated.cfwd[2024/25]"].value == mitigated["2024/25"]
    assert_every_figure_redoes_and_ends_at_cells(lineage)


def test_a_blank_impact_is_its_blank_cell_read_as_0(shipped_tables) -> None:
    lineage, _ = _lineage(shipped_tables)
    blank = lineage.inputs_of("recovery_plan_impact.in_year[2020/21]")
    assert [str(leaf.cell) for leaf in blank] == [
        "high_needs_budget.csv, row 7, column '2020/21': (blank)",
        # How the line is read: here, the run's choice.
        "the run's parameters, recovery_plan_basis: in_year",
    ]


def test_a_given_cfwd_is_the_finance_teams_cell_not_the_roll_forwards(shipped_tables) -> None:
    lineage, _ = _lineage(shipped_tables)
    printed = lineage.named("budget.cfwd[2024/25]")
    assert printed.rule == "input" and printed.cell is not None
    assert str(printed.cell) == "high_needs_budget.csv, row 6, column '2024/25': 3,853"


def test_the_growth_in_plans_is_the_arithmetic_the_model_did(shipped_tables) -> None:
    lineage, _ = _lineage(shipped_tables)
    plans = lineage["demand.plans[2022/23]"]
    assert plans.rule == "product"
    assert [t.key for t in plans.terms] == [
        "demand.plans[2021/22]",
        "factor.ehcp_growth_a_year",
    ]
    # 5.4% in the nine months to January 2022, made a rate a year.
    assert lineage["factor.ehcp_growth_a_year"].value == pytest.approx(1.054 ** (12 / 9))
    assert lineage["demand.growth_a_year"].rule == "described"
    assert [t.key for t in lineage["demand.growth_a_year"].terms] == [
        "fig.ehcp_growth_per_year",
        "demand.months_to_date",
    ]


def test_lineage_survives_json(shipped_tables) -> None:
    lineage, _ = _lineage(shipped_tables)
    assert Lineage.from_json(lineage.to_json()).derivations == lineage.derivations


def _budget(opening: float, flows: list[tuple[float, float, float]], blank: bool) -> pd.DataFrame:
    """A budget table in the gate's long form: given C/Fwd and B/Fwd, or left blank."""
    years = [f"{2020 + i}/{(21 + i) % 100:02d}" for i in range(len(flows))]
    closing, rows = opening, []
    for index, (year, (transfer, allocation, placement)) in enumerate(
        zip(years, flows, strict=True)
    ):
        start = closing
        closing = start + transfer + allocation + placement
        amounts = {
            "bfwd": start if index == 0 or not blank else None,
            "transfer": transfer,
            "allocation": allocation,
            "placement_costs": placement,
            "cfwd": None if blank else closing,
            "recovery_plan_impact": -10.0 * index if index else None,
        }
        for row, (line, label) in enumerate(LINES, start=2):
            rows.append((row, line, label, year, amounts[line]))
    frame = pd.DataFrame(rows, columns=["row", "line", "label", "year", "amount"])
    frame["amount"] = frame["amount"].astype(float)
    frame.attrs["source"] = FILE
    return frame


def _tables(shipped_tables: dict, budget: pd.DataFrame) -> dict[str, pd.DataFrame]:
    """The shipped cycle with ``budget`` for its budget table, and the forecast's stated
    growth and uplift starting in the budget's own years; without the EHCP growth figures and
    the counts they would come from (the demand forecast needs a cycle after the counts)."""
    years = list(dict.fromkeys(budget["year"]))
    figures = shipped_tables["figures"].copy()
    declared = shipped_tables["declared_scenarios"].copy()
    declared.loc[:, "year"] = years[min(1, len(years) - 1)]
    growth = figures["name"].isin(["ehcp_growth_per_year", "ehcp_growth_if_all_requests_convert"])
    return {
        **{k: v for k, v in shipped_tables.items() if k != "ehcp_demand"},
        "budget": budget,
        "figures": figures[~growth].reset_index(drop=True),
        "declared_scenarios": declared,
    }


money = st.integers(min_value=-9_999, max_value=9_999).map(float)
#: Flows as a budget has them: a transfer either way, the allocation income (negative), the
#: placement costs spending (positive); the measures of certainty need both to grow from.
flow = st.tuples(
    st.integers(min_value=-999, max_value=999).map(float),
    st.integers(min_value=-9_999, max_value=-1).map(float),
    st.integers(min_value=1, max_value=9_999).map(float),
)
budgets = st.builds(
    _budget, opening=money, flows=st.lists(flow, min_size=1, max_size=6), blank=st.booleans()
)


@settings(max_examples=20, deadline=None)
@given(budget=budgets, basis=st.sampled_from(deficit.RECOVERY_PLAN_BASES))
def test_any_budget_gives_lineage_that_redoes_every_figure(
    shipped_tables, budget: pd.DataFrame, basis: str
) -> None:
    tables = _tables(shipped_tables, budget)
    merged, lineage = model_tables(tables, cycle="2020-06", draws=20, recovery_plan_basis=basis)
    assert_every_figure_redoes_and_ends_at_cells(lineage)
    scenarios = merged["scenarios"]
    years = list(dict.fromkeys(scenarios["year"]))
    last_bfwd = budget[(budget["line"] == "bfwd") & (budget["year"] == years[-1])]["amount"]
    if last_bfwd.isna().all() and len(years) > 1:  # a blank B/Fwd is the C/Fwd before it
        opening = lineage[f"budget.bfwd[{years[-1]}]"]
        assert [t.key for t in opening.terms] == [f"unmitigated.cfwd[{years[-2]}]"]
    for rec in scenarios.itertuples(index=False):
        assert lineage[f"{rec.scenario}.cfwd[{rec.year}]"].value == rec.cfwd


def _arithmetic_figures(lineage: Lineage) -> dict[str, float]:
    """Every figure the model computed by arithmetic (not simulations: they move with any
    input of the forecast, by design), with its value."""
    return {
        key: float(d.value)
        for key, d in lineage.derivations.items()
        if d.rule in ("sum", "product", "ratio", "same")
        and isinstance(d.value, int | float)
        and not any(lineage[t.key].rule == "described" for t in d.terms)
    }


@settings(max_examples=12, deadline=None)
@given(
    budget=budgets,
    pick=st.integers(min_value=0, max_value=10_000),
    delta=st.integers(min_value=1, max_value=500).map(float),
)
def test_changing_one_cell_moves_exactly_the_figures_that_name_it(
    shipped_tables, budget: pd.DataFrame, pick: int, delta: float
) -> None:
    """A flow cell changed (its year's C/Fwd typed blank, so the table still reconciles):
    the figures that moved are exactly those whose lineage ends at that cell."""
    budget = budget.copy()
    budget.loc[budget["line"].isin(["cfwd"]), "amount"] = float("nan")
    later_bfwd = (budget["line"] == "bfwd") & (budget["year"] != budget["year"].iloc[0])
    budget.loc[later_bfwd, "amount"] = float("nan")
    flows = budget.index[budget["line"].isin(["transfer", "allocation", "placement_costs"])]
    at = flows[pick % len(flows)]
    before_tables, before = model_tables(_tables(shipped_tables, budget), cycle="2020-06", draws=5)
    changed = budget.copy()
    changed.loc[at, "amount"] += delta
    _, after = model_tables(_tables(shipped_tables, changed), cycle="2020-06", draws=5)
    row, year = int(budget.loc[at, "row"]), budget.loc[at, "year"]
    cell_key = f"{FILE}!{row}!{year}"
    old, new = _arithmetic_figures(before), _arithmetic_figures(after)
    moved = {k for k in old if k in new and not math.isclose(old[k], new[k], abs_tol=1e-9)}
    naming = {k for k in old if any(leaf.key == cell_key for leaf in before.inputs_of(k))}
    assert moved <= naming
    # A figure naming the cell moves unless the change cancels out in it (none here: every
    # path from a flow to a figure adds it with one sign, or divides by a plan count).
    assert naming - moved == set(), sorted(naming - moved)[:5]
    assert before_tables["scenarios"] is not None


def test_the_simulations_redo_from_their_recipe_alone(shipped_tables) -> None:
    """An auditor with only the recipe explain prints (seed, generator, each distribution in
    order, the agreed pressures added, the model step, the percentile rule) and the budget's
    cells gets the printed 10th, 50th and 90th percentiles: 4,920 / 6,165 / 7,458 for the
    shipped cycle, centred with its agreed top-up uplift, EHCP growth drawn from the range
    the DfE's history gives (peaking at 12.7%, the lines moving from the forecast's 7.3%)."""
    import re

    import numpy as np

    merged, lineage = model_tables(shipped_tables, draws=10_000)
    recipe = dict(lineage["uncertainty.mitigated.p10[2024/25]"].recipe)
    seed = int(recipe["seed"].split(" = ")[0])
    draws = int(recipe["draws"].replace(",", ""))
    rng = np.random.default_rng(seed)
    drawn, modes = {}, {}
    for what, how in lineage["uncertainty.mitigated.p10[2024/25]"].recipe:
        if what.startswith("distribution"):
            name = what.split(": ")[1]
            held = re.match(r"(?:held|fixed) at ([-\d.e]+)", how)
            if held:  # not drawn: the forecast's own value in every simulation
                modes[name] = float(held.group(1))
                drawn[name] = np.full(draws, modes[name])
                continue
            low, mode, high = (float(x) for x in re.findall(r"=([-\d.e]+)", how)[:3])
            drawn[name] = rng.triangular(low, mode, high, draws)
            # The lines move from the forecast's own value (the draws' peak unless it says).
            central = re.search(r"central=([-\d.e]+)", how)
            modes[name] = float(central.group(1)) if central else mode
    years = ["2020/21", "2021/22", "2022/23", "2023/24", "2024/25"]
    line = {
        name: np.array([float(lineage[f"budget.{name}[{y}]"].value) for y in years])
        for name in ("transfer", "allocation", "placement_costs", "recovery_plan_impact")
    }
    steps = np.maximum(np.arange(len(years)) - years.index("2021/22"), 0)[None, :]

    def moved(name: str) -> np.ndarray:
        return ((1 + drawn[name][:, None]) / (1 + modes[name])) ** steps

    placement = line["placement_costs"] * moved("ehcp_growth") * moved("cost_per_plan_growth")
    allocation = line["allocation"] * moved("allocation_growth")
    transfer = line["transfer"] * np.where(steps > 0, drawn["schools_block_transfer"][:, None], 1)
    recovery = line["recovery_plan_impact"] * drawn["recovery_plan_delivery"][:, None]
    # The agreed pressures (the top-up uplift) the run adds to every simulation, by year.
    added = dict(re.findall(r"(\d{4}/\d{2}) ([-\d.e]+)", recipe["agreed pressures"]))
    pressures = np.array([float(added[y]) for y in years])
    opening = float(lineage["budget.bfwd[2020/21]"].value)
    cfwd = opening + (transfer + allocation + placement + recovery + pressures).cumsum(axis=1)
    p10, p50, p90 = np.percentile(cfwd[:, -1], [10, 50, 90])
    assert [round(p10), round(p50), round(p90)] == [4920, 6165, 7458]
    printed = merged["uncertainty"].set_index(["scenario", "year"]).loc[("mitigated", "2024/25")]
    assert [p10, p50, p90] == pytest.approx([printed["p10"], printed["p50"], printed["p90"]])
