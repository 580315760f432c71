"""verify says first what changed since the run: today's notebooks and code re-execute it."""

from __future__ import annotations

from pathlib import Path

from highneeds.runner.archive.archive import code_hash, hash_files
from highneeds.runner.commands.verify import changed_since_the_run


def test_nothing_changed_since_a_run_made_with_todays_notebooks_and_code(
    project_root: Path,
) -> None:
    manifest = {
        "notebook_sources": hash_files(project_root, (project_root / "notebooks").glob("*.ipynb")),
        "code": code_hash(project_root),
    }
    assert changed_since_the_run(project_root, manifest) == []


def test_changed_notebooks_and_code_are_named(project_root: Path) -> None:
    sources = hash_files(project_root, (project_root / "notebooks").glob("*.ipynb"))
    sources["notebooks/02_deficit_model.ipynb"] = "0" * 64
    manifest = {
        "notebook_sources": sources,
        "code": "1" * 64,
        "git": {"commit": "0123456789abcdef0123"},
    }
    assert changed_since_the_run(project_root, manifest) == [
        "notebooks/02_deficit_model.ipynb changed since the run",
        "the package's code or templates changed since the run (the run was made at commit "
        "0123456789ab)",
    ]
