"""The pipeline's own temporary folders, and its processes' lives: each folder is named with
the process that made it (``highneeds-<kind>-<pid>-...``), so that one left by a killed run is
known for abandoned and removed at the next start; a helper process dies with its parent.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import sys
import tempfile
from contextlib import suppress
from pathlib import Path

#: A folder of ours, and the process that made it.
_OURS = re.compile(r"^highneeds-[a-z]+-(\d+)-")
#: Linux's prctl option that sends a process a signal when its parent dies.
_PR_SET_PDEATHSIG = 1


def temporary_folder(kind: str, where: str | None = None) -> Path:
    """A new private folder under the temporary folder (or ``where``), named for this process."""
    return Path(tempfile.mkdtemp(prefix=f"highneeds-{kind}-{os.getpid()}-", dir=where))


def temporary_prefix(kind: str) -> str:
    """The prefix of a ``tempfile.TemporaryDirectory`` of ours, named for this process."""
    return f"highneeds-{kind}-{os.getpid()}-"


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # another user's process: alive, and not ours to judge
        return True
    return True


def _bases(folders: tuple[str, ...] | None) -> tuple[str, ...]:
    return folders or tuple(dict.fromkeys((tempfile.gettempdir(), "/tmp")))


def remove_own(folders: tuple[str, ...] | None = None) -> list[Path]:
    """Remove this process's folders, once nothing of it uses them any more (an interrupted
    run, after its kernels are stopped): whatever a step cut short left behind. Return them."""
    prefix = re.compile(rf"^highneeds-[a-z]+-{os.getpid()}-")
    removed = []
    for base in _bases(folders):
        with suppress(OSError):
            for entry in Path(base).iterdir():
                if prefix.match(entry.name) and entry.is_dir() and not entry.is_symlink():
                    shutil.rmtree(entry, ignore_errors=True)
                    removed.append(entry)
    return removed


def remove_abandoned(folders: tuple[str, ...] | None = None) -> list[Path]:
    """Remove our folders whose making process is gone (a run killed before it cleaned up),
    in the temporary folder and ``/tmp``; only this user's. Return what was removed."""
    removed = []
    for base in _bases(folders):
        try:
            entries = list(Path(base).iterdir())
        except OSError:
            continue
        for entry in entries:
            found = _OURS.match(entry.name)
            if found is None or int(found.group(1)) == os.getpid():
                continue
            try:
                info = entry.lstat()
            except OSError:
                continue
            if info.st_uid != os.getuid() or entry.is_symlink() or not entry.is_dir():
                continue
            if not _alive(int(found.group(1))):
                shutil.rmtree(entry, ignore_errors=True)
                removed.append(entry)
    return removed


def die_with_parent(parent: int) -> None:
    """Ask the kernel to kill this process when its parent dies (Linux), and end now if the
    parent ``parent`` is gone already (it may have died before the request was made)."""
    if sys.platform.startswith("linux"):
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, int(signal.SIGKILL), 0, 0, 0)
    if os.getppid() != parent:
        os._exit(1)
