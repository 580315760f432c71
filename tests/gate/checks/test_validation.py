from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest

from highneeds.common.errors import InputDataError
from highneeds.gate.checks.validation import require_success, validate_cycle
from highneeds.model.wiring.identities import input_identities


def test_shipped_cycle_passes_and_leaves_data_docs(
    shipped_raw: Path, project_root: Path, tmp_path: Path
) -> None:
    docs = tmp_path / "validation"
    report, tables = validate_cycle("2022-01", shipped_raw, docs, input_identities)
    assert report.success, report.failures
    require_success(report)
    assert set(tables) == {
        "budget",
        "ehcp_demand",
        "placement_costs",
        "interventions",
        "business_cases",
        "figures",
        "declared_scenarios",
        "sen2",
    }
    assert (docs / "index.html").is_file()
    summary = json.loads((docs / "summary.json").read_text())
    assert summary["success"] is True
    checked = {c["table"] for c in summary["checks"]}
    assert checked == set(tables) | {"paper"}  # each typed table, and paper.yaml


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_bad_inputs_fail_the_gate_naming_file_row_column_and_value(
    raw_copy: Path, project_root: Path, tmp_path: Path
) -> None:
    _edit(
        raw_copy / "high_needs_budget.csv",
        "Transfer From Schools Block,(126)",
        "Transfer From Schools Block,126",
    )
    _edit(
        raw_copy / "high_needs_budget.csv",
        "Recovery Plan Impact,,,(33)",
        "Recovery Plan Impact,,,33",
    )
    _edit(raw_copy / "ehcp_demand.csv", "requests_for_assessment,18", "requests_for_assessment,-18")
    _edit(raw_copy / "placement_costs.csv", "Academy mainstream,14.8", "Academy mainstream,1480")
    _edit(
        raw_copy / "figures.csv",
        "speech_language_days_per_week,3,count",
        "speech_language_days_per_week,3,days",
    )
    docs = tmp_path / "validation"
    report, _ = validate_cycle("2022-01", raw_copy, docs, input_identities)
    assert not report.success
    with pytest.raises(InputDataError) as caught:
        require_success(report)
    message = str(caught.value)
    expected = [
        "high_needs_budget.csv, row 3, column B ('2020/21'): found 126; expected each funding "
        "line to be income",
        "high_needs_budget.csv, row 7, column D ('2022/23'): found 33; expected the saving line "
        "to be a saving",
        "high_needs_budget.csv, row 6, column B ('2020/21'): C/Fwd is given as 575",
        "ehcp_demand.csv, row 4, column B ('count'): found -18",
        "placement_costs.csv, row 4, column B ('annual_cost_per_place'): found 1480",
        "figures.csv, row 13, column C ('unit'): found 'days'",
        "business_cases.csv, row 3, column C ('business_case_saving')",
    ]
    for fragment in expected:
        assert fragment in message, fragment
    # A table that fails is validated again in full: its one page shows what was found.
    (budget_page,) = (docs / "validations" / "budget").rglob("*.html")
    assert "Unexpected Value" in budget_page.read_text(encoding="utf-8")
    summary = json.loads((docs / "summary.json").read_text())
    assert summary["success"] is False
    page = (docs / "summary.html").read_text()
    # The failed checks come first: every "FAILED" row before any "passed" one.
    assert "FAILED" in page and page.rindex("FAILED") < page.index(">passed<")


def test_data_docs_and_messages_show_a_hostile_cell_as_text(
    raw_copy: Path, project_root: Path, tmp_path: Path
) -> None:
    hostile = "<script>alert(1)</script>"
    (raw_copy / "business_cases.csv").write_text(
        f"intervention_id,intervention,business_case_saving\n{hostile},A,1\n{hostile},B,2\n"
    )
    docs = tmp_path / "validation"
    report, _ = validate_cycle("2022-01", raw_copy, docs, input_identities)
    assert not report.success
    assert (
        f"business_cases.csv, row 2, column A ('intervention_id'): found '{hostile}'"
        in "\n".join(report.failures)
    )
    pages = [p for p in docs.rglob("*.html")]
    assert len(pages) > 3
    assert any("&lt;script&gt;alert(1)" in p.read_text(encoding="utf-8") for p in pages)
    for page in pages:
        assert hostile not in page.read_text(encoding="utf-8"), page


def test_a_cycle_whose_year_the_budget_table_lacks_is_refused_naming_its_years(
    shipped_raw: Path, project_root: Path, tmp_path: Path
) -> None:
    assert (
        "high_needs_budget.csv: cycle 2038-06 falls in financial year 2038/39, which is not a "
        "column of the table (its years: 2020/21, 2021/22, 2022/23, 2023/24, 2024/25)"
    ) in _refusal("2038-06", shipped_raw, project_root, tmp_path / "docs")


def _refusal(cycle: str, raw: Path, project_root: Path, docs: Path) -> str:
    """What the gate says when it refuses a cycle's inputs."""
    report, _ = validate_cycle(cycle, raw, docs, input_identities)
    with pytest.raises(InputDataError) as caught:
        require_success(report)
    return str(caught.value)


def _without_derived_lines(path: Path, blank_first_bfwd: bool = False) -> None:
    """The budget CSV as finance's workbook may give it: later B/Fwd blank, no C/Fwd line."""
    rows = list(csv.reader(io.StringIO(path.read_text(encoding="utf-8"))))
    kept = []
    for row in rows:
        if row[0].startswith("High Needs DSG C/Fwd"):
            continue
        if row[0].startswith("High Needs DSG B/Fwd"):
            row = [row[0], "" if blank_first_bfwd else row[1], *[""] * (len(row) - 2)]
        kept.append(row)
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerows(kept)
    path.write_text(buffer.getvalue(), encoding="utf-8")


def test_a_budget_without_its_derived_lines_passes_but_not_without_its_opening_balance(
    raw_copy: Path, project_root: Path, tmp_path: Path
) -> None:
    _without_derived_lines(raw_copy / "high_needs_budget.csv")
    report, _ = validate_cycle("2022-01", raw_copy, tmp_path / "a", input_identities)
    require_success(report)
    _without_derived_lines(raw_copy / "high_needs_budget.csv", blank_first_bfwd=True)
    assert (
        "high_needs_budget.csv, row 2, column B ('2020/21'): found a blank; expected the B/Fwd of "
        "the first year (the later B/Fwd and every C/Fwd may be left blank"
    ) in _refusal("2022-01", raw_copy, project_root, tmp_path / "b")


def test_suites_take_the_dfe_categories_from_the_package() -> None:
    """The categories are written once (highneeds.domain.categories): the suites name the list."""
    from highneeds.domain.categories import CATEGORY_IDS
    from highneeds.gate.checks.validation import table_suites

    [in_set] = [
        e
        for e in table_suites()["placements_by_category"]
        if type(e).__name__ == "ExpectColumnValuesToBeInSet"
    ]
    assert list(in_set.value_set) == list(CATEGORY_IDS)
    assert ", ".join(CATEGORY_IDS) in in_set.meta["explain"]


def test_the_gate_validates_the_values_as_typed_and_escapes_them_only_in_data_docs(
    raw_copy: Path, tmp_path: Path
) -> None:
    """A value with markup is refused by its check as it is (not an escaped copy of it), and
    named as typed; the Data Docs page that shows it shows it escaped."""
    path = raw_copy / "interventions.csv"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("\nnurture,", "\n<b>n&t</b>,", 1), encoding="utf-8")
    docs = tmp_path / "docs"
    report, _ = validate_cycle("2022-01", raw_copy, docs, input_identities)
    failures = [f for f in report.failures if "<b>n&t</b>" in f]
    assert failures, report.failures
    pages = "".join(p.read_text(encoding="utf-8") for p in docs.rglob("*.html"))
    assert "&lt;b&gt;n&amp;t&lt;/b&gt;" in pages
    assert "<b>n&t</b>" not in pages
