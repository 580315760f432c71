"""The input gate: Great Expectations suites on every typed table, plus the checks across rows
and tables that a single-column expectation cannot express, reported the same way.

Great Expectations is slow to import, so it is imported only inside :func:`run_expectations`
(through :mod:`highneeds.gate.checks.great_expectations_import`, which defers what the gate
never uses).
"""

from __future__ import annotations

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

from highneeds.common.errors import InputDataError, column_words
from highneeds.common.templating import render_template
from highneeds.domain.amounts import parse_money
from highneeds.domain.categories import AGE_BANDS, CATEGORY_IDS, OTHER_DSG_BLOCKS
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

#: Names a suite may use for lists kept elsewhere, each written once in the package: a list
#: item ``"$NAME"`` becomes the list's items, and ``$NAME`` in a text its items joined.
SUITE_LISTS: dict[str, tuple[str, ...]] = {
    "$DFE_CATEGORY_IDS": CATEGORY_IDS,
    "$DSG_BLOCK_IDS": tuple(OTHER_DSG_BLOCKS),
    "$AGE_BAND_IDS": tuple(AGE_BANDS),
}


def load_suite(path: Path) -> dict[str, Any]:
    """Read an expectation suite kept as reviewable JSON, with the lists it names
    (:data:`SUITE_LISTS`, such as the DfE categories of ``highneeds.domain.categories``)
    filled in."""
    with path.open(encoding="utf-8") as handle:
        return _filled(json.load(handle))


def _filled(value: Any) -> Any:
    if isinstance(value, dict):
        return {key: _filled(item) for key, item in value.items()}
    if isinstance(value, list):
        out: list[Any] = []
        for item in value:
            listed = isinstance(item, str) and item in SUITE_LISTS
            out += list(SUITE_LISTS[item]) if listed else [_filled(item)]
        return out
    if isinstance(value, str):
        for name, items in SUITE_LISTS.items():
            value = value.replace(name, ", ".join(items))
    return value


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
        # The value as the author typed it (GE saw an HTML-escaped copy: see _escaped_for_docs).
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


def _escaped_for_docs(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``frame`` with every text cell HTML-escaped, for Great Expectations: its Data
    Docs pages print failing values without escaping them. Escaping is one-to-one, so every
    check (sets, patterns, uniqueness, nulls) gives the same outcome on the copy."""
    escaped = frame.copy()
    for column in escaped.columns:
        if pd.api.types.is_string_dtype(escaped[column]) or escaped[column].dtype == object:
            escaped[column] = escaped[column].map(
                lambda v: html.escape(v) if isinstance(v, str) else v
            )
    return escaped


#: How much each suite's first pass reports: whether each expectation held, with its observed
#: value and counts (what Data Docs show of a check that passed), without the list of every
#: failing row, a good part of a validation's time to gather (docs/performance.md). A table
#: that fails is validated again with "COMPLETE",
#: which names each failing row, and that result is what its Data Docs page shows.
FIRST_PASS_FORMAT = "BASIC"


def run_expectations(
    tables: dict[str, pd.DataFrame], suites_dir: Path, docs_dir: Path | None
) -> list[CheckResult]:
    """Run each table's suite from ``suites_dir``; write Data Docs to ``docs_dir`` if given."""
    gx = import_great_expectations()
    from great_expectations.core.expectation_suite import ExpectationSuite
    from great_expectations.data_context.types.base import ProgressBarsConfig

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
        suite_path = suites_dir / f"{name}.json"
        if not suite_path.is_file():
            raise InputDataError(f"no expectation suite for table '{name}' at {suite_path}")
        spec = load_suite(suite_path)
        suite = context.suites.add(ExpectationSuite(name=name, expectations=spec["expectations"]))
        batch = source.add_dataframe_asset(name).add_batch_definition_whole_dataframe(name)
        definition = context.validation_definitions.add(
            gx.ValidationDefinition(name=name, data=batch, suite=suite)
        )
        shown = {"dataframe": _escaped_for_docs(frame)}
        outcome = definition.run(
            batch_parameters=shown, result_format=FIRST_PASS_FORMAT, run_id=run_id
        )
        if not outcome.success:  # the rows and values of each failure: the suite in full
            outcome = definition.run(
                batch_parameters=shown, result_format="COMPLETE", run_id=run_id
            )
        file = frame.attrs.get("source", name)
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
            results.append(
                CheckResult(name, file, config.type, expected, bool(result.success), failures)
            )
    if docs_dir is not None:
        from highneeds.gate.checks.data_docs_offline import make_offline

        context.build_data_docs(site_names=["validation"])
        make_offline(docs_dir)  # no CDN, no script, no random id
    return results


def _run_identifier() -> Any:
    """Name the validation run by the outputs' fixed date (``SOURCE_DATE_EPOCH``) when set, so
    that the same inputs give the same Data Docs; otherwise by the time now, as GE would."""
    from great_expectations.core.run_identifier import RunIdentifier

    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    when = datetime.fromtimestamp(int(epoch), UTC) if epoch else datetime.now(UTC)
    return RunIdentifier(run_name="input-gate", run_time=when)


#: What runs the expectation suites: :func:`run_expectations`, or one that remembers results.
RunExpectations = Callable[[dict[str, pd.DataFrame], Path, Path | None], list[CheckResult]]


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
    suites_dir: Path,
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
        return _validate_cycle(cycle, raw_dir, suites_dir, docs_dir, identities, expectations)


def _validate_cycle(
    cycle: str,
    raw_dir: Path,
    suites_dir: Path,
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
    checks = (expectations or run_expectations)(tables, suites_dir, docs_dir)
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


def require_success(report: ValidationReport) -> None:
    """The gate: raise :class:`InputDataError` listing every failure unless all checks passed."""
    if not report.success:
        raise InputDataError(
            f"The inputs of cycle {report.cycle} failed validation; nothing was modelled or "
            "published.",
            report.failures,
        )
