"""Every number the published paper or its DfE return prints is a model output or an input
cell: each is the text of a figure the paper recorded with its lineage, or a return value
with its lineage key and the same value (tests/printed_numbers.py says how it is read)."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest

from tests.conftest import reports
from tests.printed_numbers import paper_residue, return_residue

pytestmark = pytest.mark.e2e


def test_every_number_of_the_shipped_paper_and_return_is_traced(published: Path) -> None:
    cycle = reports(published)
    assert paper_residue(cycle) == []
    assert return_residue(cycle) == []


def test_no_blank_cell_of_a_table_read_back_prints_as_nan(published: Path) -> None:
    """The paper reads the model's tables back from their CSVs, where a blank text cell
    reads as NaN: none may reach the words ("drawn with nan")."""
    text = (reports(published) / "cabinet-report.html").read_text(encoding="utf-8")
    words = re.sub(r"<[^>]+>", " ", text)
    assert not re.findall(r".{30}\bnan\b.{10}", words, flags=re.IGNORECASE)


def _copy(cycle: Path, target: Path) -> Path:
    """The files the checks read, copied so that a test can change them."""
    (target / "current").mkdir(parents=True)
    shutil.copy2(cycle / "cabinet-report.html", target / "cabinet-report.html")
    for folder in ("processed", "inputs"):
        shutil.copytree(cycle / "current" / folder, target / "current" / folder)
    return target


def test_a_number_no_figure_accounts_for_is_found(published: Path, tmp_path: Path) -> None:
    cycle = _copy(reports(published), tmp_path / "cycle")
    paper = cycle / "cabinet-report.html"
    text = paper.read_text(encoding="utf-8")
    start = text.index('<div class="para-body">', text.index('id="para-7-13"'))
    at = text.index("<p>", start) + len("<p>")
    paper.write_text(text[:at] + "A further £917k is due. " + text[at:], encoding="utf-8")
    assert paper_residue(cycle) == ["para in para 7.13: '917' in 'A further £917k is'"]


def test_a_return_value_without_its_key_or_with_another_value_is_found(
    published: Path, tmp_path: Path
) -> None:
    cycle = _copy(reports(published), tmp_path / "cycle")
    path = cycle / "current" / "processed" / "dfe_return_figures.json"
    sheets = json.loads(path.read_text(encoding="utf-8"))
    first = sheets["template"][0]["lines"][0]["line"]  # the balance brought forward
    first["keys"][0] = ""
    first["values"][1] += 1
    path.write_text(json.dumps(sheets), encoding="utf-8")
    problems = return_residue(cycle)
    assert len(problems) == 2, problems
    assert problems[0].endswith("457.0 has no lineage key")
    assert "576.0 but budget.bfwd[2021/22] is 575.0" in problems[1]
