"""The `validate` command: the input gate alone, in this process, with the same checks,
documents and exit codes as a run."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from highneeds.errors import InputDataError
from highneeds.paths import CyclePaths
from highneeds.runner.cycles import choose_cycle
from highneeds.runner.locking import cycle_lock
from highneeds.runner.logs import LOGGER
from highneeds.runner.options import RunOptions


@dataclass
class GateResult:
    """A passed input gate: how many checks ran, and where their documents are."""

    cycle: str
    checks: int
    summary: Path


def validate_only(options: RunOptions) -> GateResult:
    """Run the input gate alone, in this process: same checks, documents and exit codes."""
    from highneeds.gate.validation import require_success, validate_cycle
    from highneeds.model.identities import input_identities

    cycle = choose_cycle(options.root, options.cycle)
    paths = CyclePaths(options.root, cycle)
    with cycle_lock(paths.reports, cycle, LOGGER.warning):
        LOGGER.info(f"[{cycle}] validating inputs ...")
        try:
            report, _ = validate_cycle(
                cycle, paths.raw, paths.expectations, paths.validation, input_identities
            )
            require_success(report)
        except InputDataError as exc:
            summary = paths.validation / "summary.html"
            where = f"\n  validation report: {summary}" if summary.is_file() else ""
            raise InputDataError(f"{exc}{where}") from None
    return GateResult(cycle, len(report.checks), paths.validation / "summary.html")
