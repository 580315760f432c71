"""One run per cycle at a time, held by the operating system: an exclusive ``flock`` on
``reports/<cycle>/.lock``, kept for the whole run on a file held open.

The kernel releases the lock when the process ends, however it ends, so a killed run never
blocks the next one and two processes entering together can never both hold it. The file also
names the holder (process and since when), written only once the lock is held, for the
message a second run prints.
"""

from __future__ import annotations

import fcntl
import json
import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

from highneeds.common.errors import LockHeld

LOCK_FILE = ".lock"


def _read_holder(fd: int) -> dict[str, object]:
    os.lseek(fd, 0, os.SEEK_SET)
    text = os.read(fd, 4096).decode("utf-8", "replace")
    try:
        holder = json.loads(text)
    except ValueError:
        return {}
    return holder if isinstance(holder, dict) else {}


def _open_locked(lock: Path, cycle: str) -> tuple[int, dict[str, object]]:
    """Open the lock file and take its lock, or raise :class:`LockHeld`; return the file and
    what it said about an earlier holder (one that ended without removing it)."""
    while True:
        fd = os.open(lock, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = _read_holder(fd)
            os.close(fd)
            doing = f"'{holder['command']}'" if holder.get("command") else "a command"
            raise LockHeld(
                f"cycle {cycle} is held by {doing} (process {holder.get('pid', '?')}) since "
                f"{holder.get('since', 'just now')} (lock file {lock})"
            ) from None
        except BaseException:
            os.close(fd)
            raise
        # The holder before us removes the file as it finishes: if it did so after we opened
        # it, we hold the lock of a file nobody else can see. Start again on the new one.
        try:
            same = os.stat(lock).st_ino == os.fstat(fd).st_ino
        except FileNotFoundError:
            same = False
        if same:
            return fd, _read_holder(fd)
        os.close(fd)


@contextmanager
def cycle_lock(
    folder: Path, cycle: str, say: Callable[[str], None], command: str = "run"
) -> Iterator[None]:
    """Hold the cycle's lock for ``command`` (``run``, ``validate``, ``prune``: the lock file
    says which, so another one is told what it waits for); raise :class:`LockHeld` if
    another process holds it.

    A lock file left by a process that ended without removing it (killed with SIGKILL, a
    power cut) holds no lock: it is taken over, with a warning naming that process.
    """
    folder.mkdir(parents=True, exist_ok=True)
    lock = folder / LOCK_FILE
    fd, earlier = _open_locked(lock, cycle)
    try:
        if earlier.get("pid"):
            say(
                f"warning: taking over the lock of cycle {cycle} left by process "
                f"{earlier['pid']}, which is no longer running"
            )
        record = json.dumps(
            {"pid": os.getpid(), "command": command, "since": datetime.now(UTC).isoformat()}
        )
        os.ftruncate(fd, 0)
        os.pwrite(fd, record.encode("utf-8"), 0)
        yield
    finally:
        # Remove the file while still holding its lock, then release it: a process waiting
        # on the old file sees that it was removed and starts again (see _open_locked).
        try:
            if os.stat(lock).st_ino == os.fstat(fd).st_ino:
                lock.unlink()
        except FileNotFoundError:
            pass
        os.close(fd)


def lock_holder(folder: Path) -> dict[str, object] | None:
    """Who holds the cycle's lock (pid, since), read without touching the lock itself (a
    monitor must never make a starting run exit 5): the lock file names its holder and is
    removed when the run ends; one left by a process that no longer exists holds nothing."""
    try:
        holder = json.loads((folder / LOCK_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    pid = holder.get("pid") if isinstance(holder, dict) else None
    if not isinstance(pid, int):
        return None
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return None
    except PermissionError:  # alive, run by another user
        pass
    return holder
