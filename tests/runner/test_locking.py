"""One run per cycle at a time: a live holder refuses a second run, a dead one is taken over."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from highneeds.errors import LockHeld
from highneeds.runner.locking import cycle_lock


def test_lock_held_by_a_live_process_refuses_a_second_run(tmp_path: Path) -> None:
    folder = tmp_path / "reports" / "2022-01"
    holder = f"process {os.getpid()}"
    # The second lock is tried while the first is held, and must refuse.
    with (
        cycle_lock(folder, "2022-01", print),
        pytest.raises(LockHeld, match=holder),
        cycle_lock(folder, "2022-01", print),
    ):
        pass
    assert not (folder / ".lock").exists()


def test_stale_lock_is_taken_over_with_a_warning(tmp_path: Path) -> None:
    folder = tmp_path / "reports" / "2022-01"
    dead = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"],
        capture_output=True,
        text=True,
        check=True,
    )
    folder.mkdir(parents=True)
    (folder / ".lock").write_text(json.dumps({"pid": int(dead.stdout), "since": "x"}))
    said: list[str] = []
    with cycle_lock(folder, "2022-01", said.append):
        assert json.loads((folder / ".lock").read_text())["pid"] == os.getpid()
    assert said and "taking over the lock" in said[0]
    assert not (folder / ".lock").exists()


def test_a_zombie_does_not_hold_the_lock(tmp_path: Path) -> None:
    """A killed run that its parent has not reaped yet must not block the next run."""
    folder = tmp_path / "reports" / "2022-01"
    folder.mkdir(parents=True)
    zombie = subprocess.Popen([sys.executable, "-c", "pass"])
    deadline = time.monotonic() + 10
    while Path(f"/proc/{zombie.pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z":
        assert time.monotonic() < deadline
        time.sleep(0.05)
    (folder / ".lock").write_text(json.dumps({"pid": zombie.pid, "since": "x"}))
    said: list[str] = []
    with cycle_lock(folder, "2022-01", said.append):
        pass
    assert "taking over the lock" in said[0]
    zombie.wait()
