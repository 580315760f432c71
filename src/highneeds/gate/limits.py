"""Limits on what a cycle folder may hold, checked before any file is parsed, so that a
careless or hostile input cannot exhaust the machine or make the pipeline read outside the
cycle folder.

The limits are the operator's, not the author's: they come from the environment of the job
(``HIGHNEEDS_MAX_FILE_MB`` and the others in :data:`SETTINGS`), never from the cycle folder.
"""

from __future__ import annotations

import os
import time
import zipfile
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, fields
from pathlib import Path

from highneeds.errors import InputDataError, UsageError

MB = 1024 * 1024


@dataclass(frozen=True)
class InputLimits:
    """How large an input may be."""

    #: Any one file of the cycle folder, in bytes.
    max_file_bytes: int = 20 * MB
    #: Everything inside one XLSX workbook once unzipped (a zip bomb is small on disk).
    max_xlsx_unpacked_bytes: int = 50 * MB
    #: Records (rows) of one table.
    max_rows: int = 10_000
    #: Columns of one table.
    max_columns: int = 200
    #: Characters of one cell of a table (a label or note is a line, not a document).
    max_cell_chars: int = 2_000
    #: Seconds all the checks of one cycle may take together (validate, a run's gate, and
    #: each preview build's gate).
    max_check_seconds: int = 120

    @classmethod
    def from_environment(cls, environ: Mapping[str, str] | None = None) -> InputLimits:
        """The defaults, with any ``HIGHNEEDS_MAX_...`` setting of the job's environment."""
        environ = os.environ if environ is None else environ
        values: dict[str, int] = {}
        for field in fields(cls):
            variable, scale = SETTINGS[field.name]
            text = environ.get(variable, "").strip()
            if not text:
                continue
            try:
                number = float(text)
            except ValueError:
                number = -1
            if number <= 0:
                raise UsageError(f"{variable}={text!r}: expected a positive number")
            values[field.name] = int(number * scale)
        return cls(**values)


#: The environment variable that sets each limit, and the unit it is given in.
SETTINGS = {
    "max_file_bytes": ("HIGHNEEDS_MAX_FILE_MB", MB),
    "max_xlsx_unpacked_bytes": ("HIGHNEEDS_MAX_XLSX_UNPACKED_MB", MB),
    "max_rows": ("HIGHNEEDS_MAX_ROWS", 1),
    "max_columns": ("HIGHNEEDS_MAX_COLUMNS", 1),
    "max_cell_chars": ("HIGHNEEDS_MAX_CELL_CHARS", 1),
    "max_check_seconds": ("HIGHNEEDS_MAX_CHECK_SECONDS", 1),
}


#: When the checks under way must stop, and their limit in seconds (per thread and task: the
#: preview checks in a thread of its own).
_CHECKS_END: ContextVar[tuple[float, int] | None] = ContextVar("checks_end", default=None)
#: The clock the limit is measured on.
clock = time.monotonic


@contextmanager
def checks_time_limited(seconds: int) -> Iterator[None]:
    """Bound the checks run inside the block to ``seconds`` in all: every check that loops
    over rows or tables calls :func:`within_check_time` as it goes."""
    token = _CHECKS_END.set((clock() + seconds, seconds))
    try:
        yield
    finally:
        _CHECKS_END.reset(token)


class ChecksTimedOut(InputDataError):
    """The checks of a cycle's inputs overran their time limit: nothing more is checked."""


def within_check_time(where: str) -> None:
    """Refuse (exit 3) if the checks have overrun their limit; ``where`` names what was being
    checked (a file, a row)."""
    end = _CHECKS_END.get()
    if end is not None and clock() > end[0]:
        raise ChecksTimedOut(
            f"{where}: the checks of this cycle's inputs took longer than {end[1]:,} s and "
            "were stopped here; nothing was published (the operator can raise the limit "
            f"with {SETTINGS['max_check_seconds'][0]})"
        )


def check_input_file(path: Path, folder: Path, limits: InputLimits) -> None:
    """Refuse a file that is a link, lies outside ``folder`` or is over the size limit."""
    if path.is_symlink():
        raise InputDataError(
            f"{path.name}: is a symbolic link; inputs must be plain files inside the cycle "
            "folder (copy the file in instead of linking to it)"
        )
    if path.resolve().parent != folder.resolve():
        raise InputDataError(f"{path.name}: inputs must be files directly in {folder.name}/")
    size = path.stat().st_size
    if size > limits.max_file_bytes:
        raise InputDataError(
            f"{path.name}: {size / MB:.1f} MB is over the {limits.max_file_bytes / MB:g} MB limit "
            f"for an input file (the operator can raise it with {SETTINGS['max_file_bytes'][0]})"
        )


def check_cycle_folder(folder: Path, limits: InputLimits) -> None:
    """Check every file of a cycle folder before anything in it is read."""
    for path in sorted(folder.iterdir()):
        if path.name.startswith("."):
            continue
        if path.is_dir() and not path.is_symlink():
            continue
        check_input_file(path, folder, limits)


def check_csv_bytes(data: bytes, name: str) -> None:
    """Refuse a CSV holding a NUL byte: it is not text (a renamed binary file, or UTF-16)."""
    position = data.find(b"\x00")
    if position >= 0:
        raise InputDataError(
            f"{name}: holds a NUL byte at position {position}, so it is not a text "
            "CSV (is it a binary file renamed, or saved as UTF-16?); save it as 'CSV UTF-8'"
        )


def check_xlsx_archive(path: Path, limits: InputLimits) -> None:
    """Refuse a workbook whose unzipped size is over the limit, before it is unzipped."""
    try:
        with zipfile.ZipFile(path) as archive:
            unpacked = sum(info.file_size for info in archive.infolist())
    except zipfile.BadZipFile:
        raise InputDataError(
            f"{path.name}: not a readable XLSX workbook (not a zip file)"
        ) from None
    if unpacked > limits.max_xlsx_unpacked_bytes:
        raise InputDataError(
            f"{path.name}: unzips to {unpacked / MB:.1f} MB, over the "
            f"{limits.max_xlsx_unpacked_bytes / MB:g} MB limit for a workbook (the operator can "
            f"raise it with {SETTINGS['max_xlsx_unpacked_bytes'][0]})"
        )


def check_table_size(name: str, rows: int, columns: int, limits: InputLimits) -> None:
    """Refuse a table with more rows or columns than the limits allow."""
    if rows > limits.max_rows:
        raise InputDataError(
            f"{name}: more than {limits.max_rows:,} rows; a cycle's tables are aggregate figures "
            f"(the operator can raise the limit with {SETTINGS['max_rows'][0]})"
        )
    if columns > limits.max_columns:
        raise InputDataError(
            f"{name}: {columns:,} columns, over the limit of {limits.max_columns:,} (the operator "
            f"can raise it with {SETTINGS['max_columns'][0]})"
        )
