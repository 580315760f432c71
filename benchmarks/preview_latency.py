"""How soon a save shows in the preview: from the moment an edited input is written to the
moment the browser (Debian's Chromium, headless) has loaded the page with the new text.

Three edits, in turn, each with a value never used before (so nothing the preview keeps
from an earlier build can answer for it): a sentence of the narrative (target 1.0 s); the
CPI uplift in ``figures.csv``, which the gate validates again and the model carries into the
scenarios, their chart and the tables (target 2.0 s; the tornado and the fan chart, of the
forecast with the Recovery Plan, do not move, and the preview reuses their drawings); and the
final year's Recovery Plan Impact in the budget table, which the gate checks with its
identities and the model rolls into the mitigated forecast, the sensitivity and the
simulations, so that all three charts are drawn again (target 2.0 s, and no slower than the
``figures.csv`` edit). Run alone with
``python benchmarks/preview_latency.py``, or as part of ``make bench``.
"""

from __future__ import annotations

import json
import re
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

#: The sentence of the shipped narrative (para 16.1) the narrative edit replaces.
APPENDIX = "Appendix A: How the figures were calculated."

CYCLE = "2022-01"
TARGETS = {"narrative_edit": 1.0, "table_edit": 2.0, "budget_edit": 2.0}
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]
#: A figure of figures.csv the paper quotes (para 2.8's £357k); the edit changes its value.
COMMITMENT = "schools_forum_commitment,357,"
#: The budget's Recovery Plan Impact line; the edit changes its final year, (135).
IMPACT = "Recovery Plan Impact,,,(33),(93),(135)"


def measure(project: Path, repetitions: int) -> dict[str, list[float]]:
    """Seconds from save to text shown in the browser, and the preview's own build time."""
    from playwright.sync_api import sync_playwright

    raw = project / "data" / "raw" / CYCLE
    narrative, figures = raw / "narrative.md", raw / "figures.csv"
    budget = raw / "high_needs_budget.csv"
    shipped = {path: path.read_text(encoding="utf-8") for path in (narrative, figures, budget)}
    results: dict[str, list[float]] = {f"{k}{s}": [] for k in TARGETS for s in ("", "_build")}
    for path, was in ((figures, COMMITMENT), (budget, IMPACT), (narrative, APPENDIX)):
        if was not in shipped[path]:  # the edit would change nothing, and wait for ever
            raise SystemExit(f"{path.name} no longer holds {was!r}: update the benchmark")
    server = subprocess.Popen(
        [sys.executable, "pipeline.py", "preview", "--cycle", CYCLE, "--port", "0"],
        cwd=project,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    try:
        assert server.stdout is not None
        url = re.search(r"http://\S+/", server.stdout.readline()).group(0)  # type: ignore[union-attr]
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            page = browser.new_page()
            page.goto(url)
            for repetition in range(repetitions):
                sentence, commitment = f"No appendices, edit {repetition}.", 358 + repetition
                impact = 201 + repetition  # shown in Table 1 as "(201)"
                edits = {
                    "narrative_edit": (
                        narrative,
                        shipped[narrative].replace(APPENDIX, sentence),
                        sentence,
                    ),
                    "table_edit": (
                        figures,
                        shipped[figures].replace(
                            COMMITMENT, COMMITMENT.replace("357", str(commitment))
                        ),
                        f"£{commitment}k",
                    ),
                    "budget_edit": (
                        budget,
                        shipped[budget].replace(IMPACT, IMPACT.replace("(135)", f"({impact})")),
                        f"({impact})",
                    ),
                }
                for kind, (path, text, shown) in edits.items():
                    path.write_text(text, encoding="utf-8")
                    saved = time.perf_counter()
                    results[kind].append(_shown_after(page, shown, True) - saved)
                    results[f"{kind}_build"].append(_state(url)["seconds"])
                    path.write_text(shipped[path], encoding="utf-8")
                    _shown_after(page, shown, False)
            browser.close()
    finally:
        for path, text in shipped.items():
            path.write_text(text, encoding="utf-8")
        server.terminate()
        server.wait(timeout=30)
    return results


def _shown_after(page: object, text: str, present: bool) -> float:
    """When the page that shows (or no longer shows) ``text`` was loaded: the moment of its
    DOMContentLoaded, the new text then in the document. (A locator's wait polls at growing
    intervals, up to half a second, and would measure its own polling.)"""
    while True:
        page.wait_for_event("domcontentloaded", timeout=60_000)  # type: ignore[attr-defined]
        loaded = time.perf_counter()
        if (page.get_by_text(text).count() > 0) == present:  # type: ignore[attr-defined]
            return loaded


def _state(url: str) -> dict:
    with urllib.request.urlopen(url + "_preview/state", timeout=30) as response:
        return json.load(response)


def main() -> int:
    sys.path.insert(0, str(Path(__file__).parent))
    from project_copy import copy_project

    with tempfile.TemporaryDirectory(prefix="highneeds-preview-bench-") as temporary:
        results = measure(copy_project(Path(temporary) / "project"), 5)
    for kind, values in results.items():
        print(
            f"{kind:<22}median {statistics.median(values):.2f} s  (min {min(values):.2f}, "
            f"max {max(values):.2f}, {len(values)} saves)"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
