"""What each part of the render writes into a run folder: the paper's HTML first, then the
worker's part (the tagged PDF, the Word paper, the DfE return) and the partner's (the large
print PDF, the auditor's edition). :mod:`highneeds.runner.execute.render_step` runs them,
side by side.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from highneeds.runner.archive.outputs import (
    DFE_RETURN,
    EXECUTED_REPORT,
    PAPER_AUDIT,
    PAPER_DOCX,
    PAPER_HTML,
    PAPER_LARGE_PRINT,
    PAPER_META,
    PAPER_PDF,
)


def write_html(run_dir: Path, epoch: str) -> tuple[dict[str, Any], str]:
    """The paper's HTML, written to the run folder; with the paper's metadata (as notebook 04
    read and checked it from the run's copy of ``paper.yaml``)."""
    from highneeds.paper.formats.render import render_html

    meta = json.loads((run_dir / PAPER_META).read_text(encoding="utf-8"))
    date = datetime.fromtimestamp(int(epoch), UTC).date().isoformat()
    html = render_html(run_dir / EXECUTED_REPORT, meta, date)
    (run_dir / PAPER_HTML).write_text(html, encoding="utf-8")
    return meta, html


def write_standard_part(run_dir: Path, epoch: str, meta: dict[str, Any], html: str) -> None:
    """The tagged PDF, the Word paper and the DfE return: the worker's part."""
    from highneeds.model.basis.lineage import read_lineage
    from highneeds.paper.formats.render import fix_zip_dates, render_pdf
    from highneeds.paper.formats.word import write_docx

    render_pdf(html, run_dir / PAPER_PDF, run_dir)
    charts = {  # each chart's PNG, drawn by 04, by its figure's id
        path.stem: path.read_bytes()
        for path in sorted((run_dir / "processed").glob("figure-*.png"))
    }
    write_docx(
        html,
        run_dir / PAPER_DOCX,
        str(meta["title"]),
        charts,
        datetime.fromtimestamp(int(epoch), UTC),
        subject=f"{meta['committee']}, {meta['meeting']}: "
        + (f"report of the {meta['report_of']}" if meta.get("report_of") else str(meta["title"])),
        author=str(meta.get("report_of") or meta.get("author") or meta["council"]),
        running_head=f"{meta['committee']}, {meta['meeting']}: {meta['title']}",
    )
    fix_zip_dates(run_dir / PAPER_DOCX, int(epoch))
    _write_dfe_return(run_dir, epoch, meta, html, read_lineage(run_dir / "processed"))


def html_only(run_dir: Path) -> bool:
    """Whether the run asked notebook 04 for the paper as HTML alone (``-p html_only=True``):
    then the render writes the HTML and the auditor's edition, and no other format."""
    return _report_parameter(run_dir, "html_only", False) is True


def write_partner_part(run_dir: Path, html: str) -> None:
    """The large print PDF and the auditor's edition: the partner's part (neither needs the
    paper's metadata, nor pandas, which the partner is forked without)."""
    from highneeds.paper.formats.render import LARGE_PRINT_CSS, render_pdf

    render_pdf(html, run_dir / PAPER_LARGE_PRINT, run_dir, LARGE_PRINT_CSS)
    write_audit_edition(run_dir, html)


def write_audit_edition(run_dir: Path, html: str) -> None:
    """The auditor's edition, from the figures the paper printed, the notebooks' lineage and
    the claims notebook 04 warned of (in the partner's part, or with the HTML alone)."""
    from highneeds.model.basis.lineage import read_lineage
    from highneeds.paper.formats.audit_edition import audit_edition
    from highneeds.runner.archive.outputs import read_claims

    processed = run_dir / "processed"
    derivations = read_lineage(processed)
    figures = json.loads((processed / "paper_figures.json").read_text(encoding="utf-8"))
    inputs = (
        sorted(p.name for p in (run_dir / "inputs").iterdir())
        if (run_dir / "inputs").is_dir()
        else []
    )
    edition = audit_edition(html, figures, derivations, read_claims(run_dir), inputs)
    (run_dir / PAPER_AUDIT).write_text(edition, encoding="utf-8")


def _report_parameter(run_dir: Path, name: str, default: object = None) -> object:
    """A parameter the executed report notebook of ``run_dir`` ran with, as papermill records
    those it was given in its metadata (``default`` if it was given none): the run folder may be
    a copy anywhere (verify re-executes in a temporary folder)."""
    meta = json.loads((run_dir / EXECUTED_REPORT).read_text(encoding="utf-8"))["metadata"]
    return meta["papermill"]["parameters"].get(name, default)


def _write_dfe_return(
    run_dir: Path, epoch: str, meta: dict, html: str, derivations: dict[str, dict]
) -> None:
    """The DfE management plan return: the figures notebook 04 drew up from the model's tables,
    with the cover and the paper's words."""
    from highneeds.paper.formats.dfe_return_workbook import (
        FIGURES_FILE,
        ReturnFigures,
        paper_paragraphs,
        write_dfe_return,
    )
    from highneeds.paper.formats.render import fix_zip_dates

    figures = (run_dir / "processed" / FIGURES_FILE).read_text(encoding="utf-8")
    target = run_dir / DFE_RETURN
    write_dfe_return(
        target,
        ReturnFigures.from_json(figures),
        meta=meta,
        cycle=str(_report_parameter(run_dir, "cycle")),
        created=datetime.fromtimestamp(int(epoch), UTC),
        derivations=derivations,
        paragraphs=paper_paragraphs(html),
    )
    fix_zip_dates(target, int(epoch))
