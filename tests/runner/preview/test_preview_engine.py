"""The preview's engine: what an edit makes it run again, the problems it shows over the last
good paper, and that it writes nothing a run owns."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from highneeds.common.errors import UsageError
from highneeds.runner.preview.preview_engine import PreviewEngine, Problem, Stage
from tests.conftest import APPENDICES, CYCLE, edited

pytestmark = pytest.mark.e2e  # one cold build imports Great Expectations (several seconds)


@pytest.fixture(scope="module")
def root(project_root: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The folders a preview reads, copied: the cycle's inputs, the suites, the notebooks."""
    root = tmp_path_factory.mktemp("preview-project")
    for name in (f"data/raw/{CYCLE}", "notebooks"):
        shutil.copytree(project_root / name, root / name)
    return root


@pytest.fixture(scope="module")
def engine(root: Path, tmp_path_factory: pytest.TempPathFactory) -> PreviewEngine:
    engine = PreviewEngine(root, CYCLE, {}, tmp_path_factory.mktemp("preview-work"))
    first = engine.refresh()
    assert first.problem is None, first.problem
    return engine


def _raw(root: Path, name: str) -> Path:
    return root / "data" / "raw" / CYCLE / name


def test_what_an_edit_makes_the_preview_run_again(engine: PreviewEngine, root: Path) -> None:
    assert engine.stage_for([_raw(root, "narrative.md")]) is Stage.PAPER
    assert engine.stage_for([_raw(root, "paper.yaml")]) is Stage.PAPER
    assert engine.stage_for([engine.templates_dir / "parts" / "section.html.j2"]) is Stage.PAPER
    assert engine.stage_for([_raw(root, "figures.csv")]) is Stage.GATE
    assert engine.stage_for([_raw(root, "sources.yaml")]) is Stage.GATE
    both = [_raw(root, "narrative.md"), _raw(root, "high_needs_budget.csv")]
    assert engine.stage_for(both) is Stage.GATE


def test_a_narrative_edit_shows_in_the_next_build(engine: PreviewEngine, root: Path) -> None:
    before = engine.snapshot
    with edited(
        _raw(root, "narrative.md"),
        APPENDICES,
        "No appendices, ever.",
    ):
        after = engine.refresh(Stage.PAPER)
    assert after.problem is None and after.version == before.version + 1
    assert "No appendices, ever." in after.html and "No appendices, ever." not in before.html
    assert APPENDICES in engine.refresh(Stage.PAPER).html


def test_an_unknown_label_is_shown_over_the_last_good_paper_until_fixed(
    engine: PreviewEngine, root: Path
) -> None:
    good = engine.refresh(Stage.PAPER).html
    with edited(_raw(root, "narrative.md"), 'ref("financial")', 'ref("financal")'):
        failed = engine.refresh(Stage.PAPER)
    assert failed.html == good
    assert failed.problem is not None
    assert failed.problem.message.startswith("narrative.md line ")
    assert "unknown label 'financal'" in failed.problem.message
    assert "did you mean 'financial'?" in failed.problem.message
    fixed = engine.refresh(Stage.PAPER)
    assert fixed.problem is None and fixed.html == good


def test_a_table_the_gate_refuses_stays_refused_across_narrative_edits(
    engine: PreviewEngine, root: Path
) -> None:
    budget = _raw(root, "high_needs_budget.csv")
    with edited(budget, "Transfer From Schools Block,(126),", "Transfer From Schools Block,126,"):
        refused = engine.refresh(Stage.GATE)
        assert refused.problem is not None
        assert "failed validation" in refused.problem.message
        assert any(
            detail.startswith("high_needs_budget.csv, row 3, column B ('2020/21'): found 126;")
            for detail in refused.problem.details
        ), refused.problem.details
        # Only the narrative saved since: the gate still runs, and still refuses.
        with edited(_raw(root, "narrative.md"), APPENDICES, "None."):
            still = engine.refresh(Stage.PAPER)
        assert still.problem == refused.problem
        assert "None." not in still.html
    assert engine.refresh(Stage.PAPER).problem is None  # fixed: the gate passes again


def test_a_table_edit_is_validated_modelled_and_printed(engine: PreviewEngine, root: Path) -> None:
    scenarios = _raw(root, "scenarios.csv")
    before = engine.refresh(Stage.GATE).html
    with edited(scenarios, "2022/23,170,agreed", "2022/23,270,agreed"):
        after = engine.refresh(Stage.GATE)
    assert after.problem is None and after.html != before
    assert "£270k" in after.html and "£270k" not in before
    assert engine.refresh(Stage.GATE).html == before


def test_an_unexpected_failure_is_reported_without_stopping(
    engine: PreviewEngine, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*args, **kwargs):
        raise RuntimeError("the disk went away")

    monkeypatch.setattr(engine, "_paper", broken)
    failed = engine.refresh(Stage.PAPER)
    assert failed.problem is not None and failed.html is not None
    assert "not a mistake in the inputs" in failed.problem.message
    assert "RuntimeError: the disk went away" in failed.problem.message
    monkeypatch.undo()
    assert engine.refresh(Stage.PAPER).problem is None


def test_preview_writes_only_to_its_own_folder(engine: PreviewEngine, root: Path) -> None:
    def files() -> dict[Path, float]:
        return {p: p.stat().st_mtime_ns for p in root.rglob("*") if p.is_file()}

    before = files()
    engine.refresh(Stage.GATE)
    assert files() == before
    assert not (root / "reports").exists() and not (root / "data" / "processed").exists()
    assert engine.processed_dir.is_dir()


def test_an_unknown_parameter_is_refused_as_for_a_run(root: Path, tmp_path: Path) -> None:
    with pytest.raises(UsageError, match="unknown parameter"):
        PreviewEngine(root, CYCLE, {"recovery_plan_bases": "in_year"}, tmp_path)


def test_a_problem_reads_as_its_message_and_places() -> None:
    problem = Problem("The inputs failed validation.", ("figures.csv, row 3: found 'x'",))
    assert str(problem) == "The inputs failed validation.\n  - figures.csv, row 3: found 'x'"


def test_the_preview_draws_its_charts_for_the_screen_only(engine: PreviewEngine) -> None:
    """Neither a PNG for Word nor the large print drawing: the preview shows neither, and a
    table edit that moves every chart redraws only what it shows."""
    html = engine.snapshot.html
    assert html is not None
    assert html.count('class="chart-standard"') == 3
    assert 'class="chart-large-print"' not in html
    assert not list(engine.processed_dir.glob("figure-*.png"))


def test_a_build_over_its_time_shows_the_limit_and_the_next_build_works(
    engine: PreviewEngine, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An endless build is stopped at HIGHNEEDS_MAX_PREVIEW_SECONDS; the preview keeps the
    last good paper with the problem beside it, and goes on building."""
    good = engine.snapshot.html

    def endless() -> tuple[str, tuple[str, ...]]:
        while True:
            pass

    monkeypatch.setattr(engine, "_seconds", 0.5)
    monkeypatch.setattr(engine, "_paper", endless)
    stopped = engine.refresh(Stage.PAPER)
    assert stopped.html == good
    assert "took longer than 0.5 s" in stopped.problem.message
    assert "HIGHNEEDS_MAX_PREVIEW_SECONDS" in stopped.problem.message
    monkeypatch.undo()
    assert engine.refresh(Stage.PAPER).problem is None
