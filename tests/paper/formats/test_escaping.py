"""Text from the inputs is escaped wherever the pipeline puts it into HTML: the paper's
<title>, <meta> and header block, the tables, the validation summary and the change log."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import nbformat
import pytest

from highneeds.gate.checks.validation import CheckResult, ValidationReport
from highneeds.gate.tables.paper_yaml import read_paper_metadata
from highneeds.paper.content.assemble import header_html
from highneeds.paper.formats.render import render_html
from highneeds.runner.changes.changes import write_changes

HOSTILE = "</title><script>alert(1)</script>"
ESCAPED = "&lt;/title&gt;&lt;script&gt;alert(1)&lt;/script&gt;"


@pytest.fixture
def hostile_meta(shipped_raw: Path) -> dict[str, Any]:
    meta = copy.deepcopy(read_paper_metadata(shipped_raw / "paper.yaml"))
    for key in ("title", "committee", "meeting", "council", "report_of", "wards"):
        meta[key] = HOSTILE
    meta["contact_officers"][0]["name"] = HOSTILE
    meta["contact_officers"][0]["email"] = 'a@b.org" onmouseover="alert(1)'
    return meta


def test_header_block_shows_hostile_text_as_text(hostile_meta: dict[str, Any]) -> None:
    html = header_html(hostile_meta)
    assert "<script" not in html
    assert html.count(ESCAPED) >= 7
    assert 'onmouseover="' not in html
    assert "a@b.org&#34; onmouseover=&#34;alert(1)" in html


def test_title_and_meta_of_the_page_escape_paper_yaml(
    hostile_meta: dict[str, Any], tmp_path: Path
) -> None:
    cell = nbformat.v4.new_code_cell("display(HTML(header))", metadata={"tags": ["paper"]})
    cell.outputs = [
        nbformat.v4.new_output(
            "display_data", data={"text/html": header_html(hostile_meta), "text/plain": ""}
        )
    ]
    notebook = tmp_path / "04_cabinet_report.ipynb"
    nbformat.write(nbformat.v4.new_notebook(cells=[cell]), notebook)

    page = render_html(notebook, hostile_meta, "2022-01-01")

    head = page.split("</head>")[0]
    assert "<script" not in page
    assert f"<title>{ESCAPED} – {ESCAPED}, {ESCAPED}</title>" in head
    author = next(line for line in head.splitlines() if 'name="author"' in line)
    assert f'content="{ESCAPED}"' in author


def test_validation_summary_escapes_file_names_and_failures(tmp_path: Path) -> None:
    check = CheckResult("budget", HOSTILE, "probe", HOSTILE, False, [HOSTILE, "<b>2</b>"])
    ValidationReport("2022-01", [check]).write(tmp_path)
    page = (tmp_path / "summary.html").read_text(encoding="utf-8")
    assert "<script" not in page and "<b>" not in page
    assert f"<td>{ESCAPED}</td>" in page
    assert f"{ESCAPED}<br>&lt;b&gt;2&lt;/b&gt;" in page
    assert "1 check(s) failed" in page


def test_change_log_escapes_its_baseline_label(tmp_path: Path) -> None:
    write_changes(tmp_path, [], HOSTILE)
    page = (tmp_path / "changes.html").read_text(encoding="utf-8")
    assert "<script" not in page
    assert f"No earlier paper to compare with ({ESCAPED})." in page


def test_pdf_and_word_metadata_hold_a_hostile_title_as_text(tmp_path: Path) -> None:
    import datetime as dt

    import docx
    from pypdf import PdfReader

    from highneeds.common.templating import render_template
    from highneeds.paper.formats.render import render_pdf
    from highneeds.paper.formats.word import write_docx

    page = render_template(
        "highneeds.paper", "parts/footer.html.j2", phone=HOSTILE
    )  # any escaped part will do for the body
    html = (
        f'<!DOCTYPE html><html lang="en-GB"><head><meta charset="utf-8"><title>{ESCAPED}'
        f"</title></head><body><h1>{ESCAPED}</h1>{page}</body></html>"
    )
    render_pdf(html, tmp_path / "paper.pdf", tmp_path)
    assert PdfReader(tmp_path / "paper.pdf").metadata.title == HOSTILE
    write_docx(html, tmp_path / "paper.docx", HOSTILE, {}, dt.datetime(2022, 1, 1))
    document = docx.Document(str(tmp_path / "paper.docx"))
    assert document.core_properties.title == HOSTILE
    assert HOSTILE in "\n".join(p.text for p in document.paragraphs)
