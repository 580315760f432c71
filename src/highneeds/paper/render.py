"""Render the executed report notebook to the paper: HTML with nbconvert, PDF with WeasyPrint."""

from __future__ import annotations

import functools
import json
import subprocess
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from highneeds.errors import HighNeedsError

if TYPE_CHECKING:
    from highneeds.paper.assemble import PaperParts

#: The nbconvert template: a folder of this package's ``templates/``.
TEMPLATE_NAME = "cabinet-paper"
TEMPLATES_DIR = Path(__file__).parent / "templates"
#: Added after the paper's own styles for the large print PDF.
LARGE_PRINT_CSS = TEMPLATES_DIR / TEMPLATE_NAME / "large-print.css"


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
    paper = {key: str(meta[key]) for key in ("title", "committee", "meeting", "council")}
    paper["date"] = date
    body, _ = _exporter().from_notebook_node(notebook, resources={"paper": paper})
    return body


@functools.cache
def _exporter() -> Any:
    """nbconvert's HTML exporter with the paper's template, made once per process (its
    templates are compiled once; Jinja still reloads a template whose file changed)."""
    from nbconvert import HTMLExporter

    return HTMLExporter(
        template_name=TEMPLATE_NAME,
        extra_template_basedirs=[str(TEMPLATES_DIR)],
        exclude_input=True,
        exclude_input_prompt=True,
        exclude_output_prompt=True,
    )


def paper_notebook(parts: PaperParts) -> Any:
    """The paper's parts as the report notebook's ``paper`` cells hold them once executed
    (header, recommendations, the sections, footer: one HTML output each), for
    :func:`render_html` without a kernel."""
    from nbformat.v4 import new_code_cell, new_notebook, new_output

    def cell(*html: str) -> Any:
        outputs = [new_output("display_data", data={"text/html": part}) for part in html]
        return new_code_cell(metadata={"tags": ["paper"]}, outputs=outputs)

    return new_notebook(
        cells=[
            cell(parts.header),
            cell(parts.recommendations),
            cell(*parts.sections),
            cell(parts.footer),
        ]
    )


def render_pdf(html: str, target: Path, base_url: Path, extra_css: Path | None = None) -> None:
    """Lay the HTML out as a tagged A4 PDF (PDF/UA-1) with WeasyPrint.

    The structure tree, language, title and bookmarks come from the HTML, so a screen reader
    can use the PDF; its tables are then repaired as PDF/UA checkers expect
    (:mod:`highneeds.paper.pdf_structure`). ``extra_css`` (e.g. the large print stylesheet)
    is added after the paper's own styles, so that its rules win.
    """
    from weasyprint import HTML

    from highneeds.paper.pdf_structure import repair_table_structure

    if extra_css is not None:
        style = f"<style>\n{extra_css.read_text(encoding='utf-8')}\n</style>\n</head>"
        html = html.replace("</head>", style, 1)
    HTML(string=html, base_url=str(base_url)).write_pdf(target, pdf_variant="pdf/ua-1")
    repair_table_structure(target)


class PdfWorker:
    """A second process that lays out one PDF while this process lays out another.

    WeasyPrint's layout is single-threaded Python, so two PDFs side by side take two
    processes. The worker is started ahead of need, imports WeasyPrint while the kernels
    compute, then waits for its one job on standard input (``python -m highneeds.paper.render``).
    """

    def __init__(self, env: Mapping[str, str] | None = None) -> None:
        """Start the worker, with ``env`` as its environment (default: this process's)."""
        self.process = subprocess.Popen(
            [sys.executable, "-m", "highneeds.paper.render"],
            stdin=subprocess.PIPE,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
            start_new_session=True,  # Ctrl-C reaches the pipeline, which stops the worker
            env=None if env is None else dict(env),
        )

    def start(
        self, html_file: Path, target: Path, base_url: Path, extra_css: Path | None = None
    ) -> None:
        """Give the worker its job: lay out ``html_file`` as the PDF ``target``."""
        assert self.process.stdin is not None
        job = {
            "html": str(html_file),
            "target": str(target),
            "base_url": str(base_url),
            "extra_css": str(extra_css) if extra_css else None,
        }
        self.process.stdin.write(json.dumps(job) + "\n")
        self.process.stdin.close()

    def wait(self, what: str) -> None:
        """Wait for the job; raise if the worker could not lay ``what`` out."""
        assert self.process.stderr is not None
        errors = self.process.stderr.read()
        if self.process.wait() != 0:
            last = errors.strip().splitlines()[-1:] or ["the worker stopped without a message"]
            raise HighNeedsError(f"the {what} could not be laid out: {last[0]}")

    def stop(self) -> None:
        """Stop the worker if it is still running (the run failed or was interrupted)."""
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait()
        for stream in (self.process.stdin, self.process.stderr):
            if stream is not None and not stream.closed:
                stream.close()


def _serve_one_pdf() -> None:
    """The worker's side of :class:`PdfWorker`: import, wait for one job, lay it out."""
    import weasyprint  # noqa: F401  (the point: imported before the job arrives)

    line = sys.stdin.readline()
    if not line:  # the pipeline needed no PDF after all
        return
    job = json.loads(line)
    render_pdf(
        Path(job["html"]).read_text(encoding="utf-8"),
        Path(job["target"]),
        Path(job["base_url"]),
        Path(job["extra_css"]) if job["extra_css"] else None,
    )


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


if __name__ == "__main__":
    _serve_one_pdf()
