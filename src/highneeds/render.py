"""Render the executed report notebook to the paper: HTML with nbconvert, PDF with WeasyPrint."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import nbformat

#: The nbconvert template, a folder under ``templates/`` of the project.
TEMPLATE_NAME = "cabinet-paper"


def render_html(
    executed_notebook: Path, templates_dir: Path, meta: Mapping[str, Any], date: str
) -> str:
    """The paper as a standalone HTML page: only outputs of cells tagged ``paper``, no code.

    ``date`` (ISO) is the paper's date in its metadata, fixed by the cycle rather than the
    clock, so that the same inputs give the same bytes.
    """
    from nbconvert import HTMLExporter

    exporter = HTMLExporter(
        template_name=TEMPLATE_NAME,
        extra_template_basedirs=[str(templates_dir)],
        exclude_input=True,
        exclude_input_prompt=True,
        exclude_output_prompt=True,
    )
    notebook = nbformat.read(executed_notebook, as_version=4)
    paper = {key: str(meta[key]) for key in ("title", "committee", "meeting", "council")}
    paper["date"] = date
    body, _ = exporter.from_notebook_node(notebook, resources={"paper": paper})
    return body


def render_pdf(html: str, target: Path, base_url: Path) -> None:
    """Lay the HTML out as an A4 PDF (running header, page X of Y) with WeasyPrint."""
    from weasyprint import HTML

    HTML(string=html, base_url=str(base_url)).write_pdf(target, pdf_tags=True)
