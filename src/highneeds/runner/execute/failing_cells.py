"""Which cell of a notebook was running when it failed, and how the failure is told: the cell
named as Jupyter shows it, and the first lines of its error."""

from __future__ import annotations

import logging
import re
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


class _Started:
    """The number of the cell papermill started last in one thread."""

    def __init__(self) -> None:
        self.cell: int | None = None


class _CellTracker(logging.Handler):
    """Remembers which cell papermill started last in each thread, from its 'Executing Cell N'
    log lines: the saved notebook cannot say which cell was running when a kernel died.

    One handler serves every thread that executes notebooks, so that papermill's logger is
    configured once and restored once, however the executions overlap.
    """

    _START = re.compile(r"Executing Cell (\d+)")

    def __init__(self) -> None:
        super().__init__(logging.INFO)
        self._lock_users = threading.Lock()
        self._users = 0
        self._previous: tuple[int, bool] = (logging.NOTSET, True)
        self._threads: dict[int, _Started] = {}

    def emit(self, record: logging.LogRecord) -> None:
        started = self._threads.get(record.thread or 0)
        match = self._START.match(record.getMessage())
        if started is not None and match:
            started.cell = int(match.group(1))

    @contextmanager
    def tracking(self) -> Iterator[_Started]:
        """Track the calling thread's cells for the length of a ``with`` block."""
        papermill = logging.getLogger("papermill")
        with self._lock_users:
            if self._users == 0:
                self._previous = (papermill.level, papermill.propagate)
                papermill.setLevel(logging.INFO)
                papermill.propagate = False  # cell outputs are in the notebook, not the console
                papermill.addHandler(self)
            self._users += 1
            started = self._threads[threading.get_ident()] = _Started()
        try:
            yield started
        finally:
            with self._lock_users:
                self._threads.pop(threading.get_ident(), None)
                self._users -= 1
                if self._users == 0:
                    papermill.removeHandler(self)
                    papermill.setLevel(self._previous[0])
                    papermill.propagate = self._previous[1]


CELL_TRACKER = _CellTracker()

_ANSI = re.compile(r"\x1b\[[0-9;]*m")


def first_lines(traceback: list[str], limit: int = 6) -> str:
    lines = [
        line
        for chunk in traceback
        for line in _ANSI.sub("", chunk).splitlines()
        if line.strip() and not set(line.strip()) <= {"-"}
    ]
    return "\n".join(f"    {line}" for line in lines[:limit])


def failing_cell(executed: Path, number: int | None) -> str:
    """'cell 5 (In [4]: <first line>)': the cell that was running, named as Jupyter shows it."""
    try:
        import nbformat

        cells = [
            c
            for c in nbformat.read(executed, as_version=4).cells
            if "papermill-error-cell-tag" not in c.metadata.get("tags", [])
        ]
    except Exception:
        return f"cell {number}" if number else "a cell"
    if number is None or not 1 <= number <= len(cells):
        started = [i for i, c in enumerate(cells, 1) if c.get("execution_count")]
        if not started:
            return "its first cell"
        number = started[-1]
    cell = cells[number - 1]
    first = cell.source.strip().splitlines()[0] if cell.source.strip() else ""
    counter = sum(1 for c in cells[:number] if c.cell_type == "code")
    return f"cell {number} (In [{counter}]: {first[:60]})"
