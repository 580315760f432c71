"""The DfE return's optional tables at the gate (the other DSG blocks, EHCPs by age band):
left out, nothing is asked of them; given, each is read and checked like every other table,
a refusal naming the file, row, column and value."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from highneeds.gate.tables.tables import read_cycle_tables
from highneeds.runner.commands.validate import validate_only
from highneeds.runner.execute.options import RunOptions
from tests.conftest import CYCLE
from tests.gate.tables.test_driver_tables import edit, refused

BLOCKS = (
    "block,year,bfwd,funding,spend\n"
    'schools,2021/22,0,"21,350","21,350"\n'
    "central_school_services,2021/22,12,640,655\n"
    'early_years,2021/22,(40),"3,120","3,080"\n'
    'schools,2022/23,,"22,010","22,010"\n'
)
AGES = "age_band,year,plans\nunder_5,2021/22,9\n5_to_10,2021/22,88\n11_to_15,2021/22,102\n"


@pytest.fixture
def project(project_root: Path, tmp_path: Path) -> Path:
    """The shipped cycle with both of the return's tables."""
    raw = tmp_path / "data" / "raw" / CYCLE
    shutil.copytree(project_root / "data" / "raw" / CYCLE, raw)
    (raw / "dsg_blocks.csv").write_text(BLOCKS, encoding="utf-8")
    (raw / "ehcps_by_age.csv").write_text(AGES, encoding="utf-8")
    return tmp_path


def test_both_tables_are_read_when_given_and_asked_for_by_no_one_when_not(
    project: Path, shipped_tables
) -> None:
    assert "dsg_blocks" not in shipped_tables and "ehcps_by_age" not in shipped_tables
    validate_only(RunOptions(cycle=CYCLE, root=project))
    tables = read_cycle_tables(project / "data" / "raw" / CYCLE)
    blocks = tables["dsg_blocks"]
    assert list(blocks["funding"]) == [21350, 640, 3120, 22010]
    assert blocks["bfwd"].isna().tolist() == [False, False, False, True]  # blank after year one
    assert list(tables["ehcps_by_age"]["plans"]) == [9, 88, 102]


@pytest.mark.parametrize(
    ("file", "old", "new", "message"),
    [
        pytest.param(
            "dsg_blocks.csv",
            "central_school_services,",
            "central_services,",
            "dsg_blocks.csv, row 3, column A ('block'): found 'central_services'; expected a "
            "DSG block besides High Needs: schools, central_school_services, early_years",
            id="unknown-block",
        ),
        pytest.param(
            "dsg_blocks.csv",
            "640,655",
            "640,",
            "dsg_blocks.csv, row 3, column E ('spend'): found a blank; expected the block's "
            "spending (£000) for every year",
            id="blank-spending",
        ),
        pytest.param(
            "ehcps_by_age.csv",
            "5_to_10,2021/22,88",
            "5-10,2021/22,88",
            "ehcps_by_age.csv, row 3, column A ('age_band'): found '5-10'; expected an SEN2 "
            "age band: under_5, 5_to_10, 11_to_15, 16_to_19, 20_to_25",
            id="unknown-age-band",
        ),
    ],
)
def test_a_bad_return_table_is_refused_where_the_author_can_find_it(
    project: Path, file: str, old: str, new: str, message: str
) -> None:
    edit(project, file, old, new)
    assert message in refused(project)
