"""The council's own scenarios, as data: each change added to its line from its year (or once),
on the savings or not, building on another; refused, naming the cell, where it does not fit
the budget."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from highneeds.common.errors import InputDataError
from highneeds.gate.tables.scenarios import read_scenarios
from highneeds.model.basis.inputs import budget_figures
from highneeds.model.forecast import deficit
from highneeds.model.forecast.scenarios import agreed, build_deficits, declared_scenarios

HEADER = "scenario,label,line,role,year,change,repeat,on,status,source,builds_on\n"
#: Three columns as a Schools Forum paper has them: additional funding; plus recovery
#: savings (a new line); plus a block transfer awaiting the Secretary of State, once.
THREE = (
    HEADER
    + "funding,With additional funding,High Needs Allocation*,,2022/23,(100),,without_savings,"
    "agreed,para 3.1,\n"
    + "savings,Plus recovery savings,Recovery savings,spending,2023/24,(50),,without_savings,"
    "proposed,para 3.2,funding\n"
    + "transfer,Plus a 0.5% block transfer,Transfer From Schools Block,,2024/25,(30),once,"
    "without_savings,awaiting decision,para 3.3,savings\n"
)


def _declared(tmp_path: Path, shipped_raw: Path, text: str) -> pd.DataFrame:
    folder = tmp_path / "2022-01"
    folder.mkdir()
    (folder / "high_needs_budget.csv").write_bytes(
        (shipped_raw / "high_needs_budget.csv").read_bytes()
    )
    (folder / "scenarios.csv").write_text(text, encoding="utf-8")
    return read_scenarios(folder)


def _cfwd(shipped_tables: dict, table: pd.DataFrame) -> dict[str, list[float]]:
    cells = budget_figures(shipped_tables["budget"])
    roll = deficit.carry_forward(cells)
    recovery = deficit.recovery_saving(cells)
    built, _ = build_deficits(roll, cells, recovery, declared_scenarios(table, cells), None)
    return {d.scenario: [round(float(d.cfwd[y])) for y in d.years] for d in built}


def test_scenarios_build_on_each_other_each_year_or_once(
    tmp_path: Path, shipped_raw: Path, shipped_tables: dict
) -> None:
    cfwd = _cfwd(shipped_tables, _declared(tmp_path, shipped_raw, THREE))
    unmitigated = [575, 1028, 1734, 2648, 3853]
    assert cfwd["unmitigated"] == unmitigated
    # 100 less a year from 2022/23, without the savings.
    assert cfwd["funding"] == [575, 1028, 1634, 2448, 3553]
    # and 50 less a year from 2023/24.
    assert cfwd["savings"] == [575, 1028, 1634, 2398, 3453]
    # and 30 less in 2024/25 only.
    assert cfwd["transfer"] == [575, 1028, 1634, 2398, 3423]


def test_a_scenario_on_the_savings_adds_to_the_mitigated_forecast(
    tmp_path: Path, shipped_raw: Path, shipped_tables: dict
) -> None:
    text = HEADER + "uplift,Uplift,CPI uplift,spending,2022/23,170,,,agreed,para 7.12,\n"
    cfwd = _cfwd(shipped_tables, _declared(tmp_path, shipped_raw, text))
    assert cfwd["mitigated"] == [575, 1028, 1701, 2522, 3592]
    assert cfwd["uplift"] == [575, 1028, 1871, 2862, 4102]


def test_only_agreed_scenarios_on_the_savings_are_pressures(
    tmp_path: Path, shipped_raw: Path, shipped_tables: dict
) -> None:
    table = _declared(tmp_path, shipped_raw, THREE)
    declared = declared_scenarios(table, budget_figures(shipped_tables["budget"]))
    assert [s.status for s in declared.values()] == ["agreed", "proposed", "awaiting decision"]
    assert agreed(declared) == []  # the agreed one is without the savings


@pytest.mark.parametrize(
    ("edit", "expected"),
    [
        (
            ("High Needs Allocation*,,2022/23", "Catering,,2022/23"),
            "scenarios.csv, row 2, column 'line': found 'Catering'; expected one of the budget "
            "table's lines",
        ),
        (
            ("savings,Plus recovery savings", "savings,Plus savings"),
            "row 5: scenario 'savings' is labelled 'Plus savings again'",
        ),
        (("para 3.3,savings", "para 3.3,nothing"), "builds on 'nothing', which the file does"),
        (("para 3.1,", "para 3.1,transfer"), "scenarios build on each other in a circle"),
    ],
)
def test_a_scenario_that_does_not_fit_the_budget_is_refused(
    tmp_path: Path, shipped_raw: Path, shipped_tables: dict, edit: tuple[str, str], expected: str
) -> None:
    text = THREE.replace(*edit, 1)
    if "Plus savings" in text:  # a second row of the same scenario, labelled otherwise
        text += "savings,Plus savings again,Recovery savings,spending,2024/25,(5),,,proposed,,\n"
    table = _declared(tmp_path, shipped_raw, text)
    with pytest.raises(InputDataError) as caught:
        declared_scenarios(table, budget_figures(shipped_tables["budget"]))
    assert any(expected in problem for problem in caught.value.problems), caught.value.problems


@pytest.mark.parametrize(
    ("edit", "expected"),
    [
        (("funding,With", "mitigated,With"), "row 2, column A ('scenario'): found 'mitigated'"),
        (("agreed,para 3.1", "maybe,para 3.1"), "found 'maybe'; expected one of: agreed"),
        (("(100)", "lots"), "row 2, column F ('change'): found 'lots'"),
        (("once,", "twice,"), "found 'twice'; expected blank or one of: each year, once"),
    ],
)
def test_a_cell_the_gate_cannot_read_is_named(
    tmp_path: Path, shipped_raw: Path, edit: tuple[str, str], expected: str
) -> None:
    with pytest.raises(InputDataError) as caught:
        _declared(tmp_path, shipped_raw, THREE.replace(*edit, 1))
    assert any(expected in problem for problem in caught.value.problems), caught.value.problems


def test_a_change_is_read_in_the_budgets_unit_and_sign(tmp_path: Path) -> None:
    from tests.gate.tables.test_budget import DSG_SOURCES, DSG_TABLE

    folder = tmp_path / "2022-11"
    folder.mkdir()
    (folder / "sources.yaml").write_text(DSG_SOURCES, encoding="utf-8")
    (folder / "high_needs_budget.csv").write_text(DSG_TABLE, encoding="utf-8")
    (folder / "scenarios.csv").write_text(
        HEADER + "a,A,High Needs spending,,2023/24,(0.17),,,agreed,,\n", encoding="utf-8"
    )
    table = read_scenarios(folder)
    assert table["change"].tolist() == [170.0]  # £000, a deficit positive: a cost
    assert table["written"].tolist() == ["(0.17)"]
