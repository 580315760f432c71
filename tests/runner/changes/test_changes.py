"""Which input cells moved between two runs: each row named by the cells that identify it."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from highneeds.runner.changes.changes import compare_papers, input_changes

FIXTURE = Path(__file__).parents[2] / "fixtures" / "seven-categories"


def copy_of(shipped_raw: Path, target: Path) -> Path:
    shutil.copytree(shipped_raw, target)
    for table in FIXTURE.glob("*.csv"):
        shutil.copy(table, target / table.name)
    return target


def test_a_long_table_names_the_row_by_its_key_columns(shipped_raw: Path, tmp_path: Path) -> None:
    old = copy_of(shipped_raw, tmp_path / "old")
    new = copy_of(shipped_raw, tmp_path / "new")
    path = new / "forecast_assumptions.csv"
    path.write_text(path.read_text().replace("2023/24,ehcp_growth,,5.4", "2023/24,ehcp_growth,,6"))
    (change,) = input_changes(old, new)
    assert (
        str(change) == "forecast_assumptions.csv: 2023/24 / ehcp_growth / (blank), value: 5.4 → 6"
    )


def test_a_category_year_cell_is_not_mistaken_for_another_year(
    shipped_raw: Path, tmp_path: Path
) -> None:
    old = copy_of(shipped_raw, tmp_path / "old")
    new = copy_of(shipped_raw, tmp_path / "new")
    path = new / "placements_by_category.csv"
    path.write_text(path.read_text().replace("other,2020/21,5,", "other,2020/21,6,"))
    (change,) = input_changes(old, new)
    assert (change.row, change.column, change.old, change.new) == (
        "other / 2020/21",
        "plans",
        "5",
        "6",
    )


def test_identical_inputs_have_no_changes_and_no_table_is_read(
    shipped_raw: Path, tmp_path: Path, monkeypatch
) -> None:
    """A re-run with nothing changed compares its inputs with the published run's: the same
    bytes need no reading (a table's reader is the slowest part of a no-change run's log)."""
    from highneeds.runner.changes import changes

    old = copy_of(shipped_raw, tmp_path / "old")
    new = copy_of(shipped_raw, tmp_path / "new")
    monkeypatch.setattr(changes, "read_source", lambda *args: pytest.fail("a table was read"))
    assert input_changes(old, new) == []
    (new / "narrative.md").write_text("edited")  # a text input changed: still no cell did
    monkeypatch.undo()
    assert input_changes(old, new) == []


def test_papers_with_the_same_figures_are_compared_without_reading_the_lineage(
    tmp_path: Path, monkeypatch
) -> None:
    from highneeds.runner.changes import changes

    for run in ("old", "new"):
        (tmp_path / run / "processed").mkdir(parents=True)
        (tmp_path / run / "inputs").mkdir()
        (tmp_path / run / changes.FIGURES_FILE).write_text(
            json.dumps([{"id": "f1", "text": "£1,834k", "where": "para 2.1"}])
        )
    monkeypatch.setattr(
        changes.Lineage, "read", classmethod(lambda cls, path: pytest.fail("lineage read"))
    )
    assert compare_papers(tmp_path / "old", tmp_path / "new") == ([], [])
    (tmp_path / "new" / changes.FIGURES_FILE).write_text(
        json.dumps([{"id": "f1", "text": "£1,900k", "where": "para 2.1"}])
    )
    with pytest.raises(pytest.fail.Exception, match="lineage read"):
        compare_papers(tmp_path / "old", tmp_path / "new")


def test_the_same_values_in_another_format_are_no_edit(shipped_raw: Path, tmp_path: Path) -> None:
    """The budget moved from CSV to a workbook, its values unchanged (a workbook's cells read
    back as -4224 where the CSV says (4,224)): no edit; a value that did change is one."""
    from openpyxl import Workbook

    from highneeds.domain.amounts import parse_money
    from highneeds.gate.read.sources import read_csv

    old = copy_of(shipped_raw, tmp_path / "old")
    new = copy_of(shipped_raw, tmp_path / "new")
    table = read_csv(new / "high_needs_budget.csv")
    book = Workbook()
    book.active.append(table.header)
    for row in table.rows:
        book.active.append(
            [row[0], *(parse_money(c) if parse_money(c) is not None else None for c in row[1:])]
        )
    book.save(new / "high_needs_budget.xlsx")
    (new / "high_needs_budget.csv").unlink()
    assert input_changes(old, new) == []
    book.active["C4"] = -4600  # the 2021/22 allocation, (4,579) before
    book.save(new / "high_needs_budget.xlsx")
    (change,) = input_changes(old, new)
    assert (change.column, change.old, change.new) == ("2021/22", "(4,579)", "-4600")


def test_a_figure_the_narrative_no_longer_prints_is_the_narratives_edit(
    shipped_raw: Path, tmp_path: Path
) -> None:
    """Para 2.5's "£500k" taken out of the narrative, and budget cells blanked in the same
    cycle: the figure's going is the prose edit's, not the cells'."""
    from highneeds.runner.changes.changes import FIGURES_FILE

    runs = {}
    for name, printed in (("old", True), ("new", False)):
        run = tmp_path / name
        shutil.copytree(shipped_raw, run / "inputs")
        record = {
            "id": "para 2.5: fig.in_year_growth",
            "where": "para 2.5",
            "text": "£500k",
            "sources": ["high_needs_budget", "figures"],
            "rows": [],
            "traces": None,
        }
        (run / FIGURES_FILE).parent.mkdir()
        (run / FIGURES_FILE).write_text(json.dumps([record] if printed else []))
        runs[name] = run
    narrative = runs["new"] / "inputs" / "narrative.md"
    narrative.write_text(narrative.read_text().replace("c{{", "about c{{", 1))
    budget = runs["new"] / "inputs" / "high_needs_budget.csv"
    budget.write_text(budget.read_text().replace('"1,028","1,734","2,648"', ",,", 1))
    (change,), cells = compare_papers(runs["old"], runs["new"])
    assert cells  # the budget's cells did change
    assert change.moved_by == ["narrative.md (edited): no longer printed"]


def test_the_page_shows_a_narrative_edit_word_by_word_and_escaped(
    shipped_raw: Path, tmp_path: Path
) -> None:
    """changes.html shows what an author edited in the narrative and paper.yaml, word by
    word: the words removed struck through, the words added underlined, each marked for a
    screen reader too; an author's markup lands as text."""
    from highneeds.runner.changes.changes import FIGURES_FILE, write_changes

    runs = {}
    for name in ("old", "new"):
        run = tmp_path / name
        shutil.copytree(shipped_raw, run / "inputs")
        (run / FIGURES_FILE).parent.mkdir()
        (run / FIGURES_FILE).write_text("[]")
        runs[name] = run
    narrative = runs["new"] / "inputs" / "narrative.md"
    text = narrative.read_text()
    assert "## Purpose of the report" in text
    narrative.write_text(
        text.replace("## Purpose of the report", "## Purpose of <b>this</b> report")
    )
    paper = runs["new"] / "inputs" / "paper.yaml"
    paper.write_text(paper.read_text().replace("key_decision: true", "key_decision: false"))
    write_changes(runs["new"], [(runs["old"], "the paper of cycle 2021-12")])
    page = (runs["new"] / "changes.html").read_text()
    assert "<h4>narrative.md, word by word</h4>" in page
    hidden = '<span class="visually-hidden">'
    assert (
        f"<del>{hidden}[removed: </span>the{hidden}]</span></del> "
        f"<ins>{hidden}[added: </span>&lt;b&gt;this&lt;/b&gt;{hidden}]</span></ins>"
    ) in page
    assert "<h4>paper.yaml, word by word</h4>" in page
    assert f"{hidden}[removed: </span>true{hidden}]" in page
    assert "<b>this</b>" not in page
