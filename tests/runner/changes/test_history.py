"""The forecast's history from paper to paper: `explain --history` and changes.html."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from highneeds.runner.changes.history import forecast_history, headlines_of, history_text
from tests.conftest import CYCLE, HTML_ONLY, built_once, copy_published, run_pipeline

pytestmark = pytest.mark.e2e
NEXT = "2022-02"


@pytest.fixture(scope="session")
def two_cycles(published: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A project copy with two published cycles: the shipped one, and the next with a larger
    Recovery Plan saving in the final year (built once a session; the tests only read it)."""

    def build(root: Path) -> None:
        copy_published(published, root)
        assert run_pipeline(root, NEXT, "--from", CYCLE, command="new-cycle").returncode == 0
        budget = root / "data" / "raw" / NEXT / "high_needs_budget.csv"
        text = budget.read_text(encoding="utf-8")
        budget.write_text(text.replace("(93),(135)", "(93),(175)"), encoding="utf-8")
        figures = root / "data" / "raw" / NEXT / "figures.csv"
        text = figures.read_text(encoding="utf-8")
        figures.write_text(text.replace("nurture_pilot_months,16,", "nurture_pilot_months,17,"))
        result = run_pipeline(root, "-q", "--cycle", NEXT, *HTML_ONLY)
        assert result.returncode == 0, result.stdout + result.stderr

    return built_once(tmp_path_factory, "two-cycles", build)


def test_explain_history_shows_each_papers_headline_figures(two_cycles: Path) -> None:
    result = run_pipeline(two_cycles, "--history", command="explain")
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[2].split() == [
        "cycle",
        "final",
        "year",
        "unmitigated",
        "mitigated",
        "cost_per_plan",
        "plans",
    ]
    # The plans follow this year's growth to date made a rate a year: over the 9 months to
    # January 2022, then the 10 months to February, so the second paper's plans grow slower.
    assert lines[3].split() == [CYCLE, "2024/25", "3,853", "3,592", "20.2", "338"]
    assert lines[4].split() == [NEXT, "2024/25", "3,853", "3,552", "20.6", "331"]
    papers = json.loads(
        run_pipeline(two_cycles, "--history", "--format", "json", command="explain").stdout
    )["papers"]
    assert [p["values"]["mitigated"] for p in papers] == [3592.0, 3552.0]


def test_changes_html_shows_the_history_as_a_table_and_a_chart(two_cycles: Path) -> None:
    folder = two_cycles / "reports" / NEXT
    page = (folder / "changes.html").read_text(encoding="utf-8")
    assert "How the forecast moved from paper to paper" in page
    assert '<th scope="row">2022-01</th><td>2024/25</td><td>3,853</td><td>3,592</td>' in page
    assert 'src="data:image/svg+xml;base64,' in page
    assert (
        "With the Recovery Plan: £3,592k in the 2022-01 paper, £3,552k in the 2022-02 paper" in page
    )
    history = json.loads((folder / "changes.json").read_text(encoding="utf-8"))["forecast_history"]
    assert [h["cycle"] for h in history] == [CYCLE, NEXT]
    assert [h.cycle for h in forecast_history(two_cycles)] == [CYCLE, NEXT]


def test_a_run_without_lineage_has_no_history(tmp_path: Path) -> None:
    (tmp_path / "processed").mkdir()
    assert headlines_of(CYCLE, tmp_path) is None
    assert history_text([]).startswith("No published paper records")


def test_changes_name_the_very_cells_a_moved_figure_was_computed_from(two_cycles: Path) -> None:
    """Two cells changed, one in each table: each moved figure names only the cell its
    derivation read (by table alone, the top-up scenario would name both)."""
    changes = json.loads((two_cycles / "reports" / NEXT / "changes.json").read_text())
    moved = {f["figure"]: f["moved_by"] for f in changes["figures"]}
    impact = "high_needs_budget.csv: Recovery Plan Impact, 2024/25: (135) → (175)"
    months = "figures.csv: nurture_pilot_months, value: 16 → 17"
    assert moved["para scenarios: mitigated_with_topup_uplift.cfwd[last_year] | gbp_k"] == [impact]
    assert moved["para nurture-impact: fig.nurture_pilot_months"] == [months]
    assert all(months not in by for figure, by in moved.items() if "nurture" not in figure)


def test_a_rerun_of_a_cycle_still_compares_with_the_previous_cycles_paper(
    two_cycles: Path, tmp_path: Path
) -> None:
    """Re-run after an edit, the cycle's changes compare with its own last paper and, still,
    with last cycle's: what moved since last month is not lost."""
    root = copy_published(two_cycles, tmp_path / "project")
    figures = root / "data" / "raw" / NEXT / "figures.csv"
    text = figures.read_text(encoding="utf-8")
    figures.write_text(text.replace("nurture_pilot_months,17,", "nurture_pilot_months,18,"))
    assert run_pipeline(root, "-q", "--cycle", NEXT, *HTML_ONLY).returncode == 0
    changes = json.loads((root / "reports" / NEXT / "changes.json").read_text())
    assert changes["compared_with"] == f"the previously published paper of cycle {NEXT}"
    assert [f["new"] for f in changes["figures"]] == ["18"]
    (previous,) = changes["also_compared_with"]
    assert previous["compared_with"] == f"the paper of cycle {CYCLE}"
    moved = {f["figure"]: (f["old"], f["new"]) for f in previous["figures"]}
    assert moved["para nurture-impact: fig.nurture_pilot_months"] == ("16", "18")
    assert ("£3,592k", "£3,552k") in moved.values()  # the Recovery Plan edit of the first run
    page = (root / "reports" / NEXT / "changes.html").read_text(encoding="utf-8")
    assert f"<h2>Since the previously published paper of cycle {NEXT}</h2>" in page
    assert f"<h2>Since the paper of cycle {CYCLE}</h2>" in page


def test_a_later_cycle_scores_the_published_papers_forecasts(
    published: Path, tmp_path: Path
) -> None:
    """April 2022's paper has 2021/22 as an outturn year, which January 2022's forecast: the
    paper, explain --history and changes.html set one against the other."""
    root = copy_published(published, tmp_path / "project")
    assert run_pipeline(root, "2022-04", "--from", CYCLE, command="new-cycle").returncode == 0
    result = run_pipeline(root, "-q", "--cycle", "2022-04", *HTML_ONLY)
    assert result.returncode == 0, result.stdout + result.stderr
    folder = root / "reports" / "2022-04"
    inputs = (folder / "current" / "inputs" / "earlier_forecasts.csv").read_text()
    assert "2022-01,mitigated,2021/22,1028,the published paper of cycle 2022-01" in inputs
    assert "2022/23" not in inputs  # not yet an outturn year: nothing to score
    paper = (folder / "cabinet-report.html").read_text(encoding="utf-8")
    assert "Earlier papers&#39; forecasts of the deficit carried forward" in paper
    assert "the January 2022 paper's £1,028k for 2021/22, matched the outturn of £1,028k" in paper
    history = run_pipeline(root, "--cycle", "2022-04", "--history", command="explain")
    assert history.returncode == 0, history.stderr
    assert "2022-01    mitigated  2021/22     1,028    1,028      0     0.0%" in history.stdout
    page = (folder / "changes.html").read_text(encoding="utf-8")
    assert "<h2>Earlier papers' forecasts against the outturn</h2>" in page


def test_changes_html_opens_with_the_headline_figures_in_sentences(two_cycles: Path) -> None:
    """A councillor's first screen: each headline figure old -> new and what was edited."""
    import re

    page = (two_cycles / "reports" / NEXT / "changes.html").read_text(encoding="utf-8")
    brief = page.index('<section class="in-brief"')
    assert brief < page.index("<h3>What was edited</h3>")
    text = re.sub(r"<[^>]+>", "\n", page[brief : page.index("</section>", brief)])
    assert "with the Recovery Plan (£000): 3,592 → 3,552 (down 40)" in text
    assert "no interventions" not in text  # it did not move
    assert "What was edited: 2 cell(s) of figures.csv, high_needs_budget.csv; paper.yaml" in text
