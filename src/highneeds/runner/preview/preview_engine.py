"""The preview's engine: a cycle's paper rebuilt in one warm process after each save, doing
only what the change touches.

A narrative, paper.yaml or template edit re-runs the report notebook and the HTML render; a
table, sources.yaml or expectation suite edit first runs the gate again (the suites only on
the tables that changed) and the model notebooks. Each notebook runs in this process
(:mod:`highneeds.runner.execute.in_process`), so the preview computes exactly what a run computes.
The preview writes only to its own working folder: never under ``reports/`` or
``data/processed/``, and it takes no lock. A mistake in an input leaves the last good paper
in place with the problem beside it; the next save tries again.
"""

from __future__ import annotations

import logging
import shutil
import threading
import time
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import IntEnum
from pathlib import Path
from typing import Any

from highneeds.common.errors import HighNeedsError, InputDataError
from highneeds.common.paths import CyclePaths
from highneeds.runner.execute.options import plan_parameters, source_date_epoch
from highneeds.runner.ops.resources import preview_seconds, time_limited

LOGGER = logging.getLogger("highneeds")

#: The cycle's files that only the report notebook reads.
PAPER_INPUTS = frozenset({"narrative.md", "paper.yaml"})
#: The notebooks the preview runs in this process (the gate's work it does itself, below).
MODEL_NOTEBOOKS = ("02_deficit_model", "03_interventions")


class Stage(IntEnum):
    """How much of the pipeline a change makes the preview run again."""

    #: The report notebook and the HTML render.
    PAPER = 1
    #: The gate, the model notebooks, then the paper.
    GATE = 2


@dataclass(frozen=True)
class Problem:
    """Why the preview shows an older paper: the message and each place it names."""

    message: str
    details: tuple[str, ...] = ()

    @classmethod
    def from_error(cls, error: BaseException) -> Problem:
        if isinstance(error, HighNeedsError):
            head = str(error.args[0]) if error.args else str(error)
            details = error.problems if isinstance(error, InputDataError) else []
            return cls(head, tuple(details))
        return cls(
            "The preview could not be built (not a mistake in the inputs; the console has the "
            f"details): {type(error).__name__}: {error}"
        )

    def __str__(self) -> str:
        return "\n".join([self.message, *(f"  - {d}" for d in self.details)])


@dataclass(frozen=True)
class Snapshot:
    """What the browser is shown: the last good paper (None before the first) and, when the
    latest build failed, its problem. ``version`` counts the builds."""

    version: int
    html: str | None
    problem: Problem | None
    seconds: float
    #: Claims of the narrative the forecast does not bear out, in the paper shown.
    warnings: tuple[str, ...] = ()


class PreviewEngine:
    """One cycle's paper, rebuilt on demand in this process."""

    def __init__(
        self,
        root: Path,
        cycle: str,
        overrides: dict[str, Any],
        workdir: Path,
        council: str | None = None,
    ) -> None:
        from highneeds.gate.checks.remembered_expectations import RememberedExpectations
        from highneeds.paper.formats.render import TEMPLATES_DIR

        self.root, self.cycle = root, cycle
        self.raw_dir = CyclePaths(root, cycle, council).raw
        self.templates_dir = TEMPLATES_DIR
        self.processed_dir = workdir / "processed"
        self._folders = {
            "raw_dir": str(self.raw_dir),
            "processed_dir": str(self.processed_dir),
        }
        # The same parameters a run would give each notebook (checked the same way: exit 2).
        self._parameters = plan_parameters(root, cycle, overrides, council)
        epoch = int(source_date_epoch(cycle))
        self.date = datetime.fromtimestamp(epoch, UTC).date().isoformat()
        self._expectations = RememberedExpectations()
        self._pending = Stage.GATE
        self._seconds = preview_seconds()
        self._lock = threading.Lock()
        self.snapshot = Snapshot(0, None, None, 0.0)

    def watched(self) -> list[Path]:
        """The folders whose changes the preview follows (no document: the paper reads none).
        A folder that does not exist is left out: the watcher would stop on it."""
        folders = [self.raw_dir, self.templates_dir]
        return [folder for folder in folders if folder.is_dir()]

    def stage_for(self, changed: Iterable[Path]) -> Stage:
        """What the changed files make the preview run again."""
        for path in changed:
            if path.is_relative_to(self.raw_dir) and path.name not in PAPER_INPUTS:
                return Stage.GATE
        return Stage.PAPER

    def refresh(self, stage: Stage = Stage.GATE) -> Snapshot:
        """Rebuild from ``stage`` on; keep the last good paper if this build fails. A stage
        that failed is run again by every later refresh until it passes (a narrative edit
        must not hide a table the gate still refuses)."""
        with self._lock:
            stage = max(stage, self._pending)
            self._pending = stage
            started = time.perf_counter()
            html, problem = self.snapshot.html, None
            warnings = self.snapshot.warnings
            try:
                with time_limited(self._seconds, "building the preview"):
                    html, warnings = self._build(stage)
                self._pending = Stage.PAPER
            except Exception as error:  # the preview outlives any mistake in an input
                problem = Problem.from_error(error)
                warnings = ()  # the banner is this build's: no claim of a paper now stale
                if not isinstance(error, HighNeedsError):
                    LOGGER.debug("preview build failed", exc_info=error)
            self.snapshot = Snapshot(
                self.snapshot.version + 1, html, problem, time.perf_counter() - started, warnings
            )
            return self.snapshot

    def _build(self, stage: Stage) -> tuple[str, tuple[str, ...]]:
        from highneeds.gate.read.limits import InputLimits, check_cycle_folder

        check_cycle_folder(self.raw_dir, InputLimits.from_environment())
        if stage >= Stage.GATE:
            self._gate()
            for name in MODEL_NOTEBOOKS:
                self._run_notebook(name)
        return self._paper()

    def _gate(self) -> None:
        """Notebook 01's work (the same call) without its Data Docs: validate, refuse, write
        the tables, in place of the last build's."""
        from highneeds.gate.checks import validation
        from highneeds.model.wiring.identities import input_identities

        shutil.rmtree(self.processed_dir, ignore_errors=True)
        validation.gate_cycle(
            self.cycle,
            self.raw_dir,
            self.processed_dir,
            None,
            input_identities,
            expectations=self._expectations,
        )

    def _paper(self) -> tuple[str, tuple[str, ...]]:
        """The paper's HTML, and the claims of its narrative the forecast does not bear out:
        built and kept as notebook 04 builds and keeps them (the same two calls), as HTML
        alone and with its charts drawn for the screen only."""
        from highneeds.paper.formats.render import paper_notebook, render_html
        from highneeds.runner.execute.paper_inputs import build_report, write_report

        report = build_report(
            self.cycle, self.raw_dir, self.processed_dir, html_only=True, large_print_charts=False
        )
        write_report(report, self.processed_dir, html_only=True)
        html = render_html(paper_notebook(report.parts), report.meta, self.date)
        return html, tuple(report.parts.claims)

    def _run_notebook(self, name: str, **extra: Any) -> dict[str, Any]:
        from highneeds.runner.execute.in_process import run_notebook_in_process

        declared = self._parameters[name]
        parameters = {k: self._folders.get(k, v) for k, v in declared.items()} | extra
        notebook = self.root / "notebooks" / f"{name}.ipynb"
        return run_notebook_in_process(notebook, parameters, skip_tags={"paper"})
