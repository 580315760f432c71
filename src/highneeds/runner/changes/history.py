"""The council's earlier published papers, read from the lineage each run recorded (exactly
what each paper printed, whatever the code computes today):

- how the forecast's headline figures moved from paper to paper, across every cycle with a
  published paper (and the run being published): for ``changes.html`` and
  ``explain --history``;
- their forecasts, added to a run's inputs so that the model can score them against this
  cycle's outturn (``model/forecast/track_record.py``): the deficit carried forward, no
  interventions and with the Recovery Plan, for each year from the paper's own financial year
  on that this cycle gives as outturn. The rows join those the cycle's own
  ``earlier_forecasts.csv`` gives (papers published before the tool); where both have a paper,
  the published run's rows are used. A table given as a workbook, or named in
  ``sources.yaml``, is left as the author wrote it."""

from __future__ import annotations

import csv
import io
import json
import re
from dataclasses import asdict, dataclass, field
from pathlib import Path

from highneeds.common.paths import CyclePaths, financial_year_of
from highneeds.domain.amounts import value_text
from highneeds.gate.read.layout import SOURCES_FILE
from highneeds.gate.read.sources import load_sources
from highneeds.model.basis.lineage import Lineage
from highneeds.paper.text.formatting import round_half_up
from highneeds.runner.archive.cycles import available_cycles
from highneeds.runner.archive.publishing import published_run

#: The headline figures, by name: what they are, and their lineage key in the final year.
HEADLINES = {
    "unmitigated": (
        "Deficit carried forward, final year, no interventions (£000)",
        "unmitigated.cfwd",
    ),
    "mitigated": (
        "Deficit carried forward, final year, with the Recovery Plan (£000)",
        "mitigated.cfwd",
    ),
    "cost_per_plan": ("Average cost per plan, final year (£000)", "demand.cost_per_plan"),
    "plans": ("EHCPs, final year", "demand.plans"),
}
#: The places each headline figure is shown to, as the paper prints it (321 EHCPs, not 320.8).
PLACES = {"unmitigated": 0, "mitigated": 0, "cost_per_plan": 1, "plans": 0}


def shown(name: str, value: float | None) -> str:
    """A headline figure as the paper prints it ("-" where a paper has none)."""
    if value is None:
        return "-"
    return value_text(float(round_half_up(value, PLACES[name])))


@dataclass(frozen=True)
class PaperHeadlines:
    """One paper's headline figures (``None`` where the paper had no such figure)."""

    cycle: str
    run_id: str
    final_year: str
    values: dict[str, float | None]
    #: The earlier papers' forecasts this paper scored against its outturn (``paper``,
    #: ``figure``, ``year``, ``forecast``, ``outturn``, ``error``, ``relative``), as printed.
    track_record: list[dict[str, str]] = field(default_factory=list)


def headlines_of(cycle: str, run_dir: Path) -> PaperHeadlines | None:
    """The headline figures a run's paper printed, from its lineage; ``None`` for a run made
    before lineage was recorded."""
    lineage = Lineage.read(run_dir / "processed")
    if "last_year" not in lineage:
        return None
    last = str(lineage["last_year"].value)
    values: dict[str, float | None] = {}
    for name, (_, prefix) in HEADLINES.items():
        key = f"{prefix}[{last}]"
        values[name] = float(lineage[key].value) if key in lineage else None
    return PaperHeadlines(cycle, run_dir.name, last, values, track_record_of(run_dir))


#: The track record's columns as ``explain --history`` and ``changes.html`` show them.
TRACK_COLUMNS = ("paper", "figure", "year", "forecast", "outturn", "error", "relative")


def track_record_of(run_dir: Path) -> list[dict[str, str]]:
    """The earlier papers' forecasts a run scored (none before it recorded any), written as
    the paper writes them."""
    path = run_dir / "processed" / "track_record.csv"
    if not path.is_file():
        return []
    with path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    out = []
    for row in rows:
        shown_row = {c: row.get(c, "") for c in TRACK_COLUMNS}
        for column in ("forecast", "outturn", "error"):
            shown_row[column] = value_text(float(round_half_up(float(row[column]), 0)))
        shown_row["relative"] = f"{float(row['relative']):.1%}"
        out.append(shown_row)
    return out


def track_record_text(history: list[PaperHeadlines]) -> list[str]:
    """The newest paper's track record as plain lines (none where nothing is scored)."""
    record = history[-1].track_record if history else []
    if not record:
        return []
    header = {c: c for c in TRACK_COLUMNS} | {"relative": "error %"}
    rows = [header, *record]
    widths = {c: max(len(r[c]) for r in rows) for c in TRACK_COLUMNS}
    lines = ["  ".join(r[c].rjust(widths[c]) for c in TRACK_COLUMNS) for r in rows]
    return [
        "",
        f"Earlier papers' forecasts against the outturn, as the paper of {history[-1].cycle} "
        "scores them (£000, a deficit positive; error: outturn less forecast):",
        "",
        *lines,
    ]


def forecast_history(
    root: Path, current: tuple[str, Path] | None = None, council: str | None = None
) -> list[PaperHeadlines]:
    """Every cycle's published paper of the council, oldest first; with ``current`` (cycle,
    run folder), that run stands for its cycle (it is about to be published)."""
    history = []
    for cycle in available_cycles(root, council):
        run = (
            current[1]
            if current and current[0] == cycle
            else published_run(CyclePaths(root, cycle, council).reports)
        )
        headlines = None if run is None else headlines_of(cycle, run)
        if headlines is not None:
            history.append(headlines)
    return history


def history_text(history: list[PaperHeadlines]) -> str:
    """The history as a plain table: one line per paper, one column per headline figure."""
    if not history:
        return "No published paper records its figures' lineage yet: run a cycle first."
    names = list(HEADLINES)
    header = ["cycle", "final year", *names]
    rows = [
        [
            h.cycle,
            h.final_year,
            *(shown(n, h.values[n]) for n in names),
        ]
        for h in history
    ]
    widths = [max(len(str(row[i])) for row in [header, *rows]) for i in range(len(header))]
    lines = [
        "  ".join(str(cell).rjust(width) for cell, width in zip(row, widths, strict=True))
        for row in [header, *rows]
    ]
    legend = [f"  {name}: {label}" for name, (label, _) in HEADLINES.items()]
    return "\n".join(
        [
            "How the forecast moved from paper to paper:",
            "",
            *lines,
            "",
            *legend,
            *track_record_text(history),
        ]
    )


def history_json(history: list[PaperHeadlines]) -> str:
    labels = {name: label for name, (label, _) in HEADLINES.items()}
    return json.dumps({"headlines": labels, "papers": [asdict(h) for h in history]}, indent=1)


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
