"""Bounds on what building a paper may take: the memory of each process that computes or
renders it (the kernels, the render worker and its partner, the preview), and the time of a
preview build (a run's steps have their own time limits: --cell-timeout, --render-timeout).

The bounds are the operator's, from the job's environment, never from the cycle folder:
``HIGHNEEDS_MAX_MEMORY_MB`` (the address space of each process, 4,096 MB unless set) and
``HIGHNEEDS_MAX_PREVIEW_SECONDS`` (one preview build, 600 s unless set). A step that needs
more than its memory fails as a :class:`MemoryError` in its own process, named with the
setting, and the published paper is left as it was.
"""

from __future__ import annotations

import ctypes
import resource
import threading
from collections.abc import Iterator, Mapping
from contextlib import contextmanager

from highneeds.common.errors import NotebookFailed
from highneeds.common.limits_setting import positive_setting

MEMORY_VARIABLE = "HIGHNEEDS_MAX_MEMORY_MB"
#: A kernel of the shipped cycle reserves about 1.1 GB of address space and uses 170 MB.
DEFAULT_MEMORY_MB = 4096
PREVIEW_SECONDS_VARIABLE = "HIGHNEEDS_MAX_PREVIEW_SECONDS"
DEFAULT_PREVIEW_SECONDS = 600
#: What a failure for want of memory tells the operator.
MEMORY_ADVICE = (
    f"it ran out of the memory a process may use ({MEMORY_VARIABLE}; the operator can raise it)"
)


def memory_limit(environ: Mapping[str, str] | None = None) -> int:
    """The address space each process of a run or preview may take, in bytes."""
    return int(positive_setting(environ, MEMORY_VARIABLE, DEFAULT_MEMORY_MB) * 1024 * 1024)


def preview_seconds(environ: Mapping[str, str] | None = None) -> float:
    """How long one preview build may take, in seconds."""
    return positive_setting(environ, PREVIEW_SECONDS_VARIABLE, DEFAULT_PREVIEW_SECONDS)


def limit_memory(limit: int, pid: int = 0) -> None:
    """Bound the address space of process ``pid`` (0: this one) to ``limit`` bytes, or to the
    hard limit the machine already sets if that is lower. Processes it starts inherit it."""
    _, hard = resource.prlimit(pid, resource.RLIMIT_AS)
    if hard != resource.RLIM_INFINITY:
        limit = min(limit, hard)
    resource.prlimit(pid, resource.RLIMIT_AS, (limit, hard))


@contextmanager
def memory_unbounded() -> Iterator[None]:
    """This process's memory bound lifted inside the block, for a process started there that
    is not the pipeline's (a web browser the preview opens reserves far more address space)."""
    soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    resource.setrlimit(resource.RLIMIT_AS, (hard, hard))
    try:
        yield
    finally:
        resource.setrlimit(resource.RLIMIT_AS, (soft, hard))


class BuildTimedOut(NotebookFailed):
    """A preview build overran :func:`preview_seconds` (shown as the build's problem)."""


@contextmanager
def time_limited(seconds: float, what: str) -> Iterator[None]:
    """Stop the block, run in this thread, with :class:`BuildTimedOut` if it takes longer than
    ``seconds``. The exception is raised in the thread at its next Python instruction (a call
    into a library's compiled code finishes first): Python's ``PyThreadState_SetAsyncExc``."""
    thread = threading.get_ident()
    done = threading.Event()
    stopped = threading.Event()

    def watch() -> None:
        if not done.wait(seconds):
            stopped.set()
            ctypes.pythonapi.PyThreadState_SetAsyncExc(
                ctypes.c_ulong(thread), ctypes.py_object(BuildTimedOut)
            )

    watchdog = threading.Thread(target=watch, name="preview-time-limit", daemon=True)
    watchdog.start()
    try:
        yield
    except BuildTimedOut:
        raise BuildTimedOut(
            f"{what} took longer than {seconds:g} s and was stopped (the operator can raise "
            f"the limit with {PREVIEW_SECONDS_VARIABLE})"
        ) from None
    finally:
        done.set()
        watchdog.join()
        if stopped.is_set():  # raised after the block ended: take it back
            ctypes.pythonapi.PyThreadState_SetAsyncExc(ctypes.c_ulong(thread), None)
