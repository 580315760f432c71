"""The PDF worker: lays out a PDF in a second process, byte for byte as this process would."""

from __future__ import annotations

from pathlib import Path

import pytest

from highneeds.errors import HighNeedsError
from highneeds.paper.render import PdfWorker, render_pdf

PAGE = """<!DOCTYPE html><html lang="en-GB"><head><meta charset="utf-8">
<title>Test paper</title></head><body><h1>Budget</h1><p>The deficit is £3,853k.</p></body></html>
"""


@pytest.fixture
def fixed_date(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1640995200")


def test_worker_lays_out_the_same_bytes_as_this_process(tmp_path: Path, fixed_date) -> None:
    html = tmp_path / "paper.html"
    html.write_text(PAGE, encoding="utf-8")
    css = tmp_path / "large.css"
    css.write_text("body { font-size: 18pt }", encoding="utf-8")

    worker = PdfWorker()
    worker.start(html, tmp_path / "worker.pdf", tmp_path, css)
    worker.wait("large print PDF")
    render_pdf(PAGE, tmp_path / "here.pdf", tmp_path, css)

    produced = (tmp_path / "worker.pdf").read_bytes()
    assert produced.startswith(b"%PDF-")
    assert produced == (tmp_path / "here.pdf").read_bytes()


def test_worker_that_cannot_lay_out_its_job_says_what_failed(tmp_path: Path) -> None:
    worker = PdfWorker()
    worker.start(tmp_path / "missing.html", tmp_path / "out.pdf", tmp_path)
    with pytest.raises(HighNeedsError, match=r"large print PDF could not be laid out: .*missing"):
        worker.wait("large print PDF")
    assert not (tmp_path / "out.pdf").exists()


def test_unused_worker_is_stopped(tmp_path: Path) -> None:
    worker = PdfWorker()
    worker.stop()
    assert worker.process.poll() is not None
