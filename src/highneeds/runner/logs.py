"""Logging for runs: progress on the console (text or JSON lines) and a log file per run."""

from __future__ import annotations

import json
import logging
import sys
from datetime import UTC, datetime
from pathlib import Path

LOGGER = logging.getLogger("highneeds")
RUN_LOG = "run.log"


class JsonLines(logging.Formatter):
    """One JSON object per line, for log collectors."""

    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(),
            "level": record.levelname.lower(),
            "message": record.getMessage(),
        }
        for key in ("cycle", "step", "seconds", "exit_code"):
            if hasattr(record, key):
                entry[key] = getattr(record, key)
        return json.dumps(entry)


def configure_console(quiet: bool = False, log_format: str = "text") -> None:
    """Send the pipeline's messages to stderr: warnings only when quiet."""
    LOGGER.setLevel(logging.INFO)
    LOGGER.propagate = False
    for handler in list(LOGGER.handlers):
        if getattr(handler, "highneeds_console", False):
            LOGGER.removeHandler(handler)
    handler = logging.StreamHandler(sys.stderr)
    handler.highneeds_console = True  # type: ignore[attr-defined]
    handler.setLevel(logging.WARNING if quiet else logging.INFO)
    handler.setFormatter(JsonLines() if log_format == "json" else logging.Formatter("%(message)s"))
    LOGGER.addHandler(handler)


class _RunLogFile(logging.FileHandler):
    """A run's log file; a line it cannot write (the disk is full) is dropped, not printed as
    a traceback: the console and the run's own error say what went wrong."""

    def handleError(self, record: logging.LogRecord) -> None:
        del record


class RunLog:
    """A log file in a run folder for as long as the run lasts: timestamps, steps, warnings."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.handler = _RunLogFile(path, encoding="utf-8")
        self.handler.setLevel(logging.INFO)
        self.handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(message)s"))

    def __enter__(self) -> RunLog:
        if LOGGER.level == logging.NOTSET or LOGGER.level > logging.INFO:
            LOGGER.setLevel(logging.INFO)
        LOGGER.addHandler(self.handler)
        return self

    def __exit__(self, *exc_info: object) -> None:
        LOGGER.removeHandler(self.handler)
        self.handler.close()
