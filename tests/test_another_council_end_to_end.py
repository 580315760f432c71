"""Another council's paper, end to end: a Schools Forum item whose whole-DSG table is in £m
with a deficit in brackets, a net overspend line, three scenario columns and no EHCP table
(tests/fixtures/another-council, an invented council) publishes in every format, prints its
table as it writes it, and carries none of the shipped council's words; and ``validate`` and
``run`` refuse its bad variants alike."""

from __future__ import annotations

import re
import shutil
from html import unescape
from pathlib import Path

import pytest
from docx import Document
from openpyxl import load_workbook
from pypdf import PdfReader

from tests.conftest import copy_project, run_pipeline

pytestmark = pytest.mark.e2e

COUNCIL, CYCLE = "anyshire", "2022-11"
FIXTURE = Path(__file__).parent / "fixtures" / "another-council"
#: Words of the shipped council's paper that must never be written into another's.
SHIPPED_WORDS = (
    "Rutland",
    "Cabinet",
    "Cabinet Member",
    "Key Decision",
    "CPI",
    "top-up uplift",
    "Schools Forum agreed",
    "Recovery Plan",
    "Decision Recommendations",
)


def _project(project_root: Path, root: Path) -> Path:
    copy_project(project_root, root)
    shutil.copytree(FIXTURE, root / "data" / "raw" / COUNCIL / CYCLE)
    return root


@pytest.fixture(scope="module")
def published(project_root: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = _project(project_root, tmp_path_factory.mktemp("another") / "project")
    result = run_pipeline(root, "--council", COUNCIL)
    assert result.returncode == 0, result.stdout + result.stderr
    return root / "reports" / COUNCIL / CYCLE


def _html_text(path: Path) -> str:
    text = re.sub(
        r"<(svg|style|script)\b.*?</\1>", " ", path.read_text(encoding="utf-8"), flags=re.S
    )
    return re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", " ", text)))


def _texts(folder: Path) -> dict[str, str]:
    word = Document(str(folder / "cabinet-report.docx"))
    cells = [c.text for t in word.tables for row in t.rows for c in row.cells]
    book = load_workbook(folder / "dfe-management-plan.xlsx", read_only=True)
    values = [
        str(v)
        for sheet in book.worksheets
        for row in sheet.iter_rows(values_only=True)
        for v in row
        if v is not None
    ]
    return {
        "HTML": _html_text(folder / "cabinet-report.html"),
        "auditor's edition": _html_text(folder / "cabinet-report-audit.html"),
        "PDF": " ".join(p.extract_text() for p in PdfReader(folder / "cabinet-report.pdf").pages),
        "large print PDF": " ".join(
            p.extract_text() for p in PdfReader(folder / "cabinet-report-large-print.pdf").pages
        ),
        "Word": " ".join([*(p.text for p in word.paragraphs), *cells]),
        "DfE return": " ".join(values),
    }


def test_it_publishes_with_its_own_lines_units_scenarios_and_header(published: Path) -> None:
    html = _html_text(published / "cabinet-report.html")
    for words in (
        "Anyshire County Council Schools Forum 17 November 2022 High Needs Block Update",
        "Item: 7 Report type: For information Author: Assistant Director, Education Finance",
        "Recommendations The Schools Forum is asked to:",
        "the net overspend is £6.6m",
        "Table 1: DSG forecast (£m; brackets denote spending or deficit)",
        "Opening DSG balances",
        "Forecast overspend (7.8) (12.4) (15.9) (18.2)",
        "Additional DfE funding 1.7 0.0 0.0 0.0",
        "(14.7) (27.1) (43.0) (61.2)",
        "Plus recovery savings (proposed)",
        "Plus a 0.5% block transfer (awaiting decision)",
        "DSG deficit carried forward by scenario (£m)",
    ):
        assert words in html, words


def test_no_words_of_the_shipped_council_in_any_format(published: Path) -> None:
    for medium, text in _texts(published).items():
        for words in SHIPPED_WORDS:
            assert words not in text, f"{words!r} in the {medium}"


def test_the_dfe_return_files_its_balance_as_the_whole_dsgs(published: Path) -> None:
    book = load_workbook(published / "dfe-management-plan.xlsx", read_only=True)
    rows = [r for r in book["DSG summary"].iter_rows(values_only=True)]
    labels = [(r[0], r[1]) for r in rows]
    assert ("Whole DSG (all four blocks)", "Balance brought forward") in labels
    assert ("High Needs block", "Balance brought forward") not in labels
    opening = next(
        r for r in rows if r[:2] == ("Whole DSG (all four blocks)", "Balance brought forward")
    )
    assert opening[2] == 8600  # £000, the return's unit; a deficit positive as the template has it


#: (file, text, replaced by, the message, whether ``run`` is checked too): ``run`` refuses a
#: bad input in the same words as ``validate`` (one variant proves they share the path, at
#: the cost of a run); each variant is refused by ``validate``.
BAD_VARIANTS = [
    pytest.param("sources.yaml", 'unit: "£m", ', "", "declared in £000", False, id="unit-left-out"),
    pytest.param(
        "figures.csv",
        "net_overspend,6.6",
        "net_overspend,6.9",
        "net_overspend is 6.9",
        True,
        id="formula-does-not-hold",
    ),
    pytest.param(
        "scenarios.csv",
        "Additional DfE funding,,2023/24",
        "Extra grant,,2023/24",
        "found 'Extra grant'; expected one of the budget table's lines",
        False,
        id="scenario-line",
    ),
    pytest.param(
        "narrative.md",
        "{{ fig.net_overspend | gbp_m(1) }}",
        "{{ (fig.overspend_october - fig.additional_dfe_funding) | gbp_m(1) }}",
        "is arithmetic ('-')",
        True,
        id="arithmetic-in-a-placeholder",
    ),
]


@pytest.mark.parametrize(("file", "old", "new", "message", "also_run"), BAD_VARIANTS)
def test_validate_and_run_refuse_each_bad_variant_alike(
    project_root: Path,
    tmp_path: Path,
    file: str,
    old: str,
    new: str,
    message: str,
    also_run: bool,
) -> None:
    root = _project(project_root, tmp_path / "project")
    path = root / "data" / "raw" / COUNCIL / CYCLE / file
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    checked = run_pipeline(root, "--council", COUNCIL, command="validate")
    assert checked.returncode != 0 and message in checked.stderr, checked.stderr
    if also_run:
        ran = run_pipeline(root, "--council", COUNCIL)
        assert checked.returncode == ran.returncode, (checked.stderr, ran.stderr)
        assert message in ran.stderr, ran.stderr


def test_every_number_it_prints_is_a_model_output_or_an_input_cell(published: Path) -> None:
    from tests.printed_numbers import paper_residue, return_residue

    assert paper_residue(published) == []
    assert return_residue(published) == []
