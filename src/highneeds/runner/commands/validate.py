"""The `validate` command: the input gate alone, in this process, with the same checks,
documents and exit codes as a run."""

from __future__ import annotations

import os
import shutil
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from highneeds.common.errors import InputDataError, NarrativeError, VerificationFailed
from highneeds.common.paths import CyclePaths, which_council
from highneeds.runner.archive.cycles import choose_cycle
from highneeds.runner.archive.locking import cycle_lock
from highneeds.runner.archive.publishing import (
    damaged_publication,
    recover,
    run_size,
    show_validation,
)
from highneeds.runner.archive.storage_errors import storage_failures
from highneeds.runner.archive.store import Store
from highneeds.runner.execute.options import RunOptions
from highneeds.runner.ops.logs import LOGGER

if TYPE_CHECKING:
    from highneeds.gate.checks.validation import RunExpectations


@dataclass
class GateResult:
    """A passed input gate: how many checks ran, and where their documents are."""

    cycle: str
    checks: int
    summary: Path
    #: Claims of the narrative the forecast does not bear out (the paper prints them as written).
    warnings: list[str]


def validate_only(options: RunOptions, expectations: RunExpectations | None = None) -> GateResult:
    """Run the input gate alone, in this process: same checks, documents and exit codes.
    ``expectations`` runs the suites (default: every table's, with Data Docs; a caller that
    checks many edits of one cycle may pass one that remembers unchanged tables)."""
    from highneeds.gate.checks.validation import require_success, validate_cycle
    from highneeds.model.wiring.identities import input_identities

    council = which_council(options.root, options.council)
    cycle = choose_cycle(options.root, options.cycle, council)
    paths = CyclePaths(options.root, cycle, council)
    with (
        storage_failures(options.root, lambda: run_size(paths.reports)),
        cycle_lock(paths.reports, cycle, LOGGER.warning, "validate"),
    ):
        # Tidy what an interrupted command left, but never change what is published: only
        # run and prune do.
        recover(paths.reports, LOGGER.warning, republish=False)
        LOGGER.info(f"[{paths.label}] validating inputs ...")
        # The documents are written beside the cycle's, then shown by one switch of its link.
        documents = paths.reports / f".validation.incoming-{os.getpid()}"
        try:
            report, tables = validate_cycle(
                cycle, paths.raw, documents, input_identities, expectations
            )
            require_success(report)
        except InputDataError as exc:
            shown = _show(documents, paths)
            where = f"\n  validation report: {shown}" if shown else ""
            raise InputDataError(f"{exc}{where}") from None
        summary = _show(documents, paths) or paths.validation
        damage = damaged_publication(paths.reports)
    warnings = [f"warning: {claim}" for claim in _claims(paths, tables, cycle)]
    for warning in warnings:
        LOGGER.warning(f"[{cycle}] {warning}")
    if damage is not None:
        raise VerificationFailed(
            f"the inputs of cycle {cycle} passed the gate, but {damage}; the published paper "
            f"is left as it is: run 'python pipeline.py verify --cycle {cycle}' to see which "
            f"files, and 'python pipeline.py run --cycle {cycle}' to publish again",
            [],
        )
    return GateResult(cycle, len(report.checks), summary, warnings)


def _claims(paths: CyclePaths, tables: dict[str, Any], cycle: str) -> list[str]:
    """What the run would warn of in the narrative, checked against the forecast; a narrative
    the run would refuse (a figure typed in, arithmetic in a placeholder, an unknown label or
    figure) is refused as the run refuses it (exit 4)."""
    from highneeds.gate.tables.paper_yaml import read_paper_metadata
    from highneeds.runner.execute.paper_inputs import narrative_claims

    narrative = paths.raw / "narrative.md"
    if not narrative.is_file():
        raise NarrativeError(f"narrative.md: the file is missing from {paths.raw}")
    meta = read_paper_metadata(paths.raw / "paper.yaml")
    text = narrative.read_text(encoding="utf-8")
    return _within_the_limit(lambda: narrative_claims(tables, cycle, text, meta))


def _within_the_limit(check: Callable[[], list[str]]) -> list[str]:
    """The narrative's check, bounded like the tables' (``HIGHNEEDS_MAX_CHECK_SECONDS``): one
    that overruns is refused (exit 3) and the command ends, the check left behind unfinished."""
    from highneeds.gate.read.limits import SETTINGS, ChecksTimedOut, InputLimits

    seconds = InputLimits.from_environment().max_check_seconds
    done: dict[str, Any] = {}

    def run() -> None:
        try:
            done["claims"] = check()
        except BaseException as error:  # raised again in the command's own thread
            done["error"] = error

    worker = threading.Thread(target=run, name="highneeds-narrative-check", daemon=True)
    worker.start()
    worker.join(seconds)
    if worker.is_alive():
        raise ChecksTimedOut(
            f"narrative.md: checking it against the forecast took longer than {seconds:,} s and "
            "was stopped; nothing was published (the operator can raise the limit with "
            f"{SETTINGS['max_check_seconds'][0]})"
        )
    if "error" in done:
        raise done["error"]
    return list(done["claims"])


def _show(documents: Path, paths: CyclePaths) -> Path | None:
    """Keep a check's documents in the store and point ``reports/<cycle>/validation`` at
    them; return the summary's path, if the check wrote one."""
    if not (documents / "summary.html").is_file():
        shutil.rmtree(documents, ignore_errors=True)
        return None
    store = Store(paths.root / "reports")
    with store.lock():
        tree = store.store_tree(documents)
        show_validation(paths.reports, tree)
    shutil.rmtree(documents)
    return paths.validation / "summary.html"
