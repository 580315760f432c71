"""Stopping safely: SIGINT and SIGTERM become :class:`Interrupted`, so that cleanup runs,
and are held while a run publishes, so that publishing never stops half-way."""

from __future__ import annotations

import signal
from collections.abc import Iterator
from contextlib import contextmanager
from types import FrameType

from highneeds.errors import Interrupted

#: The signal that stopped the run, kept in case library code swallowed the exception.
_received_signal: Interrupted | None = None
#: While true, a signal is remembered but not raised (publishing must not stop half-way).
_holding_signals = False


def stop_if_interrupted() -> None:
    """Raise the interruption again if a signal arrived, even if its exception was swallowed
    on the way (some libraries catch everything): nothing is published after a signal."""
    if _received_signal is not None:
        raise _received_signal


#: How soon a signal that arrived during an import is raised again.
_RETRY_SECONDS = 0.05


def _inside_an_import(frame: FrameType | None) -> bool:
    """Whether the main thread was stopped inside Python's import machinery."""
    while frame is not None:
        if frame.f_code.co_filename.startswith("<frozen importlib"):
            return True
        frame = frame.f_back
    return False


@contextmanager
def interruptible() -> Iterator[None]:
    """Turn SIGINT and SIGTERM into :class:`Interrupted`, so that cleanup runs: the kernel is
    shut down, the lock released and the published paper left as it was. A signal that
    arrives while a module is being imported is raised once the import is done (SIGALRM
    brings it back)."""

    def handler(signum: int, frame: FrameType | None) -> None:
        global _received_signal
        if signum == signal.SIGALRM:
            if _received_signal is None:  # our retry timer, with no signal left to raise
                return
        else:
            _received_signal = Interrupted(signal.Signals(signum).name, 128 + signum)
        if _holding_signals:
            return
        if _inside_an_import(frame):
            # Raising inside the import machinery would leave a module's import lock held,
            # and a thread importing that module would wait for ever: try again shortly.
            signal.setitimer(signal.ITIMER_REAL, _RETRY_SECONDS)
            return
        raise _received_signal

    global _received_signal
    _received_signal = None
    previous = {}
    try:
        for number in (signal.SIGINT, signal.SIGTERM, signal.SIGALRM):
            previous[number] = signal.signal(number, handler)
    except ValueError:  # not the main thread: leave signals alone
        pass
    try:
        yield
    finally:
        if previous:
            signal.setitimer(signal.ITIMER_REAL, 0)
        for number, old in previous.items():
            signal.signal(number, old)


@contextmanager
def signals_held() -> Iterator[None]:
    """Hold SIGINT and SIGTERM: one arriving now is remembered and raised by the next
    :func:`stop_if_interrupted` after the block. A flag rather than a signal mask, because a
    mask is per thread and the kernels' client threads would still take the signal."""
    global _holding_signals
    _holding_signals = True
    try:
        yield
    finally:
        _holding_signals = False
