"""SIGINT and SIGTERM become Interrupted at once, except where raising would leave something
broken (an import, an event loop being made): there they are raised just after; while signals
are held they are only remembered."""

from __future__ import annotations

import asyncio
import os
import selectors
import signal
import sys
import time
from pathlib import Path

import pytest

from highneeds.common.errors import Interrupted
from highneeds.runner.ops.signals import interruptible, signals_held, stop_if_interrupted


def sigterm_to_self() -> None:
    """Send SIGTERM to this process; Python runs the handler at the caller's next step."""
    os.kill(os.getpid(), signal.SIGTERM)


def test_a_signal_is_raised_at_once_where_nothing_is_left_half_done() -> None:
    with pytest.raises(Interrupted) as caught, interruptible():
        sigterm_to_self()
        time.sleep(5)  # not reached: the handler raises before the sleep begins
    assert caught.value.exit_code == 128 + signal.SIGTERM


def test_a_signal_while_an_event_loop_is_made_is_raised_once_it_is_whole(monkeypatch) -> None:
    """The kernel client makes an event loop for each call: a loop left half-built by the
    interruption fails in its finaliser later and prints a traceback as the run stops."""
    made = selectors.DefaultSelector

    def selector_then_signal() -> selectors.BaseSelector:
        selector = made()
        sigterm_to_self()  # the handler runs here, inside the loop's constructor
        return selector

    monkeypatch.setattr(selectors, "DefaultSelector", selector_then_signal)
    loops: list[asyncio.AbstractEventLoop] = []
    with pytest.raises(Interrupted), interruptible():
        loops.append(asyncio.new_event_loop())
        time.sleep(5)  # the handler's retry raises during this sleep
    assert loops, "the signal was raised inside the event loop's constructor"
    assert loops[0]._signal_handlers == {}  # type: ignore[attr-defined]  # made whole
    loops[0].close()


def test_a_signal_during_an_import_is_raised_once_the_import_is_done(tmp_path: Path) -> None:
    """Raising inside the import machinery would leave the module's import lock held."""
    (tmp_path / "interrupted_while_imported.py").write_text(
        "import os, signal\nos.kill(os.getpid(), signal.SIGTERM)\nFINISHED = True\n"
    )
    sys.path.insert(0, str(tmp_path))
    try:
        with pytest.raises(Interrupted), interruptible():
            import interrupted_while_imported  # noqa: F401

            time.sleep(5)  # the handler's retry raises during this sleep
        assert sys.modules["interrupted_while_imported"].FINISHED
    finally:
        sys.path.remove(str(tmp_path))
        sys.modules.pop("interrupted_while_imported", None)


def test_a_signal_is_forgotten_once_its_block_is_over() -> None:
    """A process that goes on after an interrupted run (a test worker, the preview) does not
    stop its next run for the signal that stopped the last one."""
    with pytest.raises(Interrupted), interruptible():
        sigterm_to_self()
        time.sleep(5)
    stop_if_interrupted()  # raises nothing
    with interruptible():
        stop_if_interrupted()


def test_a_signal_while_held_is_remembered_and_raised_after() -> None:
    with interruptible():
        with signals_held():
            sigterm_to_self()
            time.sleep(0.1)  # the handler has run, and raised nothing
        with pytest.raises(Interrupted):
            stop_if_interrupted()


def test_held_blocks_nest_and_a_worker_thread_does_not_release_the_main_threads_hold() -> None:
    """A kernel started in a thread working ahead holds signals for itself while the main
    thread publishes: the main thread's hold must outlive the thread's block."""
    import threading

    with interruptible():
        with signals_held():
            with signals_held():
                pass
            worker = threading.Thread(target=_hold_briefly)
            worker.start()
            worker.join()
            sigterm_to_self()
            time.sleep(0.1)  # still held: the handler has run and raised nothing
        with pytest.raises(Interrupted):
            stop_if_interrupted()


def _hold_briefly() -> None:
    with signals_held():
        time.sleep(0.01)
