"""The preview's gate runs the suites again only on tables that changed."""

from __future__ import annotations

from highneeds.gate.checks.remembered_expectations import RememberedExpectations
from highneeds.gate.checks.validation import run_expectations


def test_unchanged_tables_reuse_their_results_and_a_changed_one_is_checked(shipped_tables) -> None:
    remembered = RememberedExpectations()
    first = remembered(shipped_tables, None)
    assert remembered.validated == list(shipped_tables)
    assert first == run_expectations(shipped_tables, None)

    assert remembered(shipped_tables, None) == first
    assert remembered.validated == []

    tables = dict(shipped_tables)
    broken = tables["placement_costs"].copy()
    broken.loc[broken.index[0], "annual_cost_per_place"] = -1.0
    broken.attrs = dict(tables["placement_costs"].attrs)
    tables["placement_costs"] = broken
    again = remembered(tables, None)
    assert remembered.validated == ["placement_costs"]
    assert again == run_expectations(tables, None)
    assert not all(check.success for check in again)
