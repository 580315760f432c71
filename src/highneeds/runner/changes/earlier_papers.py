"""The forecasts of the council's earlier published papers, added to a run's inputs so that
the model can score them against this cycle's outturn (``model/forecast/track_record.py``).

Each figure is read from the lineage its run recorded (exactly what that paper printed,
whatever the code computes today): the deficit carried forward, no interventions and with the
Recovery Plan, for each year from the paper's own financial year on that this cycle gives
as outturn. The rows join those the
cycle's own ``earlier_forecasts.csv`` gives (papers published before the tool); where both
have a paper, the published run's rows are used. A table given as a workbook, or named in
``sources.yaml``, is left as the author wrote it.
"""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

from highneeds.common.paths import CyclePaths, financial_year_of
from highneeds.gate.read.layout import SOURCES_FILE
from highneeds.gate.read.sources import load_sources
from highneeds.model.basis.lineage import Lineage
from highneeds.runner.archive.cycles import available_cycles
from highneeds.runner.archive.publishing import published_run

STEM = "earlier_forecasts"
COLUMNS = ("paper", "figure", "year", "forecast", "source")
_KEY = re.compile(r"^(unmitigated|mitigated)\.cfwd\[(\d{4}/\d{2})\]$")


def _plain(value: float) -> str:
    return f"{value:.3f}".rstrip("0").rstrip(".")


def published_forecasts(root: Path, cycle: str, council: str | None) -> list[dict[str, str]]:
    """Every earlier cycle's published paper's forecasts of the years this cycle gives as
    outturn (those that ended before its financial year began), oldest paper first: a paper
    of the same financial year adds nothing, so monthly cycles' inputs do not change."""
    rows: list[dict[str, str]] = []
    outturn_before = financial_year_of(cycle)
    for earlier in available_cycles(root, council):
        if earlier >= cycle:
            continue
        run = published_run(CyclePaths(root, earlier, council).reports)
        if run is None:
            continue
        own_year = financial_year_of(earlier)
        lineage = Lineage.read(run / "processed")
        for key in sorted(lineage):
            match = _KEY.match(key)
            if match is None or not own_year <= match.group(2) < outturn_before:
                continue
            rows.append(
                {
                    "paper": earlier,
                    "figure": match.group(1),
                    "year": match.group(2),
                    "forecast": _plain(float(lineage[key].value)),
                    "source": f"the published paper of cycle {earlier} (run {run.name}): {key}",
                }
            )
    return rows


def add_published_forecasts(inputs: Path, rows: list[dict[str, str]]) -> int:
    """Write ``rows`` into the run's ``earlier_forecasts.csv`` beside the author's rows of
    other papers; return how many rows the file has (0: nothing written, the author's
    file, if any, untouched). A workbook, a
    table ``sources.yaml`` names, or a CSV whose header is not the table's is left alone."""
    path = inputs / f"{STEM}.csv"
    if (
        not rows
        or (inputs / f"{STEM}.xlsx").exists()
        or ((inputs / SOURCES_FILE).is_file() and STEM in load_sources(inputs))
    ):
        return 0
    kept: list[dict[str, str]] = []
    if path.is_file():
        with path.open(encoding="utf-8-sig", newline="") as handle:
            reader = csv.DictReader(handle)
            if not set(COLUMNS) <= set(reader.fieldnames or ()):
                return 0  # the gate says what is wrong with it
            papers = {row["paper"] for row in rows}
            kept = [
                {c: r.get(c) or "" for c in COLUMNS}
                for r in reader
                if (r.get("paper") or "").strip() not in papers
            ]
    out = io.StringIO()
    writer = csv.DictWriter(out, COLUMNS, lineterminator="\n")
    writer.writeheader()
    writer.writerows([*kept, *rows])
    path.write_text(out.getvalue(), encoding="utf-8")
    return len(kept) + len(rows)
