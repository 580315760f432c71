"""Raw input files as finance teams produce them: CSV or XLSX, read into text cells.

Tolerated, because it is unambiguous: UTF-8 with or without a byte-order mark, Windows-1252
(a ``£`` as byte 0xA3), blank spacer rows, surrounding whitespace, an XLSX's first sheet or a
named one. Refused, because it would mean guessing: a merged header, a second table on the
same sheet, and any sign of child-level data (see :func:`check_privacy`), which is refused
before a single value is reported anywhere.
"""

from __future__ import annotations

import csv
import functools
import io
from datetime import date, datetime
from pathlib import Path
from typing import Any

from highneeds.common.errors import InputDataError
from highneeds.domain.catalog import SOURCE_STEMS
from highneeds.gate.read.cell_checks import check_cells, check_privacy, check_single_table
from highneeds.gate.read.layout import SOURCES_FILE, HeaderTest, Layout
from highneeds.gate.read.limits import (
    InputLimits,
    check_csv_bytes,
    check_input_file,
    check_table_size,
    check_xlsx_archive,
)
from highneeds.gate.read.raw_table import RawTable

FORMATS = (".csv", ".xlsx")

#: The files a cycle gives besides its tables.
NAMED_INPUTS = ("paper.yaml", "narrative.md", SOURCES_FILE)


def input_file_names(raw_dir: Path) -> set[str]:
    """The names a cycle's inputs may have: each table as CSV or XLSX, paper.yaml, the
    narrative, sources.yaml and any file it names. Anything else in the folder (notes, a
    link, a hidden file) is no input: it is neither read, copied nor archived."""
    names = {f"{stem}{suffix}" for stem in SOURCE_STEMS.values() for suffix in FORMATS}
    names |= set(NAMED_INPUTS)
    sources = raw_dir / SOURCES_FILE
    if sources.is_file() and not sources.is_symlink():
        names |= {Path(str(e["file"])).name for e in load_sources(raw_dir).values() if "file" in e}
    return names


def source_present(raw_dir: Path, stem: str) -> bool:
    """Whether the cycle gives table ``stem``: named in ``sources.yaml``, or as a file."""
    return stem in load_sources(raw_dir) or any(
        (raw_dir / f"{stem}{suffix}").is_file() for suffix in FORMATS
    )


def _text(value: Any) -> str:
    """An XLSX cell as the text a CSV would hold."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value).upper()
    if isinstance(value, datetime):
        return (
            value.date().isoformat() if value.time() == datetime.min.time() else (value.isoformat())
        )
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float):
        return repr(int(value)) if value.is_integer() else repr(value)
    return str(value).strip()


def decode_text(data: bytes, name: str = "the file") -> str:
    """UTF-8 (with or without BOM) if it decodes, otherwise Windows-1252; neither (bytes
    Windows-1252 leaves undefined: a binary file) is refused, naming where."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1252")
    except UnicodeDecodeError as error:
        raise InputDataError(
            f"{name}: byte {error.start} (0x{data[error.start]:02x}) is not text in UTF-8 or "
            "Windows-1252, so this is not a CSV file (is it a binary file renamed?); save "
            "the table as 'CSV UTF-8'"
        ) from None


def _notes_below(rows: list[list[str]], numbers: list[int]) -> int:
    """How many rows at the end are notes below the table, not part of it: a blank row, then
    rows of text in the first column alone ("Source: finance's October forecast"). A row that
    follows the table with no blank row between is the table's own, and checked as such."""
    count = 0
    while count < len(rows) and any(rows[-1 - count][:1]) and not any(rows[-1 - count][1:]):
        count += 1
    first = len(rows) - count
    if count and first > 0 and numbers[first] - numbers[first - 1] > 1:
        return count
    return 0


def _table_from_records(
    path: Path,
    records: list[tuple[int, list[str]]],
    sheet: str | None = None,
    layout: Layout | None = None,
    is_header: HeaderTest | None = None,
) -> RawTable:
    """The header is the row ``sources.yaml`` names, else the first row that carries the
    table's headings (rows above it, such as a title and notes, are not the table), else the
    first non-blank row; blank spacer records are skipped."""
    layout = layout or Layout()
    records = [(n, [cell.strip() for cell in cells]) for n, cells in layout.select(records)]
    filled = [(n, cells) for n, cells in records if any(cells)]
    if not filled:
        raise InputDataError(f"{path.name}: the file is empty")
    if layout.header_row is not None:
        if filled[0][0] != layout.header_row:
            raise InputDataError(
                f"{path.name}: row {layout.header_row}, which {SOURCES_FILE} names as the "
                "header, is blank"
            )
        start = 0
    else:
        start = next(
            (i for i, (_, cells) in enumerate(filled) if is_header and is_header(cells)), 0
        )
    header_row, header = filled[start][0], list(filled[start][1])
    while header and not header[-1]:
        header.pop()
    rows = [cells + [""] * (len(header) - len(cells)) for _, cells in filled[start + 1 :]]
    numbers = [n for n, _ in filled[start + 1 :]]
    notes = _notes_below(rows, numbers)
    rows, numbers = rows[: len(rows) - notes], numbers[: len(numbers) - notes]
    table = RawTable(path, header, rows, numbers, header_row, sheet, layout.first_column)
    extra = [(n, r) for n, r in zip(numbers, rows, strict=True) if any(r[len(header) :])]
    if extra:
        number = extra[0][0]
        raise InputDataError(
            f"{table.name}, row {number}: the row has more cells than the header row "
            f"({len(header)} columns); is a heading missing, or a cell typed out of place? "
            f"(If the table starts lower on the sheet, say where in {SOURCES_FILE}: "
            "header_row: N, or range: A3:F9.)"
        )
    return table


def read_csv(
    path: Path,
    limits: InputLimits | None = None,
    layout: Layout | None = None,
    is_header: HeaderTest | None = None,
) -> RawTable:
    """Read a CSV file's cells as text, keeping each record's line number in the file."""
    limits = limits or InputLimits.from_environment()
    data = path.read_bytes()
    check_csv_bytes(data, path.name)
    reader = csv.reader(io.StringIO(decode_text(data, path.name), newline=""))
    records = []
    try:
        for record in reader:
            records.append((reader.line_num, record))
            check_table_size(path.name, len(records), len(record), limits)
    except csv.Error as exc:
        raise InputDataError(
            f"{path.name}, line {reader.line_num}: not a readable CSV ({exc})"
        ) from None
    return _table_from_records(path, records, None, layout, is_header)


def _load_workbook(path: Path, values: bool) -> Any:
    """Open a workbook with openpyxl (which parses with defusedxml), never following its
    external links: with ``values``, each formula reads as the value Excel last stored."""
    from openpyxl import load_workbook

    try:
        return load_workbook(path, data_only=values, keep_links=False)
    except Exception as exc:
        raise InputDataError(f"{path.name}: not a readable XLSX workbook ({exc})") from None


def read_xlsx(
    path: Path,
    sheet: str | None = None,
    limits: InputLimits | None = None,
    layout: Layout | None = None,
    is_header: HeaderTest | None = None,
) -> RawTable:
    """Read the first (or the named) sheet of a workbook; refuse a merged header, and a
    formula whose value Excel has not stored (the pipeline never calculates a workbook)."""
    limits = limits or InputLimits.from_environment()
    check_xlsx_archive(path, limits)  # every sheet's real size, before any is loaded
    book = _load_workbook(path, values=False)
    if sheet is not None and sheet not in book.sheetnames:
        raise InputDataError(
            f"{path.name}: no sheet named '{sheet}' (sheets: {', '.join(book.sheetnames)})"
        )
    worksheet = book[sheet] if sheet else book.worksheets[0]
    check_table_size(
        f"{path.name} (sheet '{worksheet.title}')",
        worksheet.max_row,
        worksheet.max_column,
        limits,
    )
    formulas = [
        cell.coordinate for row in worksheet.iter_rows() for cell in row if cell.data_type == "f"
    ]
    if formulas:
        stored = _load_workbook(path, values=True)[worksheet.title]
        uncached = [c for c in formulas if stored[c].value is None]
        if uncached:
            raise InputDataError(
                f"{path.name} (sheet '{worksheet.title}'), cell {uncached[0]}: holds a formula "
                "whose value the workbook does not store (it was never calculated and saved in "
                "Excel); open and save the workbook in Excel so its values are stored"
            )
        worksheet = stored
    records = [
        (number, [_text(v) for v in row])
        for number, row in enumerate(worksheet.iter_rows(values_only=True), start=1)
    ]
    table = _table_from_records(path, records, worksheet.title, layout, is_header)
    for merged in worksheet.merged_cells.ranges:
        if merged.min_row <= table.header_row <= merged.max_row:
            raise InputDataError(
                f"{table.name}, row {table.header_row}: the header has merged cells "
                f"({merged.coord}); unmerge them so that each column has its own heading"
            )
    return table


#: What ``sources.yaml`` may say of a table: where it is, and, of the budget, how it is written.
SOURCE_KEYS = frozenset({"file", "sheet", "header_row", "range"})
BUDGET_KEYS = frozenset({"unit", "deficit", "block"})
#: ``sources.yaml`` names a few tables in a few lines: a larger file is no such list.
MAX_SOURCES_BYTES = 64 * 1024


def load_sources(raw_dir: Path) -> dict[str, dict[str, Any]]:
    """The optional ``sources.yaml``: ``table: {file: name.xlsx, sheet: Name}`` per table,
    read once for each content (every reader of a run asks for it), checked against what it
    may say: known tables, known keys, a small file."""
    path = raw_dir / SOURCES_FILE
    if not path.is_file():
        return {}
    info = path.stat()
    if info.st_size > MAX_SOURCES_BYTES:
        raise InputDataError(
            f"{SOURCES_FILE}: {info.st_size:,} bytes; it names where a few tables are, in at "
            f"most {MAX_SOURCES_BYTES // 1024} KB"
        )
    entries = _parsed_sources(str(path.resolve()), info.st_mtime_ns, info.st_size)
    return {table: dict(entry) for table, entry in entries.items()}


@functools.lru_cache(maxsize=32)
def _parsed_sources(path: str, mtime_ns: int, size: int) -> dict[str, dict[str, Any]]:
    """``sources.yaml`` parsed and checked (kept for its path, time and size)."""
    from highneeds.gate.read.author_yaml import load_yaml

    data = load_yaml(Path(path)) or {}
    if not isinstance(data, dict) or not all(isinstance(v, dict) for v in data.values()):
        raise InputDataError(f"{SOURCES_FILE}: expected 'table: {{file: ..., sheet: ...}}' entries")
    stems = set(SOURCE_STEMS.values())
    for table, entry in data.items():
        if table not in stems:
            raise InputDataError(
                f"{SOURCES_FILE}: {str(table)[:60]!r} is no table of a cycle; the tables are "
                + ", ".join(sorted(stems))
            )
        allowed = SOURCE_KEYS | (BUDGET_KEYS if table == "high_needs_budget" else frozenset())
        unknown = [str(key)[:60] for key in entry if key not in allowed]
        if unknown:
            raise InputDataError(
                f"{SOURCES_FILE}: {table}: {unknown[0]!r} is not something sources.yaml says of "
                f"a table; it may give {', '.join(sorted(allowed))}"
            )
    return data


def read_source(
    raw_dir: Path,
    stem: str,
    limits: InputLimits | None = None,
    is_header: HeaderTest | None = None,
) -> RawTable:
    """Read table ``stem`` from ``<stem>.csv`` or ``<stem>.xlsx``, or as ``sources.yaml`` says;
    ``is_header`` finds the header row below any title and note rows."""
    limits = limits or InputLimits.from_environment()
    entry = load_sources(raw_dir).get(stem, {})
    layout = Layout.from_entry(stem, entry)
    sheet = entry.get("sheet")
    if "file" in entry:
        path = raw_dir / str(entry["file"])
        if path.resolve().parent != raw_dir.resolve():
            raise InputDataError(f"{SOURCES_FILE}: {stem}'s file must be in {raw_dir.name}/")
    else:
        found = [
            raw_dir / f"{stem}{suffix}"
            for suffix in FORMATS
            if (raw_dir / f"{stem}{suffix}").is_file()
        ]
        if len(found) > 1:
            raise InputDataError(
                f"{stem}: both {found[0].name} and {found[1].name} are present; keep one, "
                f"or name the one to use in {SOURCES_FILE}"
            )
        path = found[0] if found else raw_dir / f"{stem}.csv"
    if not path.is_file():
        raise InputDataError(f"{path.name}: the file is missing from {raw_dir}")
    check_input_file(path, raw_dir, limits)
    if path.suffix.lower() == ".xlsx":
        table = read_xlsx(path, sheet, limits, layout, is_header)
    elif path.suffix.lower() == ".csv":
        table = read_csv(path, limits, layout, is_header)
    else:
        raise InputDataError(f"{path.name}: inputs must be .csv or .xlsx")
    check_cells(table, limits)
    check_privacy(table)
    check_single_table(table)
    return table
