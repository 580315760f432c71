"""Shared fixtures: the shipped cycle's folders and its typed tables."""

from __future__ import annotations

import functools
import json
import os
import shutil
import subprocess
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from hypothesis import settings

from highneeds.common.garbage_collection import end_without_collecting
from highneeds.common.paths import PROJECT_FILES, PROJECT_ROOT
from highneeds.gate.tables.tables import read_cycle_tables

# No example may fail for taking long: the suite runs two workers on two cores beside the
# pipeline's own processes, and a property's time says nothing of whether it holds.
settings.register_profile("highneeds", deadline=None)
settings.load_profile("highneeds")

SHIPPED_CYCLE = CYCLE = "2022-01"
#: The cycles the project ships (under data/raw/), the only inputs the tests copy: a council's
#: own cycles beside them (new-cycle 2022-02, another council's folder) are never copied, read
#: or published by a test, so `make test` passes in a council's own repository.
SHIPPED_CYCLES = ("2022-01", "slough/2023-10")
#: A run's parameter for the paper as HTML alone (with the auditor's edition): for tests that
#: read nothing of a run's PDFs, Word paper or DfE return, whose render takes a third of a
#: run's CPU. The published project every test copies is a full run.
HTML_ONLY = ("-p", "html_only=true")
#: A sentence of the shipped narrative that tests edit (para 16.1).
APPENDICES = "Appendix A: How the figures were calculated."
#: Debian's Chromium, as browser tests launch it (nothing is downloaded at run time).
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]


#: The shuffled order CI repeats (pytest-randomly's seed) unless ``--randomly-seed`` says
#: otherwise; ``-p no:randomly`` runs the tests in file order.
PINNED_ORDER_SEED = 3145421832


@pytest.hookimpl(tryfirst=True)
def pytest_configure(config: pytest.Config) -> None:
    # Each test process ends as the pipeline's own do, without the collector's passes over the
    # libraries it imported (a worker holds them all, and the session's end waits on it).
    end_without_collecting()
    # The operator's own settings (a settings file, notification URLs, limits) are not the
    # tests': each test that needs one sets it.
    for name in [n for n in os.environ if n.startswith("HIGHNEEDS_")]:
        del os.environ[name]
    if config.pluginmanager.hasplugin("randomly") and (
        config.getoption("randomly_seed", None) == "default"
    ):
        config.option.randomly_seed = PINNED_ORDER_SEED


def _project_reports() -> set[str]:
    folder = PROJECT_ROOT / "reports"
    return {p.name for p in folder.iterdir()} if folder.is_dir() else set()


#: What the project's own reports folder held when the tests began.
_REPORTS_AT_START = _project_reports()


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """Every test works in its own copy: one that wrote into the project's own reports folder
    fails the session, naming what it left (the operator's papers are never the tests')."""
    if hasattr(session.config, "workerinput"):  # the controller checks, once
        return
    left = sorted(_project_reports() - _REPORTS_AT_START)
    if left:
        print(f"\nA test wrote into the project's reports folder: {left}", file=sys.stderr)
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


@pytest.fixture(scope="session")
def project_root() -> Path:
    return PROJECT_ROOT


@pytest.fixture(scope="session")
def shipped_raw(project_root: Path) -> Path:
    return project_root / "data" / "raw" / SHIPPED_CYCLE


@pytest.fixture(scope="session")
def shipped_tables(shipped_raw: Path) -> dict[str, pd.DataFrame]:
    return read_cycle_tables(shipped_raw)


@pytest.fixture
def raw_copy(shipped_raw: Path, tmp_path: Path) -> Path:
    """A writable copy of the shipped cycle's raw inputs, for breaking on purpose."""
    target = tmp_path / "raw" / SHIPPED_CYCLE
    target.mkdir(parents=True)
    for path in shipped_raw.iterdir():
        (target / path.name).write_bytes(path.read_bytes())
    return target


def run_pipeline(
    root: Path, *args: str, command: str = "run", env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """``python pipeline.py COMMAND ARGS`` in a project copy, as a scheduler would run it."""
    return subprocess.run(
        [sys.executable, "pipeline.py", command, *args],
        cwd=root,
        capture_output=True,
        text=True,
        timeout=900,
        env=env,
    )


def copy_project(project_root: Path, root: Path) -> Path:
    """A copy of the project's files (code, notebooks, suites, inputs) at ``root``, its code
    compiled: with ``PYTHONDONTWRITEBYTECODE`` set (as on CI) every process of every run in the
    copy, and in copies of it, would otherwise compile what it imports (about 0.3 s of CPU a
    run), as ``make`` spares the project itself."""
    import compileall

    for name in PROJECT_FILES:
        source, target = project_root / name, root / name
        if name == "data/raw":  # the shipped cycles only, never an author's
            for cycle in SHIPPED_CYCLES:
                shutil.copytree(
                    source / cycle, target / cycle, ignore=shutil.ignore_patterns("__pycache__")
                )
            continue
        if source.is_dir():
            shutil.copytree(source, target, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target)
    compileall.compile_dir(root / "src", quiet=1)
    return root


def _shared_base(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """This session's temporary folder: under pytest-xdist, the one above each worker's own."""
    base = tmp_path_factory.getbasetemp()
    return base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base


def built_once(
    tmp_path_factory: pytest.TempPathFactory, name: str, build: Callable[[Path], None]
) -> Path:
    """The folder ``name``, built by ``build`` once per test session: under pytest-xdist the
    workers share it (the first to ask builds it while the others wait on a lock), so a
    costly fixture is not paid once per worker. Callers must only read what it holds."""
    import fcntl

    base = _shared_base(tmp_path_factory)
    target, done = base / name, base / f"{name}.built"
    with (base / f"{name}.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not done.exists():
            shutil.rmtree(target, ignore_errors=True)
            build(target)
            done.touch()
    return target


def start_building(
    tmp_path_factory: pytest.TempPathFactory, name: str, build: Callable[[Path], None]
) -> None:
    """Start :func:`built_once`'s build of ``name`` in a thread, if no one has: the first
    worker to get here takes the lock at once and builds while the tests run on; whoever
    asks for the folder then waits on the lock only for what is left of the build (a build
    that failed is done again, and fails, where the folder is asked for)."""
    import fcntl
    import threading

    base = _shared_base(tmp_path_factory)
    lock = (base / f"{name}.lock").open("w")
    try:
        fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        lock.close()  # another worker is building it, or has
        return
    if (base / f"{name}.built").exists():
        lock.close()
        return

    def run() -> None:
        with lock:
            try:
                build(base / name)
                (base / f"{name}.built").touch()
            except BaseException:  # reported where the folder is asked for
                shutil.rmtree(base / name, ignore_errors=True)

    threading.Thread(target=run, name=f"building {name}", daemon=True).start()


@pytest.hookimpl(trylast=True)  # after pytest-randomly's shuffle, which this keeps
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Tests that need the published project after the others (each group in its shuffled
    order): the project is published in the background meanwhile."""
    items.sort(key=lambda item: "published_run" in getattr(item, "fixturenames", ()))


@pytest.fixture(scope="session", autouse=True)
def _publish_in_the_background(
    request: pytest.FixtureRequest, project_root: Path, tmp_path_factory: pytest.TempPathFactory
) -> None:
    """Publish the shipped cycle while the first tests run, if any test of the session needs
    it (a `-m "not e2e"` session publishes nothing). The run gets the environment as it is
    now, before any test: the tests running meanwhile in this process set variables of their
    own (``SOURCE_DATE_EPOCH=42`` among them, which once dated the published paper 1970)."""
    if any("published_run" in getattr(i, "fixturenames", ()) for i in request.session.items):
        environment = dict(os.environ)
        start_building(
            tmp_path_factory, "published", lambda root: _publish(project_root, root, environment)
        )


def _publish(project_root: Path, root: Path, environment: dict[str, str] | None = None) -> None:
    """The shipped cycle run cold in a copy of the project (in ``environment``, else this
    process's), and what it printed."""
    copy_project(project_root, root)
    result = run_pipeline(root, env=environment)
    assert result.returncode == 0, result.stdout + result.stderr
    (root.parent / "published-run.json").write_text(
        json.dumps({"stdout": result.stdout, "stderr": result.stderr}), encoding="utf-8"
    )


@pytest.fixture(scope="session")
def published_run(
    project_root: Path, tmp_path_factory: pytest.TempPathFactory
) -> tuple[Path, subprocess.CompletedProcess[str]]:
    """A copy of the project with the shipped cycle run once, cold, and published: the
    template each test copies (no test edits it), and what the run printed."""

    root = built_once(tmp_path_factory, "published", lambda r: _publish(project_root, r))
    printed = json.loads((root.parent / "published-run.json").read_text(encoding="utf-8"))
    return root, subprocess.CompletedProcess(
        [sys.executable, "pipeline.py", "run"], 0, printed["stdout"], printed["stderr"]
    )


@pytest.fixture(scope="session")
def published(published_run: tuple[Path, subprocess.CompletedProcess[str]]) -> Path:
    """The published project itself, for tests that only read it (never edit it)."""
    return published_run[0]


@pytest.fixture(scope="session")
def first_run(
    published_run: tuple[Path, subprocess.CompletedProcess[str]],
) -> subprocess.CompletedProcess[str]:
    """The shipped cycle's cold run: what it printed."""
    return published_run[1]


def copy_published(published: Path, root: Path) -> Path:
    """A copy of a published project at ``root``: its links (the paper's names, the run
    folders' store trees) stay links, relative to the copy."""
    shutil.copytree(published, root, symlinks=True)
    return root


@pytest.fixture
def project(published: Path, tmp_path: Path) -> Path:
    """The test's own copy of the published project: edit it, run it, break it; no other test
    sees it, so no test restores anything and the order tests run in does not matter."""
    return copy_published(published, tmp_path / "project")


def reports(project: Path) -> Path:
    return project / "reports" / CYCLE


def published_bytes(project: Path) -> dict[str, bytes]:
    """The published paper (every format the render writes), manifest and notebooks of the
    shipped cycle, byte for byte."""
    from highneeds.runner.archive.outputs import MANIFEST, RENDERED_FILES

    folder = reports(project)
    files = [
        *RENDERED_FILES,
        MANIFEST,
        *(f"notebooks/{p.name}" for p in sorted((folder / "notebooks").glob("*.ipynb"))),
    ]
    return {name: (folder / name).read_bytes() for name in files}


@contextmanager
def edited(path: Path, old: str, new: str) -> Iterator[None]:
    """Edit a file for the length of a ``with`` block, then put it back."""
    original = path.read_text(encoding="utf-8")
    assert old in original, old
    path.write_text(original.replace(old, new, 1), encoding="utf-8")
    try:
        yield
    finally:
        path.write_text(original, encoding="utf-8")


def model_tables(
    tables: dict[str, pd.DataFrame], cycle: str = CYCLE, draws: int = 2_000, **params: Any
) -> tuple[dict[str, Any], Any]:
    """Every table the model computes for the gate's typed ``tables``, and the merged
    lineage, by the model's own entry points (as notebooks 02 and 03 call them)."""
    from highneeds.gate.tables.figures import figure_values
    from highneeds.model.wiring.run import ModelParameters, run_interventions, run_model

    parameters = ModelParameters(cycle, uncertainty_draws=draws, **params)
    model = run_model(tables, figure_values(tables.get("figures")), parameters)
    interventions = run_interventions(tables)
    merged = {
        "figures": tables.get("figures"),
        "declared_scenarios": tables.get("declared_scenarios"),
        **model.tables,
        **interventions.tables,
    }
    return merged, model.lineage.merge(interventions.lineage)


def shipped_model_outputs(
    tables: dict[str, pd.DataFrame], cycle: str = CYCLE, with_lineage: bool = False
) -> Any:
    """The model's outputs for typed tables, as notebook 04 hands them to the paper (without
    the lineage unless asked: then nothing is known to be derived, and nothing is marked)."""
    from dataclasses import asdict

    from highneeds.runner.execute.paper_inputs import paper_outputs

    merged, lineage = model_tables(tables, cycle)
    plain = {key: asdict(d) for key, d in lineage.derivations.items()}
    return paper_outputs(merged, cycle, plain if with_lineage else None)


def without_note_marks(html: str) -> str:
    """The paper's text as the reference paper has it: without the marks the pipeline adds
    after figures the model derived (tested in tests/runner/commands/test_explain.py)."""
    import re

    return re.sub(r'<sup><a[^>]*class="figure-note-mark".*?</sup>', "", html)


def alive(pid: int) -> bool:
    """Whether process ``pid`` is running (a zombie, ended but not reaped, is not)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    stat = Path(f"/proc/{pid}/stat")
    return stat.exists() and stat.read_text().rsplit(")", 1)[1].split()[0] != "Z"


def ended(pids: list[int], within: float = 10.0) -> bool:
    """Whether every process of ``pids`` has ended within ``within`` seconds: a process sent
    SIGKILL ends as soon as the kernel gets to it, which on a loaded machine is not at once."""
    import time

    deadline = time.monotonic() + within
    while any(alive(pid) for pid in pids):
        if time.monotonic() > deadline:
            return False
        time.sleep(0.05)
    return True


@functools.cache
def _remembered_suites() -> Any:
    """The suites' results kept across the tests of one process (the preview's remembered
    expectations)."""
    from highneeds.gate.checks.remembered_expectations import RememberedExpectations

    return RememberedExpectations()


def suites_for_one_edit(tables: dict[str, Any], docs_dir: Path | None) -> list[Any]:
    """Run the suites as the gate does, but reuse each unchanged table's results from earlier
    tests in this process and build no Data Docs: for gate cases that each break one table.
    The cases whose Data Docs matter (what a document shows of a hostile or personal value)
    run the gate in full."""
    return _remembered_suites()(tables, None)
