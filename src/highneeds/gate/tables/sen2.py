"""The DfE's "Education, health and care plans" caseload file (SEN2), as Explore Education
Statistics publishes it: its columns read by name (``time_period``, ``geographic_level``,
``old_la_code``, ``new_la_code``, ``la_name``, ``region_name``, ``breakdown_topic``,
``breakdown``, ``ehcplans``; any other column ignored), a whole-England file or one council's
rows. ``x`` (not collected) and other suppression marks read as no figure.

January Y is ``time_period`` (Y-1)Y, 201819 for January 2019 (the model's
``backtest.published_by`` says when each was known).
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pandas as pd

from highneeds.common.errors import InputDataError
from highneeds.gate.read.limits import InputLimits, check_csv_bytes, check_table_size
from highneeds.gate.read.sources import decode_text

REQUIRED = ("time_period", "geographic_level", "ehcplans")
OPTIONAL = ("old_la_code", "new_la_code", "la_name", "region_name", "breakdown_topic")
LEVELS = ("National", "Regional", "Local authority")
#: The rows of all plans (a file may hold breakdowns by age, need or setting besides).
ALL_PLANS = "All EHC plans"


def read_sen2(path: Path, limits: InputLimits | None = None) -> pd.DataFrame:
    """The file's rows of all plans: ``row`` (in the file), ``january`` (2019 for 201819),
    ``level``, ``la`` (the three-digit number), ``la_name``, ``region``, ``plans``; every
    problem named by row."""
    limits = limits or InputLimits.from_environment()
    if not path.is_file():
        raise InputDataError(f"{path}: the SEN2 file is missing")
    data = path.read_bytes()
    check_csv_bytes(data, path.name)
    reader = csv.reader(io.StringIO(decode_text(data, path.name), newline=""))
    header = [h.strip() for h in next(reader, [])]
    missing = [c for c in REQUIRED if c not in header]
    if missing:
        raise InputDataError(
            f"{path.name}: missing the DfE's column(s) {', '.join(missing)}; is this the "
            "caseload file of 'Education, health and care plans'?"
        )
    at = {c: header.index(c) for c in (*REQUIRED, *OPTIONAL) if c in header}
    rows, problems = [], []
    for number, cells in enumerate(reader, start=2):
        check_table_size(path.name, number, len(cells), limits)
        cell = {c: cells[i].strip() if i < len(cells) else "" for c, i in at.items()}
        if cell.get("breakdown_topic", ALL_PLANS) != ALL_PLANS:
            continue
        if cell["geographic_level"] not in LEVELS:
            continue  # other levels the DfE publishes (local authority districts, ...)
        period = cell["time_period"]
        if (
            len(period) != 6
            or not period.isdigit()
            or int(period[4:]) != (int(period[:4]) + 1) % 100
        ):
            problems.append(
                f"{path.name}, row {number}, column 'time_period': found {period!r}; "
                "expected an academic year such as 202021"
            )
            continue
        plans = cell["ehcplans"].replace(",", "")
        rows.append(
            {
                "row": number,
                "january": int(period[:4]) + 1,
                "level": cell["geographic_level"],
                "la": cell.get("old_la_code", ""),
                "la_name": cell.get("la_name", ""),
                "region": cell.get("region_name", ""),
                "plans": float(plans) if plans.replace(".", "", 1).isdigit() else float("nan"),
            }
        )
    if problems:
        raise InputDataError("The SEN2 file cannot be read.", problems[:20])
    if not rows:
        raise InputDataError(f"{path.name}: no rows of all EHC plans")
    return pd.DataFrame(rows)


STEM = "sen2_caseload"


def read_cycle_sen2(raw_dir: Path) -> pd.DataFrame:
    """A cycle's ``sen2_caseload.csv`` (or the file ``sources.yaml`` names for it) as typed
    rows, each with its ``row`` in the file, and ``own`` marking the council's rows: those of
    the DfE number paper.yaml gives as ``la_number``. The model keeps only the Januaries
    published before the cycle's meeting."""
    from highneeds.gate.read.layout import SOURCES_FILE
    from highneeds.gate.read.limits import check_input_file
    from highneeds.gate.read.sources import load_sources

    entry = load_sources(raw_dir).get(STEM, {})
    path = raw_dir / str(entry.get("file", f"{STEM}.csv"))
    if path.resolve().parent != raw_dir.resolve():
        raise InputDataError(f"{SOURCES_FILE}: {STEM}'s file must be in {raw_dir.name}/")
    limits = InputLimits.from_environment()
    if path.is_file():
        check_input_file(path, raw_dir, limits)
    rows = read_sen2(path, limits)
    number = _la_number(raw_dir)
    if number == "":  # paper.yaml itself cannot be read: its check says why
        rows["own"] = False
        rows.attrs["source"] = path.name
        return rows
    if number is None:
        raise InputDataError(
            f"{path.name}: the DfE's EHC plans are given, but paper.yaml gives no la_number "
            "(the DfE's three-digit number of the council) to choose the council's rows by"
        )
    rows["own"] = rows["la"] == number
    if not rows["own"].any():
        raise InputDataError(
            f"{path.name}: no rows of local authority {number} (paper.yaml's la_number); is "
            "it the council's number, and the file the DfE's caseload file?"
        )
    rows.attrs["source"] = path.name
    return rows


def _la_number(raw_dir: Path) -> str | None:
    """paper.yaml's la_number as written, read alone: paper.yaml's own check says what else is
    wrong with it (a paper.yaml that cannot be read at all gives none here)."""
    from highneeds.gate.read.author_yaml import load_yaml

    path = raw_dir / "paper.yaml"
    try:
        data = load_yaml(path) if path.is_file() else None
    except (InputDataError, OSError):
        return ""  # unreadable: its own check reports it
    number = data.get("la_number") if isinstance(data, dict) else None
    return None if number is None else str(number).strip()
