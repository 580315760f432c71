"""Logging for runs: progress on the console (text or JSON lines) and a log file per run.

With ``--log-format json`` every line the pipeline writes (progress, warnings, Python's own
warnings, errors and the result lines) is one JSON object with ``time`` (UTC), ``level``,
``message`` and, where they apply, ``cycle``, ``run_id``, ``step``, ``seconds`` and
``exit_code``; the run's ``run.log`` is written the same way. In text, ``run.log`` lines start
with a UTC timestamp that says so (``2026-11-29T06:00:01.250Z``).
"""

from __future__ import annotations

import json
import logging
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

LOGGER = logging.getLogger("highneeds")
RUN_LOG = "run.log"
#: The fields a JSON line carries when they apply.
FIELDS = ("cycle", "run_id", "step", "seconds", "exit_code")
#: What the current run is (one run per process): added to every record that lacks it.
_RUN_FIELDS: dict[str, Any] = {}
_FORMAT = {"name": "text"}


def utc_time(created: float) -> str:
    return datetime.fromtimestamp(created, UTC).isoformat(timespec="milliseconds")


def json_line(message: str, level: str = "info", **fields: Any) -> str:
    """One JSON log line: time, level, message, then the fields that apply."""
    entry = {"time": utc_time(datetime.now(UTC).timestamp()), "level": level, "message": message}
    entry |= {key: fields[key] for key in FIELDS if fields.get(key) is not None}
    return json.dumps(entry)


class JsonLines(logging.Formatter):
    """One JSON object per line, for log collectors."""

    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": utc_time(record.created),
            "level": record.levelname.lower(),
            "message": record.getMessage(),
        }
        for key in FIELDS:
            if getattr(record, key, None) is not None:
                entry[key] = getattr(record, key)
        return json.dumps(entry)


class UtcText(logging.Formatter):
    """``2026-11-29T06:00:01.250Z INFO message``: a run log's timestamps, in UTC, saying so."""

    def format(self, record: logging.LogRecord) -> str:
        stamp = utc_time(record.created).replace("+00:00", "Z")
        return f"{stamp} {record.levelname} {record.getMessage()}"


class _RunFieldsFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        for key, value in _RUN_FIELDS.items():
            if getattr(record, key, None) is None:
                setattr(record, key, value)
        return True


def _not_log_only(record: logging.LogRecord) -> bool:
    """Keep a record marked ``log_only`` (one the command's own error line repeats) off the
    console: the run's log has it."""
    return not getattr(record, "log_only", False)


@contextmanager
def run_fields(**fields: Any) -> Iterator[None]:
    """Add ``cycle``, ``run_id`` ... to every record logged meanwhile (from any thread)."""
    saved = dict(_RUN_FIELDS)
    _RUN_FIELDS.update({k: v for k, v in fields.items() if v is not None})
    try:
        yield
    finally:
        _RUN_FIELDS.clear()
        _RUN_FIELDS.update(saved)


def _formatter(for_file: bool) -> logging.Formatter:
    if _FORMAT["name"] == "json":
        return JsonLines()
    return UtcText() if for_file else logging.Formatter("%(message)s")


def configure_console(quiet: bool = False, log_format: str = "text") -> None:
    """Send the pipeline's messages (and Python's warnings) to stderr: warnings only when
    quiet."""
    _FORMAT["name"] = log_format
    logging.captureWarnings(True)
    LOGGER.setLevel(logging.INFO)
    LOGGER.propagate = False
    handler = logging.StreamHandler(sys.stderr)
    handler.highneeds_console = True  # type: ignore[attr-defined]
    handler.setLevel(logging.WARNING if quiet else logging.INFO)
    handler.setFormatter(_formatter(for_file=False))
    handler.addFilter(_RunFieldsFilter())
    handler.addFilter(_not_log_only)
    for logger in (LOGGER, logging.getLogger("py.warnings")):
        for old in list(logger.handlers):
            if getattr(old, "highneeds_console", False):
                logger.removeHandler(old)
        logger.addHandler(handler)
    logging.getLogger("py.warnings").propagate = False


def print_result(lines: list[str], **fields: Any) -> None:
    """The command's result lines on stdout: as they are, or one JSON line each."""
    for line in lines:
        text = json_line(line, **_RUN_FIELDS | fields) if _FORMAT["name"] == "json" else line
        print(text, flush=True)


class _RunLogFile(logging.FileHandler):
    """A run's log file; a line it cannot write (the disk is full) is dropped, not printed as
    a traceback: the console and the run's own error say what went wrong."""

    def handleError(self, record: logging.LogRecord) -> None:
        del record


class RunLog:
    """A log file in a run folder for as long as the run lasts: timestamps, steps, warnings,
    and the error that ended a failed run."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.handler = _RunLogFile(path, encoding="utf-8")
        self.handler.setLevel(logging.INFO)
        self.handler.setFormatter(_formatter(for_file=True))
        self.handler.addFilter(_RunFieldsFilter())

    def __enter__(self) -> RunLog:
        if LOGGER.level == logging.NOTSET or LOGGER.level > logging.INFO:
            LOGGER.setLevel(logging.INFO)
        LOGGER.addHandler(self.handler)
        logging.getLogger("py.warnings").addHandler(self.handler)
        return self

    def __exit__(self, *exc_info: object) -> None:
        LOGGER.removeHandler(self.handler)
        logging.getLogger("py.warnings").removeHandler(self.handler)
        self.handler.close()
