"""Two councils in one repository, end to end: run --all publishes both, each with its own
history and status, and pruning one council's runs leaves the other's paper whole."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from tests.conftest import CYCLE, HTML_ONLY, copy_project, run_pipeline

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def two_councils(project_root: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The shipped cycle as the project's own council, and a copy of it as council york's,
    both published by one run --all."""
    root = copy_project(project_root, tmp_path_factory.mktemp("councils") / "project")
    york = root / "data" / "raw" / "york" / CYCLE
    shutil.copytree(root / "data" / "raw" / CYCLE, york)
    paper = york / "paper.yaml"
    paper.write_text(paper.read_text().replace("Rutland County Council", "City of York Council"))
    result = run_pipeline(root, "--all", *HTML_ONLY)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "(cycles under data/raw/): Paper for cycle 2022-01" in result.stdout
    assert "york: Paper for cycle york 2022-01" in result.stdout
    return root


def test_run_all_publishes_every_council(two_councils: Path) -> None:
    own = two_councils / "reports" / CYCLE / "cabinet-report.html"
    york = two_councils / "reports" / "york" / CYCLE / "cabinet-report.html"
    assert "Rutland County Council" in own.read_text(encoding="utf-8")
    assert "City of York Council" in york.read_text(encoding="utf-8")
    assert (two_councils / "data" / "processed" / "york" / CYCLE / "budget.csv").is_file()


def test_each_council_has_its_own_status_and_history(two_councils: Path) -> None:
    status = run_pipeline(two_councils, "--council", "york", "--format", "json", command="status")
    assert status.returncode == 0, status.stderr
    assert json.loads(status.stdout)["cycle"] == "york 2022-01"
    history = run_pipeline(
        two_councils, "--history", "--council", "york", "--format", "json", command="explain"
    )
    assert history.returncode == 0, history.stderr
    papers = json.loads(history.stdout)["papers"]
    assert [p["cycle"] for p in papers] == [CYCLE]
    own = run_pipeline(two_councils, "--format", "json", command="status")
    assert json.loads(own.stdout)["cycle"] == CYCLE  # the project's own council, by default


def test_pruning_one_council_leaves_the_others_paper_whole(two_councils: Path) -> None:
    pruned = run_pipeline(two_councils, "--council", "york", "--keep", "0", command="prune")
    assert pruned.returncode == 0, pruned.stderr
    current = two_councils / "reports" / CYCLE / "current"
    for path in current.resolve().rglob("*"):
        assert path.exists(), path  # every file of the own council's run is still there
    manifest = json.loads((two_councils / "reports" / CYCLE / "manifest.json").read_text())
    assert manifest["status"] == "ok"


def test_a_council_that_is_not_there_is_a_usage_error(two_councils: Path) -> None:
    result = run_pipeline(two_councils, "--council", "hull")
    assert result.returncode == 2
    assert "no council 'hull' under data/raw/ (councils: slough, york)" in result.stderr


def test_every_number_of_the_other_shipped_councils_paper_is_traced(two_councils: Path) -> None:
    """Slough's Schools Forum item (£m, a whole-DSG table), published by the same run."""
    from tests.printed_numbers import paper_residue

    slough = two_councils / "reports" / "slough" / "2023-10"
    assert (slough / "cabinet-report.html").is_file()
    assert paper_residue(slough) == []
