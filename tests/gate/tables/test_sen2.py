"""The cycle's SEN2 file: the council's rows found by paper.yaml's la_number, every problem
named with the file."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from highneeds.common.errors import InputDataError
from highneeds.gate.tables.sen2 import read_cycle_sen2

SEN2 = Path(__file__).parents[2] / "fixtures" / "sen2" / "ehcp-caseload-2019-2022.csv"


def _cycle(tmp_path: Path, paper: str | None = 'la_number: "857"\n') -> Path:
    folder = tmp_path / "2022-01"
    folder.mkdir()
    shutil.copy(SEN2, folder / "sen2_caseload.csv")
    if paper is not None:
        (folder / "paper.yaml").write_text(paper, encoding="utf-8")
    return folder


def test_the_councils_rows_are_those_of_its_dfe_number(tmp_path: Path) -> None:
    rows = read_cycle_sen2(_cycle(tmp_path))
    own = rows[rows["own"]]
    assert set(own["la"]) == {"857"} and set(own["level"]) == {"Local authority"}
    assert sorted(own["january"]) == [2019, 2020, 2021, 2022]
    assert rows.attrs["source"] == "sen2_caseload.csv"
    # Each row keeps its row number in the file, for the paper's trace.
    first = own.sort_values("january").iloc[0]
    line = SEN2.read_text(encoding="utf-8").splitlines()[int(first["row"]) - 1]
    assert ",857," in line and line.startswith("201819,")


def test_without_la_number_the_file_is_refused_saying_what_to_add(tmp_path: Path) -> None:
    with pytest.raises(InputDataError, match="paper.yaml gives no la_number"):
        read_cycle_sen2(_cycle(tmp_path, "council: Rutland\n"))


def test_a_number_with_no_rows_in_the_file_is_refused(tmp_path: Path) -> None:
    with pytest.raises(InputDataError, match="no rows of local authority 999"):
        read_cycle_sen2(_cycle(tmp_path, 'la_number: "999"\n'))


def test_an_unreadable_paper_yaml_is_left_to_its_own_check(tmp_path: Path) -> None:
    rows = read_cycle_sen2(_cycle(tmp_path, "la_number: [unclosed\n"))
    assert not rows["own"].any() and len(rows) > 100


def test_sources_yaml_may_not_point_outside_the_cycle(tmp_path: Path) -> None:
    folder = _cycle(tmp_path)
    shutil.copy(SEN2, tmp_path / "elsewhere.csv")
    (folder / "sources.yaml").write_text(
        "sen2_caseload: {file: ../elsewhere.csv}\n", encoding="utf-8"
    )
    with pytest.raises(InputDataError, match="sen2_caseload's file must be in 2022-01/"):
        read_cycle_sen2(folder)
