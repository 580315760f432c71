"""A budget table as a council keeps it: its own lines with roles, read in the unit, sign
convention and block ``sources.yaml`` declares; amounts that contradict the declaration are
refused, naming the file, row, column and what to declare instead."""

from __future__ import annotations

from pathlib import Path

import pytest

from highneeds.common.errors import InputDataError
from highneeds.domain.amounts import BudgetFormat
from highneeds.gate.tables.budget import declared_format, read_budget
from highneeds.model.forecast.deficit import (
    reconciliation_problems,
    roll_forward,
    with_derived_lines,
)

#: A Schools Forum's whole-DSG table in £m, a surplus positive (a deficit in brackets), with
#: two funding lines and one spending line; the later opening and closing balances left for
#: the roll-forward.
DSG_TABLE = """line,role,2022/23,2023/24,2024/25
Opening DSG balance,opening,(8.6),,
High Needs block funding,funding,114.0,122.0,127.0
Additional DfE funding,funding,1.7,0,0
High Needs spending,spending,(121.8),(128.5),(135.0)
Closing DSG balance,closing,(14.7),,
"""
DSG_SOURCES = 'high_needs_budget: {unit: "£m", deficit: negative, block: dsg}\n'


def _cycle(tmp_path: Path, table: str, sources: str | None = None) -> Path:
    folder = tmp_path / "2022-11"
    folder.mkdir()
    (folder / "high_needs_budget.csv").write_text(table, encoding="utf-8")
    if sources is not None:
        (folder / "sources.yaml").write_text(sources, encoding="utf-8")
    return folder


def _refusal(folder: Path) -> str:
    with pytest.raises(InputDataError) as caught:
        read_budget(folder)
    return "\n".join([str(caught.value), *caught.value.problems])


def test_a_table_with_roles_is_read_in_its_unit_and_sign(tmp_path: Path) -> None:
    budget = read_budget(_cycle(tmp_path, DSG_TABLE, DSG_SOURCES))
    first = budget[budget["year"] == "2022/23"].set_index("line")
    # In £000 with a deficit positive: income negative, the deficit brought forward positive.
    assert first["amount"].to_dict() == {
        "bfwd": 8600.0,
        "high_needs_block_funding": -114000.0,
        "additional_dfe_funding": -1700.0,
        "high_needs_spending": 121800.0,
        "cfwd": 14700.0,
    }
    assert first["role"].to_dict()["additional_dfe_funding"] == "funding"
    assert first["written"].to_dict()["high_needs_spending"] == "-121.8"
    assert budget.attrs["format"] == {
        "unit": "£m",
        "deficit": "negative",
        "block": "dsg",
        "decimals": 1,
    }


def test_the_roll_forward_runs_over_whatever_lines_are_declared(tmp_path: Path) -> None:
    budget = read_budget(_cycle(tmp_path, DSG_TABLE, DSG_SOURCES))
    roll = roll_forward(budget)
    assert reconciliation_problems(roll) == []
    assert [round(v) for v in roll["cfwd"]] == [14700, 21200, 29200]
    completed = with_derived_lines(budget)
    closing = completed[completed["line"] == "cfwd"]["amount"].round().tolist()
    assert closing == [14700, 21200, 29200]


def test_a_closing_balance_that_does_not_follow_names_every_line(tmp_path: Path) -> None:
    table = DSG_TABLE.replace("(14.7)", "(15.7)")
    budget = read_budget(_cycle(tmp_path, table, DSG_SOURCES))
    (problem,) = reconciliation_problems(roll_forward(budget))
    assert problem.line == "cfwd"
    assert (
        "B/Fwd + High Needs block funding + Additional DfE funding + High Needs spending = "
        "8,600 + (114,000) + (1,700) + 121,800 = 14,700" in problem.message
    )


def test_a_table_in_millions_declared_as_thousands_is_refused_naming_the_unit(
    tmp_path: Path,
) -> None:
    message = _refusal(_cycle(tmp_path, DSG_TABLE, "high_needs_budget: {deficit: negative}\n"))
    assert "declared in £000" in message
    assert 'declare that in sources.yaml: high_needs_budget: {unit: "£m"}' in message


def test_a_line_typed_in_another_unit_is_refused_at_its_cell(
    tmp_path: Path, shipped_raw: Path
) -> None:
    table = (shipped_raw / "high_needs_budget.csv").read_text(encoding="utf-8")
    table = table.replace(
        'Placement costs,"4,468","5,164","5,814","6,271","6,823"',
        "Placement costs,4.468,5.164,5.814,6.271,6.823",
    )
    message = _refusal(_cycle(tmp_path, table))
    assert "high_needs_budget.csv, row 5, column F ('2024/25'): found 6.823" in message
    assert "an amount in the table's unit, £000, like its other lines" in message
    assert "far below the typical line's (2,648)" in message


def test_a_table_written_the_other_way_round_is_refused_once(tmp_path: Path) -> None:
    # The same table without its sign convention declared: income positive, costs in brackets.
    message = _refusal(_cycle(tmp_path, DSG_TABLE, 'high_needs_budget: {unit: "£m"}\n'))
    assert "most funding and spending amounts have the sign the other convention" in message
    assert "high_needs_budget: {deficit: negative}" in message


@pytest.mark.parametrize(
    ("edit", "expected"),
    [
        (
            ("Additional DfE funding,funding", "Additional DfE funding,gift"),
            "high_needs_budget.csv, row 4, column B ('role'): found 'gift'; expected one of: "
            "opening, funding, spending, movement, closing, saving",
        ),
        (
            ("Closing DSG balance,closing", "Closing DSG balance,opening"),
            "high_needs_budget.csv, row 6, column B ('role'): found 'opening'; expected one "
            "opening line (row 2 is already the opening line)",
        ),
    ],
)
def test_a_role_the_model_cannot_place_is_refused_at_its_cell(
    tmp_path: Path, edit: tuple[str, str], expected: str
) -> None:
    message = _refusal(_cycle(tmp_path, DSG_TABLE.replace(*edit), DSG_SOURCES))
    assert expected in message


@pytest.mark.parametrize(
    ("sources", "expected"),
    [
        ('high_needs_budget: {unit: "£bn"}\n', "high_needs_budget's unit is '£bn'"),
        ("high_needs_budget: {deficit: red}\n", "high_needs_budget's deficit is 'red'"),
        ("high_needs_budget: {block: schools}\n", "high_needs_budget's block is 'schools'"),
    ],
)
def test_a_declaration_outside_its_choices_is_refused(
    tmp_path: Path, sources: str, expected: str
) -> None:
    folder = _cycle(tmp_path, DSG_TABLE, sources)
    with pytest.raises(InputDataError, match="sources.yaml") as caught:
        declared_format(folder)
    assert expected in str(caught.value)


def test_the_shipped_table_reads_as_before(shipped_raw: Path) -> None:
    budget = read_budget(shipped_raw)
    assert budget.attrs["format"] == BudgetFormat().to_dict()
    assert list(dict.fromkeys(budget["role"])) == [
        "opening",
        "funding",
        "spending",
        "closing",
        "saving",
    ]
    assert list(dict.fromkeys(budget["line"])) == [
        "bfwd",
        "transfer",
        "allocation",
        "placement_costs",
        "cfwd",
        "recovery_plan_impact",
    ]


@pytest.mark.parametrize(
    ("form", "amount", "cell"),
    [
        (BudgetFormat(), -4224.0, "(4,224)"),
        (BudgetFormat("£m", "negative", "dsg", 1), 14700.0, "(14.7)"),
        (BudgetFormat("£m", "negative", "dsg", 1), -1700.0, "1.7"),
        (BudgetFormat("£", "positive", "high needs", 0), 8.3, "8,300"),
        (BudgetFormat("£m", "positive", "high needs", 2), 6600.0, "6.60"),
    ],
)
def test_a_figure_prints_in_the_councils_unit_and_sign(
    form: BudgetFormat, amount: float, cell: str
) -> None:
    assert form.table_cell(amount) == cell
    assert form.to_000(form.as_written(amount)) == pytest.approx(amount)


@pytest.mark.parametrize(
    ("table", "expected"),
    [
        (
            "line,role,2021/22\nOpening,opening,(8.6)\nSpending,spending,(1.0)\n",
            "found 1 financial year(s) (2021/22); expected a run of 2 to 10",
        ),
        (
            "line,role,2014/15,2015/16\nOpening,opening,(8.6),\nSpending,spending,(1.0),(2.0)\n",
            "found '2014/15'; expected a financial year from 2015/16 on",
        ),
        (
            "line,role,2021/22,2022/23,2023/24\nOpening,opening,(8.6),,\n"
            "Spending,spending,(1.0),,(3.0)\n",
            "the year 2022/23 is blank in every line; give its figures",
        ),
        (
            "line,role,2021/22,2024/25\nOpening,opening,(8.6),\nSpending,spending,(1.0),(3.0)\n",
            "found '2024/25' after '2021/22'; expected '2022/23'",
        ),
    ],
)
def test_years_as_councils_give_them_or_refused_plainly(
    tmp_path: Path, table: str, expected: str
) -> None:
    from highneeds.gate.checks.cross_checks import consecutive_years_check

    budget = read_budget(_cycle(tmp_path, table, DSG_SOURCES))
    check = consecutive_years_check(budget)
    assert not check.success
    assert any(expected in problem for problem in check.failures), check.failures


def test_a_units_row_says_the_unit_and_notes_below_are_no_lines(tmp_path: Path) -> None:
    """The table as a paper prints it: £m under each year, roles in the council's own words,
    and a note below; no unit in sources.yaml."""
    table = (
        DSG_TABLE.replace(
            "line,role,2022/23,2023/24,2024/25\n", "line,role,2022/23,2023/24,2024/25\n,,£m,£m,£m\n"
        )
        .replace(",funding,", ",Income,")
        .replace("Closing DSG balance,closing,", "Closing DSG balance,Carried forward,")
        + "Source: the October forecast,,,,\n"
    )
    budget = read_budget(
        _cycle(tmp_path, table, "high_needs_budget: {deficit: negative, block: dsg}\n")
    )
    assert budget.attrs["format"]["unit"] == "£m"
    first = budget[budget["year"] == "2022/23"].set_index("line")
    assert first["amount"]["high_needs_block_funding"] == -114000.0
    assert first["role"]["cfwd"] == "closing"
    assert "source_the_october_forecast" not in set(budget["line"])


def test_a_units_row_against_the_declared_unit_is_refused(tmp_path: Path) -> None:
    table = DSG_TABLE.replace(
        "line,role,2022/23,2023/24,2024/25\n",
        "line,role,2022/23,2023/24,2024/25\n,,£000,£000,£000\n",
    )
    message = _refusal(_cycle(tmp_path, table, DSG_SOURCES))
    assert "the units row says £000 but sources.yaml declares unit '£m'" in message


@pytest.mark.parametrize("label", ["", "(£m)", "£m", "Units", "Amounts in:", "figures in"])
def test_a_units_row_is_read_whatever_its_first_cell_says_of_it(tmp_path: Path, label: str) -> None:
    units = f'"{label}",,£m,£m,£m\n' if label else ",,£m,£m,£m\n"
    table = DSG_TABLE.replace(
        "line,role,2022/23,2023/24,2024/25\n", "line,role,2022/23,2023/24,2024/25\n" + units
    )
    budget = read_budget(
        _cycle(tmp_path, table, "high_needs_budget: {deficit: negative, block: dsg}\n")
    )
    assert budget.attrs["format"]["unit"] == "£m"
    assert not any("unit" in line or "amount" in line for line in set(budget["line"]))


def test_a_repeated_year_is_named_at_its_second_heading(tmp_path: Path) -> None:
    table = DSG_TABLE.replace(
        "line,role,2022/23,2023/24,2024/25\n", "line,role,2022/23,2023/24,2023/24\n"
    )
    message = _refusal(_cycle(tmp_path, table, DSG_SOURCES))
    assert "high_needs_budget.csv, row 1, column E ('2023/24'): found '2023/24'" in message
