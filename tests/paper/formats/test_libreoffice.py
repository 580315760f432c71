"""A real client opens what the council files: LibreOffice (Debian's, headless) lays out the
Word paper and opens the DfE return, as a committee system or the DfE's reviewer would."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
from pypdf import PdfReader

from tests.conftest import reports

pytestmark = pytest.mark.e2e

SOFFICE = shutil.which("soffice") or "/usr/bin/soffice"


def convert(source: Path, folder: Path, to: str = "pdf") -> Path:
    """``soffice --convert-to pdf`` (or ``csv``: the first sheet of a workbook, which opens
    it all but lays out nothing), with a profile of its own (two at once share none)."""
    profile = folder / "profile"
    result = subprocess.run(
        [
            SOFFICE,
            f"-env:UserInstallation={profile.as_uri()}",
            "--headless",
            "--norestore",
            "--convert-to",
            to,
            "--outdir",
            str(folder),
            str(source),
        ],
        capture_output=True,
        text=True,
        timeout=300,
    )
    converted = folder / f"{source.stem}.{to}"
    assert result.returncode == 0 and converted.is_file(), result.stdout + result.stderr
    return converted


def test_libreoffice_lays_out_the_word_paper_within_three_pages_of_the_pdf(
    published: Path, tmp_path: Path
) -> None:
    laid_out = PdfReader(convert(reports(published) / "cabinet-report.docx", tmp_path))
    paper = PdfReader(reports(published) / "cabinet-report.pdf")
    assert abs(len(laid_out.pages) - len(paper.pages)) <= 3
    page = laid_out.pages[0].mediabox
    assert (round(float(page.width)), round(float(page.height))) == (595, 842)  # A4
    text = " ".join(" ".join(p.extract_text().split()) for p in laid_out.pages)
    # Word's list numbering, as LibreOffice numbers it, and REF fields showing the numbers.
    assert "7 Financial implications" in text
    assert "7.13 The placement costs in the table at para 7.3" in text
    assert f"Page 2 of {len(laid_out.pages)}" in text
    # The tables' columns fitted to their content: a figure or a year never breaks, and a
    # row label takes three lines at most (four to seven in equal columns).
    lines = [line for p in laid_out.pages for line in p.extract_text().splitlines()]
    assert any(line.startswith("2020/21 2021/22 2022/23 2023/24 2024/25") for line in lines)
    start = next(i for i, line in enumerate(lines) if line.startswith("High Needs DSG"))
    end = next(i for i in range(start, len(lines)) if "(Surplus)" in lines[i])
    assert end - start <= 2, lines[start : end + 1]


def test_libreoffice_opens_the_dfe_return(published: Path, tmp_path: Path) -> None:
    cover = convert(reports(published) / "dfe-management-plan.xlsx", tmp_path, "csv")
    text = cover.read_text(encoding="utf-8", errors="replace")
    assert "Rutland County Council" in text and "Chief Finance Officer (s151 officer)" in text
