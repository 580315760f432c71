"""The digest that tells a warm process whether a computation's inputs are the same."""

from __future__ import annotations

import pandas as pd
from hypothesis import given
from hypothesis import strategies as st

from highneeds.common.content_digest import content_digest


def _frame() -> pd.DataFrame:
    frame = pd.DataFrame({"year": ["2021/22", "2022/23"], "amount": [1.5, -2.0]})
    frame.attrs["source"] = "high_needs_budget.csv"
    return frame


def test_equal_tables_have_one_digest_and_any_change_gives_another() -> None:
    base = content_digest(_frame())
    assert content_digest(_frame().copy()) == base
    cell = _frame()
    cell.loc[1, "amount"] = -2.000001
    renamed = _frame().rename(columns={"amount": "value"})
    retyped = _frame().astype({"amount": "float32"})
    moved = _frame()
    moved.attrs["source"] = "budget.xlsx"
    reindexed = _frame().set_axis([5, 6])
    for changed in (cell, renamed, retyped, moved, reindexed):
        assert content_digest(changed) != base


@given(st.lists(st.text(max_size=5), min_size=2, max_size=2, unique=True))
def test_a_mapping_digest_follows_its_order_and_values(keys: list[str]) -> None:
    first, second = keys
    assert content_digest({first: 1, second: 2}) == content_digest({first: 1, second: 2})
    assert content_digest({first: 1, second: 2}) != content_digest({second: 2, first: 1})
    assert content_digest({first: 1}) != content_digest({first: "1"})


def test_arguments_are_not_run_together() -> None:
    assert content_digest("ab", "c") != content_digest("a", "bc")
    assert content_digest(("svg", "png")) != content_digest(("svg",), "png")
