"""The assumptions' ranges at the gate: optional; each with its source; refused where they would
not hold the forecast's own value, name an assumption it does not use, or leave out what their
distribution needs."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from highneeds.common.errors import InputDataError
from highneeds.runner.commands.validate import validate_only
from highneeds.runner.execute.options import RunOptions
from tests.conftest import CYCLE, suites_for_one_edit


@pytest.fixture
def project(project_root: Path, tmp_path: Path) -> Path:
    shutil.copytree(project_root / "data" / "raw" / CYCLE, tmp_path / "data" / "raw" / CYCLE)
    return tmp_path


HEADER = "assumption,low,high,source,distribution,probability,moves_with\n"


def with_ranges(project: Path, text: str, header: str = HEADER) -> None:
    (project / "data" / "raw" / CYCLE / "assumption_ranges.csv").write_text(
        header + text, encoding="utf-8"
    )


def test_ranges_that_hold_the_forecast_pass(project: Path) -> None:
    with_ranges(
        project,
        "ehcp_growth,3,15,EHCP numbers 2016 to 2021,,,cost_per_plan_growth\n"
        "cost_per_plan_growth,1,6,CPI forecasts (OBR),,,\n"
        "recovery_plan_delivery,50,100,SEND Recovery Plan monitoring,triangular,,\n"
        "schools_block_transfer,0,100,Schools Forum decisions since 2018,either,80,\n"
        "allocation_growth,,,DfE announcement of December 2021,fixed,,\n",
    )
    validate_only(RunOptions(cycle=CYCLE, root=project))


def test_the_source_column_is_required(project: Path) -> None:
    with_ranges(project, "ehcp_growth,3,15\n", header="assumption,low,high\n")
    with pytest.raises(InputDataError) as caught:
        validate_only(RunOptions(cycle=CYCLE, root=project))
    assert "assumption_ranges.csv: missing column(s) 'source'" in str(caught.value)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        pytest.param(
            "ehcp_growth,8,15,EHCP history,,,\n",
            "assumption_ranges.csv, row 2: ehcp_growth runs from 8 to 15 but the "
            "forecast's own value, 7.264, is not within it",
            id="central-outside",
        ),
        pytest.param(
            "ehcp_growth,15,3,EHCP history,,,\n",
            "assumption_ranges.csv, row 2, column C ('high'): found 3; expected a high value at "
            "least the low value",
            id="high-below-low",
        ),
        pytest.param(
            "inflation,1,3,OBR,,,\n",
            "assumption_ranges.csv, row 2, column A ('assumption'): found 'inflation'",
            id="unknown-assumption",
        ),
        pytest.param(
            "ehcp_growth,3,15,,,,\n",
            "assumption_ranges.csv, row 2, column D ('source'): found ''; expected a source for "
            "every range",
            id="no-source",
        ),
        pytest.param(
            "schools_block_transfer,0,100,Schools Forum,either,,\n",
            "assumption_ranges.csv, row 2, column F ('probability'): schools_block_transfer is "
            "drawn as one end or the other",
            id="either-without-probability",
        ),
        pytest.param(
            "ehcp_growth,3,15,EHCP history,lognormal,,\n",
            "assumption_ranges.csv, row 2, column E ('distribution'): found 'lognormal'; expected "
            "a distribution: triangular",
            id="unknown-distribution",
        ),
    ],
)
def test_bad_ranges_are_refused_where_the_author_can_find_them(
    project: Path, text: str, message: str
) -> None:
    with_ranges(project, text)
    with pytest.raises(InputDataError) as caught:  # only the edited table validated afresh
        validate_only(RunOptions(cycle=CYCLE, root=project), suites_for_one_edit)
    assert message in str(caught.value)
