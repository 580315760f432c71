"""Choosing a cycle: the newest by default, names that are cycle labels, clear refusals."""

from __future__ import annotations

from pathlib import Path

import pytest

from highneeds.errors import UsageError
from highneeds.runner.cycles import choose_cycle


def _fake_root(tmp_path: Path, cycles: list[str]) -> Path:
    for cycle in cycles:
        (tmp_path / "data" / "raw" / cycle).mkdir(parents=True)
    return tmp_path


def test_newest_cycle_is_chosen_by_default(tmp_path: Path) -> None:
    root = _fake_root(tmp_path, ["2021-11", "2022-01", "notes", "2021-12"])
    assert choose_cycle(root, None) == "2022-01"


@pytest.mark.parametrize("cycle", ["../2022-01", "2022/01", "2022-13", "22-01", ""])
def test_cycle_names_that_are_not_labels_are_refused(tmp_path: Path, cycle: str) -> None:
    root = _fake_root(tmp_path, ["2022-01"])
    with pytest.raises(UsageError, match="not a cycle label"):
        choose_cycle(root, cycle)


def test_unknown_cycle_is_a_usage_error(tmp_path: Path) -> None:
    root = _fake_root(tmp_path, ["2022-01"])
    with pytest.raises(UsageError, match="no inputs for cycle 2023-01.*cycles: 2022-01"):
        choose_cycle(root, "2023-01")


def test_no_cycles_is_a_usage_error(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match="no cycle folders"):
        choose_cycle(tmp_path, None)
