"""The forecasts of the council's earlier published papers, added to a later run's inputs and
read by the gate as the ``earlier_forecasts`` table."""

from __future__ import annotations

import shutil
from pathlib import Path

from highneeds.gate.tables.tables import read_earlier_forecasts
from highneeds.runner.changes.history import add_published_forecasts, published_forecasts

HEADER = "paper,figure,year,forecast,source\n"


def test_a_later_cycle_gets_every_forecast_year_of_the_published_paper(project: Path) -> None:
    rows = published_forecasts(project, "2024-01", None)
    years = {(r["figure"], r["year"]): float(r["forecast"]) for r in rows}
    # The January 2022 paper forecast 2021/22 to 2024/25, without and with the Recovery Plan;
    # a paper in 2023/24 has 2021/22 and 2022/23 as outturn.
    assert years == {
        ("mitigated", "2021/22"): 1028,
        ("mitigated", "2022/23"): 1701,
        ("unmitigated", "2021/22"): 1028,
        ("unmitigated", "2022/23"): 1734,
    }
    assert all(r["paper"] == "2022-01" for r in rows)
    assert "mitigated.cfwd[2022/23]" in next(
        r["source"] for r in rows if (r["figure"], r["year"]) == ("mitigated", "2022/23")
    )
    # A paper of the same financial year, or an earlier one, has nothing to score.
    assert published_forecasts(project, "2022-03", None) == []
    assert published_forecasts(project, "2022-01", None) == []


def test_the_rows_join_the_authors_and_the_gate_reads_them(project: Path, tmp_path: Path) -> None:
    inputs = tmp_path / "inputs"
    shutil.copytree(project / "data" / "raw" / "2022-01", inputs)
    (inputs / "earlier_forecasts.csv").write_text(
        HEADER
        + "2020-06,mitigated,2021/22,700,Cabinet June 2020 table 2\n"
        + "2022-01,mitigated,2021/22,1,typed again: the published paper's rows win\n",
        encoding="utf-8",
    )
    rows = published_forecasts(project, "2022-04", None)
    assert add_published_forecasts(inputs, rows) == len(rows) + 1
    table = read_earlier_forecasts(inputs)
    assert list(table["paper"]).count("2020-06") == 1
    typed_again = table[(table["paper"] == "2022-01") & (table["year"] == "2021/22")]
    assert sorted(typed_again["forecast"]) == [1028, 1028]  # unmitigated and mitigated


def test_nothing_to_add_leaves_the_authors_file_as_written(tmp_path: Path) -> None:
    written = HEADER + '2020-06,mitigated,2021/22,"1,700",typed\n'
    (tmp_path / "earlier_forecasts.csv").write_text(written, encoding="utf-8")
    assert add_published_forecasts(tmp_path, []) == 0
    assert (tmp_path / "earlier_forecasts.csv").read_text(encoding="utf-8") == written
    assert add_published_forecasts(tmp_path / "none", []) == 0


def test_a_workbook_or_a_header_of_its_own_is_left_to_the_gate(tmp_path: Path) -> None:
    row = {"paper": "2022-01", "figure": "mitigated", "year": "2021/22", "forecast": "1"}
    row["source"] = "x"
    (tmp_path / "earlier_forecasts.xlsx").write_bytes(b"not read here")
    assert add_published_forecasts(tmp_path, [row]) == 0
    assert not (tmp_path / "earlier_forecasts.csv").exists()
    (tmp_path / "earlier_forecasts.xlsx").unlink()
    (tmp_path / "earlier_forecasts.csv").write_text("cycle,amount\n2020-06,5\n", encoding="utf-8")
    assert add_published_forecasts(tmp_path, [row]) == 0
    assert (tmp_path / "earlier_forecasts.csv").read_text() == "cycle,amount\n2020-06,5\n"
