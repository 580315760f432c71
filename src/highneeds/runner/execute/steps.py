"""The steps of a run, what each reads and writes, and running each or reusing it where its
inputs are unchanged (:class:`StepRunner`): step reuse, in one place.

A step's key is the SHA-256 of everything that can change what it produces: its notebook
source (or, for the render, the template), its parameters, the bytes of every file it reads
(upstream outputs included), the lock file and the package's own source. A step whose key
matches a step of an earlier successful run of the cycle is not executed: its outputs are
copied from that run, and the manifest says so.
"""

from __future__ import annotations

import os
import shutil
import threading
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from highneeds.domain.catalog import INTERVENTIONS, MODEL, VALIDATE, read_by, written_by
from highneeds.runner.archive.archive import (
    code_hash,
    hash_files,
    hash_known,
    normalise_notebook,
    read_manifest,
    runs_newest_first,
    sha256,
    sha256_json,
)
from highneeds.runner.archive.outputs import EXECUTED_REPORT, RENDERED_FILES, REPORT_NOTEBOOK
from highneeds.runner.execute.kernels import Kernel
from highneeds.runner.execute.options import RunOptions
from highneeds.runner.execute.render_step import RenderWorker
from highneeds.runner.ops.logs import LOGGER
from highneeds.runner.ops.secrets import without_secrets
from highneeds.runner.ops.signals import stop_if_interrupted


@dataclass(frozen=True)
class Step:
    """One step of a run: a notebook (or the render), the files it reads and writes."""

    name: str
    reads: tuple[str, ...]
    writes: tuple[str, ...]
    notebook: bool = True

    def output_files(self, run_dir: Path) -> list[Path]:
        """Every file this step produced in ``run_dir`` (its executed notebook included)."""
        files = _glob(run_dir, self.writes)
        if self.notebook:
            files.append(run_dir / "notebooks" / f"{self.name}.ipynb")
        return sorted(p for p in set(files) if p.is_file())


#: The tables the gate writes (the catalog's, read by every later step).
TABLES = written_by(VALIDATE)


def _processed(names: Iterable[str]) -> tuple[str, ...]:
    return tuple(f"processed/{name}.csv" for name in names)


STEPS = (
    Step(
        VALIDATE,
        reads=(
            "inputs/*.csv",
            "inputs/*.xlsx",
            "inputs/sources.yaml",
            "inputs/paper.yaml",
        ),
        writes=(*_processed(TABLES), "processed/table_sources.json", "validation/**/*"),
    ),
    Step(
        MODEL,
        reads=(*_processed(read_by(MODEL)), "processed/table_sources.json"),
        writes=("processed/lineage_model.json", *_processed(written_by(MODEL))),
    ),
    Step(
        INTERVENTIONS,
        reads=(*_processed(read_by(INTERVENTIONS)), "processed/table_sources.json"),
        writes=("processed/lineage_interventions.json", *_processed(written_by(INTERVENTIONS))),
    ),
    Step(
        REPORT_NOTEBOOK,
        reads=(
            "inputs/paper.yaml",
            "inputs/narrative.md",
            "processed/*.csv",
            "processed/table_sources.json",
            "processed/lineage_*.json",
        ),
        writes=(
            "processed/paper_figures.json",
            "processed/paper_meta.json",
            "processed/claims.json",
            "processed/figure-*.png",
            "processed/dfe_return_figures.json",
        ),
    ),
    Step(
        "render",
        reads=(
            EXECUTED_REPORT,
            "processed/paper_meta.json",
            "processed/figure-*.png",
            "processed/dfe_return_figures.json",
            "processed/paper_figures.json",
            "processed/claims.json",
            "processed/lineage_*.json",
        ),
        writes=RENDERED_FILES,
        notebook=False,
    ),
)


def _glob(folder: Path, patterns: Iterable[str]) -> list[Path]:
    found: list[Path] = []
    for pattern in patterns:
        found += [p for p in folder.glob(pattern) if p.is_file()]
    return found


def step_key(
    step: Step, run_dir: Path, root: Path, parameters: dict[str, Any], shared: dict[str, str]
) -> str:
    """The content key of ``step`` as it is about to run in ``run_dir``."""
    source = (root / "notebooks" / f"{step.name}.ipynb") if step.notebook else None
    payload = {
        "step": step.name,
        "notebook": sha256(source) if source else None,
        "parameters": parameters,
        "reads": hash_files(run_dir, _glob(run_dir, step.reads)),
        **shared,
    }
    return sha256_json(payload)


def shared_key_parts(root: Path, source_date_epoch: str) -> dict[str, str]:
    """What every step's key includes: lock file, code, and the fixed date of the outputs."""
    lock = root / "uv.lock"
    return {
        "uv_lock": sha256(lock) if lock.is_file() else "",
        "code": code_hash(root),
        "source_date_epoch": source_date_epoch,
    }


def successful_runs(reports: Path) -> list[tuple[Path, dict[str, Any]]]:
    """A cycle's successful runs with their manifests, newest first: read once per run."""
    found = []
    for run_dir in runs_newest_first(reports):
        manifest = read_manifest(run_dir)
        if manifest and manifest.get("status") == "ok":
            found.append((run_dir, manifest))
    return found


def find_reusable(
    step: Step, key: str, earlier: list[tuple[Path, dict[str, Any]]]
) -> tuple[Path, dict[str, str]] | None:
    """An earlier successful run whose step had this key and whose outputs are intact: the
    run's folder and those outputs' hashes, as just checked."""
    for run_dir, manifest in earlier:
        record = next((s for s in manifest.get("steps", []) if s["step"] == step.name), None)
        if not record or record.get("key") != key:
            continue
        produced = record.get("outputs", {})
        if produced and all(
            (run_dir / name).is_file() and sha256(run_dir / name) == digest
            for name, digest in produced.items()
        ):
            return run_dir, dict(produced)
    return None


def copy_outputs(outputs: Mapping[str, str], source_run: Path, run_dir: Path) -> None:
    """Copy a reused step's ``outputs`` (names in the run folder, with the hashes
    :func:`find_reusable` has just checked) from an earlier run folder into this one; within
    the run's :func:`~highneeds.runner.archive.archive.hashes_kept`, each copy keeps its hash (the
    manifest and the store would otherwise read it again)."""
    for name, digest in outputs.items():
        target = run_dir / name
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(source_run / name, target)
        hash_known(target, digest)


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
