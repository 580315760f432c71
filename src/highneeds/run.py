"""Run a cycle end to end: lock the cycle, execute the notebooks with papermill on this
environment's kernel, render the paper, write the manifest, then publish atomically.

A failed run leaves the last good paper of the cycle untouched: everything is written to a
staging folder first and moved into place only when the whole run has succeeded.
"""

from __future__ import annotations

import hashlib
import json
import os
import platform
import re
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path
from typing import Any

from highneeds.errors import (
    HighNeedsError,
    InputDataError,
    LockHeld,
    NarrativeError,
    NotebookFailed,
    UsageError,
)
from highneeds.paths import PROJECT_ROOT, CyclePaths

NOTEBOOKS = ("01_validate", "02_deficit_model", "03_interventions", "04_cabinet_report")
KERNEL_NAME = "highneeds"
CYCLE_RE = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")
PAPER_HTML = "cabinet-report.html"
PAPER_PDF = "cabinet-report.pdf"
MANIFEST = "manifest.json"
_PACKAGES = (
    "highneeds",
    "papermill",
    "nbconvert",
    "nbformat",
    "great-expectations",
    "pandas",
    "numpy",
    "matplotlib",
    "jinja2",
    "weasyprint",
    "ipykernel",
)


@dataclass
class RunOptions:
    """What to run: which cycle, with which parameter overrides, from which project root."""

    cycle: str | None = None
    parameters: dict[str, Any] = field(default_factory=dict)
    root: Path = PROJECT_ROOT
    cell_timeout: int = 600
    progress: bool = False
    say: Callable[[str], None] = print


@dataclass
class RunResult:
    """Where a successful run put the paper."""

    cycle: str
    run_id: str
    html: Path
    pdf: Path
    manifest: Path
    seconds: float


def available_cycles(root: Path) -> list[str]:
    """Cycles that have a folder of raw inputs, oldest first."""
    raw = root / "data" / "raw"
    if not raw.is_dir():
        return []
    return sorted(p.name for p in raw.iterdir() if p.is_dir() and CYCLE_RE.match(p.name))


def choose_cycle(root: Path, cycle: str | None) -> str:
    """The cycle asked for, checked; or the newest one under ``data/raw/``."""
    cycles = available_cycles(root)
    if cycle is None:
        if not cycles:
            raise UsageError(f"no cycle folders (YYYY-MM) under {root / 'data' / 'raw'}")
        return cycles[-1]
    if not CYCLE_RE.match(cycle):
        raise UsageError(f"'{cycle}' is not a cycle label: write it as YYYY-MM, e.g. 2022-01")
    if cycle not in cycles:
        known = ", ".join(cycles) or "none"
        raise UsageError(f"no inputs for cycle {cycle} under data/raw/ (cycles: {known})")
    return cycle


def plan_parameters(paths: CyclePaths, overrides: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Each notebook's parameters: the standard ones, then overrides for those that declare them.

    Every parameter passed must be declared in the notebook's ``parameters`` cell: papermill
    would only warn about an unknown one; we refuse it (exit 2).
    """
    import papermill

    standard = {
        "cycle": paths.cycle,
        "raw_dir": paths.relative(paths.raw),
        "processed_dir": paths.relative(paths.processed),
        "expectations_dir": paths.relative(paths.expectations),
        "validation_dir": paths.relative(paths.validation),
    }
    plan: dict[str, dict[str, Any]] = {}
    declared_anywhere: set[str] = set()
    for name in NOTEBOOKS:
        declared = set(papermill.inspect_notebook(str(paths.notebooks / f"{name}.ipynb")))
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


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


@contextmanager
def cycle_lock(paths: CyclePaths, say: Callable[[str], None]) -> Iterator[None]:
    """Hold the cycle's lock for the run; exit 5 if a live process holds it already."""
    paths.reports.mkdir(parents=True, exist_ok=True)
    lock = paths.reports / ".lock"
    record = json.dumps({"pid": os.getpid(), "since": datetime.now(UTC).isoformat()})
    for _ in range(2):
        try:
            fd = os.open(lock, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o644)
        except FileExistsError:
            try:
                holder = json.loads(lock.read_text())
            except (OSError, ValueError):
                holder = {"pid": -1, "since": "unknown"}
            if holder.get("pid", -1) > 0 and _pid_alive(int(holder["pid"])):
                raise LockHeld(
                    f"cycle {paths.cycle} is being run by process {holder['pid']} since "
                    f"{holder['since']} (lock file {lock})"
                ) from None
            say(
                f"warning: taking over the lock of cycle {paths.cycle} left by process "
                f"{holder.get('pid')} (no longer running)"
            )
            lock.unlink(missing_ok=True)
            continue
        with os.fdopen(fd, "w") as handle:
            handle.write(record)
        break
    try:
        yield
    finally:
        lock.unlink(missing_ok=True)


def _kernel_environment(root: Path) -> None:
    """Kernels inherit the environment: import this project's own package, render headless."""
    src = str(root / "src")
    current = os.environ.get("PYTHONPATH", "")
    if src not in current.split(os.pathsep):
        os.environ["PYTHONPATH"] = os.pathsep.join(p for p in (src, current) if p)
    os.environ.setdefault("MPLBACKEND", "Agg")
    os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")
    os.environ.setdefault("PYDEVD_DISABLE_FILE_VALIDATION", "1")


def execute_notebook(
    source: Path, target: Path, parameters: dict[str, Any], root: Path, options: RunOptions
) -> None:
    """Execute one notebook with papermill, turning its failure into the right error."""
    import papermill
    from papermill.exceptions import PapermillExecutionError
    from traitlets.config import Config

    # Talk to the kernel over a local socket file, not unencrypted TCP.
    sockets = Path(tempfile.mkdtemp(prefix="highneeds-kernel-"))
    config = Config({"KernelManager": {"transport": "ipc", "ip": str(sockets / "kernel")}})
    try:
        papermill.execute_notebook(
            str(source),
            str(target),
            parameters=parameters,
            kernel_name=KERNEL_NAME,
            cwd=str(root),
            progress_bar=options.progress,
            log_output=False,
            execution_timeout=options.cell_timeout,
            request_save_on_cell_execute=False,
            config=config,
        )
    except PapermillExecutionError as exc:
        if exc.ename in ("InputDataError", "ReconciliationError"):
            raise InputDataError(exc.evalue) from None
        if exc.ename == "NarrativeError":
            raise NarrativeError(f"{source.stem}: {exc.evalue}") from None
        raise NotebookFailed(
            f"{source.name} failed in cell {exc.exec_count}: {exc.ename}: {exc.evalue}\n"
            f"  the executed notebook is kept at {target}"
        ) from None
    except Exception as exc:  # kernel died, timed out, could not start
        raise NotebookFailed(
            f"{source.name} did not run: {type(exc).__name__}: {exc}\n"
            f"  the executed notebook is kept at {target}"
        ) from None
    finally:
        shutil.rmtree(sockets, ignore_errors=True)


def sha256(path: Path) -> str:
    """The SHA-256 of a file's bytes."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 16), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _versions() -> dict[str, str]:
    versions = {}
    for package in _PACKAGES:
        try:
            versions[package] = metadata.version(package)
        except metadata.PackageNotFoundError:
            versions[package] = "not installed"
    return versions


def _git_state(root: Path) -> dict[str, Any]:
    try:
        commit = subprocess.run(
            ["git", "rev-parse", "HEAD"], cwd=root, capture_output=True, text=True, check=True
        ).stdout.strip()
        dirty = bool(
            subprocess.run(
                ["git", "status", "--porcelain"],
                cwd=root,
                capture_output=True,
                text=True,
                check=True,
            ).stdout.strip()
        )
    except (OSError, subprocess.CalledProcessError):
        return {"commit": None, "dirty": None}
    return {"commit": commit, "dirty": dirty}


def write_manifest(
    target: Path,
    paths: CyclePaths,
    run_id: str,
    started: datetime,
    plan: dict[str, dict[str, Any]],
    steps: list[dict[str, Any]],
    outputs: dict[str, Path],
) -> None:
    """Record what the run read, ran and wrote, with hashes, versions and timings."""
    lock_file = paths.root / "uv.lock"
    manifest = {
        "cycle": paths.cycle,
        "run_id": run_id,
        "started": started.isoformat(),
        "finished": datetime.now(UTC).isoformat(),
        "parameters": plan,
        "inputs": {p.name: sha256(p) for p in sorted(paths.raw.iterdir()) if p.is_file()},
        "expectations": {p.name: sha256(p) for p in sorted(paths.expectations.glob("*.json"))},
        "notebooks": {f"{n}.ipynb": sha256(paths.notebooks / f"{n}.ipynb") for n in NOTEBOOKS},
        "outputs": {name: sha256(path) for name, path in outputs.items()},
        "steps": steps,
        "environment": {
            "python": platform.python_version(),
            "platform": platform.platform(),
            "uv_lock_sha256": sha256(lock_file) if lock_file.is_file() else None,
            "packages": _versions(),
        },
        "git": _git_state(paths.root),
    }
    target.write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")


def _keep_failed(staging: Path, paths: CyclePaths, run_id: str) -> None:
    """Keep a failed run's notebooks for diagnosis, away from the published paper."""
    failed = paths.reports / "failed" / run_id
    failed.parent.mkdir(parents=True, exist_ok=True)
    staging.rename(failed)
    with suppress(OSError):
        staging.parent.rmdir()


def _publish(staging: Path, reports: Path) -> None:
    """Move a complete run's outputs into place; the paper files last, each atomically."""
    notebooks = reports / "notebooks"
    previous = reports / ".notebooks-previous"
    shutil.rmtree(previous, ignore_errors=True)
    if notebooks.exists():
        notebooks.rename(previous)
    (staging / "notebooks").rename(notebooks)
    shutil.rmtree(previous, ignore_errors=True)
    for name in (MANIFEST, PAPER_PDF, PAPER_HTML):
        os.replace(staging / name, reports / name)


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
    with cycle_lock(paths, options.say):
        options.say(f"[{cycle}] validating inputs ...")
        try:
            report, _ = validate_cycle(cycle, paths.raw, paths.expectations, paths.validation)
            require_success(report)
        except InputDataError as exc:
            raise _with_report_location(exc, paths) from None
    return GateResult(cycle, len(report.checks), paths.validation / "summary.html")


def _with_report_location(exc: InputDataError, paths: CyclePaths) -> InputDataError:
    summary = paths.validation / "summary.html"
    where = f"\n  validation report: {summary}" if summary.is_file() else ""
    return InputDataError(f"{exc}{where}")


def run_cycle(options: RunOptions) -> RunResult:
    """Run every step of a cycle and publish its paper; raise a :class:`HighNeedsError` if not."""
    from highneeds.inputs import read_paper_metadata
    from highneeds.render import render_html, render_pdf

    clock = time.monotonic()
    root = options.root
    cycle = choose_cycle(root, options.cycle)
    paths = CyclePaths(root, cycle)
    plan = plan_parameters(paths, options.parameters)
    _kernel_environment(root)
    ensure_kernel()
    started = datetime.now(UTC)
    run_id = started.strftime("%Y%m%dT%H%M%SZ") + f"-{os.getpid()}"
    with cycle_lock(paths, options.say):
        staging = paths.reports / ".staging" / run_id
        (staging / "notebooks").mkdir(parents=True)
        steps: list[dict[str, Any]] = []
        try:
            for name in NOTEBOOKS:
                step_clock = time.monotonic()
                options.say(f"[{cycle}] {name} ...")
                execute_notebook(
                    paths.notebooks / f"{name}.ipynb",
                    staging / "notebooks" / f"{name}.ipynb",
                    plan[name],
                    root,
                    options,
                )
                steps.append(
                    {
                        "step": name,
                        "status": "ok",
                        "seconds": round(time.monotonic() - step_clock, 3),
                    }
                )
            step_clock = time.monotonic()
            options.say(f"[{cycle}] rendering HTML and PDF ...")
            meta = read_paper_metadata(paths.raw / "paper.yaml")
            html = render_html(
                staging / "notebooks" / "04_cabinet_report.ipynb", root / "templates", meta
            )
            (staging / PAPER_HTML).write_text(html, encoding="utf-8")
            render_pdf(html, staging / PAPER_PDF, staging)
            steps.append(
                {
                    "step": "render",
                    "status": "ok",
                    "seconds": round(time.monotonic() - step_clock, 3),
                }
            )
            outputs = {PAPER_HTML: staging / PAPER_HTML, PAPER_PDF: staging / PAPER_PDF}
            outputs |= {
                f"notebooks/{p.name}": p for p in sorted((staging / "notebooks").glob("*.ipynb"))
            }
            write_manifest(staging / MANIFEST, paths, run_id, started, plan, steps, outputs)
        except InputDataError as exc:
            _keep_failed(staging, paths, run_id)
            raise _with_report_location(exc, paths) from None
        except BaseException:
            _keep_failed(staging, paths, run_id)
            raise
        _publish(staging, paths.reports)
        shutil.rmtree(staging, ignore_errors=True)
        with suppress(OSError):
            staging.parent.rmdir()
    return RunResult(
        cycle,
        run_id,
        paths.reports / PAPER_HTML,
        paths.reports / PAPER_PDF,
        paths.reports / MANIFEST,
        time.monotonic() - clock,
    )
