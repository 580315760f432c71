"""Every file a run publishes, declared once: the render step's writes, the manifest's
reproducible outputs, the archive's published names and the command line's summary read this
list, so a new output format is one writer and one line here."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Output:
    """One published file: its name in a run folder (and beside the runs), what the command
    line's summary calls it, whether the same inputs must reproduce it byte for byte, and
    whether the render step writes it."""

    name: str
    title: str
    reproducible: bool = True
    rendered: bool = True


PAPER_HTML = "cabinet-report.html"
#: The same paper with every figure linked to how it was computed, down to the input cells.
PAPER_AUDIT = "cabinet-report-audit.html"
PAPER_PDF = "cabinet-report.pdf"
PAPER_LARGE_PRINT = "cabinet-report-large-print.pdf"
PAPER_DOCX = "cabinet-report.docx"
DFE_RETURN = "dfe-management-plan.xlsx"
MANIFEST = "manifest.json"
CHANGES_HTML = "changes.html"
CHANGES_JSON = "changes.json"
#: The content ``changes.html`` was drawn from, kept in the run folder for ``verify`` to draw
#: the page again from (the page is copied from the last run's when it reads the same).
CHANGES_PAGE_JSON = "changes-page.json"
#: The notebook that writes the paper, and where a run folder keeps it executed: the render
#: reads the paper from it (and the parameters papermill recorded in it).
REPORT_NOTEBOOK = "04_cabinet_report"
EXECUTED_REPORT = f"notebooks/{REPORT_NOTEBOOK}.ipynb"

#: In the order the command line lists them.
OUTPUTS: tuple[Output, ...] = (
    Output(PAPER_HTML, "HTML"),
    Output(PAPER_PDF, "PDF"),
    Output(PAPER_LARGE_PRINT, "large print PDF"),
    Output(PAPER_DOCX, "Word"),
    Output(PAPER_AUDIT, "auditor's edition"),
    Output(DFE_RETURN, "DfE return"),
    Output(CHANGES_HTML, "what changed", reproducible=False, rendered=False),
    Output(CHANGES_JSON, "", reproducible=False, rendered=False),
    Output(MANIFEST, "manifest", reproducible=False, rendered=False),
)
#: Published beside the runs: the latest successful run's files, by these names.
PUBLISHED_FILES = tuple(output.name for output in OUTPUTS)
#: What the render step writes.
RENDERED_FILES = tuple(output.name for output in OUTPUTS if output.rendered)
#: What the same inputs must reproduce byte for byte (besides notebooks and tables).
REPRODUCIBLE_FILES = tuple(output.name for output in OUTPUTS if output.reproducible)


def summary_lines(folder: Path) -> list[str]:
    """The command line's list of a cycle's published files (``folder``: where they are),
    titles aligned: those the published run has (a run for the HTML only has no PDF)."""
    titled = [output for output in OUTPUTS if output.title and (folder / output.name).exists()]
    width = max(len(output.title) for output in titled) + 1
    return [f"  {(output.title + ':').ljust(width)} {folder}/{output.name}" for output in titled]


#: Where notebook 04 lists the claims of the narrative the forecast does not bear out.
CLAIMS = "processed/claims.json"
#: Where notebook 04 keeps the paper's metadata as it read and checked it, for the render.
PAPER_META = "processed/paper_meta.json"


def read_claims(run_dir: Path) -> list[str]:
    """The warnings notebook 04 wrote about the narrative's claims (none if it wrote none)."""
    path = run_dir / CLAIMS
    if not path.is_file():
        return []
    claims = json.loads(path.read_text(encoding="utf-8"))
    return [str(claim) for claim in claims] if isinstance(claims, list) else []
