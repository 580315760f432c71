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


def render_pdf(html: str, target: Path, base_url: Path, extra_css: Path | None = None) -> None:
    """Lay the HTML out as a tagged A4 PDF (PDF/UA-1) with WeasyPrint.

    The structure tree, language, title and bookmarks come from the HTML, so a screen reader
    can use the PDF. ``extra_css`` (e.g. the large print stylesheet) is added after the
    paper's own styles, so that its rules win.
    """
    from weasyprint import HTML

    if extra_css is not None:
        style = f"<style>\n{extra_css.read_text(encoding='utf-8')}\n</style>\n</head>"
        html = html.replace("</head>", style, 1)
    HTML(string=html, base_url=str(base_url)).write_pdf(target, pdf_variant="pdf/ua-1")


def fix_zip_dates(path: Path, epoch: int) -> None:
    """Give every entry of a zip (a .docx) the same fixed date, so its bytes reproduce."""
    import zipfile
    from datetime import UTC, datetime

    stamp = datetime.fromtimestamp(max(epoch, 315532800), UTC).timetuple()[:6]
    with zipfile.ZipFile(path) as source:
        entries = [(info, source.read(info)) for info in source.infolist()]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as target:
        for info, data in entries:
            fixed = zipfile.ZipInfo(info.filename, date_time=stamp)
            fixed.compress_type = zipfile.ZIP_DEFLATED
            fixed.external_attr = info.external_attr
            target.writestr(fixed, data)
