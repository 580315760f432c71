"""Notebook parameters are checked where they are read: the cycle is a cycle label, and no
folder a notebook writes lies in reports/ outside a run the pipeline has started."""

from __future__ import annotations

import pytest

from highneeds.common.errors import UsageError
from highneeds.common.paths import PROJECT_ROOT, notebook_folders


@pytest.mark.parametrize(
    "cycle",
    ["../../reports/.store/trees", "../../reports/2022-01/runs", "2022-13", "", "2022-01/.."],
)
def test_a_cycle_parameter_that_is_no_cycle_label_is_refused(cycle: str) -> None:
    with pytest.raises(UsageError, match="the parameter cycle must be a cycle"):
        notebook_folders(cycle, processed_dir="/tmp/x")


@pytest.mark.parametrize("council", ["../..", "Rutland", "a/b"])
def test_a_council_parameter_that_is_no_folder_name_is_refused(council: str) -> None:
    with pytest.raises(UsageError, match="the parameter council"):
        notebook_folders("2022-01", council=council)


@pytest.mark.parametrize(
    "inside",
    [
        "reports/2030-01/runs/fake/processed",
        "reports/2030-01/runs",
        "reports/2030-01/current/processed",
        "reports",
    ],
)
def test_no_folder_a_notebook_writes_lies_in_reports(inside: str, tmp_path) -> None:
    folders = notebook_folders(
        "2022-01",
        processed_dir=str(PROJECT_ROOT / inside),
        validation_dir=str(PROJECT_ROOT / inside),
        say=lambda _: None,
    )
    with pytest.raises(UsageError, match="the parameter processed_dir .* lies in reports/"):
        _ = folders.processed
    with pytest.raises(UsageError, match="the parameter validation_dir .* lies in reports/"):
        _ = folders.validation
    assert notebook_folders("2022-01", processed_dir=str(tmp_path)).processed == tmp_path
