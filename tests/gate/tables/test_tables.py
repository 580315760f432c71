from __future__ import annotations

from pathlib import Path

import pytest

from highneeds.common.errors import InputDataError
from highneeds.gate.read.cells import parse_money
from highneeds.gate.tables.budget import classify_budget_line, read_budget
from highneeds.gate.tables.figures import figure_values
from highneeds.gate.tables.tables import read_ehcp_demand


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("457", 457.0),
        ("1,028", 1028.0),
        ("(4,224)", -4224.0),
        ("£1,734", 1734.0),
        ("(£33)", -33.0),
        ("-132", -132.0),
        (" 2,648 ", 2648.0),
        ("14.8", 14.8),
        ("", None),
        ("-", None),
    ],
)
def test_parse_money_reads_finance_formats(text: str, expected: float | None) -> None:
    assert parse_money(text) == expected


@pytest.mark.parametrize("text", ["abc", "1,0,2x", "((12))", "12k"])
def test_parse_money_refuses_text(text: str) -> None:
    with pytest.raises(ValueError):
        parse_money(text)


@pytest.mark.parametrize(
    ("label", "key"),
    [
        ("High Needs DSG B/Fwd Deficit / (Surplus)", "bfwd"),
        ("Transfer From Schools Block", "transfer"),
        ("High Needs Allocation*", "allocation"),
        ("Placement costs", "placement_costs"),
        ("High Needs DSG C/Fwd Deficit / (Surplus)", "cfwd"),
        ("Recovery Plan Impact", "recovery_plan_impact"),
        ("Catering", None),
    ],
)
def test_budget_lines_are_recognised_by_label(label: str, key: str | None) -> None:
    assert classify_budget_line(label) == key


def test_budget_is_read_long_with_file_rows(shipped_raw: Path) -> None:
    budget = read_budget(shipped_raw)
    assert len(budget) == 6 * 5
    allocation = budget[(budget["line"] == "allocation") & (budget["year"] == "2020/21")]
    assert allocation["amount"].item() == -4224.0
    assert allocation["row"].item() == 4
    assert allocation["label"].item() == "High Needs Allocation*"
    impact = budget[budget["line"] == "recovery_plan_impact"]
    assert impact["amount"].isna().sum() == 2


def test_text_in_a_money_cell_names_file_row_and_column(raw_copy: Path) -> None:
    path = raw_copy / "high_needs_budget.csv"
    path.write_text(path.read_text().replace('"5,814"', "tbc"))
    with pytest.raises(InputDataError) as caught:
        read_budget(raw_copy)
    message = str(caught.value)
    assert "high_needs_budget.csv, row 5, column D ('2022/23')" in message
    assert "'tbc'" in message


def test_unknown_budget_line_is_refused(raw_copy: Path) -> None:
    path = raw_copy / "high_needs_budget.csv"
    path.write_text(path.read_text().replace("Placement costs", "Catering"))
    with pytest.raises(InputDataError, match=r"row 5, column A \('line'\)"):
        read_budget(raw_copy)


def test_repeated_budget_line_is_refused(raw_copy: Path) -> None:
    path = raw_copy / "high_needs_budget.csv"
    lines = path.read_text().splitlines()
    path.write_text("\n".join([*lines, lines[2]]) + "\n")
    with pytest.raises(InputDataError, match="already on row 3"):
        read_budget(raw_copy)


def test_missing_file_is_named(tmp_path: Path) -> None:
    with pytest.raises(InputDataError, match="high_needs_budget.csv: the file is missing"):
        read_budget(tmp_path)


def test_missing_column_is_named(raw_copy: Path) -> None:
    path = raw_copy / "ehcp_demand.csv"
    path.write_text(path.read_text().replace("count", "number"))
    with pytest.raises(InputDataError, match="missing column\\(s\\) 'count'"):
        read_ehcp_demand(raw_copy)


def test_blank_spacer_rows_keep_true_row_numbers(raw_copy: Path) -> None:
    path = raw_copy / "ehcp_demand.csv"
    lines = path.read_text().splitlines()
    path.write_text("\n".join([lines[0], "", ",,,", lines[1], lines[2], lines[3]]) + "\n")
    demand = read_ehcp_demand(raw_copy)
    assert list(demand["row"]) == [4, 5, 6]


def test_figures_are_typed_by_unit(shipped_tables) -> None:
    values = figure_values(shipped_tables["figures"])
    assert values["dsg_deficit_projected_march_2022"] == 822.0
    assert values["nurture_children_supported"] == 16
    assert isinstance(values["nurture_children_supported"], int)
