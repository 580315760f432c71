"""Only what the cycle gives is required: a budget alone is modelled and handed to the paper;
and every refusal the model makes on inputs, the gate makes too, so ``validate`` and ``run``
agree."""

from __future__ import annotations

from pathlib import Path

import pytest

from highneeds.gate.checks.validation import validate_cycle
from highneeds.gate.tables.tables import read_cycle_tables
from highneeds.model.wiring.identities import input_identities
from highneeds.paper.content.assemble import narrative_context
from highneeds.runner.execute.paper_inputs import paper_outputs
from tests.conftest import model_tables
from tests.gate.tables.test_budget import DSG_SOURCES, DSG_TABLE

CYCLE = "2022-11"


@pytest.fixture
def budget_only(tmp_path: Path) -> Path:
    folder = tmp_path / CYCLE
    folder.mkdir()
    (folder / "high_needs_budget.csv").write_text(DSG_TABLE, encoding="utf-8")
    (folder / "sources.yaml").write_text(DSG_SOURCES, encoding="utf-8")
    return folder


def test_a_budget_alone_is_modelled_and_printed(budget_only: Path) -> None:
    tables = read_cycle_tables(budget_only)
    assert set(tables) == {"budget"}
    merged, _ = model_tables(tables, CYCLE, draws=20)
    assert merged["demand"] is None and merged["ehcp_growth"] is None
    assert merged["business_case_summary"] is None
    # No saving line: the mitigated forecast is kept for the measures, not shown.
    outputs = paper_outputs(merged, CYCLE)
    assert list(outputs.scenario_labels) == ["unmitigated"]
    context = narrative_context(outputs)
    assert "ehcp" not in context and context["business_cases"] == {}
    assert context["unmitigated"].cfwd["2024/25"] == pytest.approx(29200.0)


def test_validate_passes_what_run_models(
    budget_only: Path, project_root: Path, shipped_raw: Path
) -> None:
    (budget_only / "paper.yaml").write_bytes((shipped_raw / "paper.yaml").read_bytes())
    report, _ = validate_cycle(CYCLE, budget_only, None, input_identities)
    assert report.success, report.failures


@pytest.mark.parametrize(
    ("name", "text", "expected"),
    [
        (
            "ehcp_demand.csv",
            "measure,count,since,description\n",
            "ehcp_demand.csv: missing measure(s): plans_at_start",
        ),
        (
            "figures.csv",
            "name,value,unit,description,source\n"
            "ehcp_growth_per_year,5.4,percent,growth,para 7.5\n"
            "ehcp_growth_if_all_requests_convert,12,percent,growth,para 7.5\n",
            "the cycle gives no EHCP counts to grow",
        ),
        (
            "interventions.csv",
            "intervention_id,placement_type,places_avoided\nnurture,Independent special school,1\n",
            "interventions.csv given without placement_costs.csv, business_cases.csv",
        ),
    ],
)
def test_what_the_model_would_refuse_the_gate_refuses(
    budget_only: Path, project_root: Path, name: str, text: str, expected: str
) -> None:
    (budget_only / name).write_text(text, encoding="utf-8")
    report, _ = validate_cycle(CYCLE, budget_only, None, input_identities)
    assert not report.success
    assert any(expected in failure for failure in report.failures), report.failures


def test_ranges_without_their_optional_column_pass_the_gate_and_the_model(
    raw_copy: Path, project_root: Path
) -> None:
    """The defect: an assumption_ranges.csv without ``moves_with`` passed validate and then
    stopped the run ("found 'nan'"), the empty column read back from the typed CSV."""
    (raw_copy / "assumption_ranges.csv").write_text(
        "assumption,low,high,source\nallocation_growth,1,8,the DfE's announcements\n",
        encoding="utf-8",
    )
    report, _ = validate_cycle("2022-01", raw_copy, None, input_identities)
    assert report.success, report.failures
    assert "model_accepts_inputs" in {check.check for check in report.checks}
