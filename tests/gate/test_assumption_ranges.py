"""The assumptions' ranges at the gate: optional, and refused where they would not hold the
forecast's own value or name an assumption it does not use."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from highneeds.errors import InputDataError
from highneeds.runner.options import RunOptions
from highneeds.runner.validate import validate_only
from tests.conftest import CYCLE


@pytest.fixture
def project(project_root: Path, tmp_path: Path) -> Path:
    shutil.copytree(project_root / "expectations", tmp_path / "expectations")
    shutil.copytree(project_root / "data" / "raw" / CYCLE, tmp_path / "data" / "raw" / CYCLE)
    return tmp_path


def with_ranges(project: Path, text: str) -> None:
    (project / "data" / "raw" / CYCLE / "assumption_ranges.csv").write_text(
        "assumption,low,high\n" + text, encoding="utf-8"
    )


def test_ranges_that_hold_the_forecast_pass(project: Path) -> None:
    with_ranges(project, "ehcp_growth,3,15\nrecovery_plan_delivery,50,100\n")
    validate_only(RunOptions(cycle=CYCLE, root=project))


@pytest.mark.parametrize(
    ("text", "message"),
    [
        pytest.param(
            "ehcp_growth,8,15\n",
            "assumption_ranges.csv, row 2: ehcp_growth runs from 8.0 to 15.0 but the "
            "forecast's own value, 7.264, is not within it",
            id="central-outside",
        ),
        pytest.param(
            "ehcp_growth,15,3\n",
            "assumption_ranges.csv, row 2, column 'high': found 3; expected a high value at "
            "least the low value",
            id="high-below-low",
        ),
        pytest.param(
            "inflation,1,3\n",
            "assumption_ranges.csv, row 2, column 'assumption': found 'inflation'",
            id="unknown-assumption",
        ),
    ],
)
def test_bad_ranges_are_refused_where_the_author_can_find_them(
    project: Path, text: str, message: str
) -> None:
    with_ranges(project, text)
    with pytest.raises(InputDataError) as caught:
        validate_only(RunOptions(cycle=CYCLE, root=project))
    assert message in str(caught.value)
