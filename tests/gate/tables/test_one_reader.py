"""One reader for every cell: what the gate accepts, the model reads to the same value.

A £000 figure written "1,357" used to pass every check of `validate` and then stop `run` in
notebook 02, because the gate's pattern and the model's reader parsed money differently.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from highneeds.common.errors import InputDataError
from highneeds.gate.checks.validation import validate_cycle
from highneeds.gate.read.cells import parse_cell, parse_money
from highneeds.gate.tables.figures import (
    FIGURE_UNITS,
    MONEY_UNITS,
    figure_value_problems,
    figure_values,
)
from highneeds.model.wiring.identities import input_identities

#: Text an author might type into a value cell, valid or not.
CELL_TEXT = st.text(alphabet="0123456789,.-()£ %/e", max_size=12)


def figures(value: str, unit: str) -> pd.DataFrame:
    frame = pd.DataFrame(
        [{"row": 2, "name": "x", "value": value, "unit": unit, "description": "", "source": ""}]
    )
    frame.attrs["source"] = "figures.csv"
    return frame


@settings(max_examples=400, deadline=None)
@given(value=CELL_TEXT, unit=st.sampled_from(sorted(FIGURE_UNITS)))
def test_what_the_gate_accepts_the_model_reads_to_the_same_value(value: str, unit: str) -> None:
    table = figures(value, unit)
    accepted = not figure_value_problems(table)
    try:
        read = figure_values(table)
    except InputDataError:
        assert not accepted, f"the gate accepted {value!r} ({unit}) but the model cannot read it"
        return
    assert accepted, f"the gate refused {value!r} ({unit}) that the model reads"
    expected = parse_cell(value, FIGURE_UNITS[unit])
    if unit in MONEY_UNITS:  # read into £000, whatever the unit it is stated in
        expected = float(Decimal(repr(expected)) * MONEY_UNITS[unit])
    assert read == {"x": expected}


@settings(max_examples=300, deadline=None)
@given(
    amount=st.integers(min_value=-(10**9), max_value=10**9),
    pounds=st.booleans(),
    separators=st.booleans(),
    brackets=st.booleans(),
)
def test_money_reads_as_finance_teams_write_it(
    amount: int, pounds: bool, separators: bool, brackets: bool
) -> None:
    digits = f"{abs(amount):,}" if separators else str(abs(amount))
    text = ("£" if pounds else "") + digits
    if amount < 0:
        text = f"({text})" if brackets else f"-{text}"
    assert parse_money(text) == amount


@pytest.mark.parametrize(
    ("value", "unit", "read"),
    [
        ("1,357", "gbp_000", 1357.0),
        ("(4,224)", "gbp_000", -4224.0),
        ("£822", "gbp_000", 822.0),
        ("1,204", "count", 1204),
        ("5.4", "percent", 5.4),
        ("2022/23", "financial_year", "2022/23"),
    ],
)
def test_figure_values_in_the_ways_finance_writes_them(value: str, unit: str, read) -> None:
    assert figure_values(figures(value, unit)) == {"x": read}


@pytest.mark.parametrize(
    ("value", "unit", "expected"),
    [
        ("", "gbp_000", "an amount in £000"),
        ("12%", "percent", "a number"),
        ("3.5", "count", "a whole number"),
        ("2020/22", "financial_year", "a financial year written like 2022/23"),
    ],
)
def test_unreadable_figures_are_named(value: str, unit: str, expected: str) -> None:
    (problem,) = figure_value_problems(figures(value, unit))
    assert problem.startswith("figures.csv, row 2, column 'value'") and expected in problem


def test_validate_and_the_model_agree_on_a_figure_with_a_thousands_separator(
    raw_copy: Path, project_root: Path
) -> None:
    path = raw_copy / "figures.csv"
    text = path.read_text(encoding="utf-8")
    assert "dsg_deficit_projected_march_2022,822," in text
    path.write_text(
        text.replace(
            "dsg_deficit_projected_march_2022,822,", 'dsg_deficit_projected_march_2022,"1,357",'
        )
    )
    report, tables = validate_cycle("2022-01", raw_copy, None, input_identities)
    assert report.success, report.failures
    assert figure_values(tables["figures"])["dsg_deficit_projected_march_2022"] == 1357.0


def test_the_first_financial_year_label_is_checked(raw_copy: Path, project_root: Path) -> None:
    path = raw_copy / "high_needs_budget.csv"
    text = path.read_text(encoding="utf-8")
    assert ",2020/21," in text
    path.write_text(text.replace(",2020/21,", ",2020/22,", 1), encoding="utf-8")
    report, _ = validate_cycle("2022-01", raw_copy, None, input_identities)
    assert (
        "high_needs_budget.csv, header row, column B ('2020/22'): found '2020/22'; expected a "
        "financial year such as 2020/21" in report.failures
    )


@pytest.mark.parametrize(
    "text,kind",
    [
        ("9" * 400, "money"),
        ("(" + "9" * 400 + ")", "money"),
        ("1e999", "float"),
        ("nan", "float"),
        ("inf", "float"),
        ("-inf", "int"),
        ("٨٥٧", "money"),
        ("٨٥٧", "float"),
        ("٨٥٧", "int"),
        ("1000000000000", "money"),
    ],
)
def test_no_number_that_is_infinite_implausible_or_in_another_script_is_read(
    text: str, kind: str
) -> None:
    with pytest.raises((ValueError, OverflowError)):
        parse_cell(text, kind)


def test_the_la_number_is_three_ascii_digits() -> None:
    from highneeds.gate.tables.paper_yaml import _la_number

    assert _la_number(" 857 ") == "857"
    for bad in ("٨٥٧", "85", "8570", "85a", "８５７"):
        with pytest.raises(ValueError):
            _la_number(bad)
