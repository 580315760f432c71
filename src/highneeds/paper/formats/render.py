"""Render the executed report notebook to the paper: HTML with nbconvert, PDF with WeasyPrint."""

from __future__ import annotations

import functools
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from highneeds.paper.content.assemble import PaperParts

#: The nbconvert template: a folder of this package's ``templates/``.
TEMPLATE_NAME = "cabinet-paper"
TEMPLATES_DIR = Path(__file__).parents[1] / "templates"
#: Added after the paper's own styles for the large print PDF.
LARGE_PRINT_CSS = TEMPLATES_DIR / TEMPLATE_NAME / "large-print.css"
#: The paper's metadata its page shows (in its head and running header).
_PAPER_META = ("title", "committee", "meeting", "council")


def render_html(executed_notebook: Path | Any, meta: Mapping[str, Any], date: str) -> str:
    """The paper as a standalone HTML page: only outputs of cells tagged ``paper``, no code.

    ``executed_notebook`` is the report notebook's file, or the notebook itself (the preview's
    :func:`paper_notebook`). ``date`` (ISO) is the paper's date in its metadata, fixed by the
    cycle rather than the clock, so that the same inputs give the same bytes.
    """
    import nbformat

    notebook = (
        nbformat.read(executed_notebook, as_version=4)
        if isinstance(executed_notebook, Path)
        else executed_notebook
    )
    paper = {key: str(meta[key]) for key in _PAPER_META}
    paper["date"] = date
    body, _ = _exporter().from_notebook_node(notebook, resources={"paper": paper})
    return body


def prepare_html_exporter() -> None:
    """Make the HTML exporter ahead of need (a process that will render, while it waits), and
    render a one-paragraph paper with it: the first render compiles the templates and
    nbformat's schema validator and imports what nbconvert's filters use, which the paper's
    own render then does not wait for. The paper's page is the same either way."""
    from nbformat.v4 import new_notebook

    sample = new_notebook(cells=[_paper_cell("<p>A paragraph.</p>")])
    render_html(sample, {key: key for key in _PAPER_META}, "2000-01-01")


@functools.cache
def _exporter() -> Any:
    """nbconvert's exporter with the paper's template, made once per process (its templates are
    compiled once; Jinja still reloads a template whose file changed).

    The template exporter, not the HTML one: ``HTMLExporter`` parses its page with
    BeautifulSoup to add tab stops to notebook cells (the paper has none) and alternative text
    to images without it (the paper's charts all have theirs), and writes the page out again
    with attributes reordered, at a cost on every render and more once per process (its CSS
    selectors compiled), for a page that is otherwise the template's own output."""
    from nbconvert import TemplateExporter

    return TemplateExporter(
        template_name=TEMPLATE_NAME,
        template_file="index.html.j2",
        extra_template_basedirs=[str(TEMPLATES_DIR)],
        exclude_input=True,
        exclude_input_prompt=True,
        exclude_output_prompt=True,
    )


def paper_notebook(parts: PaperParts) -> Any:
    """The paper's parts as the report notebook's ``paper`` cells hold them once executed
    (header, recommendations, the sections, footer: one HTML output each), for
    :func:`render_html` without a kernel."""
    from nbformat.v4 import new_notebook

    return new_notebook(
        cells=[
            _paper_cell(parts.header),
            _paper_cell(parts.recommendations),
            _paper_cell(*parts.sections),
            _paper_cell(parts.footer),
        ]
    )


def _paper_cell(*html: str) -> Any:
    """A cell tagged ``paper`` as executed: one HTML output for each of ``html``."""
    from nbformat.v4 import new_code_cell, new_output

    outputs = [new_output("display_data", data={"text/html": part}) for part in html]
    return new_code_cell(metadata={"tags": ["paper"]}, outputs=outputs)


def render_pdf(html: str, target: Path, base_url: Path, extra_css: Path | None = None) -> None:
    """Lay the HTML out as a tagged A4 PDF (PDF/UA-1) with WeasyPrint.

    The structure tree, language, title and bookmarks come from the HTML, so a screen reader
    can use the PDF; its tables are then repaired as PDF/UA checkers expect
    (:mod:`highneeds.paper.formats.pdf_structure`). ``extra_css`` (e.g. the large print stylesheet)
    is added after the paper's own styles, so that its rules win.
    """
    from highneeds.paper.formats.pdf_structure import repair_table_structure
    from highneeds.paper.formats.weasyprint_import import import_weasyprint

    HTML = import_weasyprint().HTML

    if extra_css is not None:
        style = f"<style>\n{extra_css.read_text(encoding='utf-8')}\n</style>\n</head>"
        html = html.replace("</head>", style, 1)
    HTML(string=html, base_url=str(base_url)).write_pdf(target, pdf_variant="pdf/ua-1")
    repair_table_structure(target)


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
