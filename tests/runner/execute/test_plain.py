"""The plain runner beside the fast one: an archived run re-executed with stock papermill (a
kernel of its own for each notebook) and the render in process gives the same bytes, so the
speed machinery (kernels shared and started ahead, the model working ahead of the gate, the
render worker and its partner) changes nothing but the time."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import run_pipeline

pytestmark = pytest.mark.e2e


def test_a_run_re_executed_the_plain_way_gives_the_same_bytes(project: Path) -> None:
    result = run_pipeline(project, "--plain", command="verify")
    assert result.returncode == 0, result.stderr
    assert "reproduces: all" in result.stdout, result.stdout
