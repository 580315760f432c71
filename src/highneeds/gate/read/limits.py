"""Limits on what a cycle folder may hold, checked before any file is parsed, so that a
careless or hostile input cannot exhaust the machine or make the pipeline read outside the
cycle folder.

The limits are the operator's, not the author's: they come from the environment of the job
(``HIGHNEEDS_MAX_FILE_MB`` and the others in :data:`SETTINGS`), never from the cycle folder.
"""

from __future__ import annotations

import os
import re
import time
import zipfile
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, fields
from pathlib import Path

from highneeds.common.errors import InputDataError
from highneeds.common.limits_setting import positive_setting

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
            number = positive_setting(environ, variable, 0.0)
            if number:
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


#: Sheets a workbook of a cycle's tables may hold (one table a sheet; a workbook of a thousand
#: sheets takes the reader many seconds).
MAX_SHEETS = 100
#: Cells of a whole workbook, as so many full rows of the widest table a sheet may hold: the
#: reader loads every sheet, so an unused sheet counts as much as the one read.
WORKBOOK_CELLS_PER_ROW = 50
_SHEET_FILE = re.compile(r"^xl/worksheets/[^/]+\.xml$")
_ROW_TAG = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?row(?=[\s>/])")
_CELL_REF = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?c(?=[\s>/])([^>]*)>")
_REF = re.compile(rb'\sr="([A-Z]{1,3})([0-9]{1,7})"')


def check_xlsx_archive(path: Path, limits: InputLimits) -> None:
    """Refuse a workbook whose unzipped size is over the limit, before it is unzipped; then,
    before any sheet is loaded, one whose real content is over the limits: every sheet's rows
    and columns counted from its cells as written (never from the size a sheet declares, which
    can say A1:F7 of a sheet of a million rows), the sheets counted, and the cells of the
    whole workbook (a reader loads every sheet, the unused ones too)."""
    try:
        with zipfile.ZipFile(path) as archive:
            infos = archive.infolist()
            unpacked = sum(info.file_size for info in infos)
            if unpacked > limits.max_xlsx_unpacked_bytes:
                raise InputDataError(
                    f"{path.name}: unzips to {unpacked / MB:.1f} MB, over the "
                    f"{limits.max_xlsx_unpacked_bytes / MB:g} MB limit for a workbook (the "
                    f"operator can raise it with {SETTINGS['max_xlsx_unpacked_bytes'][0]})"
                )
            sheets = [info for info in infos if _SHEET_FILE.match(info.filename)]
            if len(sheets) > MAX_SHEETS:
                raise InputDataError(
                    f"{path.name}: {len(sheets):,} sheets; a workbook of a cycle's tables holds "
                    f"at most {MAX_SHEETS}"
                )
            names = _sheet_names(archive)
            cells = 0
            for info in sheets:
                name = f"{path.name} (sheet '{names.get(info.filename, info.filename)}')"
                within_check_time(name)
                rows, columns, count = sheet_extent(archive.read(info))
                check_table_size(name, rows, columns, limits)
                cells += count
    except zipfile.BadZipFile:
        raise InputDataError(
            f"{path.name}: not a readable XLSX workbook (not a zip file)"
        ) from None
    budget = limits.max_rows * WORKBOOK_CELLS_PER_ROW
    if cells > budget:
        raise InputDataError(
            f"{path.name}: {cells:,} cells in all its sheets, over the {budget:,} a workbook of a "
            f"cycle's tables may hold (the operator can raise it with "
            f"{SETTINGS['max_rows'][0]}); delete the sheets the cycle does not use"
        )


def _sheet_names(archive: zipfile.ZipFile) -> dict[str, str]:
    """Each worksheet file's sheet name, as Excel shows it (parsed with defusedxml: the
    workbook is an author's file); an entry it cannot read is named by its file."""
    import defusedxml.ElementTree as SafeTree

    main = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
    relation = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"
    try:
        book = SafeTree.fromstring(archive.read("xl/workbook.xml"))
        links = SafeTree.fromstring(archive.read("xl/_rels/workbook.xml.rels"))
    except Exception:  # a workbook that cannot be read is refused by the reader, by name
        return {}
    targets = {
        link.get("Id"): "xl/" + str(link.get("Target", "")).lstrip("/").removeprefix("xl/")
        for link in links
    }
    return {
        targets.get(sheet.get(relation), ""): str(sheet.get("name"))
        for sheet in book.iter(f"{main}sheet")
    }


def _column_number(letters: bytes) -> int:
    number = 0
    for letter in letters:
        number = number * 26 + letter - 64
    return number


def sheet_extent(xml: bytes) -> tuple[int, int, int]:
    """A worksheet's extent as its cells are written: the last row (by its number, or by
    counting rows), the last column, and how many cells it writes; in one pass over it."""
    rows = len(_ROW_TAG.findall(xml))
    last_row = last_column = cells = 0
    for found in _CELL_REF.finditer(xml):
        cells += 1
        ref = _REF.search(found.group(1))
        if ref is not None:
            last_column = max(last_column, _column_number(ref.group(1)))
            last_row = max(last_row, int(ref.group(2)))
    return max(rows, last_row), last_column, cells


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
