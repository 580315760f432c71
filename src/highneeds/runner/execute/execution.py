"""Executing a run's steps: kernels started on demand and shared, each step run in a folder
or reused from an earlier run whose key matches, and the render prepared while kernels compute."""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from highneeds.runner.archive.archive import hash_files, normalise_notebook
from highneeds.runner.archive.outputs import REPORT_NOTEBOOK
from highneeds.runner.execute.kernels import Kernel, ensure_kernel
from highneeds.runner.execute.options import RunOptions
from highneeds.runner.execute.render_step import RenderWorker
from highneeds.runner.execute.steps import Step, copy_outputs, find_reusable, step_key
from highneeds.runner.ops.logs import LOGGER
from highneeds.runner.ops.secrets import without_secrets
from highneeds.runner.ops.signals import stop_if_interrupted


class Kernels:
    """The kernels of one run: started on demand, each shut down when the run's steps end."""

    def __init__(self) -> None:
        self._started: list[Kernel] = []
        self._lock = threading.Lock()
        self._checked = False
        self._closed = False

    def start(self, cwd: Path) -> Kernel:
        with self._lock:
            # A step working ahead may ask after the run has stopped: nothing would stop
            # that kernel or remove its folder.
            if self._closed:
                raise RuntimeError("the run has stopped: no kernel is started for it")
            if not self._checked:
                ensure_kernel()
                self._checked = True
            kernel = Kernel(cwd)
            self._started.append(kernel)
            return kernel

    def for_folder(self, cwd: Path) -> Callable[[], Kernel]:
        """A kernel for the notebooks run in ``cwd``: started at the first call, then shared."""
        started: list[Kernel] = []

        def kernel() -> Kernel:
            if not started:
                started.append(self.start(cwd))
            return started[0]

        return kernel

    def close(self) -> None:
        with self._lock:
            self._closed = True
            for kernel in self._started:
                kernel.shutdown()
            self._started.clear()


@dataclass
class StepRunner:
    """Runs or reuses the steps of one run, in the run folder or in a folder working ahead."""

    run_dir: Path
    root: Path
    plan: dict[str, dict[str, Any]]
    options: RunOptions
    epoch: str
    shared: dict[str, str]
    earlier: list[tuple[Path, dict[str, Any]]]
    started: float = field(default_factory=time.monotonic)
    _render_worker: RenderWorker | None = None
    _workers: list[RenderWorker] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock)
    #: Set when the run has failed: steps working ahead stop before their next step.
    cancelled: threading.Event = field(default_factory=threading.Event)

    @property
    def cycle(self) -> str:
        return str(self.plan["01_validate"]["cycle"])

    def key(self, step: Step, folder: Path) -> str:
        return step_key(step, folder, self.root, self.plan.get(step.name, {}), self.shared)

    def run(
        self,
        steps: Iterable[Step],
        folder: Path,
        kernel: Callable[[], Kernel],
        records: list[dict[str, Any]],
        note: str = "",
    ) -> None:
        """Run (or reuse) ``steps`` in order in ``folder``, appending what happened to
        ``records``; notebooks run on ``kernel()``."""
        (folder / "notebooks").mkdir(exist_ok=True)
        steps = list(steps)
        used: Kernel | None = None  # the kernel, once a notebook has run on it
        for index, step in enumerate(steps):
            if self.cancelled.is_set():
                return
            if used is not None and not any(later.notebook for later in steps[index:]):
                used.end()  # idle from now on: gone while the render runs, not after it
                used = None
            clock = time.monotonic()
            key = self.key(step, folder)
            reusable = find_reusable(step, key, self.earlier)
            record: dict[str, Any] = {
                "step": step.name,
                "key": key,
                # When the step began, from the start of the run's steps (steps can overlap).
                "start_offset_seconds": round(clock - self.started, 3),
            }
            records.append(record)
            if reusable is not None:
                source, outputs = reusable  # the hashes find_reusable has just checked
                copy_outputs(outputs, source, folder)
                record.update(status="reused", reused_from=source.name)
                LOGGER.info(
                    f"[{self.cycle}] {step.name}: unchanged, reused from run {source.name}",
                    extra={"step": step.name},
                )
            else:
                LOGGER.info(f"[{self.cycle}] {step.name} ...{note}", extra={"step": step.name})
                record["status"] = "running"
                if step.name == REPORT_NOTEBOOK:  # the render will follow
                    self.prepare_render()
                if step.notebook:
                    name = f"{step.name}.ipynb"
                    used = kernel()
                    used.execute(
                        self.root / "notebooks" / name,
                        folder / "notebooks" / name,
                        self.plan.get(step.name, {}),
                        cell_timeout=self.options.cell_timeout,
                        kernel_timeout=self.options.kernel_timeout,
                        progress=self.options.progress,
                        shown_as=self.run_dir / "notebooks" / name,
                    )
                    normalise_notebook(folder / "notebooks" / name, f"notebooks/{name}")
                else:
                    self._take_render_worker().render(
                        folder, self.epoch, self.options.render_timeout
                    )
                stop_if_interrupted()
                record["status"] = "ok"
                outputs = hash_files(folder, step.output_files(folder))
            record["seconds"] = round(time.monotonic() - clock, 3)
            record["outputs"] = outputs
            LOGGER.info(
                f"[{self.cycle}] {step.name}: {record['status']} in {record['seconds']:.1f} s",
                extra={"step": step.name, "seconds": record["seconds"]},
            )

    def prepare_render(self) -> None:
        """Start the process that will render the paper, once: it imports the render's
        libraries (seconds) while the notebooks run. A run working ahead of its gate starts it
        at once; otherwise it starts with the report notebook."""
        with self._lock:
            if self._render_worker is None:
                self._render_worker = RenderWorker(
                    env=without_secrets(os.environ),
                    html_only=self.plan.get(REPORT_NOTEBOOK, {}).get("html_only") is True,
                )
                self._workers.append(self._render_worker)

    def _take_render_worker(self) -> RenderWorker:
        self.prepare_render()
        with self._lock:
            worker, self._render_worker = self._render_worker, None
        assert worker is not None
        return worker

    def close(self) -> None:
        """Stop every render worker still running: unused, or its run failed."""
        with self._lock:
            workers, self._workers, self._render_worker = self._workers, [], None
        for worker in workers:
            worker.stop()
