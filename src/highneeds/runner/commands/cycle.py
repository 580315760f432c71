"""Run a cycle end to end: lock the cycle, execute each step in the run's own folder (or reuse
it when nothing it depends on changed), render the paper, write the manifest and the change
log, store the run folder (flushed to the disk), then publish it by one switch.

A failed run leaves the last good paper of the cycle untouched: the published run is switched
only when every step has succeeded. A failed run's folder is kept for diagnosis (or, when the
disk is full and it cannot be marked failed, removed).
"""

from __future__ import annotations

import os
import shutil
import time
from contextlib import suppress
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from highneeds.common.errors import HighNeedsError, InputDataError, Interrupted, StaleCycle
from highneeds.common.paths import CyclePaths, which_council
from highneeds.gate.read.limits import InputLimits, check_cycle_folder
from highneeds.runner.archive.archive import hashes_kept, new_run_id, write_json
from highneeds.runner.archive.cycles import (
    available_cycles,
    choose_cycle,
    input_files,
    unchanged_from_previous,
)
from highneeds.runner.archive.locking import cycle_lock
from highneeds.runner.archive.manifest import RunFacts, build_manifest
from highneeds.runner.archive.outputs import (
    MANIFEST,
    PAPER_HTML,
    PAPER_PDF,
    read_claims,
    summary_lines,
)
from highneeds.runner.archive.publishing import (
    publish,
    published_run,
    recover,
    run_size,
    show_validation,
)
from highneeds.runner.archive.storage_errors import (
    is_storage_problem,
    storage_error,
    storage_failures,
    written_folders,
)
from highneeds.runner.archive.store import Store
from highneeds.runner.execute.options import (
    RunOptions,
    plan_parameters,
    run_environment,
    source_date_epoch,
)
from highneeds.runner.execute.overlap import execute_steps
from highneeds.runner.ops.logs import LOGGER, RUN_LOG, RunLog, run_fields
from highneeds.runner.ops.secrets import redact
from highneeds.runner.ops.signals import interruptible, signals_held, stop_if_interrupted
from highneeds.runner.ops.temporary import remove_abandoned


@dataclass
class RunResult:
    """Where a successful run put the paper, and what it executed."""

    cycle: str
    run_id: str
    html: Path
    #: The paper to open: its PDF, or its HTML if the run made the HTML only.
    paper: Path
    manifest: Path
    #: Every published file, as the command line lists it.
    summary: list[str]
    executed: list[str]
    reused: list[str]
    seconds: float
    #: What an operator should hear of although the run succeeded (a stale cycle).
    warnings: list[str]


def copy_inputs(source_raw: Path, run_dir: Path) -> None:
    """Copy the cycle's inputs into the run folder, once they pass the input limits (no links,
    nothing from outside the folder, no file over the size limit)."""
    check_cycle_folder(source_raw, InputLimits.from_environment())
    (run_dir / "inputs").mkdir(parents=True)
    for path in input_files(source_raw):  # only inputs: a note or a stray file is not archived
        shutil.copy2(path, run_dir / "inputs" / path.name, follow_symlinks=False)


def _baselines(root: Path, paths: CyclePaths, current: Path | None) -> list[tuple[Path, str]]:
    """The papers to compare with: the cycle's published run (``current``), and the previous
    cycle's of the same council (so a re-run of a cycle still says what moved since last
    month's paper)."""
    found: list[tuple[Path, str]] = []
    if current is not None:
        found.append((current, f"the previously published paper of cycle {paths.cycle}"))
    earlier = [c for c in available_cycles(root, paths.council) if c < paths.cycle]
    for cycle in reversed(earlier):
        run = published_run(CyclePaths(root, cycle, paths.council).reports)
        if run is not None:
            found.append((run, f"the paper of cycle {cycle}"))
            break
    return found


def run_cycle(options: RunOptions) -> RunResult:
    """Run every step of a cycle and publish its paper; raise a :class:`HighNeedsError` if not."""

    clock = time.monotonic()
    # Folders a killed run left in the temporary folder (their run is gone): removed now.
    remove_abandoned()
    root = options.root
    council = which_council(root, options.council)
    cycle = choose_cycle(root, options.cycle, council)
    paths = CyclePaths(root, cycle, council)
    plan = plan_parameters(root, cycle, options.parameters, council)
    epoch = source_date_epoch(cycle)
    with (
        storage_failures(root, lambda: run_size(paths.reports)),
        run_environment(root, epoch),
        interruptible(),
        cycle_lock(paths.reports, cycle, LOGGER.warning),
        hashes_kept(),  # under the lock: a file hashed twice unchanged is read once
    ):
        recover(paths.reports, LOGGER.warning)
        warnings: list[str] = []
        started = datetime.now(UTC)
        run_id = new_run_id(started)
        run_dir = paths.reports / "runs" / run_id
        run_dir.mkdir(parents=True)
        try:
            log = RunLog(run_dir / RUN_LOG)
        except OSError:  # nothing of the run is written yet: leave nothing behind
            shutil.rmtree(run_dir, ignore_errors=True)
            raise
        records: list[dict[str, Any]] = []
        with log, run_fields(cycle=paths.label, run_id=run_id):
            LOGGER.info(f"[{paths.label}] run {run_id} started (log: {run_dir / RUN_LOG})")
            run = RunFacts(run_dir, root, cycle, run_id, started, epoch, plan)
            result = _run_steps(options, paths, run, records, warnings)
            LOGGER.info(
                f"[{paths.label}] run {run_id} published in {time.monotonic() - clock:.1f} s"
            )
    return RunResult(
        paths.label,
        run_id,
        paths.reports / PAPER_HTML,
        _paper_to_open(paths.reports),
        paths.reports / MANIFEST,
        summary_lines(paths.reports),
        [r["step"] for r in result if r["status"] == "ok"],
        [r["step"] for r in result if r["status"] == "reused"],
        time.monotonic() - clock,
        warnings,
    )


def _paper_to_open(reports: Path) -> Path:
    """The published paper's PDF, or its HTML if the run made the HTML only."""
    pdf = reports / PAPER_PDF
    return pdf if pdf.exists() else reports / PAPER_HTML


def _stale_cycle(root: Path, paths: CyclePaths, require_changes: bool) -> list[str]:
    """A cycle whose inputs are the previous cycle's, unedited, would publish last month's
    paper as this month's: refused with ``--require-changes``, else warned of."""
    cycle = paths.cycle
    previous = unchanged_from_previous(root, cycle, paths.council)
    if previous is None:
        return []
    same = (
        f"the inputs of cycle {cycle} are byte for byte those of cycle {previous}: nothing "
        "was edited since the cycle was started"
    )
    if require_changes:
        raise StaleCycle(
            f"{same}; nothing was run or published (--require-changes). Update the cycle's "
            f"figures and narrative in {paths.raw.relative_to(root)}/, then run again."
        )
    warning = f"warning: {same}; its paper is published as it is"
    LOGGER.warning(f"[{paths.label}] {warning}")
    return [warning]


def _run_steps(
    options: RunOptions,
    paths: CyclePaths,
    run: RunFacts,
    records: list[dict[str, Any]],
    warnings: list[str],
) -> list[dict[str, Any]]:
    """The body of a run inside its lock and log: steps, change log, manifest, publish. What
    an operator must hear of (a stale cycle, a claim the forecast does not bear out) is
    logged, added to ``warnings`` and kept in the manifest."""
    from highneeds.runner.changes.changes import write_changes
    from highneeds.runner.changes.history import (
        add_published_forecasts,
        forecast_history,
        published_forecasts,
    )

    root, cycle, run_dir = run.root, run.cycle, run.run_dir
    store = Store(root / "reports")
    published = False
    try:
        # Refused here (exit 8), the attempt is a run of its own: status and the log say so.
        warnings += _stale_cycle(root, paths, options.require_changes)
        copy_inputs(paths.raw, run_dir)
        # The council's earlier papers' forecasts, for the model to score against the outturn.
        add_published_forecasts(run_dir / "inputs", published_forecasts(root, cycle, paths.council))
        earlier = None if options.force else paths.reports
        shared = execute_steps(run_dir, root, run.plan, options, run.epoch, earlier, records)
        for claim in read_claims(run_dir):
            warnings.append(f"warning: {claim}")
            LOGGER.warning(f"[{paths.label}] {warnings[-1]}")
        history = forecast_history(root, (cycle, run_dir), paths.council)
        previous_paper = published_run(paths.reports)
        write_changes(
            run_dir,
            _baselines(root, paths, previous_paper),
            history=history,
            code=shared,  # a page drawn by other code is drawn again
            published=previous_paper,  # its page, copied if it reads the same
        )
        # The code's hash the steps' keys were made with: not hashed again.
        manifest = build_manifest(run, "ok", records, code=shared["code"])
        write_json(run_dir / MANIFEST, manifest | {"warnings": warnings})
        # Store and publish as one piece: a signal arriving now is held until both are done.
        with signals_held(), store.lock():
            stop_if_interrupted()
            store.absorb_run(run_dir, keep=(RUN_LOG,))
            publish(run_dir, paths, LOGGER.warning)
            published = True
        stop_if_interrupted()  # one held while publishing: the run is complete, then stops
    except BaseException as exc:
        if published:  # a signal held during publishing: the run is complete and published
            raise
        instead = _failed_run(exc, run, paths, records, warnings, store)
        if instead is not None:
            raise instead from None
        raise
    return records


def _failed_run(
    exc: BaseException,
    run: RunFacts,
    paths: CyclePaths,
    records: list[dict[str, Any]],
    warnings: list[str],
    store: Store,
) -> BaseException | None:
    """Record a run that failed or was interrupted (its log, its manifest, its folder kept
    or removed, a failed gate's documents shown); return the error to raise in its place (the
    gate's, with where its report is; a storage problem, with advice), or None for ``exc``."""
    run_dir, run_id = run.run_dir, run.run_id
    interrupted = isinstance(exc, Interrupted | KeyboardInterrupt)
    status = "interrupted" if interrupted else "failed"
    failed_step = None
    if records and records[-1].get("status") == "running":
        records[-1]["status"] = status
        failed_step = records[-1]["step"]
    if isinstance(exc, OSError) and exc.filename and not os.path.isabs(exc.filename):
        exc.filename = str(run_dir / exc.filename)  # a notebook's, relative to the run
    machine = is_storage_problem(exc, written_folders(run.root))
    if machine:
        exc = storage_error(exc, run_size(paths.reports))  # type: ignore[arg-type]
    exit_code = getattr(exc, "exit_code", 130 if isinstance(exc, KeyboardInterrupt) else 1)
    # The error itself goes in the run's log, so that the log a notification points to
    # says what went wrong (an unexpected error's traceback is added by the CLI).
    LOGGER.error(
        f"[{paths.label}] run {run_id} {status}"
        + (f" in step {failed_step}" if failed_step else "")
        + f": {redact(str(exc) or type(exc).__name__)}",
        # The console has the command's own error line; the run's log keeps this one.
        extra={"step": failed_step, "exit_code": exit_code, "log_only": True},
    )
    if isinstance(exc, HighNeedsError | Interrupted):
        exc.step = failed_step
        exc.log = str(run_dir / RUN_LOG)
        exc.run_id = run_id
    elif isinstance(exc, Exception):  # unexpected: the CLI adds its traceback to this log
        with suppress(AttributeError, TypeError):
            exc.__highneeds_log__ = str(run_dir / RUN_LOG)  # type: ignore[attr-defined]
            exc.__highneeds_step__ = failed_step  # type: ignore[attr-defined]
    # A message of ours reads as written; anything else keeps its kind of error.
    error = redact(str(exc) if isinstance(exc, HighNeedsError) else f"{type(exc).__name__}: {exc}")
    manifest = build_manifest(run, status, records, error=error, exit_code=exit_code)
    kept = _keep_failed_run(run_dir, manifest | {"warnings": warnings}, store)
    if not kept and isinstance(exc, HighNeedsError):
        exc.log = None  # the folder, its log with it, is gone
    if isinstance(exc, InputDataError):
        publish_validation(run_dir, paths)
        gate = InputDataError(
            f"{exc}\n  validation report: {paths.validation / 'summary.html'}\n"
            f"  run folder: {run_dir}"
        )
        gate.step, gate.log, gate.run_id = failed_step, str(run_dir / RUN_LOG), run_id
        return gate
    return exc if machine else None


def _keep_failed_run(run_dir: Path, manifest: dict[str, Any], store: Store) -> bool:
    """Mark a failed run's folder failed and store it (its documents shared with other runs).
    If the machine will not let us (a full disk), remove it instead: return False."""
    try:
        write_json(run_dir / MANIFEST, manifest)
        with store.lock():
            store.absorb_run(run_dir, keep=(RUN_LOG,))
        return True
    except OSError as problem:
        LOGGER.error(f"could not mark the failed run folder {run_dir} ({problem}); removed it")
        shutil.rmtree(run_dir, ignore_errors=True)
        return False


def publish_validation(run_dir: Path, paths: CyclePaths) -> None:
    """Show a failed gate's documents in ``reports/<cycle>/validation/`` (the paper stays)."""
    if (run_dir / "validation").is_dir():
        with suppress(OSError):
            show_validation(paths.reports, run_dir / "validation")


def record_failed_start(
    root: Path, cycle: str | None, council: str | None, error: str, exit_code: int
) -> tuple[str, Path] | None:
    """Record a run that could not start (its settings unreadable) as a failed run of its
    cycle, so that ``status`` and the next look at the archive see it and why; return the
    run id and its log, or None where not even that can be written (the cycle unknown, the
    reports folder unwritable: the command's own error says what is wrong)."""
    try:
        council = which_council(root, council)
        cycle = choose_cycle(root, cycle, council)
        paths = CyclePaths(root, cycle, council)
        started = datetime.now(UTC)
        run_id = new_run_id(started)
        run_dir = paths.reports / "runs" / run_id
        run_dir.mkdir(parents=True)
        log = run_dir / RUN_LOG
        log.write_text(
            f"{started.isoformat()} [{paths.label}] run {run_id} could not start: "
            f"{redact(error)}\n",
            encoding="utf-8",
        )
        run = RunFacts(run_dir, root, cycle, run_id, started, source_date_epoch(cycle), {})
        manifest = build_manifest(run, "failed", [], error=redact(error), exit_code=exit_code)
        write_json(run_dir / MANIFEST, manifest)
    except (HighNeedsError, OSError):
        return None
    return run_id, log
