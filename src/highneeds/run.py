"""Run a cycle end to end: lock the cycle, execute each step in the run's own folder (or reuse
it when nothing it depends on changed), render the paper, write the manifest and the change
log, then publish the run.

A failed run leaves the last good paper of the cycle untouched: the published files are
switched only when every step has succeeded. A failed run's folder is kept for diagnosis.
"""

from __future__ import annotations

import ast
import json
import os
import shutil
import signal
import tempfile
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from highneeds.archive import (
    MANIFEST,
    PAPER_DOCX,
    PAPER_HTML,
    PAPER_LARGE_PRINT,
    PAPER_PDF,
    environment,
    git_state,
    hash_files,
    hash_tree,
    new_run_id,
    normalise_notebook,
    publish,
    published_run,
    read_manifest,
    replace_folder,
    runs_newest_first,
    sha256,
    write_json,
)
from highneeds.cycles import available_cycles, choose_cycle
from highneeds.errors import (
    HighNeedsError,
    InputDataError,
    Interrupted,
    UsageError,
    VerificationFailed,
)
from highneeds.kernels import Kernel, ensure_kernel
from highneeds.locking import cycle_lock
from highneeds.logs import LOGGER, RUN_LOG, RunLog
from highneeds.paths import PROJECT_ROOT, CyclePaths
from highneeds.steps import (
    NOTEBOOK_STEPS,
    STEPS,
    TABLES,
    Step,
    copy_outputs,
    find_reusable,
    step_key,
    successful_runs,
)
from highneeds.steps import shared_key_parts as _shared_key_parts

if TYPE_CHECKING:
    from highneeds.render import PdfWorker

#: The folders a run's notebooks read and write, relative to the run folder.
RUN_FOLDERS = {
    "raw_dir": "inputs",
    "processed_dir": "processed",
    "expectations_dir": "expectations",
    "validation_dir": "validation",
}


@dataclass
class RunOptions:
    """What to run: which cycle, with which parameter overrides, from which project root."""

    cycle: str | None = None
    parameters: dict[str, Any] = field(default_factory=dict)
    root: Path = PROJECT_ROOT
    cell_timeout: int = 600
    kernel_timeout: int = 120
    progress: bool = False
    force: bool = False
    #: Run the later steps alongside the gate (on the tables it is about to write) rather than
    #: after it; the gate decides either way.
    overlap: bool = True


@dataclass
class RunResult:
    """Where a successful run put the paper, and what it executed."""

    cycle: str
    run_id: str
    html: Path
    pdf: Path
    manifest: Path
    changes: Path
    executed: list[str]
    reused: list[str]
    seconds: float


def declared_parameters(notebook: Path) -> list[str]:
    """The names assigned in a notebook's cell tagged ``parameters`` (read, not executed)."""
    cells = json.loads(notebook.read_text(encoding="utf-8"))["cells"]
    for cell in cells:
        if "parameters" in cell.get("metadata", {}).get("tags", []):
            source = (
                "".join(cell["source"]) if isinstance(cell["source"], list) else (cell["source"])
            )
            names = []
            for node in ast.parse(source).body:
                targets = (
                    node.targets
                    if isinstance(node, ast.Assign)
                    else ([node.target] if isinstance(node, ast.AnnAssign) else [])
                )
                names += [t.id for t in targets if isinstance(t, ast.Name)]
            return names
    raise UsageError(f"{notebook.name} has no cell tagged 'parameters'")


def plan_parameters(root: Path, cycle: str, overrides: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Each notebook's parameters: the standard ones, then overrides for those that declare them.

    Every parameter passed must be declared in the notebook's ``parameters`` cell: papermill
    would only warn about an unknown one; we refuse it (exit 2).
    """
    standard = {"cycle": cycle, **RUN_FOLDERS}
    plan: dict[str, dict[str, Any]] = {}
    declared_anywhere: set[str] = set()
    for name in NOTEBOOK_STEPS:
        declared = set(declared_parameters(root / "notebooks" / f"{name}.ipynb"))
        declared_anywhere |= declared
        plan[name] = {k: v for k, v in standard.items() if k in declared}
        plan[name].update({k: v for k, v in overrides.items() if k in declared})
    unknown = sorted(set(overrides) - declared_anywhere)
    if unknown:
        raise UsageError(
            f"unknown parameter(s): {', '.join(unknown)}; the notebooks declare: "
            f"{', '.join(sorted(declared_anywhere))}"
        )
    fixed = sorted(set(overrides) & set(standard))
    if fixed:
        raise UsageError(f"parameter(s) {', '.join(fixed)} are set by the pipeline from --cycle")
    return plan


def source_date_epoch(cycle: str) -> str:
    """The date stamped into outputs: ``SOURCE_DATE_EPOCH`` if set, else the cycle's first day."""
    if os.environ.get("SOURCE_DATE_EPOCH"):
        return os.environ["SOURCE_DATE_EPOCH"]
    year, month = (int(p) for p in cycle.split("-"))
    return str(int(datetime(year, month, 1, tzinfo=UTC).timestamp()))


def _kernel_environment(root: Path, epoch: str) -> None:
    """Kernels inherit the environment: import this project's own package, render headless."""
    src = str(root / "src")
    current = os.environ.get("PYTHONPATH", "")
    if src not in current.split(os.pathsep):
        os.environ["PYTHONPATH"] = os.pathsep.join(p for p in (src, current) if p)
    os.environ.setdefault("MPLBACKEND", "Agg")
    os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")
    os.environ.setdefault("PYDEVD_DISABLE_FILE_VALIDATION", "1")
    os.environ["SOURCE_DATE_EPOCH"] = epoch


#: The signal that stopped the run, kept in case library code swallowed the exception.
_received_signal: Interrupted | None = None
#: While true, a signal is remembered but not raised (publishing must not stop half-way).
_holding_signals = False


def stop_if_interrupted() -> None:
    """Raise the interruption again if a signal arrived, even if its exception was swallowed
    on the way (some libraries catch everything): nothing is published after a signal."""
    if _received_signal is not None:
        raise _received_signal


@contextmanager
def interruptible() -> Iterator[None]:
    """Turn SIGINT and SIGTERM into :class:`Interrupted`, so that cleanup runs: the kernel is
    shut down, the lock released and the published paper left as it was."""

    def handler(signum: int, _frame: object) -> None:
        global _received_signal
        _received_signal = Interrupted(signal.Signals(signum).name, 128 + signum)
        if not _holding_signals:
            raise _received_signal

    global _received_signal
    _received_signal = None
    previous = {}
    try:
        for number in (signal.SIGINT, signal.SIGTERM):
            previous[number] = signal.signal(number, handler)
    except ValueError:  # not the main thread: leave signals alone
        pass
    try:
        yield
    finally:
        for number, old in previous.items():
            signal.signal(number, old)


@contextmanager
def signals_held() -> Iterator[None]:
    """Hold SIGINT and SIGTERM: one arriving now is remembered and raised by the next
    :func:`stop_if_interrupted` after the block. A flag rather than a signal mask, because a
    mask is per thread and the kernels' client threads would still take the signal."""
    global _holding_signals
    _holding_signals = True
    try:
        yield
    finally:
        _holding_signals = False


def render_paper(
    run_dir: Path, root: Path, epoch: str, large_print_worker: PdfWorker | None = None
) -> None:
    """Render the executed report notebook to the paper in the run folder: HTML, tagged PDF,
    large print PDF and Word. With ``large_print_worker``, the large print PDF is laid out
    there, side by side with the standard one."""
    try:
        _render(run_dir, root, epoch, large_print_worker)
    finally:
        if large_print_worker is not None:
            large_print_worker.stop()


def _render(run_dir: Path, root: Path, epoch: str, large_print_worker: PdfWorker | None) -> None:
    from highneeds.inputs import read_paper_metadata
    from highneeds.render import fix_zip_dates, render_html, render_pdf
    from highneeds.word import write_docx

    meta = read_paper_metadata(run_dir / "inputs" / "paper.yaml")
    date = datetime.fromtimestamp(int(epoch), UTC).date().isoformat()
    template = root / "templates" / "cabinet-paper"
    html = render_html(
        run_dir / "notebooks" / "04_cabinet_report.ipynb", root / "templates", meta, date
    )
    (run_dir / PAPER_HTML).write_text(html, encoding="utf-8")
    large_print = (run_dir / PAPER_LARGE_PRINT, run_dir, template / "large-print.css")
    if large_print_worker is not None:
        large_print_worker.start(run_dir / PAPER_HTML, *large_print)
    render_pdf(html, run_dir / PAPER_PDF, run_dir)
    chart = (run_dir / "processed" / "deficit_chart.png").read_bytes()  # drawn by 04
    write_docx(
        html,
        run_dir / PAPER_DOCX,
        str(meta["title"]),
        chart,
        datetime.fromtimestamp(int(epoch), UTC),
    )
    fix_zip_dates(run_dir / PAPER_DOCX, int(epoch))
    if large_print_worker is not None:
        large_print_worker.wait("large print PDF")
    else:
        render_pdf(html, *large_print)


def _copy_inputs(source_raw: Path, source_expectations: Path, run_dir: Path) -> None:
    (run_dir / "inputs").mkdir(parents=True)
    for path in sorted(source_raw.iterdir()):
        if path.is_file() and not path.name.startswith("."):
            shutil.copy2(path, run_dir / "inputs" / path.name)
    shutil.copytree(source_expectations, run_dir / "expectations")


class _Kernels:
    """The kernels of one run: started on demand, each shut down when the run's steps end."""

    def __init__(self) -> None:
        self._started: list[Kernel] = []
        self._lock = threading.Lock()
        self._checked = False

    def start(self, cwd: Path) -> Kernel:
        with self._lock:
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
            for kernel in self._started:
                kernel.shutdown()
            self._started.clear()


@dataclass
class _Steps:
    """Runs or reuses the steps of one run, in the run folder or in a folder working ahead."""

    run_dir: Path
    root: Path
    plan: dict[str, dict[str, Any]]
    options: RunOptions
    epoch: str
    shared: dict[str, str]
    earlier: list[tuple[Path, dict[str, Any]]]
    started: float = field(default_factory=time.monotonic)
    _prefetch: threading.Thread | None = None
    _large_print_worker: PdfWorker | None = None
    _workers: list[PdfWorker] = field(default_factory=list)
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
        for step in steps:
            if self.cancelled.is_set():
                return
            clock = time.monotonic()
            key = self.key(step, folder)
            source = find_reusable(step, key, self.earlier)
            record: dict[str, Any] = {
                "step": step.name,
                "key": key,
                # When the step began, from the start of the run's steps (steps can overlap).
                "start_offset_seconds": round(clock - self.started, 3),
            }
            records.append(record)
            if source is not None:
                copy_outputs(step, source, folder)
                record.update(status="reused", reused_from=source.name)
                LOGGER.info(f"[{self.cycle}] {step.name}: unchanged, reused from run {source.name}")
            else:
                LOGGER.info(f"[{self.cycle}] {step.name} ...{note}")
                record["status"] = "running"
                self.prepare_render(for_the_model=step is not STEPS[0])
                if step.notebook:
                    name = f"{step.name}.ipynb"
                    kernel().execute(
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
                    render_paper(folder, self.root, self.epoch, self._take_large_print_worker())
                stop_if_interrupted()
                record["status"] = "ok"
            record["seconds"] = round(time.monotonic() - clock, 3)
            record["outputs"] = hash_files(folder, step.output_files(folder))
            LOGGER.info(
                f"[{self.cycle}] {step.name}: {record['status']} in {record['seconds']:.1f} s"
            )

    def prepare_render(self, for_the_model: bool) -> None:
        """Get the render ready while kernels compute: import its libraries (seconds) on a
        thread and, once the model runs (the render will follow), start the process that
        will lay out the large print PDF."""
        from highneeds.render import PdfWorker

        with self._lock:
            if self._prefetch is None:
                self._prefetch = threading.Thread(target=_import_render_libraries, daemon=True)
                self._prefetch.start()
            if for_the_model and self._large_print_worker is None:
                self._large_print_worker = PdfWorker()
                self._workers.append(self._large_print_worker)

    def _take_large_print_worker(self) -> PdfWorker | None:
        with self._lock:
            worker, self._large_print_worker = self._large_print_worker, None
        return worker

    def close(self) -> None:
        """Stop every large print worker still running: unused, or its run failed."""
        with self._lock:
            workers, self._workers, self._large_print_worker = self._workers, [], None
        for worker in workers:
            worker.stop()


def execute_steps(
    run_dir: Path,
    root: Path,
    plan: dict[str, dict[str, Any]],
    options: RunOptions,
    epoch: str,
    reports: Path | None,
    records: list[dict[str, Any]],
) -> None:
    """Run (or reuse) each step in ``run_dir``, appending what happened to ``records``.

    When the gate (01) has to run, the later steps run alongside it unless
    ``options.overlap`` is off: see :func:`_gate_with_model_ahead`.
    """
    steps = _Steps(
        run_dir,
        root,
        plan,
        options,
        epoch,
        _shared_key_parts(root, epoch),
        successful_runs(reports) if reports is not None else [],
    )
    gate = STEPS[0]
    kernels = _Kernels()
    try:
        must_validate = find_reusable(gate, steps.key(gate, run_dir), steps.earlier) is None
        if options.overlap and must_validate:
            _gate_with_model_ahead(steps, kernels, records)
        else:
            steps.run(STEPS, run_dir, kernels.for_folder(run_dir), records)
    finally:
        kernels.close()
        steps.close()


#: The typed tables the gate writes, which the model reads.
_GATE_TABLES = tuple(f"processed/{table}.csv" for table in TABLES)


def _gate_with_model_ahead(steps: _Steps, kernels: _Kernels, records: list[dict[str, Any]]) -> None:
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
        steps.cancelled.set()  # harmless after success: every step has run
        kernels.close()  # if the gate failed, this also stops the steps working ahead
        steps.close()
        if ahead is not None:
            if ahead.is_alive():
                ahead.join(timeout=60)
            shutil.rmtree(ahead.folder, ignore_errors=True)


class _ModelAhead(threading.Thread):
    """The steps after the gate, run in a temporary folder while the gate runs."""

    def __init__(self, steps: _Steps, kernels: _Kernels) -> None:
        super().__init__(name="highneeds-model-ahead", daemon=True)
        self.steps = steps
        self.folder = Path(tempfile.mkdtemp(prefix="highneeds-ahead-"))
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
            from highneeds.inputs import read_cycle_tables
            from highneeds.processed import write_table

            shutil.copytree(self.steps.run_dir / "inputs", self.folder / "inputs")
            for name, frame in read_cycle_tables(self.folder / "inputs").items():
                write_table(frame, self.folder / "processed", name)
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
            if not (mine.is_file() and gates.is_file()) or sha256(mine) != sha256(gates):
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


def _import_render_libraries() -> None:
    with suppress(Exception):
        import docx  # noqa: F401
        import nbconvert  # noqa: F401
        import weasyprint  # noqa: F401


def reproducible_outputs(run_dir: Path) -> dict[str, str]:
    """Outputs that the same inputs must reproduce byte for byte."""
    files = [run_dir / name for name in (PAPER_HTML, PAPER_PDF, PAPER_LARGE_PRINT, PAPER_DOCX)]
    files.append(run_dir / "validation" / "summary.json")
    files += list((run_dir / "notebooks").glob("*.ipynb"))
    files += list((run_dir / "processed").glob("*"))
    return hash_files(run_dir, files)


def _documents(run_dir: Path, outputs: dict[str, str]) -> dict[str, str]:
    """Other files of the run (Data Docs, change log): kept and checked, not reproduced."""
    files = [p for p in run_dir.rglob("*") if p.is_file()]
    skip = ("inputs/", "expectations/")
    return {
        name: digest
        for name, digest in hash_files(run_dir, files).items()
        if name not in outputs and not name.startswith(skip) and name not in (MANIFEST, RUN_LOG)
    }


def _manifest(
    run_dir: Path,
    root: Path,
    cycle: str,
    run_id: str,
    status: str,
    started: datetime,
    epoch: str,
    plan: dict[str, Any],
    records: list[dict[str, Any]],
    error: str | None,
) -> dict[str, Any]:
    outputs = reproducible_outputs(run_dir)
    manifest = {
        "cycle": cycle,
        "run_id": run_id,
        "status": status,
        "started": started.isoformat(),
        "finished": datetime.now(UTC).isoformat(),
        "source_date_epoch": epoch,
        "parameters": plan,
        "inputs": hash_tree(run_dir / "inputs"),
        "expectations": hash_tree(run_dir / "expectations"),
        "notebook_sources": hash_files(root, (root / "notebooks").glob("*.ipynb")),
        "steps": records,
        "outputs": outputs,
        "documents": _documents(run_dir, outputs),
        "environment": environment(root),
        "git": git_state(root),
    }
    if error:
        manifest["error"] = error
    return manifest


def _baseline(root: Path, paths: CyclePaths) -> tuple[Path | None, str]:
    """The paper to compare with: the cycle's published run, else the previous cycle's."""
    current = published_run(paths.reports)
    if current is not None:
        return current, f"the previously published paper of cycle {paths.cycle}"
    earlier = [c for c in available_cycles(root) if c < paths.cycle]
    for cycle in reversed(earlier):
        run = published_run(CyclePaths(root, cycle).reports)
        if run is not None:
            return run, f"the paper of cycle {cycle}"
    return None, "no earlier paper"


def run_cycle(options: RunOptions) -> RunResult:
    """Run every step of a cycle and publish its paper; raise a :class:`HighNeedsError` if not."""

    clock = time.monotonic()
    root = options.root
    cycle = choose_cycle(root, options.cycle)
    paths = CyclePaths(root, cycle)
    plan = plan_parameters(root, cycle, options.parameters)
    epoch = source_date_epoch(cycle)
    _kernel_environment(root, epoch)
    with interruptible(), cycle_lock(paths.reports, cycle, LOGGER.warning):
        started = datetime.now(UTC)
        run_id = new_run_id(started)
        run_dir = paths.reports / "runs" / run_id
        run_dir.mkdir(parents=True)
        records: list[dict[str, Any]] = []
        with RunLog(run_dir / RUN_LOG):
            LOGGER.info(f"[{cycle}] run {run_id} started (log: {run_dir / RUN_LOG})")
            result = _run_steps(options, paths, plan, epoch, run_dir, run_id, started, records)
            LOGGER.info(f"[{cycle}] run {run_id} published in {time.monotonic() - clock:.1f} s")
    return RunResult(
        cycle,
        run_id,
        paths.reports / PAPER_HTML,
        paths.reports / PAPER_PDF,
        paths.reports / MANIFEST,
        paths.reports / "changes.html",
        [r["step"] for r in result if r["status"] == "ok"],
        [r["step"] for r in result if r["status"] == "reused"],
        time.monotonic() - clock,
    )


def _run_steps(
    options: RunOptions,
    paths: CyclePaths,
    plan: dict[str, dict[str, Any]],
    epoch: str,
    run_dir: Path,
    run_id: str,
    started: datetime,
    records: list[dict[str, Any]],
) -> list[dict[str, Any]]:
    """The body of a run inside its lock and log: steps, change log, manifest, publish."""
    from highneeds.changes import write_changes

    root, cycle = options.root, paths.cycle
    published = False
    try:
        _copy_inputs(paths.raw, paths.expectations, run_dir)
        execute_steps(
            run_dir,
            root,
            plan,
            options,
            epoch,
            None if options.force else paths.reports,
            records,
        )
        baseline, label = _baseline(root, paths)
        write_changes(run_dir, baseline, label)
        write_json(
            run_dir / MANIFEST,
            _manifest(run_dir, root, cycle, run_id, "ok", started, epoch, plan, records, None),
        )
        # Publish as one piece: a signal arriving now is held until every file is in place.
        with signals_held():
            stop_if_interrupted()
            publish(run_dir, paths.reports, paths.processed)
            published = True
        stop_if_interrupted()  # one held while publishing: the run is complete, then stops
    except BaseException as exc:
        if published:  # a signal held during publishing: the run is complete and published
            raise
        interrupted = isinstance(exc, Interrupted | KeyboardInterrupt)
        status = "interrupted" if interrupted else "failed"
        failed_step = None
        if records and records[-1].get("status") == "running":
            records[-1]["status"] = status
            failed_step = records[-1]["step"]
        LOGGER.error(
            f"[{cycle}] run {run_id} {status}" + (f" in step {failed_step}" if failed_step else "")
        )
        if isinstance(exc, HighNeedsError | Interrupted):
            exc.step = failed_step
            exc.log = str(run_dir / RUN_LOG)
        write_json(
            run_dir / MANIFEST,
            _manifest(
                run_dir,
                root,
                cycle,
                run_id,
                status,
                started,
                epoch,
                plan,
                records,
                f"{type(exc).__name__}: {exc}",
            ),
        )
        if isinstance(exc, InputDataError):
            publish_validation(run_dir, paths)
            gate = InputDataError(
                f"{exc}\n  validation report: {paths.validation / 'summary.html'}\n"
                f"  run folder: {run_dir}"
            )
            gate.step, gate.log = failed_step, str(run_dir / RUN_LOG)
            raise gate from None
        raise
    return records


def publish_validation(run_dir: Path, paths: CyclePaths) -> None:
    """Show a failed gate's documents in ``reports/<cycle>/validation/`` (the paper stays)."""
    if (run_dir / "validation").is_dir():
        replace_folder(run_dir / "validation", paths.validation)


@dataclass
class GateResult:
    """A passed input gate: how many checks ran, and where their documents are."""

    cycle: str
    checks: int
    summary: Path


def validate_only(options: RunOptions) -> GateResult:
    """Run the input gate alone, in this process: same checks, documents and exit codes."""
    from highneeds.validation import require_success, validate_cycle

    cycle = choose_cycle(options.root, options.cycle)
    paths = CyclePaths(options.root, cycle)
    with cycle_lock(paths.reports, cycle, LOGGER.warning):
        LOGGER.info(f"[{cycle}] validating inputs ...")
        try:
            report, _ = validate_cycle(cycle, paths.raw, paths.expectations, paths.validation)
            require_success(report)
        except InputDataError as exc:
            summary = paths.validation / "summary.html"
            where = f"\n  validation report: {summary}" if summary.is_file() else ""
            raise InputDataError(f"{exc}{where}") from None
    return GateResult(cycle, len(report.checks), paths.validation / "summary.html")


@dataclass
class VerifyResult:
    """A run that reproduced: which run, and how many files were compared."""

    cycle: str
    run_id: str
    compared: int


def _find_run(paths: CyclePaths, run: str | None) -> Path:
    if run is None:
        published = published_run(paths.reports)
        if published is None:
            raise UsageError(f"cycle {paths.cycle} has no published run to verify")
        return published
    run_dir = paths.reports / "runs" / run
    if "/" in run or not run_dir.is_dir():
        known = ", ".join(p.name for p in runs_newest_first(paths.reports)[:5]) or "none"
        raise UsageError(f"no run {run!r} of cycle {paths.cycle} (latest: {known})")
    return run_dir


def verify_run(options: RunOptions, run: str | None = None) -> VerifyResult:
    """Re-execute an archived run from its archived inputs and compare every output's hash.

    Raises :class:`VerificationFailed` (exit 6) listing each file that was edited after the
    run or that the re-execution did not reproduce.
    """
    root = options.root
    cycle = choose_cycle(root, options.cycle)
    paths = CyclePaths(root, cycle)
    run_dir = _find_run(paths, run)
    manifest = read_manifest(run_dir)
    if not manifest or manifest.get("status") != "ok":
        raise UsageError(f"run {run_dir.name} did not succeed; only successful runs verify")
    problems: list[str] = []
    for section, folder in (("inputs", "inputs"), ("expectations", "expectations")):
        now = hash_tree(run_dir / folder)
        for name in sorted(set(now) | set(manifest[section])):
            if now.get(name) != manifest[section].get(name):
                problems.append(f"{folder}/{name}: archived input edited after the run")
    for section in ("outputs", "documents"):
        now = hash_files(run_dir, (run_dir / n for n in manifest[section]))
        for name, digest in manifest[section].items():
            if now.get(name) != digest:
                problems.append(f"{name}: archived output edited after the run")
    epoch = manifest["source_date_epoch"]
    _kernel_environment(root, epoch)
    LOGGER.info(f"[{cycle}] re-executing run {run_dir.name} from its archived inputs ...")
    with tempfile.TemporaryDirectory(prefix="highneeds-verify-") as temporary:
        replay = Path(temporary) / run_dir.name
        _copy_inputs(run_dir / "inputs", run_dir / "expectations", replay)
        execute_steps(replay, root, manifest["parameters"], options, epoch, None, [])
        again = reproducible_outputs(replay)
        for name in sorted(set(again) | set(manifest["outputs"])):
            if again.get(name) != manifest["outputs"].get(name):
                problems.append(f"{name}: differs when re-executed")
    if problems:
        raise VerificationFailed(f"run {run_dir.name} of cycle {cycle} does not verify:", problems)
    return VerifyResult(cycle, run_dir.name, len(manifest["outputs"]))
