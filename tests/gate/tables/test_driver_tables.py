"""The forecast's driver tables at the gate: optional, but checked like every other table once
given, each refusal naming the file, row, column and value."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from highneeds.common.errors import InputDataError
from highneeds.gate.tables.tables import read_cycle_tables
from highneeds.runner.commands.validate import validate_only
from highneeds.runner.execute.options import RunOptions
from tests.conftest import CYCLE, suites_for_one_edit

FIXTURE = Path(__file__).parents[2] / "fixtures" / "seven-categories"


@pytest.fixture
def project(project_root: Path, tmp_path: Path) -> Path:
    """The shipped cycle with the fictional seven-category council's drivers."""
    raw = tmp_path / "data" / "raw" / CYCLE
    shutil.copytree(project_root / "data" / "raw" / CYCLE, raw)
    for table in FIXTURE.glob("*.csv"):
        shutil.copy(table, raw / table.name)
    return tmp_path


def refused(project: Path) -> str:
    """What the gate says of an edit (only the edited table is validated afresh)."""
    with pytest.raises(InputDataError) as caught:
        validate_only(RunOptions(cycle=CYCLE, root=project), suites_for_one_edit)
    return str(caught.value)


def edit(project: Path, name: str, old: str, new: str) -> None:
    path = project / "data" / "raw" / CYCLE / name
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_the_shipped_cycle_gives_no_drivers_and_needs_none(shipped_tables) -> None:
    assert "placements_by_category" not in shipped_tables


def test_the_fixture_passes_the_gate(project: Path) -> None:
    validate_only(RunOptions(cycle=CYCLE, root=project))
    tables = read_cycle_tables(project / "data" / "raw" / CYCLE)
    assert len(tables["placements_by_category"]) == 16


@pytest.mark.parametrize(
    ("file", "old", "new", "message"),
    [
        pytest.param(
            "placements_by_category.csv",
            "all_placements,2020/21,250,",
            "all_placements,2020/21,251,",
            "placements_by_category.csv, row 9, column C ('plans'): found 251 for 2020/21; "
            "expected the categories' total, 250",
            id="categories-do-not-add-up",
        ),
        pytest.param(
            "placements_by_category.csv",
            "post_16,2020/21",
            "post16,2020/21",
            "placements_by_category.csv, row 7, column A ('category'): found 'post16'; expected a "
            "DfE placement category id",
            id="unknown-category",
        ),
        pytest.param(
            "placements_by_category.csv",
            "other,2021/22,9,7.5",
            "other,2021/22,9,",
            "no cost_per_plan for other in 2021/22, the year the forecast starts from",
            id="base-year-without-cost",
        ),
        pytest.param(
            "forecast_assumptions.csv",
            "2023/24,ehcp_growth,,5.4\n",
            "",
            "no ehcp_growth for 2023/24 mainstream, 2023/24 resourced_provision",
            id="year-without-growth",
        ),
        pytest.param(
            "forecast_assumptions.csv",
            "2022/23,ehcp_growth,,5.4",
            "2021/22,ehcp_growth,,5.4",
            "the forecast years must follow 2021/22, the last year of actual EHCPs",
            id="forecast-year-not-after-the-base-year",
        ),
        pytest.param(
            "forecast_assumptions.csv",
            "2022/23,cost_per_plan_growth,,4.5",
            "2022/23,cost_per_plan_grwth,,4.5",
            "forecast_assumptions.csv, row 4, column B ('assumption'): found 'cost_per_plan_grwth'",
            id="unknown-assumption",
        ),
        pytest.param(
            "intervention_places.csv",
            "early_help,maintained_special,,2,2022/23",
            "early_help,maintained_special,,2,2021/22",
            "intervention_places.csv, row 2, column E ('start_year'): found '2021/22'; expected "
            "one of the forecast years (2022/23, 2023/24, 2024/25)",
            id="intervention-before-the-forecast",
        ),
        pytest.param(
            "intervention_places.csv",
            "early_help,maintained_special,,2,",
            "early_help,maintained_special,,200,",
            "the interventions take more places out of maintained_special in 2022/23 than the "
            "79.0 EHCPs forecast there",
            id="more-places-than-plans",
        ),
    ],
)
def test_bad_drivers_are_refused_where_the_author_can_find_them(
    project: Path, file: str, old: str, new: str, message: str
) -> None:
    edit(project, file, old, new)
    assert message in refused(project)


def test_one_driver_table_without_the_other_is_refused(project: Path) -> None:
    (project / "data" / "raw" / CYCLE / "forecast_assumptions.csv").unlink()
    assert "placements_by_category is given but forecast_assumptions is not" in refused(project)
