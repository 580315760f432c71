"""A killed run leaves nothing behind for long: its render worker (and the worker's partner)
die with it, and its temporary folders are removed at the next start."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

from highneeds.runner.ops.temporary import remove_abandoned, remove_own, temporary_folder
from tests.conftest import ended

ROOT = Path(__file__).resolve().parents[3]
ENV = {**os.environ, "PYTHONPATH": str(ROOT / "src")}


def test_folders_of_a_process_that_is_gone_are_removed_at_the_next_start(tmp_path: Path) -> None:
    gone = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"],
        text=True,
        capture_output=True,
        check=True,
    )
    dead = int(gone.stdout)
    abandoned = tmp_path / f"highneeds-ahead-{dead}-x1"
    (abandoned / "inputs").mkdir(parents=True)
    live = temporary_folder("kernel", str(tmp_path))  # this process's: in use
    other = tmp_path / f"somebody-else-{dead}-x"
    other.mkdir()
    assert remove_abandoned((str(tmp_path),)) == [abandoned]
    assert not abandoned.exists() and live.is_dir() and other.is_dir()


def test_an_interrupted_run_removes_its_own_folders_and_nobody_elses(tmp_path: Path) -> None:
    mine = temporary_folder("kernel", str(tmp_path))
    (mine / "kernel-1").write_text("")
    another = tmp_path / f"highneeds-kernel-{os.getppid()}-x1"  # a live process's
    another.mkdir()
    link = tmp_path / f"highneeds-ahead-{os.getpid()}-link"
    link.symlink_to(another)
    assert remove_own((str(tmp_path),)) == [mine]
    assert not mine.exists() and another.is_dir() and link.is_symlink()


def _killed_parent(child: str, after: float = 0.0) -> int:
    """Start a parent that starts ``child`` (Python code printing the pid to watch), kill the
    parent with SIGKILL ``after`` seconds, and return the pid the child printed."""
    import time

    parent = subprocess.Popen(
        [sys.executable, "-c", child],
        stdout=subprocess.PIPE,
        text=True,
        env=ENV,
        start_new_session=True,
    )
    assert parent.stdout is not None
    pid = int(parent.stdout.readline())
    time.sleep(after)
    os.kill(parent.pid, signal.SIGKILL)
    parent.wait()
    return pid


def test_a_helper_dies_with_its_parent() -> None:
    child = (
        "import os, subprocess, sys\n"
        "code = 'import sys, time\\nfrom highneeds.runner.ops.temporary import die_with_parent\\n"
        "die_with_parent(int(sys.argv[1]))\\ntime.sleep(60)'\n"
        "p = subprocess.Popen([sys.executable, '-c', code, str(os.getpid())])\n"
        "print(p.pid, flush=True)\n"
        "import time; time.sleep(60)\n"
    )
    assert ended([_killed_parent(child, after=1.0)], within=10)


def test_the_render_worker_dies_with_a_killed_run(tmp_path: Path) -> None:
    """The worker is in a process group of its own (spared the terminal's Ctrl-C), so killing
    the run's group would not reach it: it asks the kernel to end it with its parent. Here it
    is at work on a render that cannot finish (its metadata a pipe no one writes), as a worker
    2 s into a render is, and reads no more from the run: only its parent's death ends it."""
    run_dir = tmp_path / "run"
    (run_dir / "processed").mkdir(parents=True)
    os.mkfifo(run_dir / "processed" / "paper_meta.json")
    child = (
        "import time\n"
        "from highneeds.runner.execute.render_step import RenderWorker\n"
        "worker = RenderWorker(html_only=True)\n"
        f"worker.send(__import__('pathlib').Path({str(run_dir)!r}), '1640995200')\n"
        "print(worker.process.pid, flush=True)\n"
        "time.sleep(60)\n"
    )
    assert ended([_killed_parent(child, after=3.0)], within=15)
