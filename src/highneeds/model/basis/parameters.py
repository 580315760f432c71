"""The model's parameters (``-p NAME=VALUE``), declared once, with pydantic: their types,
defaults, choices (:mod:`highneeds.model.basis.switches`) and ranges. Notebook 02 builds one
for the model; the command line checks a run's overrides against the same declaration before
anything runs (:func:`parameter_problems`; it imports this module only when a run has any)."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import Any

from pydantic import ConfigDict, Field, ValidationError, ValidationInfo, field_validator
from pydantic.dataclasses import dataclass

from highneeds.model.basis.switches import CHOICES, DEFAULT_DRAWS, MAX_DRAWS

#: What a parameter must be, in the command line's words, where its type or range says it.
EXPECTED = {
    "uncertainty_draws": f"it must be a whole number from 1 to {MAX_DRAWS:,}",
    "html_only": "it must be true or false",
}


@dataclass(frozen=True, config=ConfigDict(strict=True))
class ModelParameters:
    """The switches a run may set (``-p NAME=VALUE``): see the README. Strict: a draw count
    is a whole number (not true, not 2.5), a choice one of its words."""

    cycle: str
    #: ``None``: as the cycle's paper.yaml declares, else the model's default (readings.py).
    recovery_plan_basis: str | None = None
    forecast_source: str = "auto"
    uncertainty_draws: int = Field(default=DEFAULT_DRAWS, ge=1, le=MAX_DRAWS)
    #: ``None``, likewise.
    uncertainty_centre: str | None = None

    @field_validator(*CHOICES)
    @classmethod
    def _one_of_its_choices(cls, value: str | None, info: ValidationInfo) -> str | None:
        choices = CHOICES[str(info.field_name)]
        if value is not None and value not in choices:
            raise ValueError(f"it must be one of {', '.join(choices)}")
        return value


@dataclass(frozen=True, config=ConfigDict(strict=True))
class RunParameters(ModelParameters):
    """Every parameter a run may set: the model's and the paper's (``html_only``: the paper
    as HTML alone)."""

    html_only: bool = False


def parameter_problems(overrides: Mapping[str, Any]) -> list[str]:
    """Each override a run's notebooks would refuse, in the command line's words (the
    overrides a run declares: ``cycle`` is the pipeline's)."""
    names = {f.name for f in dataclasses.fields(RunParameters)} - {"cycle"}
    problems = []
    for name, value in overrides.items():
        if name not in names:
            continue
        try:
            RunParameters("check", **{name: value})
        except ValidationError as exc:
            error = exc.errors()[0]
            said = EXPECTED.get(name) or str(error.get("ctx", {}).get("error", error["msg"]))
            problems.append(f"parameter {name} is {value!r}; {said}")
    return problems
