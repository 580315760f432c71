from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path
from typing import ClassVar

import pytest

from highneeds import __version__
from highneeds.cli import main
from tests.conftest import CYCLE, copy_project, edited, run_pipeline


def test_version(capsys) -> None:
    with pytest.raises(SystemExit) as caught:
        main(["--version"])
    assert caught.value.code == 0
    assert __version__ in capsys.readouterr().out


def test_help_lists_exit_codes(capsys) -> None:
    with pytest.raises(SystemExit):
        main(["run", "--help"])
    out = capsys.readouterr().out
    assert "--cycle" in out and "3  input data failed validation" in out


def test_unknown_cycle_exits_2(capsys) -> None:
    assert main(["run", "--cycle", "1999-01"]) == 2
    assert "no inputs for cycle 1999-01" in capsys.readouterr().err


@pytest.mark.parametrize("command", ["run", "verify", "preview"])
def test_a_bad_memory_bound_stops_the_command_before_it_starts(
    command: str, capsys, monkeypatch
) -> None:
    monkeypatch.setenv("HIGHNEEDS_MAX_MEMORY_MB", "lots")
    assert main([command, "--cycle", "1999-01"]) == 2
    assert "HIGHNEEDS_MAX_MEMORY_MB='lots': expected a positive number" in capsys.readouterr().err


def test_unknown_parameter_exits_2(capsys) -> None:
    assert main(["run", "-p", "no_such_parameter=1"]) == 2
    assert "unknown parameter(s): no_such_parameter" in capsys.readouterr().err


def test_malformed_parameter_is_a_usage_error() -> None:
    with pytest.raises(SystemExit) as caught:
        main(["run", "-p", "novalue"])
    assert caught.value.code == 2


def test_pipeline_script_runs_from_any_directory(project_root: Path, tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, str(project_root / "pipeline.py"), "--version"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0
    assert __version__ in result.stdout


def test_validate_passes_on_the_shipped_cycle(project_root: Path, tmp_path: Path) -> None:
    """In a copy: validating writes the gate's documents into the project's reports."""
    copy = copy_project(project_root, tmp_path / "project")
    result = run_pipeline(copy, "--cycle", "2022-01", "--quiet", command="validate")
    assert result.returncode == 0, result.stderr
    assert "Inputs of cycle 2022-01 passed all" in result.stdout
    assert "validation/summary.html" in result.stdout
    assert (copy / "reports" / "2022-01" / "validation" / "summary.html").is_file()


def test_validate_unknown_cycle_exits_2(capsys) -> None:
    assert main(["validate", "--cycle", "2030-01"]) == 2


class _Hook(BaseHTTPRequestHandler):
    received: ClassVar[list[dict]] = []

    def do_POST(self) -> None:
        _Hook.received.append(json.loads(self.rfile.read(int(self.headers["Content-Length"]))))
        self.send_response(204)
        self.end_headers()

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def hook() -> Iterator[str]:
    server = HTTPServer(("127.0.0.1", 0), _Hook)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    _Hook.received.clear()
    yield f"json://127.0.0.1:{server.server_port}/hook"
    server.shutdown()


@pytest.mark.e2e
def test_a_broken_expectation_suite_exits_1_in_one_line_and_notifies(
    project: Path, first_run, hook: str
) -> None:
    """The suites are the package's code: one broken in the project's copy is an unexpected
    error, not the author's."""
    suites = project / "src" / "highneeds" / "gate" / "checks" / "suites.py"
    with edited(suites, "    return {\n", "    return {\n        **{}[0],\n"):
        result = run_pipeline(
            project, command="validate", env={**os.environ, "HIGHNEEDS_NOTIFY_URLS": hook}
        )
    assert result.returncode == 1, result.stderr
    assert "Traceback" not in result.stderr
    (line,) = [text for text in result.stderr.splitlines() if text.startswith("error:")]
    assert line.startswith("error: unexpected error: KeyError: ")
    log = project / "reports" / CYCLE / "last-error.log"
    assert line.endswith(f"(the details are in {log})")
    assert "Traceback (most recent call last)" in log.read_text()
    (notice,) = _Hook.received
    assert notice["title"] == f"highneeds validate {CYCLE}: failed (exit 1)"
    assert "unexpected error: KeyError" in notice["message"]


@pytest.mark.e2e
def test_a_file_where_a_folder_should_be_exits_1_in_one_line(project: Path, first_run) -> None:
    cycle = "2030-01"
    shutil.copytree(project / "data" / "raw" / CYCLE, project / "data" / "raw" / cycle)
    (project / "reports" / cycle).write_text("not a folder")
    try:
        result = run_pipeline(project, "--cycle", cycle)
    finally:
        shutil.rmtree(project / "data" / "raw" / cycle)
        (project / "reports" / cycle).unlink()
    assert result.returncode == 1, result.stderr
    assert "Traceback" not in result.stderr
    (line,) = [text for text in result.stderr.splitlines() if text.startswith("error:")]
    assert line.startswith("error: unexpected error: FileExistsError: ")
    kept = Path(line.rsplit("(the details are in ", 1)[1].rstrip(")"))
    assert "Traceback (most recent call last)" in kept.read_text()
    kept.unlink()


def test_prune_says_what_it_would_remove_and_free_on_stdout(monkeypatch, capsys) -> None:
    from highneeds.runner.archive import prune as prune_module

    result = prune_module.PruneResult(
        True, ["2022-01/runs/20220101T000000000000Z-1"], kept=2, freed_bytes=400_000
    )
    monkeypatch.setattr(prune_module, "prune", lambda *args, **kwargs: result)
    assert main(["prune", "--keep", "0", "--dry-run"]) == 0
    out, err = capsys.readouterr()
    lines = out.splitlines()
    assert lines[0].startswith(
        "Prune (dry run: nothing removed): would remove 1 run(s), kept 2; would free 0.4 MB of "
        "disk under reports/"
    )
    assert lines[1] == "  would remove reports/2022-01/runs/20220101T000000000000Z-1"
    assert "--keep 0 keeps no run for its age alone" in lines[2]
    assert "would remove" not in err


SYSTEM_PYTHON = Path("/usr/bin/python3")


@pytest.mark.skipif(not SYSTEM_PYTHON.exists(), reason="no system Python at /usr/bin/python3")
def test_python_pipeline_py_works_with_the_system_python(tmp_path: Path) -> None:
    """The README's command, typed in a shell with no environment active: the system Python
    (which has no pandas) runs the command again in the project's .venv."""
    from highneeds.common.paths import PROJECT_ROOT
    from tests.conftest import copy_project

    root = copy_project(PROJECT_ROOT, tmp_path / "project")
    clean = {k: v for k, v in os.environ.items() if k not in ("VIRTUAL_ENV", "PYTHONPATH")}
    without = subprocess.run(
        [str(SYSTEM_PYTHON), "pipeline.py", "validate"],
        cwd=root,
        capture_output=True,
        text=True,
        env=clean,
        timeout=60,
    )
    assert without.returncode == 2 and "make setup" in without.stderr
    (root / ".venv").symlink_to(PROJECT_ROOT / ".venv", target_is_directory=True)
    result = subprocess.run(
        [str(SYSTEM_PYTHON), "pipeline.py", "validate", "--cycle", CYCLE],
        cwd=root,
        capture_output=True,
        text=True,
        env=clean,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr
    assert "passed all" in result.stdout + result.stderr
