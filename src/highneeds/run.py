"""Run a cycle end to end: lock the cycle, execute each step in the run's own folder (or reuse
it when nothing it depends on changed), render the paper, write the manifest and the change
log, then publish the run.

A failed run leaves the last good paper of the cycle untouched: the published files are
switched only when every step has succeeded. A failed run's folder is kept for diagnosis.
"""

from __future__ import annotations

import ast
import json
import logging
import os
import re
import shutil
import signal
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

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
    write_json,
)
from highneeds.cycles import available_cycles, choose_cycle
from highneeds.errors import (
    HighNeedsError,
    InputDataError,
    Interrupted,
    NarrativeError,
    NotebookFailed,
    UsageError,
    VerificationFailed,
)
from highneeds.locking import cycle_lock
from highneeds.logs import LOGGER, RUN_LOG, RunLog
from highneeds.paths import PROJECT_ROOT, CyclePaths
from highneeds.steps import (
    NOTEBOOK_STEPS,
    STEPS,
    copy_outputs,
    find_reusable,
    step_key,
    successful_runs,
)
from highneeds.steps import shared_key_parts as _shared_key_parts

KERNEL_NAME = "highneeds"
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


def ensure_kernel() -> None:
    """Make sure the ``highneeds`` kernel runs this environment's Python, installing it if absent.

    The notebooks must never run on whatever ``python3`` kernel happens to be installed.
    """
    from jupyter_client.kernelspec import KernelSpecManager, NoSuchKernel

    manager = KernelSpecManager()
    try:
        spec = manager.get_kernel_spec(KERNEL_NAME)
    except NoSuchKernel:
        from ipykernel.kernelspec import install

        install(kernel_name=KERNEL_NAME, display_name="Python (highneeds)", prefix=sys.prefix)
        spec = manager.get_kernel_spec(KERNEL_NAME)
    executable = spec.argv[0]
    if executable != "python" and Path(executable).resolve() != Path(sys.executable).resolve():
        raise HighNeedsError(
            f"the '{KERNEL_NAME}' kernel at {spec.resource_dir} runs {executable}, not this "
            f"environment's {sys.executable}; remove it or run 'make setup' again"
        )


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


def execute_notebook(
    source: Path, target: Path, parameters: dict[str, Any], cwd: Path, options: RunOptions
) -> None:
    """Execute one notebook with papermill in ``cwd``, turning its failure into the right error."""
    import papermill
    from papermill.exceptions import PapermillExecutionError
    from traitlets.config import Config

    # Talk to the kernel over a local socket file, not unencrypted TCP.
    sockets = Path(tempfile.mkdtemp(prefix="highneeds-kernel-"))
    tracker = _CellTracker()
    config = Config({"KernelManager": {"transport": "ipc", "ip": str(sockets / "kernel")}})
    try:
        papermill.execute_notebook(
            str(source),
            str(target),
            parameters=parameters,
            kernel_name=KERNEL_NAME,
            cwd=str(cwd),
            progress_bar=options.progress,
            log_output=True,  # papermill then reports each cell's start to the tracker
            execution_timeout=options.cell_timeout,
            start_timeout=options.kernel_timeout,
            request_save_on_cell_execute=True,  # keep the notebook up to a failure
            config=config,
        )
    except PapermillExecutionError as exc:
        if exc.ename in ("InputDataError", "ReconciliationError"):
            raise InputDataError(exc.evalue) from None
        if exc.ename == "NarrativeError":
            raise NarrativeError(f"{source.stem}: {exc.evalue}") from None
        cell = _failing_cell(target, tracker.cell)
        raise NotebookFailed(
            f"{source.name} failed in {cell}: {exc.ename}: {exc.evalue}\n"
            + _first_lines(exc.traceback)
            + f"\n  the executed notebook is kept at {target}"
        ) from None
    except Exception as exc:  # a cell timed out, the kernel died or could not start
        name = type(exc).__name__
        if name == "CellTimeoutError":
            what = f"timed out after {options.cell_timeout} s (--cell-timeout)"
        elif name == "DeadKernelError":
            what = "lost its kernel (killed, or out of memory)"
        else:
            what = f"could not run: {name}: {str(exc).splitlines()[0] if str(exc) else ''}"
        raise NotebookFailed(
            f"{source.name}: {_failing_cell(target, tracker.cell)} {what}\n"
            f"  the executed notebook is kept at {target}"
        ) from None
    finally:
        tracker.close()
        shutil.rmtree(sockets, ignore_errors=True)


_ANSI = re.compile(r"\x1b\[[0-9;]*m")


def _first_lines(traceback: list[str], limit: int = 6) -> str:
    lines = [
        line
        for chunk in traceback
        for line in _ANSI.sub("", chunk).splitlines()
        if line.strip() and not set(line.strip()) <= {"-"}
    ]
    return "\n".join(f"    {line}" for line in lines[:limit])


class _CellTracker(logging.Handler):
    """Remembers which cell papermill started last, from its 'Executing Cell N' log lines.

    The saved notebook cannot say which cell was running when a kernel died; this can.
    """

    _START = re.compile(r"Executing Cell (\d+)")

    def __init__(self) -> None:
        super().__init__(logging.INFO)
        self.cell: int | None = None
        self.papermill = logging.getLogger("papermill")
        self.previous = (self.papermill.level, self.papermill.propagate)
        self.papermill.setLevel(logging.INFO)
        self.papermill.propagate = False  # cell outputs are in the notebook, not the console
        self.papermill.addHandler(self)

    def emit(self, record: logging.LogRecord) -> None:
        match = self._START.match(record.getMessage())
        if match:
            self.cell = int(match.group(1))

    def close(self) -> None:
        self.papermill.removeHandler(self)
        self.papermill.setLevel(self.previous[0])
        self.papermill.propagate = self.previous[1]
        super().close()


def _failing_cell(executed: Path, number: int | None) -> str:
    """'cell 5 (In [4]: <first line>)': the cell that was running, named as Jupyter shows it."""
    try:
        import nbformat

        cells = [
            c
            for c in nbformat.read(executed, as_version=4).cells
            if "papermill-error-cell-tag" not in c.metadata.get("tags", [])
        ]
    except Exception:
        return f"cell {number}" if number else "a cell"
    if number is None or not 1 <= number <= len(cells):
        started = [i for i, c in enumerate(cells, 1) if c.get("execution_count")]
        if not started:
            return "its first cell"
        number = started[-1]
    cell = cells[number - 1]
    first = cell.source.strip().splitlines()[0] if cell.source.strip() else ""
    counter = sum(1 for c in cells[:number] if c.cell_type == "code")
    return f"cell {number} (In [{counter}]: {first[:60]})"


#: The signal that stopped the run, kept in case library code swallowed the exception.
_received_signal: Interrupted | None = None


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


def render_paper(run_dir: Path, root: Path, epoch: str) -> None:
    """Render the executed report notebook to the paper in the run folder: HTML, tagged PDF,
    large print PDF and Word."""
    from highneeds.chart import deficit_chart_png
    from highneeds.inputs import read_paper_metadata
    from highneeds.processed import read_table
    from highneeds.render import fix_zip_dates, render_html, render_pdf
    from highneeds.word import write_docx

    meta = read_paper_metadata(run_dir / "inputs" / "paper.yaml")
    date = datetime.fromtimestamp(int(epoch), UTC).date().isoformat()
    template = root / "templates" / "cabinet-paper"
    html = render_html(
        run_dir / "notebooks" / "04_cabinet_report.ipynb", root / "templates", meta, date
    )
    (run_dir / PAPER_HTML).write_text(html, encoding="utf-8")
    render_pdf(html, run_dir / PAPER_PDF, run_dir)
    render_pdf(html, run_dir / PAPER_LARGE_PRINT, run_dir, template / "large-print.css")
    chart = deficit_chart_png(read_table(run_dir / "processed", "scenarios"))
    write_docx(
        html,
        run_dir / PAPER_DOCX,
        str(meta["title"]),
        chart,
        datetime.fromtimestamp(int(epoch), UTC),
    )
    fix_zip_dates(run_dir / PAPER_DOCX, int(epoch))


def _copy_inputs(source_raw: Path, source_expectations: Path, run_dir: Path) -> None:
    (run_dir / "inputs").mkdir(parents=True)
    for path in sorted(source_raw.iterdir()):
        if path.is_file() and not path.name.startswith("."):
            shutil.copy2(path, run_dir / "inputs" / path.name)
    shutil.copytree(source_expectations, run_dir / "expectations")


def execute_steps(
    run_dir: Path,
    root: Path,
    plan: dict[str, dict[str, Any]],
    options: RunOptions,
    epoch: str,
    reports: Path | None,
    records: list[dict[str, Any]],
) -> None:
    """Run (or reuse) each step in ``run_dir``, appending what happened to ``records``."""
    shared = _shared_key_parts(root, epoch)
    kernel_ready = False
    prefetch: threading.Thread | None = None
    earlier = successful_runs(reports) if reports is not None else []
    cycle = plan["01_validate"]["cycle"]
    (run_dir / "notebooks").mkdir(exist_ok=True)
    for step in STEPS:
        clock = time.monotonic()
        parameters = plan.get(step.name, {})
        key = step_key(step, run_dir, root, parameters, shared)
        source = find_reusable(step, key, earlier)
        record: dict[str, Any] = {"step": step.name, "key": key}
        records.append(record)
        if source is not None:
            copy_outputs(step, source, run_dir)
            record.update(status="reused", reused_from=source.name)
            LOGGER.info(f"[{cycle}] {step.name}: unchanged, reused from run {source.name}")
        else:
            LOGGER.info(f"[{cycle}] {step.name} ...")
            record["status"] = "running"
            if step.notebook:
                if not kernel_ready:
                    ensure_kernel()
                    kernel_ready = True
                if prefetch is None:
                    # The render's libraries take seconds to import; this process only waits
                    # while a kernel computes, so import them meanwhile.
                    prefetch = threading.Thread(target=_import_render_libraries, daemon=True)
                    prefetch.start()
                target = run_dir / "notebooks" / f"{step.name}.ipynb"
                execute_notebook(
                    root / "notebooks" / f"{step.name}.ipynb", target, parameters, run_dir, options
                )
                normalise_notebook(target, f"notebooks/{step.name}.ipynb")
            else:
                render_paper(run_dir, root, epoch)
            stop_if_interrupted()
            record["status"] = "ok"
        record["seconds"] = round(time.monotonic() - clock, 3)
        record["outputs"] = hash_files(run_dir, step.output_files(run_dir))
        LOGGER.info(f"[{cycle}] {step.name}: {record['status']} in {record['seconds']:.1f} s")


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
        blocked = {signal.SIGINT, signal.SIGTERM}
        signal.pthread_sigmask(signal.SIG_BLOCK, blocked)
        try:
            stop_if_interrupted()
            publish(run_dir, paths.reports, paths.processed)
            published = True
        finally:
            signal.pthread_sigmask(signal.SIG_UNBLOCK, blocked)
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
