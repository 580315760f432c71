"""The render step: the executed report notebook to the paper's four files (HTML, tagged PDF,
large print PDF, Word) in the run folder."""

from __future__ import annotations

from contextlib import suppress
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from highneeds.runner.outputs import (
    DFE_RETURN,
    PAPER_AUDIT,
    PAPER_DOCX,
    PAPER_HTML,
    PAPER_LARGE_PRINT,
    PAPER_PDF,
)

if TYPE_CHECKING:
    from highneeds.paper.render import PdfWorker


def render_paper(run_dir: Path, epoch: str, large_print_worker: PdfWorker | None = None) -> None:
    """Render the executed report notebook to the paper in the run folder: HTML, tagged PDF,
    large print PDF and Word. With ``large_print_worker``, the large print PDF is laid out
    there, side by side with the standard one."""
    try:
        _render(run_dir, epoch, large_print_worker)
    finally:
        if large_print_worker is not None:
            large_print_worker.stop()


def _render(run_dir: Path, epoch: str, large_print_worker: PdfWorker | None) -> None:
    from highneeds.gate.paper_yaml import read_paper_metadata
    from highneeds.paper.render import LARGE_PRINT_CSS, fix_zip_dates, render_html, render_pdf
    from highneeds.paper.word import write_docx

    meta = read_paper_metadata(run_dir / "inputs" / "paper.yaml")
    date = datetime.fromtimestamp(int(epoch), UTC).date().isoformat()
    html = render_html(run_dir / "notebooks" / "04_cabinet_report.ipynb", meta, date)
    (run_dir / PAPER_HTML).write_text(html, encoding="utf-8")
    _write_audit_edition(run_dir, html)
    large_print = (run_dir / PAPER_LARGE_PRINT, run_dir, LARGE_PRINT_CSS)
    if large_print_worker is not None:
        large_print_worker.start(run_dir / PAPER_HTML, *large_print)
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
        subject=f"{meta['committee']}, {meta['meeting']}: report of the {meta['report_of']}",
    )
    fix_zip_dates(run_dir / PAPER_DOCX, int(epoch))
    _write_dfe_return(run_dir, epoch)
    if large_print_worker is not None:
        large_print_worker.wait("large print PDF")
    else:
        render_pdf(html, *large_print)


def import_render_libraries() -> None:
    with suppress(Exception):
        import docx  # noqa: F401
        import nbconvert  # noqa: F401
        import weasyprint  # noqa: F401


def _write_audit_edition(run_dir: Path, html: str) -> None:
    """The auditor's edition, from the figures the paper printed and the notebooks' lineage."""
    import json

    from highneeds.paper.audit_edition import audit_edition
    from highneeds.processed import read_lineage

    processed = run_dir / "processed"
    figures = json.loads((processed / "paper_figures.json").read_text(encoding="utf-8"))
    edition = audit_edition(html, figures, read_lineage(processed))
    (run_dir / PAPER_AUDIT).write_text(edition, encoding="utf-8")


def _write_dfe_return(run_dir: Path, epoch: str) -> None:
    """The DfE management plan return, from the model's tables in the run folder."""
    from highneeds import processed
    from highneeds.model.deficit import SCENARIO_LABELS
    from highneeds.paper.dfe_return import write_dfe_return
    from highneeds.paper.render import fix_zip_dates

    folder = run_dir / "processed"
    scenarios = processed.read_table(folder, "scenarios")
    labels = {k: v for k, v in SCENARIO_LABELS.items() if k in set(scenarios["scenario"])}
    target = run_dir / DFE_RETURN
    write_dfe_return(
        target,
        scenarios,
        labels,
        processed.read_table_if_present(folder, "demand"),
        datetime.fromtimestamp(int(epoch), UTC),
        processed.read_table_if_present(folder, "placements_forecast"),
    )
    fix_zip_dates(target, int(epoch))
