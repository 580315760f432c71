"""The steps' declared writes: a step reused from an earlier run copies only what it declares,
so every table its notebook writes must be declared (or a re-run would lose it)."""

from __future__ import annotations

from highneeds.gate.figures import figure_values
from highneeds.model.run import ModelParameters, run_interventions, run_model
from highneeds.runner.steps import STEPS

STEP = {step.name: step for step in STEPS}


def test_every_table_the_model_notebooks_write_is_declared(shipped_tables) -> None:
    model = run_model(
        shipped_tables,
        figure_values(shipped_tables["figures"]),
        ModelParameters("2022-01", uncertainty_draws=10),
    )
    written = {
        "02_deficit_model": model.tables,
        "03_interventions": run_interventions(shipped_tables).tables,
    }
    for name, tables in written.items():
        declared = set(STEP[name].writes)
        missing = {f"processed/{t}.csv" for t, f in tables.items() if f is not None} - declared
        assert not missing, f"{name} writes {sorted(missing)} but does not declare them"
