"""One run per cycle at a time: a lock file naming the process that holds it and since when."""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

from highneeds.errors import LockHeld

LOCK_FILE = ".lock"


def _pid_alive(pid: int) -> bool:
    """Whether a process is running (a zombie, dead but not yet reaped, is not)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    stat = Path(f"/proc/{pid}/stat")
    try:
        return stat.read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except (OSError, IndexError):
        return True  # no /proc here: trust the signal check


@contextmanager
def cycle_lock(folder: Path, cycle: str, say: Callable[[str], None]) -> Iterator[None]:
    """Hold the cycle's lock for the run; raise :class:`LockHeld` if a live process holds it.

    A lock left by a process that no longer exists is taken over, with a warning.
    """
    folder.mkdir(parents=True, exist_ok=True)
    lock = folder / LOCK_FILE
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
                    f"cycle {cycle} is being run by process {holder['pid']} since "
                    f"{holder['since']} (lock file {lock})"
                ) from None
            say(
                f"warning: taking over the lock of cycle {cycle} left by process "
                f"{holder.get('pid')}, which is no longer running"
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
