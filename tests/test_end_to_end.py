"""The real pipeline on the shipped cycle, in a temporary copy of the project."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
from pypdf import PdfReader

from tests import reference as ref
from tests.test_paper import table_rows

pytestmark = pytest.mark.e2e
CYCLE = "2022-01"
COPIED = [
    "pipeline.py",
    "pyproject.toml",
    "uv.lock",
    "src",
    "notebooks",
    "templates",
    "expectations",
    "data/raw",
]


def run_pipeline(root: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "pipeline.py", "run", *args],
        cwd=root,
        capture_output=True,
        text=True,
        timeout=900,
    )


@pytest.fixture(scope="module")
def project(project_root: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("project")
    for name in COPIED:
        source, target = project_root / name, root / name
        if source.is_dir():
            shutil.copytree(source, target, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target)
    return root


@pytest.fixture(scope="module")
def first_run(project: Path) -> subprocess.CompletedProcess[str]:
    result = run_pipeline(project)
    assert result.returncode == 0, result.stdout + result.stderr
    return result


def reports(project: Path) -> Path:
    return project / "reports" / CYCLE


def published_bytes(project: Path) -> dict[str, bytes]:
    folder = reports(project)
    files = [
        "cabinet-report.html",
        "cabinet-report.pdf",
        "manifest.json",
        *(f"notebooks/{p.name}" for p in sorted((folder / "notebooks").glob("*.ipynb"))),
    ]
    return {name: (folder / name).read_bytes() for name in files}


def test_run_prints_where_the_paper_is(project: Path, first_run) -> None:
    assert f"HTML: {reports(project) / 'cabinet-report.html'}" in first_run.stdout
    assert f"PDF:  {reports(project) / 'cabinet-report.pdf'}" in first_run.stdout
    assert not (reports(project) / ".lock").exists()
    assert not (reports(project) / ".staging").exists()


def test_html_has_every_para_7_3_figure_row_by_row(project: Path, first_run) -> None:
    html = (reports(project) / "cabinet-report.html").read_text(encoding="utf-8")
    rows = table_rows(html[html.index('id="table-1"') :])
    for label, figures in [*ref.PARA_7_3, ref.RECOVERY_PLAN_IMPACT]:
        assert [label, *figures] in rows, label
    assert "import highneeds" not in html and "In&nbsp;[" not in html
    assert '<html lang="en-GB">' in html


def test_pdf_text_has_every_para_7_3_figure_row_by_row(project: Path, first_run) -> None:
    reader = PdfReader(reports(project) / "cabinet-report.pdf")
    text = " ".join(" ".join(page.extract_text().split()) for page in reader.pages)
    for label, figures in [*ref.PARA_7_3, ref.RECOVERY_PLAN_IMPACT]:
        row = " ".join([label, *[f for f in figures if f]])
        assert row in text, row
    assert re.search(r"Page 1 of \d+", text)
    assert reader.pages[0].mediabox.width == pytest.approx(595.28, abs=1)  # A4


def test_executed_notebooks_and_processed_tables_are_kept(project: Path, first_run) -> None:
    for name in ("01_validate", "02_deficit_model", "03_interventions", "04_cabinet_report"):
        notebook = nbformat.read(reports(project) / "notebooks" / f"{name}.ipynb", as_version=4)
        assert notebook.metadata["kernelspec"]["name"] == "highneeds"
        assert any(c.get("outputs") for c in notebook.cells if c.cell_type == "code")
        assert notebook.metadata["papermill"]["parameters"]["cycle"] == CYCLE
    processed = project / "data" / "processed" / CYCLE
    assert {"budget.csv", "scenarios.csv", "intervention_savings.csv", "ehcp_growth.csv"} <= {
        p.name for p in processed.iterdir()
    }
    assert (reports(project) / "validation" / "index.html").is_file()


def test_manifest_records_inputs_outputs_and_steps(project: Path, first_run) -> None:
    manifest = json.loads((reports(project) / "manifest.json").read_text())
    assert manifest["cycle"] == CYCLE
    assert set(manifest["inputs"]) >= {"high_needs_budget.csv", "narrative.md", "paper.yaml"}
    assert [s["step"] for s in manifest["steps"]] == [
        "01_validate",
        "02_deficit_model",
        "03_interventions",
        "04_cabinet_report",
        "render",
    ]
    assert len(manifest["outputs"]["cabinet-report.pdf"]) == 64
    assert manifest["environment"]["uv_lock_sha256"]


def test_bad_input_exits_3_and_keeps_the_last_good_paper(project: Path, first_run) -> None:
    before = published_bytes(project)
    budget = project / "data" / "raw" / CYCLE / "high_needs_budget.csv"
    original = budget.read_text()
    budget.write_text(original.replace('Placement costs,"4,468"', 'Placement costs,"4,486"'))
    try:
        result = run_pipeline(project)
    finally:
        budget.write_text(original)
    assert result.returncode == 3, result.stderr
    assert "high_needs_budget.csv" in result.stderr
    assert "row 6, column '2020/21': C/Fwd is given as 575" in result.stderr
    assert "validation report:" in result.stderr
    assert published_bytes(project) == before
    assert list((reports(project) / "failed").iterdir())
    assert not (reports(project) / ".lock").exists()


def test_broken_cross_reference_exits_4_naming_the_label(project: Path, first_run) -> None:
    before = published_bytes(project)
    narrative = project / "data" / "raw" / CYCLE / "narrative.md"
    original = narrative.read_text(encoding="utf-8")
    narrative.write_text(
        original.replace('ref("financial")', 'ref("finance")', 1), encoding="utf-8"
    )
    try:
        result = run_pipeline(project, "--quiet")
    finally:
        narrative.write_text(original, encoding="utf-8")
    assert result.returncode == 4, result.stderr
    assert "cross-reference to unknown label 'finance'" in result.stderr
    assert published_bytes(project) == before
