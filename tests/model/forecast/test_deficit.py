from __future__ import annotations

import pandas as pd
import pytest

from highneeds.common.errors import InputDataError, ReconciliationError
from highneeds.domain.amounts import as_written
from highneeds.model.basis.inputs import budget_figures
from highneeds.model.forecast import deficit, demand
from highneeds.model.forecast.scenarios import build_deficits, declared_scenarios
from tests import reference as ref


@pytest.fixture
def roll(shipped_tables) -> pd.DataFrame:
    return deficit.roll_forward(shipped_tables["budget"])


def test_roll_forward_reproduces_all_25_figures_of_para_7_3(roll: pd.DataFrame) -> None:
    assert list(roll["year"]) == ref.YEARS
    assert list(roll["bfwd"]) == ref.B_FWD
    assert list(roll["transfer"]) == ref.TRANSFER
    assert list(roll["allocation"]) == ref.ALLOCATION
    assert list(roll["placement_costs"]) == ref.PLACEMENT_COSTS
    assert list(roll["cfwd"]) == ref.C_FWD


def test_roll_forward_computes_cfwd_from_first_bfwd_and_flows(shipped_tables) -> None:
    """The C/Fwd line is computed, not copied: dropping it from the table changes nothing."""
    budget = shipped_tables["budget"]
    roll = deficit.roll_forward(budget[budget["line"] != "cfwd"])
    assert list(roll["cfwd"]) == ref.C_FWD


def test_shipped_table_reconciles(roll: pd.DataFrame) -> None:
    deficit.check_reconciliation(roll)


def test_cfwd_mismatch_names_year_and_both_figures(shipped_tables) -> None:
    budget = shipped_tables["budget"].copy()
    mask = (budget["line"] == "cfwd") & (budget["year"] == "2022/23")
    budget.loc[mask, "amount"] = 1744.0
    with pytest.raises(ReconciliationError) as caught:
        deficit.check_reconciliation(deficit.roll_forward(budget))
    problems = caught.value.problems
    assert any("2022/23: C/Fwd is given as 1,744" in p and "= 1,734" in p for p in problems)
    assert any(
        "2023/24: B/Fwd is given as 1,734 but the C/Fwd of 2022/23 is 1,744" in p for p in problems
    )


def test_bfwd_mismatch_names_year_and_both_figures(shipped_tables) -> None:
    budget = shipped_tables["budget"].copy()
    mask = (budget["line"] == "bfwd") & (budget["year"] == "2021/22")
    budget.loc[mask, "amount"] = 570.0
    with pytest.raises(
        ReconciliationError, match="2021/22: B/Fwd is given as 570 but the C/Fwd of 2020/21 is 575"
    ):
        deficit.check_reconciliation(deficit.roll_forward(budget))


def test_recovery_plan_row_is_read_in_year(shipped_tables) -> None:
    impact = deficit.recovery_plan_in_year(shipped_tables["budget"])
    assert list(impact) == ref.RECOVERY_PLAN


def test_recovery_plan_cumulative_basis_takes_differences(shipped_tables) -> None:
    impact = deficit.recovery_plan_in_year(shipped_tables["budget"], basis="cumulative")
    assert list(impact) == [0, 0, -33, -60, -42]


def test_unknown_recovery_plan_basis_is_refused(shipped_tables) -> None:
    with pytest.raises(ValueError, match="recovery plan basis"):
        deficit.recovery_plan_in_year(shipped_tables["budget"], basis="annual")


def _scenarios(shipped_tables: dict, uplift_from: str = "2022/23") -> pd.DataFrame:
    """The unmitigated and mitigated scenarios and the shipped cycle's declared top-up
    uplift (from ``uplift_from``), by the model's own functions."""
    cells = budget_figures(shipped_tables["budget"])
    roll = deficit.carry_forward(cells)
    recovery = deficit.recovery_saving(cells)
    table = shipped_tables["declared_scenarios"].copy()
    table.loc[:, "year"] = uplift_from
    declared = declared_scenarios(table, cells)
    built, _ = build_deficits(roll, cells, recovery, declared, None)
    return deficit.scenarios_frame(built)


def test_scenarios_carry_savings_into_later_years(shipped_tables) -> None:
    scenarios = _scenarios(shipped_tables)
    cfwd = scenarios.pivot(index="scenario", columns="year", values="cfwd")
    assert list(cfwd.loc["unmitigated"]) == ref.C_FWD
    # Savings of 33, 93 and 135 accumulate: 1,734-33; 2,648-33-93; 3,853-33-93-135.
    assert list(cfwd.loc["mitigated"]) == [575, 1028, 1701, 2522, 3592]
    # The CPI uplift adds 170 a year from 2022/23, also cumulatively.
    assert list(cfwd.loc["mitigated_with_topup_uplift"]) == [575, 1028, 1871, 2862, 4102]
    in_year = scenarios.pivot(index="scenario", columns="year", values="in_year")
    assert list(in_year.loc["unmitigated"]) == [118, 453, 706, 914, 1205]
    assert list(in_year.loc["mitigated"]) == [118, 453, 673, 821, 1070]


def test_each_scenario_bfwd_is_previous_cfwd(shipped_tables) -> None:
    scenarios = _scenarios(shipped_tables)
    for _, rows in scenarios.groupby("scenario"):
        assert list(rows["bfwd"])[1:] == list(rows["cfwd"])[:-1]
        assert list(rows["cfwd"] - rows["bfwd"]) == list(rows["in_year"])


def test_a_declared_change_starts_in_its_year(shipped_tables) -> None:
    scenarios = _scenarios(shipped_tables, uplift_from="2023/24")
    uplifted = scenarios[scenarios["scenario"] == "mitigated_with_topup_uplift"]
    mitigated = scenarios[scenarios["scenario"] == "mitigated"]
    added = uplifted["in_year"].to_numpy() - mitigated["in_year"].to_numpy()
    assert list(added) == [0, 0, 0, 170, 170]


def test_a_declared_year_outside_the_table_is_refused(shipped_tables) -> None:
    table = shipped_tables["declared_scenarios"].copy()
    table.loc[:, "year"] = "2030/31"
    with pytest.raises(InputDataError) as caught:
        declared_scenarios(table, budget_figures(shipped_tables["budget"]))
    assert (
        "scenarios.csv, row 2, column 'year': found '2030/31'; expected one of the budget"
        in (caught.value.problems[0])
    )


def test_ehcp_growth_matches_para_7_5(shipped_tables) -> None:
    growth = demand.ehcp_growth(shipped_tables["ehcp_demand"])
    assert (growth.plans_at_start, growth.new_plans_to_date, growth.requests_for_assessment) == (
        260,
        14,
        18,
    )
    assert round(growth.growth_to_date * 100, 1) == 5.4
    assert round(growth.growth_if_all_convert * 100) == 12


@pytest.mark.parametrize(
    ("cycle", "year"),
    [
        ("2022-01", "2021/22"),
        ("2022-03", "2021/22"),
        ("2022-04", "2022/23"),
        ("1999-12", "1999/00"),
    ],
)
def test_financial_year_of_cycle(cycle: str, year: str) -> None:
    assert deficit.financial_year_of(cycle) == year


def _budget_with_impact(impact: list[float | None]) -> pd.DataFrame:
    years = ["2022/23", "2023/24", "2024/25"]
    return pd.DataFrame(
        {
            "line": ["recovery_plan_impact"] * 3,
            "label": ["Recovery Plan Impact"] * 3,
            "year": years,
            "amount": impact,
        }
    )


def test_a_blank_year_of_a_cumulative_impact_adds_nothing() -> None:
    budget = _budget_with_impact([-33.0, -93.0, None])
    in_year = deficit.recovery_plan_in_year(budget, basis="cumulative")
    assert list(in_year) == [-33.0, -60.0, 0.0]  # not +93: the saving is not given back
    budget = _budget_with_impact([None, -33.0, None])
    assert list(deficit.recovery_plan_in_year(budget, basis="cumulative")) == [0.0, -33.0, 0.0]


@pytest.mark.parametrize(
    ("value", "written"),
    [(575, "575"), (575.4, "575.4"), (-126, "(126)"), (1028.25, "1,028.25"), (-0.0, "0")],
)
def test_amounts_in_messages_are_written_as_given(value: float, written: str) -> None:
    assert as_written(value) == written


def test_a_reconciliation_message_keeps_the_difference_and_brackets_income(
    shipped_tables,
) -> None:
    budget = shipped_tables["budget"].copy()
    at = (budget["line"] == "cfwd") & (budget["year"] == "2020/21")
    budget.loc[at, "amount"] = 575.4
    (problem, *_) = deficit.reconciliation_problems(deficit.roll_forward(budget))
    assert problem.message == (
        "C/Fwd is given as 575.4 but B/Fwd + transfer + allocation + placement costs = "
        "457 + (126) + (4,224) + 4,468 = 575"
    )


def _derived_lines_left_out(
    budget: pd.DataFrame, blank_bfwd: bool, drop_cfwd: bool
) -> pd.DataFrame:
    """The budget as finance's workbook may give it: later B/Fwd blank, C/Fwd line left out."""
    frame = budget.copy()
    if blank_bfwd:
        later = (frame["line"] == "bfwd") & (frame["year"] != frame["year"].iloc[0])
        frame.loc[later, "amount"] = float("nan")
    if drop_cfwd:
        frame = frame[frame["line"] != "cfwd"].reset_index(drop=True)
    return frame


@pytest.mark.parametrize(("blank_bfwd", "drop_cfwd"), [(True, True), (True, False), (False, True)])
def test_derived_lines_left_blank_or_out_are_the_roll_forwards(
    shipped_tables, blank_bfwd: bool, drop_cfwd: bool
) -> None:
    budget = shipped_tables["budget"]
    completed = deficit.with_derived_lines(_derived_lines_left_out(budget, blank_bfwd, drop_cfwd))
    wide = deficit.budget_to_wide(completed)
    pd.testing.assert_frame_equal(wide, deficit.budget_to_wide(budget))
    labels = completed.drop_duplicates("line").set_index("line")["label"]
    given = budget.drop_duplicates("line").set_index("line")["label"]
    # A line left out is labelled in general words (the table's own label is not there).
    expected = given.copy()
    if drop_cfwd:
        expected["cfwd"] = "High Needs balance carried forward: deficit / (surplus)"
    assert list(labels) == list(expected)


def test_a_complete_table_is_returned_as_it_is(shipped_tables) -> None:
    budget = shipped_tables["budget"]
    assert deficit.with_derived_lines(budget) is budget


def test_a_given_cfwd_is_still_checked_when_the_bfwd_before_it_is_blank(shipped_tables) -> None:
    budget = _derived_lines_left_out(shipped_tables["budget"], blank_bfwd=True, drop_cfwd=False)
    wrong = (budget["line"] == "cfwd") & (budget["year"] == "2023/24")
    budget.loc[wrong, "amount"] = 2000.0
    problems = deficit.reconciliation_problems(deficit.roll_forward(budget))
    assert [(p.year, p.line) for p in problems] == [("2023/24", "cfwd")]
    assert (
        "C/Fwd is given as 2,000 but B/Fwd + transfer + allocation + placement costs = 1,734"
        in (problems[0].message)
    )


def test_one_changed_cost_names_every_knock_on_cell_and_the_blank_way_out(raw_copy) -> None:
    """A changed placement cost moves every later B/Fwd and C/Fwd: one message lists them all
    (one round of fixing, not one per cell) and says they may be left blank instead."""
    from highneeds.gate.tables.tables import read_cycle_tables
    from highneeds.model.wiring.identities import input_identities

    budget = raw_copy / "high_needs_budget.csv"
    budget.write_text(budget.read_text().replace('"5,814"', '"5,914"'), encoding="utf-8")
    (check,) = [
        c
        for c in input_identities(read_cycle_tables(raw_copy), "2022-01")
        if c.check == "roll_forward_reconciles"
    ]
    assert check.problems[-1] == (
        "high_needs_budget.csv: rolled forward from the opening B/Fwd and each year's amounts, "
        "the table gives C/Fwd 2022/23 (cell D6) 1,834; B/Fwd 2023/24 (cell E2) 1,834; C/Fwd "
        "2023/24 (cell E6) 2,748; B/Fwd 2024/25 (cell F2) 2,748; C/Fwd 2024/25 (cell F6) 3,953. "
        "Type "
        "those, or leave the B/Fwd (after the first year) and C/Fwd lines blank: the pipeline "
        "then rolls them forward itself and marks them as calculated"
    )
