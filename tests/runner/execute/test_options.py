"""What a run gives its notebooks: declared parameters only, and the fixed date of outputs."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from highneeds.common.errors import UsageError
from highneeds.runner.execute.options import (
    declared_parameters,
    plan_parameters,
    run_environment,
    source_date_epoch,
)


def test_parameters_go_only_to_notebooks_that_declare_them(project_root: Path) -> None:
    plan = plan_parameters(project_root, "2022-01", {"recovery_plan_basis": "cumulative"})
    assert plan["02_deficit_model"]["recovery_plan_basis"] == "cumulative"
    assert "recovery_plan_basis" not in plan["01_validate"]
    assert plan["01_validate"]["validation_dir"] == "validation"
    assert plan["04_cabinet_report"] == {
        "cycle": "2022-01",
        "council": None,
        "raw_dir": "inputs",
        "processed_dir": "processed",
    }


def test_undeclared_parameter_is_refused(project_root: Path) -> None:
    with pytest.raises(UsageError, match="unknown parameter\\(s\\): recovery_basis"):
        plan_parameters(project_root, "2022-01", {"recovery_basis": "x"})


def test_pipeline_set_parameter_cannot_be_overridden(project_root: Path) -> None:
    with pytest.raises(UsageError, match="set by the pipeline from --cycle"):
        plan_parameters(project_root, "2022-01", {"raw_dir": "/etc"})


def test_a_run_cannot_leave_out_the_charts_large_print_shows(project_root: Path) -> None:
    with pytest.raises(UsageError, match="large_print_charts are the preview's"):
        plan_parameters(project_root, "2022-01", {"large_print_charts": False})


@pytest.mark.parametrize(
    ("name", "value"), [("forecast_source", "excel"), ("recovery_plan_basis", "yearly")]
)
def test_a_parameter_outside_its_choices_is_refused(project_root: Path, name, value) -> None:
    with pytest.raises(UsageError, match=f"parameter {name} is '{value}'; it must be one of"):
        plan_parameters(project_root, "2022-01", {name: value})


@pytest.mark.parametrize("draws", [0, -5, "many", 2.5, True, 10_000_000])
def test_a_number_of_simulations_the_machine_cannot_or_should_not_run_is_refused(
    project_root: Path, draws
) -> None:
    with pytest.raises(UsageError, match="uncertainty_draws is .*; it must be a whole number"):
        plan_parameters(project_root, "2022-01", {"uncertainty_draws": draws})


@pytest.mark.parametrize("value", [1, "yes please", None])
def test_a_paper_format_switch_that_is_not_true_or_false_is_refused(
    project_root: Path, value
) -> None:
    """``1`` would read as true to the report notebook but not to the render: refused."""
    with pytest.raises(UsageError, match="html_only is .*; it must be true or false"):
        plan_parameters(project_root, "2022-01", {"html_only": value})
    plan = plan_parameters(project_root, "2022-01", {"html_only": True})
    assert plan["04_cabinet_report"]["html_only"] is True
    assert "html_only" not in plan["02_deficit_model"]


def test_declared_parameters_are_read_without_running_the_notebook(project_root: Path) -> None:
    assert declared_parameters(project_root / "notebooks" / "02_deficit_model.ipynb") == [
        "cycle",
        "council",
        "processed_dir",
        "recovery_plan_basis",
        "forecast_source",
        "uncertainty_centre",
        "uncertainty_draws",
    ]


def test_the_notebooks_defaults_are_the_models(project_root: Path) -> None:
    """A parameters cell holds literals (papermill reads them): the model's own defaults,
    which a run without ``-p`` and the model's functions both use."""
    import ast
    import json

    from highneeds.model.wiring.run import ModelParameters

    notebook = json.loads((project_root / "notebooks" / "02_deficit_model.ipynb").read_text())
    cell = next(c for c in notebook["cells"] if "parameters" in c["metadata"].get("tags", []))
    tree = ast.parse("".join(cell["source"]))
    defaults = {
        node.targets[0].id: ast.literal_eval(node.value)
        for node in tree.body
        if isinstance(node, ast.Assign) and isinstance(node.targets[0], ast.Name)
    }
    model = ModelParameters("2022-01")
    for name in ("uncertainty_draws", "forecast_source", "recovery_plan_basis"):
        assert defaults[name] == getattr(model, name), name


def test_source_date_epoch_is_the_cycles_first_day(monkeypatch) -> None:
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    assert source_date_epoch("2022-01") == "1640995200"
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "42")
    assert source_date_epoch("2022-01") == "42"


def test_a_run_leaves_the_environment_as_it_found_it(monkeypatch, tmp_path: Path) -> None:
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    with run_environment(tmp_path, source_date_epoch("2022-01")):
        assert os.environ["SOURCE_DATE_EPOCH"] == "1640995200"
        assert str(tmp_path / "src") in os.environ["PYTHONPATH"]
    assert "SOURCE_DATE_EPOCH" not in os.environ
    # A later run in the same process, of another cycle, is dated from its own cycle.
    assert source_date_epoch("2022-02") == "1643673600"
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "42")
    with run_environment(tmp_path, "42"):
        pass
    assert os.environ["SOURCE_DATE_EPOCH"] == "42"
