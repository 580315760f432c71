"""``changes.html``: what changed in the paper, for people to read.

The page is made from its :class:`PageContent` alone (each comparison's label, figures and
edits; each paper's headline figures) and the code that draws it. A run whose page would be the
published run's, as it is after a re-run with nothing changed, copies that page instead of
drawing it: no template is compiled, and the forecast's history chart, which needs matplotlib,
is not drawn again. ``changes.json`` records each page's content key for the next run to compare.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from highneeds.runner.archive.archive import hash_known, read_manifest, sha256, sha256_json
from highneeds.runner.archive.outputs import CHANGES_HTML, CHANGES_JSON, CHANGES_PAGE_JSON
from highneeds.runner.changes.history import HEADLINES, shown

#: Where ``changes.json`` keeps the content key of the page written beside it.
PAGE_KEY = "page_key"


@dataclass(frozen=True)
class PageContent:
    """Everything ``changes.html`` shows, as data: no run id, which the page does not print,
    so that two runs whose pages read the same have the same content."""

    #: Each comparison's ``compared_with``, ``figures`` (FigureChange), ``cells``
    #: (CellChange), ``texts`` (the text files edited) and ``text_diffs`` (their edits word
    #: by word, :class:`~highneeds.runner.changes.word_diff.WordDiff`).
    comparisons: list[dict[str, Any]]
    #: What the page says when there is no earlier paper to compare with.
    none_label: str
    #: Each cycle's paper, oldest first: its ``cycle``, ``final_year`` and headline ``values``.
    history: list[dict[str, Any]]
    #: The newest paper's earlier forecasts against the outturn (``runner/changes/history.py``).
    track_record: list[dict[str, str]] = field(default_factory=list)
    #: What a councillor reads first: the headline figures old -> new and what moved them.
    summary: list[str] = field(default_factory=list)

    def as_json(self) -> dict[str, Any]:
        """The content as JSON data (what the key hashes, and what ``verify`` redraws from)."""
        comparisons = [
            {
                "compared_with": c["compared_with"],
                "figures": [asdict(f) for f in c["figures"]],
                "cells": [asdict(cell) for cell in c["cells"]],
                "texts": c["texts"],
                "text_diffs": [d.as_json() for d in c.get("text_diffs", [])],
            }
            for c in self.comparisons
        ]
        return {
            "comparisons": comparisons,
            "none_label": self.none_label,
            "history": self.history,
            "track_record": self.track_record,
            "summary": self.summary,
        }

    def key(self, code: Mapping[str, str]) -> str:
        """The page's content key: this content, drawn by this ``code`` (the package's and
        the lock file's hashes, as the run's steps were keyed with them)."""
        return sha256_json({"changes_page": self.as_json(), **code})


def write_page(
    run_dir: Path, content: PageContent, code: Mapping[str, str], published: Path | None
) -> str:
    """Write ``changes.html`` into ``run_dir``: a copy of the ``published`` run's page where
    that page has the same content key and is intact, else drawn. Returns the key."""
    key = content.key(code)
    recorded = json.dumps(content.as_json(), indent=1, sort_keys=True, ensure_ascii=False)
    (run_dir / CHANGES_PAGE_JSON).write_text(recorded + "\n", encoding="utf-8")
    target = run_dir / CHANGES_HTML
    reusable = _same_page(published, key) if published is not None else None
    if reusable is not None:
        page, digest = reusable
        shutil.copy2(page, target)
        hash_known(target, digest)
    else:
        target.write_text(drawn(content), encoding="utf-8")
    return key


def drawn(content: PageContent) -> str:
    """The page's text, as written to ``changes.html``."""
    return render_page(content) + "\n"


def _same_page(published: Path, key: str) -> tuple[Path, str] | None:
    """The published run's page and its hash, if it was written for ``key`` and its bytes are
    still those its manifest recorded."""
    try:
        recorded = json.loads((published / CHANGES_JSON).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(recorded, dict) or recorded.get(PAGE_KEY) != key:
        return None
    page = published / CHANGES_HTML
    digest = ((read_manifest(published) or {}).get("documents") or {}).get(CHANGES_HTML)
    if not isinstance(digest, str) or not page.is_file() or sha256(page) != digest:
        return None
    return page, digest


def render_page(content: PageContent) -> str:
    """The page drawn from its content (autoescaped: every text from an input is escaped)."""
    from highneeds.common.templating import render_template

    return render_template(
        "highneeds.runner",
        "changes.html.j2",
        # A page recorded before edits were shown word by word has none to show.
        comparisons=[{"text_diffs": [], **c} for c in content.comparisons],
        none_label=content.none_label,
        history=_history_view(content.history),
        track_record=content.track_record,
        summary=content.summary,
    )


def _history_view(history: list[dict[str, Any]]) -> dict[str, Any] | None:
    """The forecast's history as the page shows it: a table, and a chart of the two deficits
    once there are two papers to join."""
    if not history:
        return None
    rows = [
        {
            "cycle": h["cycle"],
            "final_year": h["final_year"],
            # In the headings' order, whatever order the values were recorded in.
            "figures": [
                "" if h["values"].get(n) is None else shown(n, h["values"][n]) for n in HEADLINES
            ],
        }
        for h in history
    ]
    headings = [label for label, _ in HEADLINES.values()]
    view: dict[str, Any] = {"headings": headings, "rows": rows, "chart": None, "chart_alt": ""}
    if len(history) > 1:
        from highneeds.paper.charts.history_chart import describe_history, history_chart_data_uri

        cycles = [h["cycle"] for h in history]
        series = {
            "No interventions": [h["values"]["unmitigated"] for h in history],
            "With the Recovery Plan": [h["values"]["mitigated"] for h in history],
        }
        view["chart"] = history_chart_data_uri(cycles, series)
        view["chart_alt"] = describe_history(cycles, series)
    return view
