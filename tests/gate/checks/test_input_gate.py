"""The input gate against bad inputs: each case breaks one thing in a copy of the shipped
cycle and expects exit 3, a message naming the file, row and column, the gate's documents in
``reports/<cycle>/validation/``, nothing processed, and nothing else under ``reports/<cycle>/``
touched. That a refused run leaves the last good paper byte for byte as it was is checked
through ``run`` itself, for one case of each kind, in ``tests/test_end_to_end.py``."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
from openpyxl import Workbook

from highneeds.common.errors import InputDataError
from highneeds.runner.commands.validate import validate_only
from highneeds.runner.execute.options import RunOptions
from tests.conftest import suites_for_one_edit

CYCLE = "2022-01"
#: Files of an earlier run under reports/<cycle>/ that `validate` must leave alone.
PUBLISHED = {
    "cabinet-report.html": b"<html>last good paper</html>",
    "cabinet-report.pdf": b"%PDF-1.7 last good paper",
    "manifest.json": b'{"run_id": "last-good"}',
    "notebooks/04_cabinet_report.ipynb": b'{"cells": []}',
}


def replace(old: str, new: str) -> Callable[[str], str]:
    def edit(text: str) -> str:
        assert old in text, f"fixture text not found: {old!r}"
        return text.replace(old, new, 1)

    return edit


def append(line: str) -> Callable[[str], str]:
    return lambda text: text.rstrip("\n") + "\n" + line + "\n"


def delete_column(name: str) -> Callable[[str], str]:
    def edit(text: str) -> str:
        lines = text.splitlines()
        index = lines[0].split(",").index(name)
        return (
            "\n".join(
                ",".join(c for i, c in enumerate(line.split(",")) if i != index) for line in lines
            )
            + "\n"
        )

    return edit


@dataclass(frozen=True)
class Case:
    id: str
    file: str
    edit: Callable[[str], str]
    expected: tuple[str, ...]
    secret: str | None = None  # a value that must never be repeated (privacy cases)


BUDGET = "high_needs_budget.csv"
CASES = [
    Case(
        "budget-text-in-money-cell",
        BUDGET,
        replace('"5,814"', "tbc"),
        ("high_needs_budget.csv, row 5, column D ('2022/23')", "'tbc'", "an amount in £000"),
    ),
    Case(
        "budget-transfer-not-income",
        BUDGET,
        replace("Block,(126)", "Block,126"),
        (
            "high_needs_budget.csv, row 3, column B ('2020/21'): found 126",
            "each funding line to be income",
        ),
    ),
    Case(
        "budget-allocation-not-income",
        BUDGET,
        replace('"(4,579)"', '"4,579"'),
        ("high_needs_budget.csv, row 4, column C ('2021/22'): found 4579",),
    ),
    Case(
        "budget-negative-costs",
        BUDGET,
        replace('"6,271"', '"(6,271)"'),
        (
            "high_needs_budget.csv, row 5, column E ('2023/24'): found -6271",
            "each spending line to be a cost",
        ),
    ),
    Case(
        "budget-recovery-plan-not-a-saving",
        BUDGET,
        replace(",,,(33)", ",,,33"),
        ("high_needs_budget.csv, row 7, column D ('2022/23'): found 33",),
    ),
    Case(
        "budget-cfwd-does-not-reconcile",
        BUDGET,
        replace('Surplus),575,"1,028"', 'Surplus),575,"1,029"'),
        (
            "high_needs_budget.csv, row 6, column C ('2021/22'): C/Fwd is given as 1,029",
            "row 2, column D ('2022/23'): B/Fwd is given as 1,028 but the C/Fwd of 2021/22 is "
            "1,029",
        ),
    ),
    Case(
        "budget-bfwd-not-previous-cfwd",
        BUDGET,
        replace('457,575,"1,028"', '457,570,"1,028"'),
        (
            "high_needs_budget.csv, row 2, column C ('2021/22'): B/Fwd is given as 570 but the "
            "C/Fwd of 2020/21 is 575",
        ),
    ),
    Case(
        "budget-year-label-form",
        BUDGET,
        replace("2022/23", "2022-23"),
        (
            "high_needs_budget.csv, header row, column D ('2022-23')",
            "a financial year written like 2021/22",
        ),
    ),
    Case(
        "budget-year-gap",
        BUDGET,
        replace("2022/23,2023/24,2024/25", "2023/24,2024/25,2025/26"),
        (
            "high_needs_budget.csv, header row, column D ('2023/24'): found '2023/24' after "
            "'2021/22'; expected '2022/23'",
        ),
    ),
    Case(
        "budget-repeated-year",
        BUDGET,
        replace("2022/23,2023/24", "2022/23,2022/23"),
        (
            "high_needs_budget.csv, row 1, column E ('2022/23'): found '2022/23'; expected each "
            "financial year once",
        ),
    ),
    Case(
        "budget-unknown-line",
        BUDGET,
        replace("Placement costs", "Catering"),
        ("high_needs_budget.csv, row 5, column A ('line'): found 'Catering'",),
    ),
    Case(
        "budget-repeated-line",
        BUDGET,
        append("Transfer From Schools Block,1,1,1,1,1"),
        ("high_needs_budget.csv, row 8, column A ('line')", "already on row 3"),
    ),
    Case(
        "budget-in-pounds-not-thousands",
        BUDGET,
        replace('"4,468"', '"4,468,000"'),
        (
            "high_needs_budget.csv, row 5, column B ('2020/21'): found 4468000",
            "an amount in the table's unit, £000, like its other lines",
        ),
    ),
    Case(
        "budget-blank-amount",
        BUDGET,
        replace('"5,164"', ""),
        ("high_needs_budget.csv, row 5, column C ('2021/22'): found a blank",),
    ),
    Case(
        "budget-two-tables-on-one-sheet",
        BUDGET,
        append(",,,,,\nline,2020/21,2021/22,2022/23,2023/24,2024/25\nPlacement costs,1,1,1,1,1"),
        ("high_needs_budget.csv, row 9: this row repeats the header",),
    ),
    Case(
        "budget-cell-outside-header",
        BUDGET,
        replace("(33),(93),(135)", "(33),(93),(135),9"),
        ("high_needs_budget.csv, row 7: the row has more cells than the header",),
    ),
    Case(
        "ehcp-negative-count",
        "ehcp_demand.csv",
        replace("assessment,18", "assessment,-18"),
        ("ehcp_demand.csv, row 4, column B ('count'): found -18",),
    ),
    Case(
        "ehcp-count-not-whole",
        "ehcp_demand.csv",
        replace("to_date,14", "to_date,14.5"),
        ("ehcp_demand.csv, row 3, column B ('count')", "'14.5'", "a whole number"),
    ),
    Case(
        "ehcp-date-does-not-parse",
        "ehcp_demand.csv",
        replace("plans_at_start,260,2021-04-01", "plans_at_start,260,01/04/2021"),
        ("ehcp_demand.csv, row 2, column C ('since')", "'01/04/2021'", "YYYY-MM-DD"),
    ),
    Case(
        "ehcp-unknown-measure",
        "ehcp_demand.csv",
        replace("new_plans_to_date", "new_plans"),
        ("ehcp_demand.csv, row 3, column A ('measure'): found 'new_plans'",),
    ),
    Case(
        "ehcp-repeated-measure",
        "ehcp_demand.csv",
        append("plans_at_start,261,2021-04-01,again"),
        ("ehcp_demand.csv, row 5, column A ('measure')", "each measure once"),
    ),
    Case(
        "ehcp-missing-column",
        "ehcp_demand.csv",
        delete_column("since"),
        ("ehcp_demand.csv: missing column(s) 'since'",),
    ),
    Case(
        "costs-out-of-range",
        "placement_costs.csv",
        replace("mainstream,14.8", "mainstream,1480"),
        ("placement_costs.csv, row 4, column B ('annual_cost_per_place'): found 1480",),
    ),
    Case(
        "costs-repeated-type",
        "placement_costs.csv",
        append("Academy mainstream,15,again"),
        ("placement_costs.csv, row 5, column A ('placement_type')", "each placement type once"),
    ),
    Case(
        "costs-text-in-number",
        "placement_costs.csv",
        replace("school,19,", "school,n/a,"),
        ("placement_costs.csv, row 3, column B ('annual_cost_per_place')", "'n/a'"),
    ),
    Case(
        "interventions-unknown-placement",
        "interventions.csv",
        replace("eip,Academy mainstream", "eip,Academy mainstreem"),
        ("interventions.csv, row 5, column B ('placement_type'): found 'Academy mainstreem'",),
    ),
    Case(
        "interventions-negative-places",
        "interventions.csv",
        replace("nurture,Independent special school,1", "nurture,Independent special school,-1"),
        ("interventions.csv, row 2, column C ('places_avoided'): found -1",),
    ),
    Case(
        "interventions-saving-does-not-follow",
        "interventions.csv",
        replace("mainstream,15", "mainstream,10"),
        (
            "business_cases.csv, row 3, column C ('business_case_saving'): Education Inclusion "
            "Partnerships (EIP) states 279 but places avoided x cost per place = 205.0",
        ),
    ),
    Case(
        "business-cases-text-saving",
        "business_cases.csv",
        replace("(EIP),279", "(EIP),TBC"),
        ("business_cases.csv, row 3, column C ('business_case_saving')", "'TBC'"),
    ),
    Case(
        "business-cases-total-disagrees",
        "business_cases.csv",
        append("Total,,400"),
        (
            "business_cases.csv, row 4, column C ('business_case_saving'): found 400",
            "the total of the rows above (392)",
        ),
    ),
    Case(
        "figures-unknown-unit",
        "figures.csv",
        replace("speech_language_days_per_week,3,count", "speech_language_days_per_week,3,days"),
        ("figures.csv, row 13, column C ('unit'): found 'days'",),
    ),
    Case(
        "figures-value-not-a-number",
        "figures.csv",
        replace("nurture_children_supported,16,", "nurture_children_supported,sixteen,"),
        ("figures.csv, row 9, column B ('value'): found 'sixteen'",),
    ),
    Case(
        "figures-financial-year-form",
        "figures.csv",
        append("plan_starts,2022-23,financial_year,The year the plan starts,para 7.12"),
        ("figures.csv, row 18, column B ('value'): found '2022-23'",),
    ),
    Case(
        "figures-repeated-name",
        "figures.csv",
        append("nurture_pilot_months,17,count,again,para 4.3"),
        ("figures.csv, row 18, column A ('name'): found 'nurture_pilot_months'",),
    ),
    Case(
        "privacy-date-of-birth-column",
        "ehcp_demand.csv",
        lambda t: t.replace("description\n", "description,Date of birth\n", 1).replace(
            "EHCPs in place on the date given\n", "EHCPs in place on the date given,2014-03-09\n", 1
        ),
        ("ehcp_demand.csv: column E ('Date of birth') looks like child-level personal data",),
        secret="2014-03-09",
    ),
    Case(
        "privacy-upn-value",
        "interventions.csv",
        replace("eip,Academy mainstream,15", "A123456789012,Academy mainstream,15"),
        (
            "interventions.csv, row 5, column A ('intervention_id'): holds a value shaped like "
            "a UPN",
        ),
        secret="A123456789012",
    ),
    Case(
        "privacy-postcode-value",
        "placement_costs.csv",
        replace("High-cost placement", "LE15 6HP"),
        ("placement_costs.csv, row 2, column C ('basis'): holds a value shaped like a postcode",),
        secret="LE15 6HP",
    ),
    Case(
        "figures-unknown-return-line",
        "figures.csv",
        replace("para 2.3,whole_dsg_cfwd 2021/22", "para 2.3,dsg balance 2021"),
        ("figures.csv, row 2, column F ('dfe_return'): found 'dsg balance 2021'",),
    ),
    Case(
        "privacy-child-name-column",
        "figures.csv",
        lambda t: t.replace("dfe_return\n", "dfe_return,Child surname\n", 1),
        ("figures.csv: column G ('Child surname') looks like child-level personal data",),
    ),
    Case(
        "privacy-nhs-number-value",
        "ehcp_demand.csv",
        replace("EHCPs issued since", "485 777 3456"),
        (
            "ehcp_demand.csv, row 3, column D ('description'): holds a value shaped like an "
            "NHS number",
        ),
        secret="485 777 3456",
    ),
    Case(
        "empty-file", "business_cases.csv", lambda t: "", ("business_cases.csv: the file is empty",)
    ),
]


@pytest.fixture
def project(project_root: Path, tmp_path: Path) -> Path:
    """A project with the shipped cycle's inputs and a previously published paper."""
    shutil.copytree(project_root / "data" / "raw" / CYCLE, tmp_path / "data" / "raw" / CYCLE)
    for name, content in PUBLISHED.items():
        path = tmp_path / "reports" / CYCLE / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content)
    return tmp_path


#: Cases that run the whole gate, Data Docs included, as a run does; the others re-validate
#: only the table they break (``suites_for_one_edit``). Every privacy case is among them: what
#: Great Expectations' documents show of a personal value is part of what they check.
FULL_GATE_CASES = {"budget-text-in-money-cell", "ehcp-missing-column", "figures-repeated-name"}


def gate(project: Path, full: bool = True) -> InputDataError:
    expectations = None if full else suites_for_one_edit
    with pytest.raises(InputDataError) as caught:
        validate_only(RunOptions(cycle=CYCLE, root=project), expectations)
    return caught.value


def assert_only_the_gate_documents_written(project: Path) -> None:
    for name, content in PUBLISHED.items():
        assert (project / "reports" / CYCLE / name).read_bytes() == content, name
    written = {
        p.relative_to(project / "reports" / CYCLE).parts[0]
        for p in (project / "reports" / CYCLE).rglob("*")
        if p.is_file()
    }
    assert written <= {*(n.split("/")[0] for n in PUBLISHED), "validation"}, written


def test_the_matrix_has_at_least_30_distinct_cases() -> None:
    assert len({c.id for c in CASES}) == len(CASES) >= 30
    assert {c.id for c in CASES} >= FULL_GATE_CASES


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_bad_input_is_refused_where_the_author_can_find_it(project: Path, case: Case) -> None:
    path = project / "data" / "raw" / CYCLE / case.file
    path.write_text(case.edit(path.read_text(encoding="utf-8")), encoding="utf-8")
    error = gate(project, full=case.secret is not None or case.id in FULL_GATE_CASES)
    message = str(error)
    assert error.exit_code == 3
    for fragment in case.expected:
        assert fragment in message, f"{fragment!r} not in:\n{message}"
    assert_only_the_gate_documents_written(project)
    assert not (project / "data" / "processed").exists()
    summary = project / "reports" / CYCLE / "validation" / "summary.html"
    assert summary.is_file() and "FAILED" in summary.read_text()
    if case.secret:
        assert case.secret not in message
        for document in (project / "reports" / CYCLE / "validation").rglob("*"):
            if document.is_file():
                assert case.secret.encode() not in document.read_bytes(), document


def test_missing_file_is_named(project: Path) -> None:
    """The budget is the one table every cycle gives (the others are optional)."""
    (project / "data" / "raw" / CYCLE / "high_needs_budget.csv").unlink()
    assert "high_needs_budget.csv: the file is missing" in str(gate(project))
    assert_only_the_gate_documents_written(project)


def test_merged_xlsx_header_is_refused(project: Path) -> None:
    raw = project / "data" / "raw" / CYCLE
    (raw / "placement_costs.csv").unlink()
    book = Workbook()
    sheet = book.active
    sheet.append(["placement_type", "annual_cost", None, "basis"])
    sheet.merge_cells("B1:C1")
    sheet.append(["Independent special school", 75, None, "x"])
    book.save(raw / "placement_costs.xlsx")
    message = str(gate(project))
    assert "placement_costs.xlsx (sheet 'Sheet'), row 1: the header has merged cells (B1:C1)" in (
        message
    )
    assert_only_the_gate_documents_written(project)


def test_unreadable_xlsx_is_refused(project: Path) -> None:
    raw = project / "data" / "raw" / CYCLE
    (raw / "interventions.csv").unlink()
    (raw / "interventions.xlsx").write_bytes(b"not a workbook")
    assert "interventions.xlsx: not a readable XLSX workbook" in str(gate(project))


def test_csv_and_xlsx_of_the_same_table_is_ambiguous(project: Path) -> None:
    raw = project / "data" / "raw" / CYCLE
    Workbook().save(raw / "interventions.xlsx")
    assert "both interventions.csv and interventions.xlsx are present" in str(gate(project))


def test_every_unreadable_file_is_reported_together(project: Path) -> None:
    raw = project / "data" / "raw" / CYCLE
    for name, old, new in [
        ("ehcp_demand.csv", "to_date,14", "to_date,x"),
        ("placement_costs.csv", "school,19,", "school,y,"),
    ]:
        path = raw / name
        path.write_text(path.read_text().replace(old, new))
    message = str(gate(project))
    assert "ehcp_demand.csv, row 3" in message and "placement_costs.csv, row 3" in message
