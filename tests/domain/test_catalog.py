"""The catalog of tables agrees with everything that reads or writes a table: the gate's
readers and suites, the model's results, and the order of the steps."""

from __future__ import annotations

from highneeds.domain.catalog import (
    BY_NAME,
    INTERVENTIONS,
    MODEL,
    NOTEBOOK_STEPS,
    PAPER_TABLES,
    REPORT,
    RETURN_TABLES,
    SOURCE_STEMS,
    TABLES,
    VALIDATE,
    read_by,
    written_by,
)
from highneeds.gate.tables.figures import figure_values
from highneeds.gate.tables.tables import TABLE_READERS
from highneeds.model.wiring.run import ModelParameters, run_interventions, run_model
from highneeds.runner.execute.steps import STEPS

ORDER = (VALIDATE, MODEL, INTERVENTIONS, REPORT)


def test_the_steps_are_the_runs_notebooks_in_order() -> None:
    assert tuple(step.name for step in STEPS if step.notebook) == NOTEBOOK_STEPS == ORDER


def test_each_table_is_declared_once_and_read_only_after_it_is_written() -> None:
    assert len(BY_NAME) == len(TABLES)
    for table in TABLES:
        assert table.written_by in ORDER, table
        for step in table.read_by:
            assert ORDER.index(step) > ORDER.index(table.written_by), table


def test_the_gate_has_a_reader_for_each_table_a_council_gives_in_a_file_and_no_other() -> None:
    assert list(TABLE_READERS) == list(SOURCE_STEMS)
    assert all(BY_NAME[name].written_by == VALIDATE for name in SOURCE_STEMS)
    assert len(set(SOURCE_STEMS.values())) == len(SOURCE_STEMS)


def test_each_table_a_council_gives_has_its_suite_and_no_other_has_one() -> None:
    from highneeds.gate.checks.validation import table_suites

    suites = table_suites()
    assert set(suites) == set(SOURCE_STEMS)
    assert all(suites.values())


def test_only_the_budget_must_be_given() -> None:
    assert [t.name for t in TABLES if t.stem and not t.optional] == ["budget"]


def test_the_model_steps_write_exactly_the_tables_the_catalog_says(shipped_tables) -> None:
    model = run_model(
        shipped_tables,
        figure_values(shipped_tables["figures"]),
        ModelParameters("2022-01", uncertainty_draws=10),
    )
    assert list(model.tables) and set(model.tables) == set(written_by(MODEL))
    assert set(run_interventions(shipped_tables).tables) == set(written_by(INTERVENTIONS))


def test_what_the_paper_and_the_return_print_is_written_by_a_step() -> None:
    assert set(PAPER_TABLES) | set(RETURN_TABLES) <= set(BY_NAME)
    assert not set(PAPER_TABLES) & set(RETURN_TABLES)
    assert "readings" in read_by(MODEL) and "readings" not in SOURCE_STEMS
