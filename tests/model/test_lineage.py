"""The lineage of the model's figures: each derivation redoes its rule from its terms and ends
at input cells, for the shipped cycle and for any budget table."""

from __future__ import annotations

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from highneeds.model import deficit, deficit_lineage
from highneeds.model.lineage import Cell, Derivation, Lineage, Term, agrees, recompute

FILE = "high_needs_budget.csv"
LINES = [
    ("bfwd", "High Needs DSG B/Fwd Deficit / (Surplus)"),
    ("transfer", "Transfer From Schools Block"),
    ("allocation", "High Needs Allocation*"),
    ("placement_costs", "Placement costs"),
    ("cfwd", "High Needs DSG C/Fwd Deficit / (Surplus)"),
    ("recovery_plan_impact", "Recovery Plan Impact"),
]


def _model_lineage(budget: pd.DataFrame, basis: str = "in_year") -> tuple[Lineage, pd.DataFrame]:
    """Roll forward and scenarios as notebook 02 computes them, with their lineage."""
    typed, budget = budget, deficit.with_derived_lines(budget)
    roll = deficit.roll_forward(budget)
    years = list(roll["year"])
    recovery = deficit.recovery_plan_in_year(budget, basis)
    uplift = deficit.topup_uplift_in_year(years, 170.0, years[min(1, len(years) - 1)])
    scenarios = deficit.build_scenarios(roll, recovery, uplift)
    lineage = Lineage()
    start = years[min(1, len(years) - 1)]
    for row, name, value in (
        (16, "cpi_topup_uplift_per_year", 170.0),
        (17, "cpi_topup_uplift_from", start),
    ):
        read = lineage.cell(Cell("figures.csv", row, "value", str(value)), value, name)
        lineage.add(Derivation(f"fig.{name}", name, value, "same", "", (Term(name, read),)))
    deficit_lineage.budget_lineage(lineage, typed, budget, roll, FILE)
    deficit_lineage.scenario_lineage(lineage, scenarios, basis, start, [])
    return lineage, scenarios


def _every_derivation_agrees_and_ends_at_cells(lineage: Lineage) -> None:
    for key in lineage:
        derivation = lineage[key]
        assert agrees(derivation, lineage), (key, derivation.value, recompute(derivation, lineage))
        if derivation.rule not in ("input", "constant"):
            leaves = lineage.inputs_of(key)
            assert leaves and all(leaf.cell is not None for leaf in leaves), key


def test_the_shipped_budget_traces_3853_to_its_four_cells(shipped_tables) -> None:
    lineage, _ = _model_lineage(shipped_tables["budget"])
    cfwd = lineage["unmitigated.cfwd[2024/25]"]
    assert cfwd.value == 3853 and cfwd.rule == "sum"
    cells = [str(leaf.cell) for leaf in lineage.inputs_of(cfwd.key)]
    assert cells == [
        "high_needs_budget.csv, row 2, column '2024/25': 2,648",
        "high_needs_budget.csv, row 3, column '2024/25': (132)",
        "high_needs_budget.csv, row 4, column '2024/25': (5,486)",
        "high_needs_budget.csv, row 5, column '2024/25': 6,823",
    ]
    _every_derivation_agrees_and_ends_at_cells(lineage)


@pytest.mark.parametrize("basis", ["in_year", "cumulative"])
def test_scenarios_redo_from_their_terms_on_either_reading_of_the_impact(
    shipped_tables, basis: str
) -> None:
    lineage, scenarios = _model_lineage(shipped_tables["budget"], basis)
    mitigated = scenarios[scenarios["scenario"] == "mitigated"].set_index("year")["cfwd"]
    assert lineage["mitigated.cfwd[2024/25]"].value == mitigated["2024/25"]
    _every_derivation_agrees_and_ends_at_cells(lineage)


def test_a_blank_impact_is_its_blank_cell_read_as_0(shipped_tables) -> None:
    lineage, _ = _model_lineage(shipped_tables["budget"])
    blank = lineage.inputs_of("recovery_plan_impact.in_year[2020/21]")
    assert [str(leaf.cell) for leaf in blank] == [
        "high_needs_budget.csv, row 7, column '2020/21': (blank)"
    ]


def test_a_derivation_that_disagrees_with_its_terms_is_caught() -> None:
    lineage = Lineage()
    a = lineage.cell(Cell("t.csv", 2, "x", "2"), 2.0, "a")
    b = lineage.cell(Cell("t.csv", 3, "x", "3"), 3.0, "b")
    lineage.add(Derivation("good", "a + b", 5.0, "sum", terms=(Term("a", a), Term("b", b))))
    lineage.add(Derivation("bad", "a - b", 5.0, "sum", terms=(Term("a", a), Term("b", b, -1))))
    lineage.add(Derivation("ratio", "a / b", 2 / 3, "ratio", terms=(Term("a", a), Term("b", b))))
    assert agrees(lineage["good"], lineage) and agrees(lineage["ratio"], lineage)
    assert not agrees(lineage["bad"], lineage)
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
    return frame


money = st.integers(min_value=-9_999, max_value=9_999).map(float)


@settings(max_examples=40, deadline=None)
@given(
    opening=money,
    flows=st.lists(st.tuples(money, money, money), min_size=1, max_size=6),
    blank=st.booleans(),
    basis=st.sampled_from(deficit.RECOVERY_PLAN_BASES),
)
def test_any_budget_gives_lineage_that_redoes_every_figure(
    opening: float, flows: list[tuple[float, float, float]], blank: bool, basis: str
) -> None:
    lineage, scenarios = _model_lineage(_budget(opening, flows, blank), basis)
    _every_derivation_agrees_and_ends_at_cells(lineage)
    years = list(dict.fromkeys(scenarios["year"]))
    if blank and len(years) > 1:  # a B/Fwd left blank is the C/Fwd before it, not a cell
        opening = lineage[f"budget.bfwd[{years[-1]}]"]
        assert [t.key for t in opening.terms] == [f"unmitigated.cfwd[{years[-2]}]"]
    for rec in scenarios.itertuples(index=False):
        assert lineage[f"{rec.scenario}.cfwd[{rec.year}]"].value == rec.cfwd
