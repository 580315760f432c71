"""Raw formats finance teams produce: each tolerated variant of the shipped cycle must give
typed tables, and model results, identical to the shipped CSVs."""

from __future__ import annotations

import csv
import io
import re
import shutil
from collections.abc import Callable
from pathlib import Path

import pandas as pd
import pytest
from openpyxl import Workbook

from highneeds.common.errors import InputDataError
from highneeds.common.paths import PROJECT_ROOT
from highneeds.domain.catalog import SOURCE_STEMS
from highneeds.gate.read.cell_checks import check_privacy
from highneeds.gate.read.sources import decode_text, read_csv
from highneeds.gate.tables.tables import read_cycle_tables
from tests.conftest import SHIPPED_CYCLE, model_tables

#: The tables of the shipped cycle (it gives none of the optional driver tables).
CSV_TABLES = [
    stem
    for stem in SOURCE_STEMS.values()
    if (PROJECT_ROOT / "data" / "raw" / SHIPPED_CYCLE / f"{stem}.csv").is_file()
    and stem != "sen2_caseload"  # the DfE's own download: always its CSV
]


def _rows(path: Path) -> list[list[str]]:
    return list(csv.reader(io.StringIO(path.read_text(encoding="utf-8"))))


def _write_rows(path: Path, rows: list[list[str]], encoding: str = "utf-8") -> None:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\r\n").writerows(rows)
    path.write_bytes(buffer.getvalue().encode(encoding))


def _xlsx_value(text: str) -> object:
    """A cell as Excel would hold it: numbers as numbers, brackets as negatives."""
    cleaned = text.replace(",", "")
    negative = cleaned.startswith("(") and cleaned.endswith(")")
    cleaned = cleaned.strip("()")
    try:
        number = float(cleaned)
    except ValueError:
        return text or None
    return -number if negative else number


def with_bom(raw: Path) -> None:
    for name in CSV_TABLES:
        path = raw / f"{name}.csv"
        path.write_bytes(b"\xef\xbb\xbf" + path.read_bytes())


def windows_1252(raw: Path) -> None:
    for name in CSV_TABLES:
        path = raw / f"{name}.csv"
        _write_rows(path, _rows(path), encoding="cp1252")
    assert b"\xa3" in (raw / "placement_costs.csv").read_bytes()  # the £ of the basis column


def as_xlsx(raw: Path) -> None:
    for name in CSV_TABLES:
        path = raw / f"{name}.csv"
        book = Workbook()
        sheet = book.active
        for row in _rows(path):
            sheet.append([_xlsx_value(cell) for cell in row])
        book.save(raw / f"{name}.xlsx")
        path.unlink()


def xlsx_named_sheet(raw: Path) -> None:
    path = raw / "high_needs_budget.csv"
    book = Workbook()
    book.active.title = "Notes"
    book.active.append(["Forecast prepared by finance"])
    sheet = book.create_sheet("HN forecast")
    for row in _rows(path):
        sheet.append(row)  # as text, brackets and separators kept
    book.save(raw / "finance-workbook.xlsx")
    path.unlink()
    (raw / "sources.yaml").write_text(
        "high_needs_budget:\n  file: finance-workbook.xlsx\n  sheet: HN forecast\n"
    )


def pounds_and_separators(raw: Path) -> None:
    path = raw / "high_needs_budget.csv"
    rows = _rows(path)
    for row in rows[1:]:
        row[1:] = [
            f"£{c}" if c and not c.startswith("(") else c.replace("(", "(£") for c in row[1:]
        ]
    _write_rows(path, rows)


def minus_signs_not_brackets(raw: Path) -> None:
    path = raw / "high_needs_budget.csv"
    rows = _rows(path)
    for row in rows[1:]:
        row[1:] = [f"-{c[1:-1]}" if c.startswith("(") else c for c in row[1:]]
    _write_rows(path, rows)


def spacer_rows_and_whitespace(raw: Path) -> None:
    for name in CSV_TABLES:
        path = raw / f"{name}.csv"
        rows = _rows(path)
        padded = [[f"  {c}  " for c in row] for row in rows]
        blank = [""] * len(rows[0])
        _write_rows(path, [blank, padded[0], blank, *padded[1:], blank, blank])


def agreeing_total_row(raw: Path) -> None:
    path = raw / "interventions.csv"
    rows = _rows(path)
    total = sum(int(r[2]) for r in rows[1:])
    _write_rows(path, [*rows, ["Total", "", str(total)]])


def xlsx_finance_style(raw: Path) -> None:
    """Each table as finance keeps it: a title in A1, a blank row, the header in row 3, and
    negative numbers stored as numbers, shown in brackets by the cell's format."""
    for name in CSV_TABLES:
        path = raw / f"{name}.csv"
        book = Workbook()
        sheet = book.active
        sheet.title = "Forecast"
        sheet.append([f"{name.replace('_', ' ').title()} (£000)"])
        sheet.append([])
        for row in _rows(path):
            sheet.append([_xlsx_value(cell) for cell in row])
        for cells in sheet.iter_rows(min_row=4):
            for cell in cells:
                if isinstance(cell.value, float):
                    cell.number_format = "#,##0;(#,##0)"
        book.save(raw / f"{name}.xlsx")
        path.unlink()


def header_row_named_in_sources(raw: Path) -> None:
    """A budget CSV whose own first rows hold a title and a note with two cells (which look
    like a header), the header named in sources.yaml."""
    path = raw / "high_needs_budget.csv"
    rows = _rows(path)
    _write_rows(path, [["DSG High Needs"], ["Prepared by", "Finance"], *rows])
    (raw / "sources.yaml").write_text("high_needs_budget:\n  header_row: 3\n")


def range_named_in_sources(raw: Path) -> None:
    """The budget at B4:G10 of a sheet with a title above and a notes column beside it."""
    path = raw / "high_needs_budget.csv"
    book = Workbook()
    sheet = book.active
    sheet.append(["DSG High Needs forecast", None, None, None, None, None, None, "Notes"])
    sheet.append([])
    sheet.append([])
    for number, row in enumerate(_rows(path)):
        sheet.append([None, *row, None, f"note {number}"])
    sheet.append([None, "Figures from the budget monitoring report"])
    book.save(raw / "forecast.xlsx")
    path.unlink()
    (raw / "sources.yaml").write_text(
        "high_needs_budget:\n  file: forecast.xlsx\n  range: B4:G10\n"
    )


VARIANTS: dict[str, Callable[[Path], None]] = {
    "xlsx-finance-style": xlsx_finance_style,
    "header-row-in-sources-yaml": header_row_named_in_sources,
    "range-in-sources-yaml": range_named_in_sources,
    "utf8-bom": with_bom,
    "windows-1252": windows_1252,
    "xlsx-first-sheet": as_xlsx,
    "xlsx-named-sheet": xlsx_named_sheet,
    "pound-signs-and-separators": pounds_and_separators,
    "minus-signs": minus_signs_not_brackets,
    "spacer-rows-and-whitespace": spacer_rows_and_whitespace,
    "agreeing-total-row": agreeing_total_row,
}


def model_results(tables: dict[str, pd.DataFrame]) -> dict[str, pd.DataFrame]:
    """The model's tables for ``tables``, by its own entry points (few draws: the inputs are
    the same either way)."""
    merged, _ = model_tables(tables, draws=20)
    return {name: merged[name] for name in ("roll_forward", "scenarios", "intervention_savings")}


@pytest.mark.parametrize("variant", VARIANTS, ids=list(VARIANTS))
def test_tolerated_format_gives_identical_tables_and_results(
    shipped_tables, raw_copy: Path, variant: str
) -> None:
    VARIANTS[variant](raw_copy)
    tables = read_cycle_tables(raw_copy)
    for name, expected in shipped_tables.items():
        got = tables[name].drop(columns="row").reset_index(drop=True)
        pd.testing.assert_frame_equal(got, expected.drop(columns="row"), obj=name)
    for name, expected in model_results(shipped_tables).items():
        pd.testing.assert_frame_equal(model_results(tables)[name], expected, obj=name)


def test_decode_text_prefers_utf8_and_falls_back_to_windows_1252() -> None:
    assert decode_text("£1,028".encode()) == "£1,028"
    assert decode_text(b"\xef\xbb\xbf\xc2\xa31") == "£1"
    assert decode_text(b"\xa31,028") == "£1,028"


def test_rows_are_numbered_as_in_the_file(tmp_path: Path) -> None:
    path = tmp_path / "t.csv"
    path.write_text('\n\na,b\n\n"x\ny",1\nz,2\n')
    table = read_csv(path)
    assert table.header_row == 3
    assert table.row_numbers == [6, 7]  # a quoted cell over two lines ends on line 6


def test_xlsx_rows_are_numbered_as_in_the_sheet(tmp_path: Path, raw_copy: Path) -> None:
    shutil.copy(raw_copy / "interventions.csv", tmp_path / "keep.csv")
    as_xlsx(raw_copy)
    tables = read_cycle_tables(raw_copy)
    assert list(tables["interventions"]["row"]) == [2, 3, 4, 5]
    assert tables["interventions"].attrs["source"] == "interventions.xlsx (sheet 'Sheet')"


@pytest.mark.parametrize(
    "heading",
    [
        "Name",
        "Child name",
        "Forename",
        "DOB",
        "Date of birth",
        "UPN",
        "ULN",
        "NHS number",
        "Address",
        "Post code",
        "postcode",
        "Email",
    ],
)
def test_personal_headings_are_refused(tmp_path: Path, heading: str) -> None:
    path = tmp_path / "t.csv"
    path.write_text(f"measure,{heading}\nplans,secret-value\n")
    with pytest.raises(InputDataError, match="looks like child-level personal data") as caught:
        check_privacy(read_csv(path), allowed=frozenset())
    assert "secret-value" not in str(caught.value)


@pytest.mark.parametrize(
    "heading",
    [
        "line",
        "2021/22",
        "placement_type",
        "intervention",
        "places_avoided",
        "description",
        "source",
    ],
)
def test_aggregate_headings_pass(tmp_path: Path, heading: str) -> None:
    path = tmp_path / "t.csv"
    path.write_text(f"{heading},count\nplans,260\n")
    check_privacy(read_csv(path))


def test_a_message_says_which_row_was_taken_as_the_header(raw_copy: Path) -> None:
    xlsx_finance_style(raw_copy)
    from openpyxl import load_workbook

    path = raw_copy / "high_needs_budget.xlsx"
    book = load_workbook(path)
    book.active["C5"] = "n/a"
    book.save(path)
    with pytest.raises(InputDataError) as caught:
        read_cycle_tables(raw_copy)
    assert (
        "high_needs_budget.xlsx (sheet 'Forecast', header in row 3), row 5, column C ('2021/22'): "
        "found 'n/a'"
    ) in str(caught.value)


def test_a_table_placed_by_range_is_named_by_the_sheets_own_column_letters(
    raw_copy: Path,
) -> None:
    """The budget at B4:G10: its 2021/22 column is the sheet's D, as Excel shows it, and the
    knock-on cells of a changed cost are named as cells (E6, not 'row 6')."""
    range_named_in_sources(raw_copy)
    from openpyxl import load_workbook

    path = raw_copy / "forecast.xlsx"
    book = load_workbook(path)
    book.active["D6"] = "n/a"  # the 2021/22 transfer
    book.save(path)
    with pytest.raises(InputDataError) as caught:
        read_cycle_tables(raw_copy)
    assert "row 6, column D ('2021/22'): found 'n/a'" in str(caught.value)


@pytest.mark.parametrize(
    ("entry", "message"),
    [
        ("range: A3-F9", "sources.yaml: high_needs_budget's range 'A3-F9' is not a cell range"),
        ("header_row: three", "sources.yaml: high_needs_budget's header_row 'three' is not a row"),
        ("header_row: 2", "row 2, which sources.yaml names as the header, is blank"),
    ],
)
def test_a_layout_sources_yaml_cannot_mean_is_refused(
    raw_copy: Path, entry: str, message: str
) -> None:
    path = raw_copy / "high_needs_budget.csv"
    _write_rows(path, [["Title"], [], *_rows(path)])
    (raw_copy / "sources.yaml").write_text(f"high_needs_budget:\n  {entry}\n")
    with pytest.raises(InputDataError, match=re.escape(message)):
        read_cycle_tables(raw_copy)


def _refusal(raw: Path) -> str:
    with pytest.raises(InputDataError) as caught:
        read_cycle_tables(raw)
    (problem,) = caught.value.problems
    return problem


def test_a_control_character_in_a_cell_is_refused_naming_the_cell(raw_copy: Path) -> None:
    path = raw_copy / "figures.csv"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("Projected deficit", "Projected\x1b[2J deficit", 1))
    assert _refusal(raw_copy) == (
        "figures.csv, row 2, column D ('description'): holds the control character U+001B, which "
        "has no place in a figure or a label; remove it (retype the cell)"
    )


@pytest.mark.parametrize("character", ["\uffff", "\ufffe", "\x7f", "\x0c"])
def test_no_character_a_paper_format_cannot_hold_passes_a_cell(
    raw_copy: Path, character: str
) -> None:
    path = raw_copy / "figures.csv"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("Projected deficit", f"Projected{character} deficit", 1))
    assert _refusal(raw_copy).startswith(
        f"figures.csv, row 2, column D ('description'): holds the control character "
        f"U+{ord(character):04X}"
    )


def test_a_cell_longer_than_the_limit_is_refused_before_any_check_reads_it(
    raw_copy: Path,
) -> None:
    path = raw_copy / "figures.csv"
    text = path.read_text(encoding="utf-8")
    # 80 KB with no "@" after the first: the email check used to rescan it from every start.
    path.write_text(text.replace("Projected deficit", "a@" + "b" * 80_000, 1))
    assert _refusal(raw_copy) == (
        "figures.csv, row 2, column D ('description'): holds 80,033 characters; a cell may hold "
        "at most 2,000 (HIGHNEEDS_MAX_CELL_CHARS)"
    )


@pytest.mark.parametrize(
    ("cell", "email"),
    [
        ("ops@example.org", True),
        ("write to a.b@council.gov.uk today", True),
        ("x@y", False),
        ("@example.org", False),
        ("a@@b.cd", False),
        ("no at sign at all", False),
    ],
)
def test_the_email_check_finds_addresses_as_the_pattern_did(cell: str, email: bool) -> None:
    import re

    from highneeds.gate.read.cell_checks import _has_email

    assert _has_email(cell) == email == bool(re.search(r"[^@\s]+@[^@\s]+\.[A-Za-z]{2,}", cell))


def test_a_sheets_declared_size_is_not_trusted_either_way(tmp_path: Path) -> None:
    """A sheet declaring a million rows but holding two is read as its two (its cells are
    counted before it is loaded: test_limits has one declaring A1:B2 and holding ten)."""
    import re
    import zipfile

    from openpyxl import Workbook

    from highneeds.gate.read.sources import read_xlsx

    book = Workbook()
    book.active.append(["year", "amount"])
    book.active.append(["2022/23", 1])
    small = tmp_path / "small.xlsx"
    book.save(small)
    declared = tmp_path / "high_needs_budget.xlsx"
    with zipfile.ZipFile(small) as source, zipfile.ZipFile(declared, "w") as target:
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                data = re.sub(rb'<dimension ref="[^"]*"', b'<dimension ref="A1:B1000000"', data)
            target.writestr(item, data)
    table = read_xlsx(declared)
    assert table.header == ["year", "amount"] and table.rows == [["2022/23", "1"]]


@pytest.mark.parametrize(
    "text,said",
    [
        ("high_needs_budget:\n  sheeet: Forecast\n", "'sheeet' is not something sources.yaml"),
        ("budget_table:\n  file: b.xlsx\n", "'budget_table' is no table of a cycle"),
        ("figures:\n  unit: £m\n", "'unit' is not something sources.yaml says"),
        ("".join(f"junk{i}: {{}}\n" for i in range(5)), "'junk0' is no table"),
    ],
)
def test_sources_yaml_says_only_what_it_may(raw_copy: Path, text: str, said: str) -> None:
    from highneeds.gate.read.sources import load_sources

    (raw_copy / "sources.yaml").write_text(text, encoding="utf-8")
    with pytest.raises(InputDataError, match=said):
        load_sources(raw_copy)


def test_sources_yaml_is_small_and_read_once_for_each_content(raw_copy: Path, monkeypatch) -> None:
    from highneeds.gate.read import author_yaml
    from highneeds.gate.read.sources import MAX_SOURCES_BYTES, load_sources

    path = raw_copy / "sources.yaml"
    path.write_text("# " + "x" * MAX_SOURCES_BYTES + "\n", encoding="utf-8")
    with pytest.raises(InputDataError, match="it names where a few tables are"):
        load_sources(raw_copy)
    path.write_text("high_needs_budget:\n  unit: £000\n", encoding="utf-8")
    reads = []
    real = author_yaml.load_yaml
    monkeypatch.setattr(author_yaml, "load_yaml", lambda p: reads.append(p) or real(p))
    for _ in range(5):
        assert load_sources(raw_copy) == {"high_needs_budget": {"unit": "£000"}}
    assert len(reads) == 1
    path.write_text("high_needs_budget:\n  unit: £m\n", encoding="utf-8")  # a new content
    assert load_sources(raw_copy) == {"high_needs_budget": {"unit": "£m"}}
    assert len(reads) == 2


def test_notes_below_a_table_after_a_blank_row_are_no_rows(raw_copy: Path) -> None:
    """As councils keep their workbooks: a source or a note under the table, a blank row
    between. A row with no blank row above it is the table's own, and checked."""
    from openpyxl import Workbook

    rows = (raw_copy / "placement_costs.csv").read_text(encoding="utf-8").splitlines()
    cells = [row.split(",") for row in rows]
    book = Workbook()
    for row in cells:
        book.active.append(row)
    book.active.append([])
    book.active.append(["Source: the finance team's 2021/22 average costs"])
    book.active.append(["Note: academy costs include top-up funding"])
    book.save(raw_copy / "placement_costs.xlsx")
    (raw_copy / "placement_costs.csv").unlink()
    tables = read_cycle_tables(raw_copy)
    assert len(tables["placement_costs"]) == len(cells) - 1
    book = Workbook()
    for row in [*cells, ["Other special school"]]:  # no blank row above: the table's own
        book.active.append(row)
    book.save(raw_copy / "placement_costs.xlsx")
    assert "row 5, column B ('annual_cost_per_place'): found ''" in _refusal(raw_copy)
