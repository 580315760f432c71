"""What changed between two papers: every printed figure that differs, with its old and new
value and the input cells that moved it."""

from __future__ import annotations

import html
import json
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from highneeds.common.errors import InputDataError
from highneeds.domain.amounts import parse_money
from highneeds.domain.catalog import SOURCE_STEMS
from highneeds.gate.read.sources import read_source
from highneeds.model.basis.lineage import Lineage
from highneeds.paper.text.formatting import round_half_up
from highneeds.runner.archive.archive import hash_tree
from highneeds.runner.archive.outputs import CHANGES_JSON
from highneeds.runner.changes.changes_page import PAGE_KEY, PageContent, write_page
from highneeds.runner.changes.history import HEADLINES, PLACES, PaperHeadlines, headlines_of
from highneeds.runner.changes.history import shown as shown_value
from highneeds.runner.changes.word_diff import WordDiff, word_diff

FIGURES_FILE = "processed/paper_figures.json"
TABLE_STEMS = tuple(SOURCE_STEMS.values())
#: How many leading columns name a row, in tables where the first alone does not.
KEY_COLUMNS = {
    "interventions": 2,
    "placements_by_category": 2,
    "forecast_assumptions": 3,
    "intervention_places": 3,
    "earlier_forecasts": 3,
}


@dataclass(frozen=True)
class CellChange:
    """One cell of an input table that differs between the two runs."""

    table: str
    file: str
    row: str
    column: str
    old: str
    new: str
    #: The row's number in the file as its author sees it (where the file still has the row).
    row_number: int | None = None

    def __str__(self) -> str:
        old, new = self.old or "(blank)", self.new or "(blank)"
        return f"{self.file}: {self.row}, {self.column}: {old} → {new}"


@dataclass
class FigureChange:
    """A figure printed in the paper whose text differs between the two runs."""

    figure: str
    where: str
    old: str | None
    new: str | None
    moved_by: list[str] = field(default_factory=list)
    #: Where a reader finds it ("para 7.13"), and what it is, in words (from its lineage).
    paragraph: str = ""
    label: str = ""


def _cells(inputs: Path, stem: str) -> tuple[str, dict[tuple[str, str], tuple[str, int]]]:
    """An input table's cells, with their row numbers, keyed by (the cells that name the row,
    column heading)."""
    try:
        table = read_source(inputs, stem)
    except InputDataError:
        return f"{stem}", {}
    cells: dict[tuple[str, str], tuple[str, int]] = {}
    width = KEY_COLUMNS.get(stem, 1)
    for row, number in zip(table.rows, table.row_numbers, strict=True):
        key = " / ".join(cell or "(blank)" for cell in row[:width])
        for heading, cell in zip(table.header[width:], row[width:], strict=False):
            cells[(key, heading)] = (cell, number)
    return table.name, cells


def _same_value(before: str, after: str) -> bool:
    """Whether two cells hold the same value, however written: ``(4,224)`` in a CSV and
    ``-4224`` read from a workbook are one amount, and no edit."""
    if before == after:
        return True
    try:
        old, new = parse_money(before), parse_money(after)
    except ValueError:
        return False
    return old is not None and new is not None and old == new


def input_changes(old_inputs: Path, new_inputs: Path) -> list[CellChange]:
    """Every input table cell that differs between two runs' copies of the inputs (none, without
    reading a table, where the two copies hold the same files byte for byte)."""
    changes: list[CellChange] = []
    if hash_tree(old_inputs) == hash_tree(new_inputs):
        return changes
    for stem in TABLE_STEMS:
        _, old = _cells(old_inputs, stem)
        name, new = _cells(new_inputs, stem)
        for key in sorted(set(old) | set(new)):
            before, after = old.get(key, ("", None)), new.get(key, ("", None))
            if not _same_value(before[0], after[0]):
                changes.append(
                    CellChange(stem, name, key[0], key[1], before[0], after[0], after[1])
                )
    return changes


#: The text inputs whose edits the change log names, and shows word by word.
TEXT_INPUTS = ("narrative.md", "paper.yaml")


def _text_inputs_changed(old_inputs: Path, new_inputs: Path) -> list[str]:
    return _edited_names(_edited_texts(old_inputs, new_inputs))


def _edited_names(edited: list[tuple[str, tuple[str, str]]]) -> list[str]:
    return [f"{name} (edited)" for name, _ in edited]


def _edited_texts(old_inputs: Path, new_inputs: Path) -> list[tuple[str, tuple[str, str]]]:
    """Each text input that differs, with its old and new text."""
    edited = []
    for name in TEXT_INPUTS:
        old, new = old_inputs / name, new_inputs / name
        before = old.read_bytes() if old.is_file() else b""
        after = new.read_bytes() if new.is_file() else b""
        if before != after:
            texts = (before.decode("utf-8", "replace"), after.decode("utf-8", "replace"))
            edited.append((name, texts))
    return edited


def compare_papers(old_run: Path, new_run: Path) -> tuple[list[FigureChange], list[CellChange]]:
    """Figures that differ between two run folders, each with the input changes behind it."""
    old_figures = _figures(old_run)
    new_figures = _figures(new_run)
    cells = input_changes(old_run / "inputs", new_run / "inputs")
    changed = [
        figure_id
        for figure_id in dict.fromkeys([*old_figures, *new_figures])
        if not (
            figure_id in old_figures
            and figure_id in new_figures
            # Compared as read: a paper kept from before texts were stored unescaped
            # ("Plan&#39;s") reads the same as one after.
            and html.unescape(old_figures[figure_id]["text"])
            == html.unescape(new_figures[figure_id]["text"])
        )
    ]
    changes: list[FigureChange] = []
    if not changed:  # the lineage says why a figure moved: read it only if one did
        return changes, cells
    lineage = Lineage.read(new_run / "processed")
    texts = _text_inputs_changed(old_run / "inputs", new_run / "inputs")
    for figure_id in changed:
        old, new = old_figures.get(figure_id), new_figures.get(figure_id)
        record = new or old or {}
        # A figure printed, or no longer printed, where the text that prints it was edited:
        # the prose edit did it (not the cells its value comes from).
        added_or_removed = (old is None) != (new is None)
        written_in = _written_in(record)
        edit = [t for t in texts if t.startswith(written_in)] if written_in else []
        moved = (
            [f"{edit[0]}: {'newly printed' if old is None else 'no longer printed'}"]
            if added_or_removed and edit
            else [str(c) for c in _cells_behind(record, cells, lineage if new else Lineage())]
        )
        if not moved and "simulation_seed" in record.get("sources", []):
            moved = ["the simulations: each cycle draws with its own seed"]
        if not moved and _reads_the_cycle(lineage, str(record.get("traces") or "").lstrip("-")):
            moved = [CYCLE_MOVED]
        if not moved:
            moved = texts or ["no input changed: the model or the code did"]
        key = str(record.get("traces") or "").lstrip("-")
        changes.append(
            FigureChange(
                figure_id,
                record.get("where", ""),
                old["text"] if old else None,
                new["text"] if new else None,
                moved,
                f"para {record['paragraph']}" if record.get("paragraph") else "",
                lineage[key].label if key in lineage else "",
            )
        )
    return changes, cells


#: Why a figure moved between two cycles with the same inputs: it is computed from the month.
CYCLE_MOVED = (
    "the cycle's month: the figure is computed from it (growth to date is over the months to it)"
)


def _reads_the_cycle(lineage: Lineage, key: str) -> bool:
    """Whether the figure ``key`` is computed from the cycle's own label (its month)."""
    return key in lineage and any(
        leaf.cell is not None and leaf.cell.file.startswith("the cycle's folder")
        for leaf in lineage.inputs_of(key)
    )


def _written_in(record: dict[str, Any]) -> str:
    """The text file a printed figure's placeholder is written in: the narrative, for a
    paragraph's; none for a table's (the pipeline draws tables)."""
    return "narrative.md" if str(record.get("where", "")).startswith("para ") else ""


def _cells_behind(
    record: dict[str, Any], cells: list[CellChange], lineage: Lineage
) -> list[CellChange]:
    """The changed cells a printed figure was computed from: by its lineage (the very cells
    its derivation reads), or, for a run that recorded none, by the input tables its
    placeholder draws on."""
    key = str(record.get("traces") or "").lstrip("-")
    if key in lineage:
        used = {
            (leaf.cell.file, leaf.cell.row, leaf.cell.column)
            for leaf in lineage.inputs_of(key)
            if leaf.cell is not None
        }
        return [c for c in cells if (c.file, c.row_number, c.column) in used]
    sources, rows = set(record.get("sources", [])), set(record.get("rows", []))
    return [
        c
        for c in cells
        if c.table in sources and (not rows or c.table != "figures" or c.row in rows)
    ]


def _figures(run_dir: Path) -> dict[str, dict[str, Any]]:
    path = run_dir / FIGURES_FILE
    if not path.is_file():
        return {}
    return {f["id"]: f for f in json.loads(path.read_text(encoding="utf-8"))}


def _comparison(run_dir: Path, baseline: Path, label: str) -> tuple[dict[str, Any], dict[str, Any]]:
    """One comparison with ``baseline``: as ``changes.json`` records it, and as the page shows
    it (the figures that differ and the edits behind them)."""
    figures, cells = compare_papers(baseline, run_dir)
    recorded = {
        "compared_with": label,
        "baseline_run": baseline.name,
        "figures_changed": len(figures),
        "figures": [asdict(f) for f in figures],
        "input_cells_changed": [asdict(c) for c in cells],
    }
    edited = _edited_texts(baseline / "inputs", run_dir / "inputs")  # read once, for both
    shown = {
        "compared_with": label,
        "figures": figures,
        "cells": cells,
        "texts": _edited_names(edited),
        "text_diffs": [word_diff(name, *texts) for name, texts in edited],
    }
    return recorded, shown


def headline_summary(
    baseline: Path, run_dir: Path, label: str, shown: Mapping[str, Any]
) -> list[str]:
    """What a councillor reads first, in sentences: how each headline figure of the forecast
    moved since ``baseline`` (old -> new, and by how much), and what was edited to move it."""
    old, new = headlines_of("", baseline), headlines_of("", run_dir)
    if old is None or new is None:
        return []
    moved = []
    for name, (words, _) in HEADLINES.items():
        before, after = old.values.get(name), new.values.get(name)
        if before is None or after is None or shown_value(name, before) == shown_value(name, after):
            continue
        by = round_half_up(after - before, PLACES[name])
        sign = "up" if by > 0 else "down"
        moved.append(
            f"{words[:1].lower()}{words[1:]}: {shown_value(name, before)} → "
            f"{shown_value(name, after)} ({sign} {shown_value(name, abs(float(by)))})"
        )
    if not moved:
        return [f"No headline figure of the forecast moved since {label}."]
    cells, texts = shown.get("cells", []), shown.get("texts", [])
    files = sorted({cell.file for cell in cells})
    edits = [f"{len(cells)} cell(s) of {', '.join(files)}" if cells else "", *texts]
    why = "; ".join(e for e in edits if e) or "no input was edited (the model or the code moved it)"
    return [f"Since {label}:", *moved, f"What was edited: {why}."]


def write_changes(
    run_dir: Path,
    baselines: list[tuple[Path, str]],
    none_label: str = "no earlier paper",
    history: list[PaperHeadlines] | None = None,
    code: Mapping[str, str] | None = None,
    published: Path | None = None,
) -> dict[str, Any]:
    """Write ``changes.json`` and ``changes.html`` into the run folder: what changed since each
    of ``baselines`` (the cycle's previously published paper, then the previous cycle's), with
    the forecast's ``history`` from paper to paper where given; return the JSON. The first
    comparison is the JSON's own keys; any other is under ``also_compared_with``. The page is
    the ``published`` run's, copied, where it would read the same, drawn by the same ``code``
    (:mod:`highneeds.runner.changes.changes_page`)."""
    comparisons = [_comparison(run_dir, path, label) for path, label in baselines]
    public = [recorded for recorded, _ in comparisons]
    empty: dict[str, Any] = {
        "compared_with": none_label,
        "baseline_run": None,
        "figures_changed": 0,
        "figures": [],
        "input_cells_changed": [],
    }
    summary = (
        headline_summary(baselines[0][0], run_dir, baselines[0][1], comparisons[0][1])
        if baselines
        else []
    )
    content = PageContent(
        [shown for _, shown in comparisons],
        none_label,
        [{"cycle": h.cycle, "final_year": h.final_year, "values": h.values} for h in history or []],
        history[-1].track_record if history else [],
        summary,
    )
    page_key = write_page(run_dir, content, code or {}, published)
    payload = {
        **(public[0] if public else empty),
        "also_compared_with": public[1:],
        "forecast_history": [asdict(h) for h in history or []],
        PAGE_KEY: page_key,
    }
    (run_dir / CHANGES_JSON).write_text(json.dumps(payload, indent=2) + "\n", encoding="utf-8")
    return payload


def page_redraw_problems(run_dir: Path) -> list[str]:
    """``changes.html`` drawn again from the content the run recorded beside it: the page a
    run copied from the last one, or any page, must be that content's. What differs, said
    as verify reports it; nothing for a run from before the content was recorded."""
    from highneeds.runner.archive.outputs import CHANGES_HTML, CHANGES_PAGE_JSON
    from highneeds.runner.changes.changes_page import drawn

    try:
        data = json.loads((run_dir / CHANGES_PAGE_JSON).read_text(encoding="utf-8"))
    except FileNotFoundError:
        return []
    except (OSError, ValueError) as error:
        return [f"{CHANGES_PAGE_JSON}: cannot be read ({error})"]
    content = PageContent(
        [
            {
                "compared_with": c["compared_with"],
                "figures": [FigureChange(**f) for f in c["figures"]],
                "cells": [CellChange(**cell) for cell in c["cells"]],
                "texts": c["texts"],
                "text_diffs": [WordDiff.from_json(d) for d in c.get("text_diffs", [])],
            }
            for c in data["comparisons"]
        ],
        data["none_label"],
        data["history"],
        data["track_record"],
        data["summary"],
    )
    page = (run_dir / CHANGES_HTML).read_text(encoding="utf-8")
    if drawn(content) != page:
        return [f"{CHANGES_HTML}: differs when drawn again from its content ({CHANGES_PAGE_JSON})"]
    return []
