"""How the model reads the council's figures: the run's choice, else the council's, else the
model's default, each traced; a figure resting on an assumed reading is marked modelled, and
the other reading's deficit is there for the paper to state."""

from __future__ import annotations

from dataclasses import asdict
from pathlib import Path

import pytest

from highneeds.domain.figure_kinds import kind_of
from highneeds.gate.tables.readings import read_readings
from tests.conftest import model_tables


def _model(tables: dict, tmp_path: Path, declared: str = "", **params):
    if declared:
        path = tmp_path / "paper.yaml"
        path.write_text(declared, encoding="utf-8")
        tables = {**tables, "readings": read_readings(path)}
    merged, lineage = model_tables(tables, draws=50, **params)
    plain = {key: asdict(d) for key, d in lineage.derivations.items()}
    return merged, lineage, plain


def _cfwd(merged: dict, scenario: str = "mitigated") -> float:
    frame = merged["scenarios"]
    return float(frame[frame["scenario"] == scenario]["cfwd"].iloc[-1])


def test_an_undeclared_reading_is_assumed_marked_modelled_and_the_other_way_given(
    shipped_tables, tmp_path
) -> None:
    merged, lineage, plain = _model(shipped_tables, tmp_path)
    reading = lineage["reading.recovery_plan_impact"]
    assert reading.rule == "described" and reading.value == "each_year"
    assert [str(leaf.cell) for leaf in lineage.inputs_of("reading.recovery_plan_impact")] == [
        "paper.yaml, recovery_plan_impact: (not declared)"
    ]
    assert _cfwd(merged) == pytest.approx(3592)
    # Read as a running total: 2022/23 saves 33, 2023/24 60 more, 2024/25 42 more.
    assert lineage["reading.recovery_plan_impact_other"].value == pytest.approx(3718)
    used = merged["readings_used"].set_index("reading")
    assert used.loc["recovery_plan_impact", "chosen_by"] == "assumed"
    assert used.loc["recovery_plan_impact", "other"] == pytest.approx(3718)
    # Everything the reading moves is modelled; what it does not move keeps its kind.
    assert kind_of("mitigated.cfwd[2024/25]", plain) == "modelled"
    assert kind_of("unmitigated.cfwd[2024/25]", plain) == "calculated"


def test_the_councils_declaration_is_its_line_and_leaves_the_figures_calculated(
    shipped_tables, tmp_path
) -> None:
    merged, lineage, plain = _model(
        shipped_tables, tmp_path, "council: Rutland\nrecovery_plan_impact: running_total\n"
    )
    assert [str(leaf.cell) for leaf in lineage.inputs_of("reading.recovery_plan_impact")] == [
        "paper.yaml, row 2, column 'recovery_plan_impact': running_total"
    ]
    assert _cfwd(merged) == pytest.approx(3718)
    assert lineage["reading.recovery_plan_impact_other"].value == pytest.approx(3592)
    assert kind_of("mitigated.cfwd[2024/25]", plain) == "calculated"
    assert merged["readings_used"].set_index("reading").loc[
        "recovery_plan_impact", "chosen_by"
    ] == ("the council")


def test_the_runs_setting_overrides_the_councils(shipped_tables, tmp_path) -> None:
    merged, lineage, _ = _model(
        shipped_tables,
        tmp_path,
        "recovery_plan_impact: running_total\n",
        recovery_plan_basis="in_year",
    )
    assert _cfwd(merged) == pytest.approx(3592)
    assert [str(leaf.cell) for leaf in lineage.inputs_of("reading.recovery_plan_impact")] == [
        "the run's parameters, recovery_plan_basis: in_year"
    ]
