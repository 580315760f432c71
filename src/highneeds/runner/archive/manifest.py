"""A run's manifest: what it read, what it ran, what it wrote (hashed) and with what."""

from __future__ import annotations

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


def build_manifest(
    run_dir: Path,
    root: Path,
    cycle: str,
    run_id: str,
    status: str,
    started: datetime,
    epoch: str,
    plan: dict[str, Any],
    records: list[dict[str, Any]],
    error: str | None,
    exit_code: int = 0,
    code: str | None = None,
) -> dict[str, Any]:
    """The manifest of the run in ``run_dir``; ``code`` is the package's hash as the run's
    steps were keyed with it (hashed here if not given: a run that failed early)."""
    outputs = reproducible_outputs(run_dir)
    manifest = {
        "cycle": cycle,
        "run_id": run_id,
        "status": status,
        "exit_code": exit_code,
        "started": started.isoformat(),
        "finished": datetime.now(UTC).isoformat(),
        "source_date_epoch": epoch,
        "parameters": plan,
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
