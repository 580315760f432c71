"""Writing a return workbook as finance officers file it: every number with a number format
(never General), children as whole numbers, money in £000 with negatives in brackets, and
beside each line the kind of its figures (given, calculated or modelled: the figure
registry's kinds) and a note; the bytes the same for the same inputs."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from itertools import groupby
from pathlib import Path
from typing import Any
from zipfile import ZIP_DEFLATED, ZipFile

from highneeds.domain.figure_kinds import kind_of

#: Number formats: £000 (negative in brackets), £000 to one decimal (a cost per EHCP),
#: whole children, and a count or code shown as written.
MONEY = "#,##0;(#,##0);0"
MONEY_ONE_DECIMAL = "#,##0.0;(#,##0.0);0.0"
CHILDREN = "#,##0"
FORMATS = {"money": MONEY, "cost": MONEY_ONE_DECIMAL, "children": CHILDREN}


def kind_words(kinds: Sequence[tuple[str, str]]) -> str:
    """The kinds of a line's figures by year in words: ``given``, or ``given for 2020/21 to
    2021/22; calculated for 2022/23 to 2024/25`` where they differ."""
    runs = [(kind, [year for year, _ in group]) for kind, group in groupby(kinds, lambda p: p[1])]
    if len({kind for kind, _ in runs}) <= 1:
        return runs[0][0] if runs else ""
    return "; ".join(
        f"{kind} for {years[0]}" + (f" to {years[-1]}" if len(years) > 1 else "")
        for kind, years in runs
    )


@dataclass
class Line:
    """One line of a sheet: its labels, a value for each year (None: not given), the unit of
    its values, the lineage key of each year's figure (for its kind), and a note."""

    labels: tuple[str, ...]
    values: Sequence[float | int | None]
    unit: str = "money"
    keys: Sequence[str] = ()
    kind: str = ""
    note: str = ""


@dataclass
class Sheet:
    """A sheet: a title, a header, lines; the lineage gives each figure's kind."""

    title: str
    header: tuple[str, ...]
    years: Sequence[str] = ()
    lines: list[Line | tuple[Any, ...]] = field(default_factory=list)


def _shown(value: float | int | None, unit: str) -> float | int | None:
    if value is None or value != value:  # NaN: not given
        return None
    if unit == "children":
        return round(float(value))  # whole children (an int), as the template counts them
    return round(float(value), 1 if unit == "cost" else 0)


def _append(sheet: Any, values: Sequence[Any]) -> None:
    """Append a row, every text as text: openpyxl takes a text starting with ``=`` for a
    formula (and so would a spreadsheet, with ``+ - @`` too); typed as a string, it is shown
    as written and never evaluated, whatever it starts with."""
    sheet.append(list(values))
    for cell in sheet[sheet.max_row]:
        if isinstance(cell.value, str):
            cell.data_type = "s"
        elif isinstance(cell.value, date):  # a date cell, shown as the UK writes dates
            cell.number_format = "dd/mm/yyyy"


def write_workbook(
    target: Path,
    sheets: Sequence[Sheet],
    created: datetime,
    author: str,
    derivations: Mapping[str, Mapping[str, Any]],
) -> None:
    """Write ``sheets`` as an XLSX workbook at ``target``: bold headers, formatted numbers,
    the kind of each line's figures (from ``derivations``), fixed metadata dates."""
    from openpyxl import Workbook
    from openpyxl.styles import Font
    from openpyxl.writer.excel import ExcelWriter

    book = Workbook()
    if book.active is not None:  # the sheet a new workbook comes with
        book.remove(book.active)
    book.properties.created = book.properties.modified = created.replace(tzinfo=None)
    book.properties.creator = book.properties.lastModifiedBy = author
    bold = Font(bold=True)
    for spec in sheets:
        sheet = book.create_sheet(spec.title)
        _append(sheet, [spec.title])
        sheet["A1"].font = Font(bold=True, size=13)
        sheet.append([])
        if spec.header:
            _append(sheet, list(spec.header))
            for cell in sheet[sheet.max_row]:
                cell.font = bold
        for line in spec.lines:
            if not isinstance(line, Line):  # a row of text (a cover's field, a paragraph)
                _append(sheet, list(line))
                continue
            values = [_shown(v, line.unit) for v in line.values]
            kind = line.kind or kind_words(
                [
                    (y, kind_of(k.lstrip("-"), derivations))  # -key: the sign turned
                    for y, k, v in zip(spec.years, line.keys, values, strict=False)
                    if v is not None
                ]
            )
            _append(sheet, [*line.labels, *values, kind, line.note])
            first = len(line.labels) + 1
            for cell in sheet[sheet.max_row][first - 1 : first - 1 + len(values)]:
                cell.number_format = FORMATS[line.unit]
        sheet.column_dimensions["A"].width = 44
        sheet.column_dimensions["B"].width = 44
    # Saved through the writer itself: Workbook.save stamps the time now as "modified", and
    # the same inputs must give the same bytes.
    with ZipFile(target, "w", ZIP_DEFLATED) as archive:
        ExcelWriter(book, archive).save()
