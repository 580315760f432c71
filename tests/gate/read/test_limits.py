"""Inputs that could exhaust the machine or read outside the cycle folder are refused before
they are parsed, with exit 3 and a plain message naming the file and the limit."""

from __future__ import annotations

import os
import zipfile
from pathlib import Path

import pytest
from openpyxl import Workbook

from highneeds.common.errors import InputDataError, UsageError
from highneeds.gate.read import limits
from highneeds.gate.read.limits import InputLimits, check_cycle_folder
from highneeds.gate.read.sources import read_csv, read_source, read_xlsx
from highneeds.gate.tables.tables import read_cycle_tables
from tests.conftest import run_pipeline

SMALL = InputLimits(max_file_bytes=1000, max_xlsx_unpacked_bytes=50_000, max_rows=5, max_columns=4)


def refused(action, *args, **kwargs) -> str:
    with pytest.raises(InputDataError) as caught:
        action(*args, **kwargs)
    assert caught.value.exit_code == 3
    return str(caught.value)


def workbook(path: Path, rows: list[list[object]]) -> Path:
    book = Workbook()
    for row in rows:
        book.active.append(row)
    book.save(path)
    return path


def test_a_file_over_the_size_limit_is_refused_before_it_is_read(raw_copy: Path) -> None:
    big = raw_copy / "figures.csv"
    big.write_bytes(big.read_bytes() + b"\n" * 2000)
    message = refused(check_cycle_folder, raw_copy, SMALL)
    assert message.startswith("figures.csv: 0.0 MB is over the 0.000953674 MB limit")
    assert "HIGHNEEDS_MAX_FILE_MB" in message


def test_a_csv_with_a_nul_byte_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "figures.csv"
    path.write_bytes(b"name,value\nx,1\x00\n")
    assert refused(read_csv, path, SMALL).startswith(
        "figures.csv: holds a NUL byte at position 14, so it is not a text CSV"
    )


def test_a_csv_with_too_many_rows_or_columns_is_refused(tmp_path: Path) -> None:
    rows = tmp_path / "rows.csv"
    rows.write_text("a,b\n" + "1,2\n" * 10)
    assert "rows.csv: more than 5 rows" in refused(read_csv, rows, SMALL)
    wide = tmp_path / "wide.csv"
    wide.write_text(",".join(f"c{i}" for i in range(9)) + "\n")
    assert "wide.csv: 9 columns, over the limit of 4" in refused(read_csv, wide, SMALL)


def test_a_csv_cell_too_large_to_be_a_figure_is_refused_plainly(tmp_path: Path) -> None:
    path = tmp_path / "figures.csv"
    path.write_text('name,value\nx,"' + "9" * 200_000 + '"\n')
    assert "figures.csv, line 2: not a readable CSV (field larger than field limit" in refused(
        read_csv, path, InputLimits()
    )


def test_a_zip_bomb_workbook_is_refused_before_it_is_unzipped(tmp_path: Path) -> None:
    path = workbook(tmp_path / "budget.xlsx", [["a", "b"], [1, 2]])
    with zipfile.ZipFile(path, "a", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/media/padding.bin", b"\0" * 60_000_000)
    assert path.stat().st_size < 200_000
    message = refused(read_xlsx, path, None, InputLimits())
    assert message.startswith("budget.xlsx: unzips to 57.2 MB, over the 50 MB limit")


def test_a_workbook_with_too_many_rows_or_columns_is_refused(tmp_path: Path) -> None:
    tall = workbook(tmp_path / "tall.xlsx", [["a", "b"]] + [[1, 2]] * 9)
    assert "tall.xlsx (sheet 'Sheet'): more than 5 rows" in refused(read_xlsx, tall, None, SMALL)
    wide = workbook(tmp_path / "wide.xlsx", [list(range(9))])
    assert "wide.xlsx (sheet 'Sheet'): 9 columns" in refused(read_xlsx, wide, None, SMALL)


def _rewritten(path: Path, name: str, change) -> Path:
    with zipfile.ZipFile(path) as source:
        entries = {entry: source.read(entry) for entry in source.namelist()}
    entries[name] = change(entries[name])
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as target:
        for entry, data in entries.items():
            target.writestr(entry, data)
    return path


def test_every_sheets_real_size_counts_not_what_it_declares(tmp_path: Path) -> None:
    """An unused sheet is loaded with the one read: it is counted too; a sheet declaring a
    small size (A1:B2) is counted by its cells; a single cell far out makes a sheet that
    large; too many sheets, or too many cells in all, are refused before any is loaded."""
    book = Workbook()
    book.active.append(["a", "b"])
    unused = book.create_sheet("Unused")
    for _ in range(9):
        unused.append([1, 2])
    book.save(tmp_path / "unused.xlsx")
    message = refused(read_xlsx, tmp_path / "unused.xlsx", None, SMALL)
    assert message.startswith("unused.xlsx (sheet 'Unused'): more than 5 rows")

    forged = workbook(tmp_path / "forged.xlsx", [["a", "b"]] + [[1, 2]] * 9)
    _rewritten(
        forged,
        "xl/worksheets/sheet1.xml",
        lambda xml: xml.replace(b'<dimension ref="A1:B10"/>', b'<dimension ref="A1:B2"/>'),
    )
    assert "forged.xlsx (sheet 'Sheet'): more than 5 rows" in refused(
        read_xlsx, forged, None, SMALL
    )

    far = workbook(tmp_path / "far.xlsx", [["a", "b"]])
    _rewritten(
        far,
        "xl/worksheets/sheet1.xml",
        lambda xml: xml.replace(b"</sheetData>", b'<row r="2"><c r="XFD2"/></row></sheetData>'),
    )
    assert "far.xlsx (sheet 'Sheet'): 16,384 columns" in refused(read_xlsx, far, None, SMALL)

    many = Workbook()
    for index in range(limits.MAX_SHEETS):
        many.create_sheet(f"S{index}")
    many.save(tmp_path / "many.xlsx")
    roomy = InputLimits(max_rows=5, max_columns=4)
    assert refused(read_xlsx, tmp_path / "many.xlsx", None, roomy).startswith(
        f"many.xlsx: {limits.MAX_SHEETS + 1} sheets"
    )

    full = Workbook()
    for index in range(14):  # 14 sheets of 5 x 4 cells: 280, over 5 rows x 50 = 250
        sheet = full.active if index == 0 else full.create_sheet(f"S{index}")
        for _ in range(5):
            sheet.append([1, 2, 3, 4])
    full.save(tmp_path / "full.xlsx")
    assert "full.xlsx: 280 cells in all its sheets, over the 250" in refused(
        read_xlsx, tmp_path / "full.xlsx", None, SMALL
    )


def test_a_formula_with_no_stored_value_is_refused(tmp_path: Path) -> None:
    path = workbook(tmp_path / "placement_costs.xlsx", [["type", "cost"], ["A", "=1+1"]])
    assert refused(read_xlsx, path, None, SMALL) == (
        "placement_costs.xlsx (sheet 'Sheet'), cell B2: holds a formula whose value the "
        "workbook does not store (it was never calculated and saved in Excel); open and save "
        "the workbook in Excel so its values are stored"
    )


def test_a_formula_with_a_stored_value_reads_as_that_value(tmp_path: Path) -> None:
    path = workbook(tmp_path / "saved.xlsx", [["type", "cost"], ["A", "=1+1"]])
    with zipfile.ZipFile(path) as source:
        entries = {name: source.read(name) for name in source.namelist()}
    sheet = "xl/worksheets/sheet1.xml"
    entries[sheet] = entries[sheet].replace(b"<f>1+1</f><v></v>", b"<f>1+1</f><v>2</v>")
    assert b"<v>2</v>" in entries[sheet]
    with zipfile.ZipFile(path, "w") as target:
        for name, data in entries.items():
            target.writestr(name, data)
    assert read_xlsx(path, None, SMALL).rows == [["A", "2"]]


def test_an_input_that_is_a_symbolic_link_is_refused(raw_copy: Path, tmp_path: Path) -> None:
    secret = tmp_path / "secret.csv"
    secret.write_text("name,value\nsecret,1\n")
    (raw_copy / "figures.csv").unlink()
    (raw_copy / "figures.csv").symlink_to(secret)
    message = refused(read_cycle_tables, raw_copy)
    assert "- figures.csv: is a symbolic link; inputs must be plain files" in message
    assert "secret" not in message
    assert "symbolic link" in refused(check_cycle_folder, raw_copy, InputLimits())


def test_sources_yaml_cannot_point_outside_the_cycle_folder(raw_copy: Path) -> None:
    (raw_copy / "sources.yaml").write_text("high_needs_budget: {file: ../../../etc/passwd}\n")
    assert "sources.yaml: high_needs_budget's file must be in" in refused(
        read_source, raw_copy, "high_needs_budget"
    )


def test_yaml_aliases_in_sources_yaml_are_refused(raw_copy: Path) -> None:
    (raw_copy / "sources.yaml").write_text(
        "a: &a {file: x.csv}\nb: &b [*a, *a]\nhigh_needs_budget: {file: high_needs_budget.csv}\n"
    )
    assert "sources.yaml: not valid YAML: line 2: aliases (*a) are not allowed" in refused(
        read_source, raw_copy, "high_needs_budget"
    )


def test_limits_come_from_the_operators_environment() -> None:
    limits = InputLimits.from_environment(
        {"HIGHNEEDS_MAX_FILE_MB": "5", "HIGHNEEDS_MAX_ROWS": "100", "OTHER": "x"}
    )
    assert limits == InputLimits(max_file_bytes=5 * 1024 * 1024, max_rows=100)
    with pytest.raises(UsageError, match=r"HIGHNEEDS_MAX_COLUMNS='lots': expected a positive"):
        InputLimits.from_environment({"HIGHNEEDS_MAX_COLUMNS": "lots"})


@pytest.mark.e2e
def test_validate_refuses_an_oversized_input_with_exit_3(project: Path) -> None:
    env = {**os.environ, "HIGHNEEDS_MAX_FILE_MB": "0.0001"}
    result = run_pipeline(project, command="validate", env=env)
    assert result.returncode == 3, result.stderr
    assert "MB limit for an input file (the operator can raise it with HIGHNEEDS_MAX_FILE_MB)" in (
        result.stderr
    )
    assert "Traceback" not in result.stderr


class SlowClock:
    """A clock on which every reading is ``step`` seconds after the one before."""

    def __init__(self, step: float) -> None:
        self.now, self.step = 0.0, step

    def __call__(self) -> float:
        self.now += self.step
        return self.now


def test_checks_that_overrun_their_time_limit_stop_where_they_are(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(limits, "clock", SlowClock(1.0))
    with limits.checks_time_limited(3):
        # The limit was set at 1 s on this clock, so it ends at 4 s.
        limits.within_check_time("budget.csv, row 2")
        with pytest.raises(InputDataError) as refused:
            for row in range(3, 10):
                limits.within_check_time(f"budget.csv, row {row}")
    assert str(refused.value) == (
        "budget.csv, row 5: the checks of this cycle's inputs took longer than 3 s and were "
        "stopped here; nothing was published (the operator can raise the limit with "
        "HIGHNEEDS_MAX_CHECK_SECONDS)"
    )
    limits.within_check_time("outside any checks: no limit")


def test_the_gate_is_bounded_by_the_operators_check_time_limit(
    raw_copy: Path, project_root: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every row the gate reads counts against the limit, whichever thread runs the gate."""
    from highneeds.gate.checks.validation import validate_cycle
    from highneeds.model.wiring.identities import input_identities

    monkeypatch.setenv("HIGHNEEDS_MAX_CHECK_SECONDS", "20")
    monkeypatch.setattr(limits, "clock", SlowClock(1.0))
    with pytest.raises(
        InputDataError,
        match=r"^\w+\.csv, (header row|row \d+): the checks of this cycle's inputs took "
        r"longer than 20 s",
    ):
        validate_cycle("2022-01", raw_copy, None, input_identities)
    monkeypatch.setattr(limits, "clock", SlowClock(0.0))
    report, _ = validate_cycle("2022-01", raw_copy, None, input_identities)
    assert report.success


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (
            "line,2020/21,2021/22\n",
            "high_needs_budget.csv: has its header (row 1) but no lines under it",
        ),
        (
            bytes(range(1, 256)) * 8,
            "high_needs_budget.csv: byte 128 (0x81) is not text in UTF-8 or Windows-1252, so "
            "this is not a CSV file",
        ),
    ],
    ids=["header-only", "binary"],
)
def test_a_budget_with_no_lines_or_no_text_is_refused_plainly(
    raw_copy: Path, content: str | bytes, message: str
) -> None:
    """Not an IndexError in the gate (exit 4): a refusal that says what is wrong (exit 3)."""
    budget = raw_copy / "high_needs_budget.csv"
    if isinstance(content, bytes):
        budget.write_bytes(content)
    else:
        budget.write_text(content, encoding="utf-8")
    with pytest.raises(InputDataError) as refused:
        read_cycle_tables(raw_copy)
    assert refused.value.exit_code == 3
    assert any(message in problem for problem in refused.value.problems), refused.value.problems
