"""Logs a collector can read: with --log-format json every line the pipeline writes is one
JSON object with its fields, a failed run's error among them with its step and exit code."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.conftest import CYCLE, edited, reports, run_pipeline

pytestmark = pytest.mark.e2e


def json_lines(text: str) -> list[dict]:
    return [json.loads(line) for line in text.splitlines() if line.strip()]


def newest_run(project: Path) -> Path:
    return sorted((reports(project) / "runs").iterdir())[-1]


def test_every_line_of_a_json_run_is_an_object_with_its_fields(project: Path, first_run) -> None:
    result = run_pipeline(project, "--log-format", "json")
    assert result.returncode == 0, result.stderr
    printed, logged = json_lines(result.stdout), json_lines(result.stderr)
    run_id = newest_run(project).name
    for line in printed + logged:
        assert {"time", "level", "message", "cycle", "run_id"} <= set(line)
        assert line["time"].endswith("+00:00") and line["cycle"] == CYCLE
        assert line["run_id"] == run_id
    assert printed[0]["exit_code"] == 0 and printed[0]["message"].startswith("Paper for cycle")
    steps = {line["step"] for line in logged if "step" in line}
    assert steps == {
        "01_validate",
        "02_deficit_model",
        "03_interventions",
        "04_cabinet_report",
        "render",
    }
    assert all(
        isinstance(json.loads(line), dict)
        for line in (newest_run(project) / "run.log").read_text().splitlines()
    )


def test_a_failed_runs_json_error_carries_the_error_step_and_exit_code(
    project: Path, first_run
) -> None:
    """(A failed run's own log, in the text format, is checked for each kind of bad input by
    ``test_bad_input_exits_3_and_keeps_the_last_good_paper``.) One step after another: working
    ahead of the gate would add only a progress line ("02_deficit_model ... (alongside the
    gate)"), written by the same statement as this run's "01_validate ..." line."""
    budget = project / "data" / "raw" / CYCLE / "high_needs_budget.csv"
    with edited(budget, "Block,(126)", "Block,126"):
        result = run_pipeline(project, "--log-format", "json", "--sequential")
    assert result.returncode == 3
    (error,) = [line for line in json_lines(result.stderr) if line["message"].startswith("error:")]
    run_id = newest_run(project).name
    assert (error["level"], error["step"], error["exit_code"], error["run_id"]) == (
        "error",
        "01_validate",
        3,
        run_id,
    )
