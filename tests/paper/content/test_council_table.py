"""A council's own budget table in the paper: its lines, its unit and its sign convention, as
its own paper prints them, and the DfE return filing a whole-DSG balance as the DSG's."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from highneeds.gate.tables.budget import read_budget
from highneeds.paper.content.tables import budget_table_html, scenarios_table_html
from highneeds.paper.formats.dfe_return import dsg_summary, high_needs_lines
from highneeds.runner.execute.paper_inputs import paper_outputs, return_tables
from tests.conftest import model_tables
from tests.gate.tables.test_budget import DSG_SOURCES, DSG_TABLE

CYCLE = "2022-11"


@pytest.fixture
def council(shipped_tables, tmp_path: Path) -> dict:
    folder = tmp_path / CYCLE
    folder.mkdir()
    (folder / "high_needs_budget.csv").write_text(DSG_TABLE, encoding="utf-8")
    (folder / "sources.yaml").write_text(DSG_SOURCES, encoding="utf-8")
    tables = {**shipped_tables, "budget": read_budget(folder)}
    merged, _ = model_tables(tables, CYCLE, draws=50)
    return {**merged, "budget": tables["budget"], "business_cases": tables["business_cases"]}


def _cells(html: str) -> list[list[str]]:
    rows = re.findall(r"<tr[^>]*>(.*?)</tr>", html, flags=re.DOTALL)
    return [re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row) for row in rows]


def test_the_table_prints_as_the_council_writes_it(council: dict) -> None:
    html = budget_table_html(paper_outputs(council, CYCLE), "1")
    rows = _cells(html)
    assert rows[1][1:] == ["£m", "£m", "£m"]
    body = {row[0]: row[1:] for row in rows[2:]}
    assert body["Opening DSG balance"] == ["(8.6)", "(14.7)", "(21.2)"]
    assert body["High Needs block funding"] == ["114.0", "122.0", "127.0"]
    assert body["Additional DfE funding"] == ["1.7", "0.0", "0.0"]
    assert body["High Needs spending"] == ["(121.8)", "(128.5)", "(135.0)"]
    assert body["Closing DSG balance"] == ["(14.7)", "(21.2)", "(29.2)"]
    caption = "Table 1: DSG forecast (£m; brackets denote spending or deficit)"
    assert caption in html
    # No saving line: no line after it, and no "Recovery Plan" in the caption.
    assert "Recovery Plan" not in html
    assert "C/Fwd" not in html


def test_the_scenarios_are_printed_in_the_councils_unit_too(council: dict) -> None:
    html = scenarios_table_html(paper_outputs(council, CYCLE), "2")
    assert "DSG deficit by scenario (£m; brackets denote a deficit)" in html
    unmitigated = next(row for row in _cells(html) if row[0].startswith("No interventions"))
    assert unmitigated[1:4] == ["(14.7)", "(21.2)", "(29.2)"]


def test_the_dfe_return_files_a_whole_dsg_balance_as_the_dsgs(council: dict) -> None:
    tables = return_tables(council)
    years = ["2022/23", "2023/24", "2024/25"]
    summary = {line.labels: line for line in dsg_summary(tables, years).lines}
    assert ("High Needs block", "Balance brought forward") not in summary
    opening = summary[("Whole DSG (all four blocks)", "Balance brought forward")]
    assert opening.values[0] == pytest.approx(8600.0)  # £000, a deficit positive
    funding = summary[("Whole DSG (all four blocks)", "Funding")]
    assert funding.values == pytest.approx([-115700.0, -122000.0, -127000.0])
    assert funding.kind == "calculated"
    assert "High Needs block funding, Additional DfE funding, added" in funding.note
    whole = summary[("Whole DSG (all four blocks)", "Opening balance, 2022/23")]
    assert whole.values[0] == pytest.approx(8600.0)
    assert dsg_summary(tables, years).title == "DSG summary"
    assert high_needs_lines(tables, years).title == "DSG budget lines"
