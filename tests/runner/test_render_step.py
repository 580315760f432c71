"""The render worker: the render step in a process of its own, bounded in time, killed with
every process it started, and its failures reported as the render's own errors."""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

import pytest

from highneeds.errors import HighNeedsError
from highneeds.runner.render_step import RenderTimedOut, RenderWorker
from tests.conftest import ended


def worker_running(program: str) -> RenderWorker:
    """A worker that runs ``program`` (Python) in place of the render."""
    return RenderWorker(command=(sys.executable, "-c", program))


def test_a_render_that_overruns_is_killed_with_its_children(tmp_path: Path) -> None:
    pids = tmp_path / "pids.json"
    worker = worker_running(
        "import json, os, subprocess, sys, time\n"
        "child = subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(600)'])\n"
        f"open({str(pids)!r}, 'w').write(json.dumps([os.getpid(), child.pid]))\n"
        "sys.stdin.readline()\n"
        "time.sleep(600)\n"
    )
    started = time.monotonic()
    with pytest.raises(RenderTimedOut, match=r"timed out after 2 s \(--render-timeout\)") as error:
        worker.render(tmp_path, "1640995200", timeout=2)
    assert time.monotonic() - started < 30
    assert error.value.exit_code == 4
    assert ended(json.loads(pids.read_text()))


def test_the_render_is_given_its_run_folder_and_date(tmp_path: Path) -> None:
    job = tmp_path / "job.json"
    worker = worker_running(
        f"import json, sys\nopen({str(job)!r}, 'w').write(sys.stdin.readline())\n"
        "print(json.dumps({'ok': True}))\n"
    )
    worker.render(tmp_path / "run", "1640995200", timeout=60)
    assert json.loads(job.read_text()) == {"run_dir": str(tmp_path / "run"), "epoch": "1640995200"}


def test_a_render_error_keeps_its_message_and_exit_code(tmp_path: Path) -> None:
    worker = worker_running(
        "import json\nprint(json.dumps({'message': 'narrative.md: line 3: no such figure', "
        "'exit_code': 4}))\n"
    )
    with pytest.raises(HighNeedsError, match="narrative.md: line 3: no such figure") as error:
        worker.render(tmp_path, "1640995200", timeout=60)
    assert error.value.exit_code == 4


def test_a_machine_error_in_the_render_comes_back_as_that_error(tmp_path: Path) -> None:
    """A full disk in the worker is a full disk to the run (exit 7), not a failed step."""
    worker = worker_running(
        "import errno, json\nprint(json.dumps({'errno': errno.ENOSPC, "
        "'message': 'No space left on device', 'filename': 'cabinet-report.pdf'}))\n"
    )
    with pytest.raises(OSError, match="No space left on device") as error:
        worker.render(tmp_path, "1640995200", timeout=60)
    assert error.value.filename == "cabinet-report.pdf"


def test_a_worker_that_dies_says_so_with_its_last_words(tmp_path: Path) -> None:
    worker = worker_running("import sys\nsys.stderr.write('MemoryError\\n')\nsys.exit(-9)\n")
    with pytest.raises(HighNeedsError, match="the paper could not be rendered: MemoryError"):
        worker.render(tmp_path, "1640995200", timeout=60)


def test_an_unused_worker_is_stopped(tmp_path: Path) -> None:
    worker = RenderWorker()
    worker.stop()
    assert worker.process.poll() is not None
