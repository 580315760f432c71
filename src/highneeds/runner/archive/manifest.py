"""A run's manifest: what it read, what it ran, what it wrote (hashed) and with what."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from highneeds.runner.archive.archive import (
    code_hash,
    environment,
    git_state,
    hash_files,
    hash_tree,
)
from highneeds.runner.archive.outputs import MANIFEST, REPRODUCIBLE_FILES
from highneeds.runner.ops.logs import RUN_LOG


def reproducible_outputs(run_dir: Path) -> dict[str, str]:
    """Outputs that the same inputs must reproduce byte for byte."""
    files = [run_dir / name for name in REPRODUCIBLE_FILES]
    files.append(run_dir / "validation" / "summary.json")
    files += list((run_dir / "notebooks").glob("*.ipynb"))
    files += list((run_dir / "processed").glob("*"))
    return hash_files(run_dir, files)


def _documents(run_dir: Path, outputs: dict[str, str]) -> dict[str, str]:
    """Other files of the run (Data Docs, change log): kept and checked, not reproduced."""
    files = [p for p in run_dir.rglob("*") if p.is_file()]
    skip = ("inputs/",)
    return {
        name: digest
        for name, digest in hash_files(run_dir, files).items()
        if name not in outputs and not name.startswith(skip) and name not in (MANIFEST, RUN_LOG)
    }


@dataclass(frozen=True)
class RunFacts:
    """What identifies a run, whatever comes of it: its folder, the project, the cycle, the
    run's id, when it started, the outputs' fixed date and each notebook's parameters."""

    run_dir: Path
    root: Path
    cycle: str
    run_id: str
    started: datetime
    epoch: str
    plan: dict[str, dict[str, Any]]


def build_manifest(
    run: RunFacts,
    status: str,
    records: list[dict[str, Any]],
    *,
    error: str | None = None,
    exit_code: int = 0,
    code: str | None = None,
) -> dict[str, Any]:
    """The manifest of ``run``, ended with ``status`` after the steps of ``records``;
    ``code`` is the package's hash as the run's steps were keyed with it (hashed here if not
    given: a run that failed early)."""
    run_dir, root = run.run_dir, run.root
    outputs = reproducible_outputs(run_dir)
    manifest = {
        "cycle": run.cycle,
        "run_id": run.run_id,
        "status": status,
        "exit_code": exit_code,
        "started": run.started.isoformat(),
        "finished": datetime.now(UTC).isoformat(),
        "source_date_epoch": run.epoch,
        "parameters": run.plan,
        "inputs": hash_tree(run_dir / "inputs"),
        "notebook_sources": hash_files(root, (root / "notebooks").glob("*.ipynb")),
        "code": code if code is not None else code_hash(root),
        "steps": records,
        "outputs": outputs,
        "documents": _documents(run_dir, outputs),
        "environment": environment(root),
        "git": git_state(root),
    }
    if error:
        manifest["error"] = error
    return manifest
