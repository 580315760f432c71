"""The steps' declared writes: a step reused from an earlier run copies only what it declares,
so every table its notebook writes must be declared (or a re-run would lose it)."""

from __future__ import annotations

from pathlib import Path

import pytest

from highneeds.gate.tables.figures import figure_values
from highneeds.model.wiring.run import ModelParameters, run_interventions, run_model
from highneeds.runner.execute.steps import STEPS, copy_outputs

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


def test_a_reused_output_copied_within_a_run_is_not_read_again_to_be_hashed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from highneeds.runner.archive import archive

    earlier, run = tmp_path / "earlier", tmp_path / "run"
    (earlier / "processed").mkdir(parents=True)
    (earlier / "processed" / "budget.csv").write_text("year,amount\n2022/23,1834\n")
    digest = archive.sha256(earlier / "processed" / "budget.csv")
    reads: list[Path] = []
    real = archive._file_sha256
    monkeypatch.setattr(archive, "_file_sha256", lambda path: reads.append(path) or real(path))
    with archive.hashes_kept():
        copy_outputs({"processed/budget.csv": digest}, earlier, run)
        assert archive.sha256(run / "processed" / "budget.csv") == digest
        assert reads == []
    copy_outputs({"processed/budget.csv": digest}, earlier, tmp_path / "outside")
    assert archive.sha256(tmp_path / "outside" / "processed" / "budget.csv") == digest
    assert len(reads) == 1  # outside a run's block, a copy is read like any file
