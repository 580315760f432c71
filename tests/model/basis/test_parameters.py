"""The run's parameters, declared once (pydantic): the model's defaults, choices and ranges,
and every parameter the notebooks let a run set."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest
from pydantic import ValidationError

from highneeds.model.basis.parameters import ModelParameters, RunParameters, parameter_problems
from highneeds.model.basis.switches import CHOICES, DEFAULT_DRAWS
from highneeds.runner.execute.options import PREVIEW_ONLY, RUN_FOLDERS, declared_parameters


def test_the_defaults_and_a_choice_outside_its_words() -> None:
    assert ModelParameters("2022-01").uncertainty_draws == DEFAULT_DRAWS
    assert ModelParameters("2022-01", "cumulative").recovery_plan_basis == "cumulative"
    with pytest.raises(ValidationError, match="it must be one of auto, typed, drivers"):
        ModelParameters("2022-01", forecast_source="excel")
    with pytest.raises(ValidationError):
        ModelParameters("2022-01", uncertainty_draws=True)  # strict: not a whole number


def test_every_parameter_a_run_may_set_is_declared(project_root: Path) -> None:
    """What the notebooks declare, less what the pipeline sets and the preview's own."""
    declared = set()
    for name in ("02_deficit_model", "04_cabinet_report"):
        declared |= set(declared_parameters(project_root / "notebooks" / f"{name}.ipynb"))
    settable = declared - {"cycle", "council", *RUN_FOLDERS, *PREVIEW_ONLY}
    fields = {f.name for f in dataclasses.fields(RunParameters)} - {"cycle"}
    assert settable == fields
    assert set(CHOICES) <= fields


def test_the_problems_are_said_in_the_command_lines_words() -> None:
    assert parameter_problems({"uncertainty_draws": 0, "html_only": 1, "other": 5}) == [
        "parameter uncertainty_draws is 0; it must be a whole number from 1 to 1,000,000",
        "parameter html_only is 1; it must be true or false",
    ]
    assert parameter_problems({"uncertainty_centre": "middle"}) == [
        "parameter uncertainty_centre is 'middle'; it must be one of finance_table, "
        "with_agreed_pressures"
    ]
