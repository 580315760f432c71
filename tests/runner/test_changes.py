"""Which input cells moved between two runs: each row named by the cells that identify it."""

from __future__ import annotations

import shutil
from pathlib import Path

from highneeds.runner.changes import input_changes

FIXTURE = Path(__file__).parents[1] / "fixtures" / "seven-categories"


def copy_of(shipped_raw: Path, target: Path) -> Path:
    shutil.copytree(shipped_raw, target)
    for table in FIXTURE.glob("*.csv"):
        shutil.copy(table, target / table.name)
    return target


def test_a_long_table_names_the_row_by_its_key_columns(shipped_raw: Path, tmp_path: Path) -> None:
    old = copy_of(shipped_raw, tmp_path / "old")
    new = copy_of(shipped_raw, tmp_path / "new")
    path = new / "forecast_assumptions.csv"
    path.write_text(path.read_text().replace("2023/24,ehcp_growth,,5.4", "2023/24,ehcp_growth,,6"))
    (change,) = input_changes(old, new)
    assert (
        str(change) == "forecast_assumptions.csv: 2023/24 / ehcp_growth / (blank), value: 5.4 → 6"
    )


def test_a_category_year_cell_is_not_mistaken_for_another_year(
    shipped_raw: Path, tmp_path: Path
) -> None:
    old = copy_of(shipped_raw, tmp_path / "old")
    new = copy_of(shipped_raw, tmp_path / "new")
    path = new / "placements_by_category.csv"
    path.write_text(path.read_text().replace("other,2020/21,5,", "other,2020/21,6,"))
    (change,) = input_changes(old, new)
    assert (change.row, change.column, change.old, change.new) == (
        "other / 2020/21",
        "plans",
        "5",
        "6",
    )
