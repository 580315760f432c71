"""The steps of a run, what each reads and writes, and reusing a step whose inputs are unchanged.

A step's key is the SHA-256 of everything that can change what it produces: its notebook
source (or, for the render, the template), its parameters, the bytes of every file it reads
(upstream outputs included), the lock file and the package's own source. A step whose key
matches a step of an earlier successful run of the cycle is not executed: its outputs are
copied from that run, and the manifest says so.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from highneeds.domain.catalog import INTERVENTIONS, MODEL, VALIDATE, read_by, written_by
from highneeds.runner.archive.archive import (
    code_hash,
    hash_files,
    hash_known,
    read_manifest,
    runs_newest_first,
    sha256,
    sha256_json,
)
from highneeds.runner.archive.outputs import EXECUTED_REPORT, RENDERED_FILES, REPORT_NOTEBOOK


@dataclass(frozen=True)
class Step:
    """One step of a run: a notebook (or the render), the files it reads and writes."""

    name: str
    reads: tuple[str, ...]
    writes: tuple[str, ...]
    notebook: bool = True

    def output_files(self, run_dir: Path) -> list[Path]:
        """Every file this step produced in ``run_dir`` (its executed notebook included)."""
        files = _glob(run_dir, self.writes)
        if self.notebook:
            files.append(run_dir / "notebooks" / f"{self.name}.ipynb")
        return sorted(p for p in set(files) if p.is_file())


#: The tables the gate writes (the catalog's, read by every later step).
TABLES = written_by(VALIDATE)


def _processed(names: Iterable[str]) -> tuple[str, ...]:
    return tuple(f"processed/{name}.csv" for name in names)


STEPS = (
    Step(
        VALIDATE,
        reads=(
            "inputs/*.csv",
            "inputs/*.xlsx",
            "inputs/sources.yaml",
            "inputs/paper.yaml",
        ),
        writes=(*_processed(TABLES), "processed/table_sources.json", "validation/**/*"),
    ),
    Step(
        MODEL,
        reads=(*_processed(read_by(MODEL)), "processed/table_sources.json"),
        writes=("processed/lineage_model.json", *_processed(written_by(MODEL))),
    ),
    Step(
        INTERVENTIONS,
        reads=(*_processed(read_by(INTERVENTIONS)), "processed/table_sources.json"),
        writes=("processed/lineage_interventions.json", *_processed(written_by(INTERVENTIONS))),
    ),
    Step(
        REPORT_NOTEBOOK,
        reads=(
            "inputs/paper.yaml",
            "inputs/narrative.md",
            "processed/*.csv",
            "processed/table_sources.json",
            "processed/lineage_*.json",
        ),
        writes=(
            "processed/paper_figures.json",
            "processed/paper_meta.json",
            "processed/claims.json",
            "processed/figure-*.png",
            "processed/dfe_return_figures.json",
        ),
    ),
    Step(
        "render",
        reads=(
            EXECUTED_REPORT,
            "processed/paper_meta.json",
            "processed/figure-*.png",
            "processed/dfe_return_figures.json",
            "processed/paper_figures.json",
            "processed/claims.json",
            "processed/lineage_*.json",
        ),
        writes=RENDERED_FILES,
        notebook=False,
    ),
)
NOTEBOOK_STEPS = tuple(s.name for s in STEPS if s.notebook)


def _glob(folder: Path, patterns: Iterable[str]) -> list[Path]:
    found: list[Path] = []
    for pattern in patterns:
        found += [p for p in folder.glob(pattern) if p.is_file()]
    return found


def step_key(
    step: Step, run_dir: Path, root: Path, parameters: dict[str, Any], shared: dict[str, str]
) -> str:
    """The content key of ``step`` as it is about to run in ``run_dir``."""
    source = (root / "notebooks" / f"{step.name}.ipynb") if step.notebook else None
    payload = {
        "step": step.name,
        "notebook": sha256(source) if source else None,
        "parameters": parameters,
        "reads": hash_files(run_dir, _glob(run_dir, step.reads)),
        **shared,
    }
    return sha256_json(payload)


def shared_key_parts(root: Path, source_date_epoch: str) -> dict[str, str]:
    """What every step's key includes: lock file, code, and the fixed date of the outputs."""
    lock = root / "uv.lock"
    return {
        "uv_lock": sha256(lock) if lock.is_file() else "",
        "code": code_hash(root),
        "source_date_epoch": source_date_epoch,
    }


def successful_runs(reports: Path) -> list[tuple[Path, dict[str, Any]]]:
    """A cycle's successful runs with their manifests, newest first: read once per run."""
    found = []
    for run_dir in runs_newest_first(reports):
        manifest = read_manifest(run_dir)
        if manifest and manifest.get("status") == "ok":
            found.append((run_dir, manifest))
    return found


def find_reusable(
    step: Step, key: str, earlier: list[tuple[Path, dict[str, Any]]]
) -> tuple[Path, dict[str, str]] | None:
    """An earlier successful run whose step had this key and whose outputs are intact: the
    run's folder and those outputs' hashes, as just checked."""
    for run_dir, manifest in earlier:
        record = next((s for s in manifest.get("steps", []) if s["step"] == step.name), None)
        if not record or record.get("key") != key:
            continue
        produced = record.get("outputs", {})
        if produced and all(
            (run_dir / name).is_file() and sha256(run_dir / name) == digest
            for name, digest in produced.items()
        ):
            return run_dir, dict(produced)
    return None


def copy_outputs(outputs: Mapping[str, str], source_run: Path, run_dir: Path) -> None:
    """Copy a reused step's ``outputs`` (names in the run folder, with the hashes
    :func:`find_reusable` has just checked) from an earlier run folder into this one; within
    the run's :func:`~highneeds.runner.archive.archive.hashes_kept`, each copy keeps its hash (the
    manifest and the store would otherwise read it again)."""
    for name, digest in outputs.items():
        target = run_dir / name
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(source_run / name, target)
        hash_known(target, digest)
