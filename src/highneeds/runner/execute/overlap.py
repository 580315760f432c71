"""Run (or reuse) a run's steps: in order, or with the model working ahead alongside the
input gate on the tables it is about to write (the gate still decides)."""

from __future__ import annotations

import shutil
import threading
from pathlib import Path
from typing import Any

from highneeds.runner.archive.archive import sha256
from highneeds.runner.execute.kernels import Kernels
from highneeds.runner.execute.options import RunOptions
from highneeds.runner.execute.steps import (
    STEPS,
    TABLES,
    StepRunner,
    find_reusable,
    shared_key_parts,
    successful_runs,
)
from highneeds.runner.ops.logs import LOGGER
from highneeds.runner.ops.temporary import temporary_folder


def execute_steps(
    run_dir: Path,
    root: Path,
    plan: dict[str, dict[str, Any]],
    options: RunOptions,
    epoch: str,
    reports: Path | None,
    records: list[dict[str, Any]],
) -> dict[str, str]:
    """Run (or reuse) each step in ``run_dir``, appending what happened to ``records``;
    return what every step's key included (the code's hash among it, for the manifest).

    When the gate (01) has to run, the later steps run alongside it unless
    ``options.overlap`` is off: see :func:`_gate_with_model_ahead`.
    """
    shared = shared_key_parts(root, epoch)
    steps = StepRunner(
        run_dir,
        root,
        plan,
        options,
        epoch,
        shared,
        successful_runs(reports) if reports is not None else [],
    )
    gate = STEPS[0]
    kernels = Kernels()
    try:
        must_validate = find_reusable(gate, steps.key(gate, run_dir), steps.earlier) is None
        if options.overlap and must_validate:
            _gate_with_model_ahead(steps, kernels, records)
        else:
            steps.run(STEPS, run_dir, kernels.for_folder(run_dir), records)
    finally:
        kernels.close()
        steps.close()
    return shared


#: How long a run that stops waits for the steps working ahead to end (their kernel is stopped
#: first, so they end at once unless a library call is slow to notice).
AHEAD_JOIN_SECONDS = 10

#: The typed tables the gate writes, which the model reads, and the files they came from.
_GATE_TABLES = (*(f"processed/{table}.csv" for table in TABLES), "processed/table_sources.json")


def _gate_with_model_ahead(
    steps: StepRunner, kernels: Kernels, records: list[dict[str, Any]]
) -> None:
    """Run the gate in the run folder and, alongside it on the other core, the later steps in a
    folder of their own, on typed tables read ahead with the gate's own reader.

    The gate still decides: if it fails, everything done ahead is thrown away and nothing is
    published. If it passes, the tables it wrote are compared byte for byte with those read
    ahead; only if they are identical are the later steps' outputs taken into the run folder
    (they are then exactly what running the steps after the gate would have produced, and
    their keys say so). Otherwise the later steps run again after the gate.
    """
    run_dir = steps.run_dir
    ahead: _ModelAhead | None = None
    try:
        # The render worker imports its libraries from the start: the kernels are still booting,
        # one core would otherwise wait (benchmarks/bench.py measures a cold run).
        steps.prepare_render()
        gate_kernel = kernels.start(run_dir)
        ahead = _ModelAhead(steps, kernels)  # starts its kernel now: both boot side by side
        ahead.start()
        steps.run(STEPS[:1], run_dir, lambda: gate_kernel, records)
        gate_kernel.shutdown()  # its memory and process are not needed any more
        ahead.join()
        if not ahead.read_the_same_tables(run_dir):
            LOGGER.warning(
                f"[{steps.cycle}] the tables the gate wrote differ from those read ahead of it; "
                "running the later steps again"
            )
            steps.run(STEPS[1:], run_dir, kernels.for_folder(run_dir), records)
            return
        ahead.move_outputs_to(run_dir, records)
        if ahead.error is not None:
            raise ahead.error
    finally:
        try:
            steps.cancelled.set()  # harmless after success: every step has run
            kernels.close()  # if the gate failed, this also stops the steps working ahead
            steps.close()
        finally:  # the folder worked ahead in goes even if stopping the kernels failed
            if ahead is not None:
                try:
                    # Its kernel is stopped, so it ends at once; a stop must not wait long on
                    # it either way (it is a daemon: it goes with the process).
                    if ahead.is_alive():
                        ahead.join(timeout=AHEAD_JOIN_SECONDS)
                finally:  # a signal while waiting for it must not leave its folder behind
                    shutil.rmtree(ahead.folder, ignore_errors=True)


#: Run on the model's kernel in the folder working ahead: the typed tables, read with the gate's
#: own reader and written as the gate writes them.
_READ_TABLES_AHEAD = """
from pathlib import Path
from highneeds.gate.tables.tables import read_cycle_tables
from highneeds.common.processed import write_typed_tables
write_typed_tables(read_cycle_tables(Path({folder!r}) / "inputs"), Path({folder!r}) / "processed")
"""


class _ModelAhead(threading.Thread):
    """The steps after the gate, run in a temporary folder while the gate runs."""

    def __init__(self, steps: StepRunner, kernels: Kernels) -> None:
        super().__init__(name="highneeds-model-ahead", daemon=True)
        self.steps = steps
        self.folder = temporary_folder("ahead")
        try:
            self.kernel = kernels.start(self.folder)
        except BaseException:
            shutil.rmtree(self.folder, ignore_errors=True)
            raise
        self.records: list[dict[str, Any]] = []
        self.error: BaseException | None = None
        self.tables_written = False

    def run(self) -> None:
        try:
            shutil.copytree(self.steps.run_dir / "inputs", self.folder / "inputs")
            # Read on the model's kernel, which imports pandas for the notebooks anyway: the
            # pipeline's own process then never imports it.
            self.kernel.run_code(
                _READ_TABLES_AHEAD.format(folder=str(self.folder)),
                timeout=self.steps.options.cell_timeout,
            )
            self.tables_written = True
            self.steps.run(
                STEPS[1:],
                self.folder,
                lambda: self.kernel,
                self.records,
                note=" (alongside the gate)",
            )
        except BaseException as exc:  # kept for the main thread, which decides
            self.error = exc

    def read_the_same_tables(self, run_dir: Path) -> bool:
        if not self.tables_written:
            return False
        for name in _GATE_TABLES:
            mine, gates = self.folder / name, run_dir / name
            if mine.is_file() != gates.is_file():
                return False
            if mine.is_file() and sha256(mine) != sha256(gates):
                return False
        return True

    def move_outputs_to(self, run_dir: Path, records: list[dict[str, Any]]) -> None:
        """Take every step's outputs (a failed notebook included) into the run folder."""
        for record in self.records:
            step = next(s for s in STEPS if s.name == record["step"])
            for path in step.output_files(self.folder):
                target = run_dir / path.relative_to(self.folder)
                target.parent.mkdir(parents=True, exist_ok=True)
                shutil.move(path, target)
            if record["status"] == "ok":
                record["ran_alongside_the_gate"] = True
            records.append(record)
