"""The input gate: Great Expectations suites on every typed table, plus the checks across rows
and tables that a single-column expectation cannot express, reported the same way.

The suites are Great Expectations' own expectation classes (:mod:`highneeds.gate.checks.suites`,
:mod:`highneeds.gate.checks.forecast_suites`). Each table's suite runs once, on the values as
the gate typed them; where Data Docs are written, the values their pages show are escaped
there (their pages print a failing value as it is). Each table is its own validation
definition, not one of a Checkpoint's: a Checkpoint hands every definition the same batch
parameters, and an in-memory table reaches its definition only as one. Great Expectations is
slow to import, so
it is imported only inside :func:`run_expectations` (through
:mod:`highneeds.gate.checks.great_expectations_import`, which defers what the gate never uses).
"""

from __future__ import annotations

import copy
import html
import json
import os
import shutil
from collections.abc import Callable
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pandas as pd

from highneeds.common import processed
from highneeds.common.errors import InputDataError, column_words
from highneeds.common.templating import render_template
from highneeds.domain.amounts import parse_money
from highneeds.gate.checks import forecast_suites, suites
from highneeds.gate.checks.cross_checks import (
    CheckResult,
    IdentityChecks,
    cross_table_checks,
    paper_yaml_check,
)
from highneeds.gate.checks.great_expectations_import import import_great_expectations
from highneeds.gate.read.limits import (
    InputLimits,
    check_cycle_folder,
    checks_time_limited,
    within_check_time,
)
from highneeds.gate.tables.readings import read_readings
from highneeds.gate.tables.tables import read_cycle_tables


def table_suites() -> dict[str, list[Any]]:
    """Each table's expectations, by the table's name in the catalog."""
    gxe = import_great_expectations().expectations
    return {**suites.table_suites(gxe), **forecast_suites.forecast_suites(gxe)}


def _locate(
    frame: pd.DataFrame,
    file: str,
    column: str | None,
    indexes: list[Any],
    values: list[Any],
    expected: str,
) -> list[str]:
    """Each failing cell as the author sees it: file, row, column, value, what was expected."""
    failures: list[str] = []
    letters = frame.attrs.get("letters", {})
    for position, index in enumerate(indexes):
        # The value as the author typed it.
        if column == "amount" and "written" in frame.columns and index in frame.index:
            value = _as_typed(frame.loc[index, "written"])  # the budget's cell, in its unit
        elif column in frame.columns and index in frame.index:
            value = frame.loc[index, column]
        else:
            value = values[position] if position < len(values) else None
        if column == "year" and "line" in frame.columns:
            # The budget's years are its header cells: report the heading, once.
            where = f"{file}, header row, {column_words(str(value), letters.get(value))}"
        else:
            where = f"{file}, row {frame.loc[index, 'row']}" if "row" in frame.columns else file
            if column:
                heading = _source_column(frame, index, column)
                where += f", {column_words(heading, letters.get(heading))}"
        failure = f"{where}: found {_show(value)}; expected {expected}"
        if failure not in failures:
            failures.append(failure)
    return failures


def _as_typed(text: str) -> Any:
    """A budget cell's number in the table's own unit and sign (``(1.7)`` is -1.7)."""
    try:
        return parse_money(text)
    except ValueError:
        return text


def _source_column(frame: pd.DataFrame, index: Any, column: str) -> str:
    """The column as the author sees it: in the budget table, a year rather than 'amount'."""
    if column == "amount" and "year" in frame.columns:
        return str(frame.loc[index, "year"])
    return column


def _show(value: Any) -> str:
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return "a blank"
    value = value.item() if hasattr(value, "item") else value
    if isinstance(value, float) and value.is_integer():
        value = int(value)  # 126, as the author typed it, not 126.0
    return repr(value)


def _escaped(value: Any) -> Any:
    """``value`` (a validation result's, however nested) with every text HTML-escaped."""
    if isinstance(value, str):
        return html.escape(value)
    if isinstance(value, dict):
        return {key: _escaped(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_escaped(item) for item in value]
    return value


def _escape_stored_results(context: Any) -> None:
    """Escape what the validation results hold of the data (failing values, observed values),
    in the copies Data Docs are built from: its pages print them without escaping. The
    results the gate reports from are the unescaped ones it holds."""
    store = context.validation_results_store
    for key in store.list_keys():
        result = copy.deepcopy(store.get(key))
        for each in result.results:
            each.result = _escaped(each.result)
        store.set(key, result)


def run_expectations(tables: dict[str, pd.DataFrame], docs_dir: Path | None) -> list[CheckResult]:
    """Run each table's suite once, with every failing row named; write Data Docs to
    ``docs_dir`` if given."""
    gx = import_great_expectations()
    from great_expectations.core.expectation_suite import ExpectationSuite
    from great_expectations.data_context.types.base import ProgressBarsConfig

    declared = table_suites()
    results: list[CheckResult] = []
    run_id = _run_identifier()
    # An in-memory context: a file-backed one re-reads its YAML configuration on every lookup.
    context = gx.get_context(mode="ephemeral")
    context.variables.progress_bars = ProgressBarsConfig(globally=False)
    if docs_dir is not None:
        from highneeds.gate.checks.data_docs_views import site_views

        docs_dir.mkdir(parents=True, exist_ok=True)
        context.add_data_docs_site(
            site_name="validation",
            site_config={
                "class_name": "SiteBuilder",
                "store_backend": {
                    "class_name": "TupleFilesystemStoreBackend",
                    "base_directory": str(docs_dir.resolve()),
                },
                # Great Expectations' own views, their templates compiled once per process.
                **site_views(),
            },
        )
    source = context.data_sources.add_pandas("cycle_inputs")
    for name, frame in tables.items():
        within_check_time(str(frame.attrs.get("source", name)))
        if name not in declared:
            raise InputDataError(f"no expectation suite for table '{name}'")
        suite = context.suites.add(ExpectationSuite(name=name, expectations=declared[name]))
        batch = source.add_dataframe_asset(name).add_batch_definition_whole_dataframe(name)
        definition = context.validation_definitions.add(
            gx.ValidationDefinition(name=name, data=batch, suite=suite)
        )
        outcome = definition.run(
            batch_parameters={"dataframe": frame}, result_format="COMPLETE", run_id=run_id
        )
        results += _checks(name, frame, outcome)
    if docs_dir is not None:
        from highneeds.gate.checks.data_docs_offline import make_offline

        _escape_stored_results(context)
        context.build_data_docs(site_names=["validation"])
        make_offline(docs_dir)  # no CDN, no script, no random id
    return results


def _checks(name: str, frame: pd.DataFrame, outcome: Any) -> list[CheckResult]:
    """A suite's outcome as the gate reports it: each failing cell located."""
    file = frame.attrs.get("source", name)
    checks = []
    for result in outcome.results:
        config = result.expectation_config
        expected = config.meta.get("explain", config.type)
        failures: list[str] = []
        if not result.success:
            # A pair of columns (high >= low) is reported at its first column.
            column = config.kwargs.get("column") or config.kwargs.get("column_A")
            indexes = result.result.get("unexpected_index_list") or []
            values = result.result.get("unexpected_list") or []
            failures = _locate(frame, file, column, indexes, values, expected)
            if not failures:
                observed = result.result.get("observed_value")
                failures = [f"{file}: found {observed!r}; expected {expected}"]
        checks.append(
            CheckResult(name, file, config.type, expected, bool(result.success), failures)
        )
    return checks


def _run_identifier() -> Any:
    """Name the validation run by the outputs' fixed date (``SOURCE_DATE_EPOCH``) when set, so
    that the same inputs give the same Data Docs; otherwise by the time now, as GE would."""
    from great_expectations.core.run_identifier import RunIdentifier

    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    when = datetime.fromtimestamp(int(epoch), UTC) if epoch else datetime.now(UTC)
    return RunIdentifier(run_name="input-gate", run_time=when)


#: What runs the expectation suites: :func:`run_expectations`, or one that remembers results.
RunExpectations = Callable[[dict[str, pd.DataFrame], Path | None], list[CheckResult]]


@dataclass
class ValidationReport:
    """Every check of a cycle's inputs and its outcome."""

    cycle: str
    checks: list[CheckResult]

    @property
    def success(self) -> bool:
        return all(c.success for c in self.checks)

    @property
    def failures(self) -> list[str]:
        return [f for c in self.checks for f in c.failures]

    def write(self, folder: Path) -> None:
        """Write ``summary.json`` and a short ``summary.html`` beside the Data Docs."""
        folder.mkdir(parents=True, exist_ok=True)
        payload = {
            "cycle": self.cycle,
            "success": self.success,
            "checks": [asdict(c) for c in self.checks],
        }
        (folder / "summary.json").write_text(json.dumps(payload, indent=2) + "\n", encoding="utf-8")
        summary = render_template("highneeds.gate", "validation-summary.html.j2", report=self)
        (folder / "summary.html").write_text(summary + "\n", encoding="utf-8")


def validate_cycle(
    cycle: str,
    raw_dir: Path,
    docs_dir: Path | None,
    identities: IdentityChecks,
    expectations: RunExpectations | None = None,
) -> tuple[ValidationReport, dict[str, pd.DataFrame]]:
    """Read a cycle's inputs and run every check; the typed tables come back for writing.

    ``identities`` are the checks across tables that the model's arithmetic needs (pass
    :func:`highneeds.model.wiring.identities.input_identities`). ``expectations`` runs the suites
    (default :func:`run_expectations`; the preview passes one that remembers unchanged tables).

    Raises :class:`InputDataError` when a file cannot be read at all (after writing that to the
    summary page); otherwise the report says which checks failed, and the caller decides (the
    gate refuses to go on). The validation folder holds only this run's documents.
    """
    limits = InputLimits.from_environment()
    with checks_time_limited(limits.max_check_seconds):
        return _validate_cycle(cycle, raw_dir, docs_dir, identities, expectations)


def _validate_cycle(
    cycle: str,
    raw_dir: Path,
    docs_dir: Path | None,
    identities: IdentityChecks,
    expectations: RunExpectations | None,
) -> tuple[ValidationReport, dict[str, pd.DataFrame]]:
    if docs_dir is not None and docs_dir.exists():
        shutil.rmtree(docs_dir)
    try:
        check_cycle_folder(raw_dir, InputLimits.from_environment())
        tables = read_cycle_tables(raw_dir)
    except InputDataError as exc:
        if docs_dir is not None:
            unread = CheckResult(
                "inputs",
                raw_dir.name,
                "files_readable",
                "every input file readable as a single, aggregate table",
                False,
                exc.problems or [str(exc)],
            )
            ValidationReport(cycle, [unread]).write(docs_dir)
        raise
    checks = (expectations or run_expectations)(tables, docs_dir)
    checks += cross_table_checks(tables, identities, cycle)
    within_check_time("paper.yaml")
    checks.append(paper_yaml_check(raw_dir / "paper.yaml"))
    # The council's readings of its own figures, for the model to trace to paper.yaml's lines.
    readings = read_readings(raw_dir / "paper.yaml")
    if readings is not None:
        tables["readings"] = readings
    report = ValidationReport(cycle, checks)
    if docs_dir is not None:
        report.write(docs_dir)
    return report, tables


def gate_cycle(
    cycle: str,
    raw_dir: Path,
    processed_dir: Path,
    docs_dir: Path | None,
    identities: IdentityChecks,
    expectations: RunExpectations | None = None,
) -> tuple[ValidationReport, list[Path]]:
    """The gate, wired once (notebook 01 and the preview call it): every check of the cycle's
    inputs (:func:`validate_cycle`), a refusal unless all passed (:func:`require_success`),
    then the typed tables written into ``processed_dir`` with the file each came from; the
    report and the files written."""
    report, tables = validate_cycle(cycle, raw_dir, docs_dir, identities, expectations)
    require_success(report)
    return report, processed.write_typed_tables(tables, processed_dir)


def require_success(report: ValidationReport) -> None:
    """The gate: raise :class:`InputDataError` listing every failure unless all checks passed."""
    if not report.success:
        raise InputDataError(
            f"The inputs of cycle {report.cycle} failed validation; nothing was modelled or "
            "published.",
            report.failures,
        )
