"""Typed tables passed between notebooks through ``data/processed/<cycle>/``, as CSV."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pandas as pd

#: Columns whose type CSV would otherwise lose, by table.
_TEXT_COLUMNS = {
    "year",
    "dfe_return",
    "paper",
    "figure",
    "line",
    "label",
    "intervention_id",
    "intervention",
    "placement_type",
    "measure",
    "name",
    "value",
    "unit",
    "scenario",
    "description",
    "source",
    "basis",
    "category",
    "category_label",
    "assumption",
    "from_category",
    "to_category",
    "start_year",
    "kind",
    "role",
    "written",
    "distribution",
    "moves_with",
    "repeat",
    "on",
    "status",
    "builds_on",
    "level",
    "la",
    "la_name",
    "region",
    "reading",
    "assumed_ranges",
    "centre_chosen_by",
    "chosen_by",
    "evidence",
    "balances",
}
_DATE_COLUMNS = {"since"}


#: A text starting with one of these is a formula to a spreadsheet (OWASP's CSV injection
#: list); an apostrophe before it makes it text. A text starting with an apostrophe gets a
#: second one, so that reading removes exactly one and every text comes back as written.
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "'")
_PLAIN_NUMBER = re.compile(r"[+-]?[\d,]*\.?\d+%?")


def spreadsheet_safe(text: object) -> object:
    """``text`` as a spreadsheet takes it as text, never as a formula: ``=HYPERLINK(...)``
    becomes ``'=HYPERLINK(...)``; a plain number such as ``-132`` is left as it is."""
    if not isinstance(text, str) or not text.startswith(_FORMULA_STARTS):
        return text
    if text[0] in "+-" and _PLAIN_NUMBER.fullmatch(text):
        return text
    return "'" + text


def _as_written(text: str) -> str:
    """A text read back: the apostrophe :func:`spreadsheet_safe` added taken off."""
    return text[1:] if text.startswith("'") else text


def _holds_text(column: pd.Series) -> bool:
    return column.dtype == object or pd.api.types.is_string_dtype(column)


def write_table(frame: pd.DataFrame, folder: Path, name: str) -> Path:
    """Write a typed table as ``<folder>/<name>.csv`` (no index, stable float format; every
    text a spreadsheet could take for a formula written as text)."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{name}.csv"
    out = frame.copy()
    for column in _DATE_COLUMNS & set(out.columns):
        out[column] = pd.to_datetime(out[column]).dt.strftime("%Y-%m-%d")
    for column in out.columns:
        if _holds_text(out[column]):
            out[column] = out[column].map(spreadsheet_safe)
    out.to_csv(path, index=False, lineterminator="\n")
    return path


def read_table(folder: Path, name: str) -> pd.DataFrame:
    """Read a typed table written by :func:`write_table`, restoring text and date columns."""
    path = folder / f"{name}.csv"
    if not path.is_file():
        raise FileNotFoundError(f"{path} is missing: run the notebook that writes '{name}' first")
    header = pd.read_csv(path, nrows=0).columns
    dtypes = {c: str for c in header if c in _TEXT_COLUMNS}
    frame = pd.read_csv(path, dtype=dtypes, keep_default_na=True)
    for column in _DATE_COLUMNS & set(frame.columns):
        frame[column] = pd.to_datetime(frame[column])
    for column in dtypes:
        frame[column] = frame[column].fillna("").astype(str)
    for column in frame.columns:
        if _holds_text(frame[column]):
            frame[column] = frame[column].map(lambda v: _as_written(v) if isinstance(v, str) else v)
    return frame


def read_table_if_present(folder: Path, name: str) -> pd.DataFrame | None:
    """:func:`read_table`, or ``None`` for an optional table the cycle does not give."""
    return read_table(folder, name) if (folder / f"{name}.csv").is_file() else None


#: Which input file each typed table was read from, as its author names it.
SOURCES_FILE = "table_sources.json"


def write_sources(tables: dict[str, pd.DataFrame], folder: Path) -> Path:
    """Record the input file behind each typed table and the spreadsheet letter of each of its
    columns (a CSV keeps no attributes), so that a later notebook can name the cells a figure
    came from as their author finds them."""
    import json

    folder.mkdir(parents=True, exist_ok=True)
    sources = {
        name: {
            "file": str(frame.attrs.get("source", name)),
            "letters": dict(frame.attrs.get("letters", {})),
            **({"format": dict(frame.attrs["format"])} if "format" in frame.attrs else {}),
        }
        for name, frame in tables.items()
    }
    path = folder / SOURCES_FILE
    path.write_text(json.dumps(sources, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    return path


def read_sources(folder: Path) -> dict[str, dict[str, Any]]:
    """The input file behind each typed table (``file``), its columns' letters (``letters``)
    and, for the budget, how the council writes it (``format``), by table name; empty if not
    recorded. A folder written before the letters
    were recorded names the file alone."""
    import json

    path = folder / SOURCES_FILE
    recorded = json.loads(path.read_text(encoding="utf-8")) if path.is_file() else {}
    return {
        name: entry if isinstance(entry, dict) else {"file": entry, "letters": {}}
        for name, entry in recorded.items()
    }


def write_typed_tables(tables: dict[str, pd.DataFrame], folder: Path) -> list[Path]:
    """Every typed table the gate read, and the record of their sources: what the later
    notebooks read back with :func:`read_typed_tables`. The files written, in that order."""
    return [
        *(write_table(frame, folder, name) for name, frame in tables.items()),
        write_sources(tables, folder),
    ]


def read_typed_tables(folder: Path) -> dict[str, pd.DataFrame]:
    """Every typed table the gate wrote (those :func:`write_sources` recorded), each with the
    input file it came from as ``attrs['source']``, for the model to trace its cells."""
    tables = {}
    for name, source in read_sources(folder).items():
        frame = read_table_if_present(folder, name)
        if frame is not None:
            frame.attrs["source"] = source["file"]
            frame.attrs["letters"] = source["letters"]
            if "format" in source:
                frame.attrs["format"] = source["format"]
            tables[name] = frame
    return tables
