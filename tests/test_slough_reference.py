"""The second shipped council: Slough Borough Council's Schools Forum item on the DSG at
quarter 2 of 2023/24 (data/raw/slough/2023-10, from the Forum's minutes: see its
sources.yaml). Every figure the minutes give is printed, in every format, in the council's
£m with a deficit in brackets, under its own committee's header; and the paper passes the same
accessibility checks as the first council's."""

from __future__ import annotations

import re
import subprocess
import sys
import zipfile
from html import unescape
from pathlib import Path

import pytest
from docx import Document
from pypdf import PdfReader

from tests.conftest import CHROMIUM, CHROMIUM_ARGS, copy_project, run_pipeline

pytestmark = pytest.mark.e2e

COUNCIL, CYCLE = "slough", "2023-10"
#: The table as the minutes' figures give it, row by row (£m, a deficit in brackets).
TABLE = [
    ("DSG cumulative balance brought forward", ["(25.5)", "(14.8)"]),
    ("DfE contribution to the historic deficit", ["10.8", "0.0"]),
    ("In-year surplus / (deficit)", ["(0.1)", "0.6"]),
    ("DSG cumulative balance carried forward", ["(14.8)", "(14.2)"]),
]
#: The minutes' figures as the narrative prints them, paragraph by paragraph.
PROSE = {
    "2.1": ["£25.5m", "£10.8m", "£0.1m", "£14.8m"],
    "3.1": ["£0.6m", "£0.3m", "£0.2m", "£0.1m"],
    "3.2": ["£14.2m"],
}
SECTIONS = ["Purpose of the report", "The cumulative deficit", "The forecast for the year"]


@pytest.fixture(scope="module")
def published(project_root: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = copy_project(project_root, tmp_path_factory.mktemp("slough") / "project")
    result = run_pipeline(root, "--council", COUNCIL)
    assert result.returncode == 0, result.stdout + result.stderr
    return root / "reports" / COUNCIL / CYCLE


def _text(html: str) -> str:
    html = re.sub(r"<(svg|style|script)\b.*?</\1>", " ", html, flags=re.S)
    return re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", " ", html)))


def test_every_figure_of_the_table_as_the_council_writes_it(published: Path) -> None:
    html = (published / "cabinet-report.html").read_text(encoding="utf-8")
    rows = [
        [_text(cell).strip() for cell in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, re.S)]
        for row in re.findall(r"<tr[^>]*>(.*?)</tr>", html, re.S)
    ]
    for label, figures in TABLE:
        assert any(row[0].startswith(label) and row[1:] == figures for row in rows), label
    assert "Table 1: DSG forecast (£m; brackets denote spending or deficit)" in _text(html)


def test_every_figure_of_the_prose_in_its_paragraph(published: Path) -> None:
    html = (published / "cabinet-report.html").read_text(encoding="utf-8")
    for number, figures in PROSE.items():
        paragraph = re.search(rf'id="para-{number.replace(".", "-")}".*?</p>', html, re.S)
        assert paragraph, number
        text = _text(paragraph.group(0))
        for figure in figures:
            assert figure in text, (number, figure)


def test_the_papers_own_structure_and_committee(published: Path) -> None:
    text = _text((published / "cabinet-report.html").read_text(encoding="utf-8"))
    for title in SECTIONS:
        assert title in text
    assert "Slough Borough Council Schools Forum" in text
    assert "Report type: Budget monitoring" in text
    for words in ("Cabinet", "Key Decision", "Rutland", "Recovery Plan", "CPI"):
        assert words not in text


def test_every_figure_in_the_pdfs_and_the_word_paper(published: Path) -> None:
    word = Document(str(published / "cabinet-report.docx"))
    cells = [[c.text.strip() for c in row.cells] for t in word.tables for row in t.rows]
    media = {
        "PDF": " ".join(
            p.extract_text() for p in PdfReader(published / "cabinet-report.pdf").pages
        ),
        "large print PDF": " ".join(
            p.extract_text() for p in PdfReader(published / "cabinet-report-large-print.pdf").pages
        ),
        "Word": " ".join(p.text for p in word.paragraphs),
    }
    for medium, text in media.items():
        flat = re.sub(r"\s+", " ", text)
        for figures in PROSE.values():
            for figure in figures:
                assert figure in flat, (medium, figure)
    for label, figures in TABLE:  # a derived line's label carries its note's letter
        assert any(row[0].startswith(label) and row[1:] == figures for row in cells), label


def test_the_html_has_no_wcag_22_aa_violations(published: Path) -> None:
    from axe_playwright_python.sync_playwright import Axe
    from playwright.sync_api import sync_playwright

    from tests.paper.formats.test_accessibility import WCAG_22_AA

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page()
            for name in ("cabinet-report.html", "cabinet-report-audit.html"):
                page.goto((published / name).as_uri())
                results = Axe().run(
                    page, options={"runOnly": {"type": "tag", "values": WCAG_22_AA}}
                )
                assert results.violations_count == 0, results.generate_report()
        finally:
            browser.close()


@pytest.mark.parametrize("name", ["cabinet-report.pdf", "cabinet-report-large-print.pdf"])
def test_the_pdfs_have_no_findings_from_the_pdfua_checker(published: Path, name: str) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "pdfua", "check", str(published / name)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "PASS (no findings)" in result.stdout


def test_the_word_tables_and_language_are_marked(published: Path) -> None:
    with zipfile.ZipFile(published / "cabinet-report.docx") as docx:
        body = docx.read("word/document.xml").decode("utf-8")
        core = docx.read("docProps/core.xml").decode("utf-8")
    tables = re.findall(r"<w:tbl>.*?</w:tbl>", body, flags=re.DOTALL)
    assert tables and all("<w:tblHeader" in table for table in tables)
    assert "<dc:language>en-GB</dc:language>" in core
