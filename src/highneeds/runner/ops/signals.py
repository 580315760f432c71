"""Stopping safely: SIGINT and SIGTERM become :class:`Interrupted`, so that cleanup runs,
and are held while a run publishes, so that publishing never stops half-way."""

from __future__ import annotations

import os
import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from types import FrameType

from highneeds.common.errors import Interrupted

#: The signal that stopped the run, kept in case library code swallowed the exception.
_received_signal: Interrupted | None = None
#: While true, a signal is remembered but not raised (publishing must not stop half-way).
_holding_signals = False


def stop_if_interrupted() -> None:
    """Raise the interruption again if a signal arrived, even if its exception was swallowed
    on the way (some libraries catch everything): nothing is published after a signal."""
    if _received_signal is not None:
        raise _received_signal


#: How soon a signal that arrived where raising is unsafe is raised again.
_RETRY_SECONDS = 0.05


#: Where asyncio's modules are (beside ``os``, in the standard library): the kernel client
#: makes an event loop for each call.
_ASYNCIO = os.path.join(os.path.dirname(os.__file__), "asyncio", "")


def _unsafe_to_raise_in(frame: FrameType | None) -> bool:
    """Whether the main thread was stopped where raising would leave something broken:
    inside Python's import machinery (a module's import lock held, and a thread importing
    that module waiting for ever), or inside the constructor of an asyncio object, such as
    the event loop the kernel client makes for each call (left half-built, its finaliser
    fails later and prints a traceback as the run stops)."""
    while frame is not None:
        code = frame.f_code
        if code.co_filename.startswith("<frozen importlib"):
            return True
        if code.co_name == "__init__" and code.co_filename.startswith(_ASYNCIO):
            return True
        frame = frame.f_back
    return False


@contextmanager
def interruptible() -> Iterator[None]:
    """Turn SIGINT and SIGTERM into :class:`Interrupted`, so that cleanup runs: the kernel is
    shut down, the lock released and the published paper left as it was. A signal that
    arrives while a module is being imported, or an event loop made, is raised once that is
    done (SIGALRM brings it back)."""

    def handler(signum: int, frame: FrameType | None) -> None:
        global _received_signal
        if signum == signal.SIGALRM:
            if _received_signal is None:  # our retry timer, with no signal left to raise
                return
        else:
            _received_signal = Interrupted(signal.Signals(signum).name, 128 + signum)
        if _holding_signals:
            return
        if _unsafe_to_raise_in(frame):  # try again shortly
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
        # What stopped this block is over with it: a process that goes on (a test worker, a
        # preview) must not stop its next run for it.
        _received_signal = None


@contextmanager
def signals_held() -> Iterator[None]:
    """Hold SIGINT and SIGTERM: one arriving now is remembered and raised by the next
    :func:`stop_if_interrupted` after the block. A flag rather than a signal mask, because a
    mask is per thread and the kernels' client threads would still take the signal.

    Only the main thread is ever stopped by a signal, so in any other thread this holds
    nothing (and leaves a hold of the main thread's alone); blocks may nest."""
    global _holding_signals
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    held_before = _holding_signals
    _holding_signals = True
    try:
        yield
    finally:
        _holding_signals = held_before
