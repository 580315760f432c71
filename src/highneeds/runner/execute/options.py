"""What a run is given: its options, each notebook's parameters, the outputs' fixed date
and the environment its kernels inherit."""

from __future__ import annotations

import ast
import json
import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from highneeds.common.errors import UsageError
from highneeds.common.paths import PROJECT_ROOT
from highneeds.domain.catalog import NOTEBOOK_STEPS
from highneeds.runner.ops.settings import environment_set

#: Parameters only the preview sets: a run's paper has every chart its formats show (the
#: large print stylesheet and PDF show large print's).
PREVIEW_ONLY = ("large_print_charts",)

RUN_FOLDERS = {
    "raw_dir": "inputs",
    "processed_dir": "processed",
    "validation_dir": "validation",
}


@dataclass
class RunOptions:
    """What to run: which cycle, with which parameter overrides, from which project root."""

    cycle: str | None = None
    parameters: dict[str, Any] = field(default_factory=dict)
    root: Path = PROJECT_ROOT
    cell_timeout: int = 600
    kernel_timeout: int = 120
    #: Longest the render step (HTML, PDFs, Word, DfE return) may take, in seconds.
    render_timeout: int = 600
    progress: bool = False
    force: bool = False
    #: Run the later steps alongside the gate (on the tables it is about to write) rather than
    #: after it; the gate decides either way.
    overlap: bool = True
    #: Refuse (exit 8) to publish a cycle whose inputs are the previous cycle's, unedited.
    require_changes: bool = False
    #: The council whose cycle it is, in a project of several (``data/raw/<council>/``).
    council: str | None = None


def declared_parameters(notebook: Path) -> list[str]:
    """The names assigned in a notebook's cell tagged ``parameters`` (read, not executed), in
    order, as papermill reads them (without importing papermill: a run that reuses every step
    need not load it)."""
    declared: list[str] = []
    for cell in json.loads(notebook.read_text(encoding="utf-8")).get("cells", []):
        if "parameters" not in cell.get("metadata", {}).get("tags", []):
            continue
        source = cell.get("source", "")
        for node in ast.parse("".join(source) if isinstance(source, list) else source).body:
            targets = node.targets if isinstance(node, ast.Assign) else []
            if isinstance(node, ast.AnnAssign):
                targets = [node.target]
            for target in targets:
                if isinstance(target, ast.Name) and target.id not in declared:
                    declared.append(target.id)
        break
    if not declared:
        raise UsageError(f"{notebook.name} declares no parameters (a cell tagged 'parameters')")
    return declared


def plan_parameters(
    root: Path, cycle: str, overrides: dict[str, Any], council: str | None = None
) -> dict[str, dict[str, Any]]:
    """Each notebook's parameters: the standard ones, then overrides for those that declare them.

    Every parameter passed must be declared in the notebook's ``parameters`` cell: papermill
    would only warn about an unknown one; we refuse it (exit 2).
    """
    standard = {"cycle": cycle, "council": council, **RUN_FOLDERS}
    plan: dict[str, dict[str, Any]] = {}
    declared_anywhere: set[str] = set()
    for name in NOTEBOOK_STEPS:
        declared = set(declared_parameters(root / "notebooks" / f"{name}.ipynb"))
        declared_anywhere |= declared
        plan[name] = {k: v for k, v in standard.items() if k in declared}
        plan[name].update({k: v for k, v in overrides.items() if k in declared})
    unknown = sorted(set(overrides) - declared_anywhere)
    if unknown:
        raise UsageError(
            f"unknown parameter(s): {', '.join(unknown)}; the notebooks declare: "
            f"{', '.join(sorted(declared_anywhere))}"
        )
    fixed = sorted(set(overrides) & set(standard))
    if fixed:
        raise UsageError(
            f"parameter(s) {', '.join(fixed)} are set by the pipeline from --cycle and --council"
        )
    preview_only = sorted(set(overrides) & set(PREVIEW_ONLY))
    if preview_only:
        raise UsageError(
            f"parameter(s) {', '.join(preview_only)} are the preview's: a run's paper has every "
            "chart its formats show"
        )
    if overrides:  # checked against the parameters' declaration (pydantic: loaded only now)
        from highneeds.model.basis.parameters import parameter_problems

        problems = parameter_problems(overrides)
        if problems:
            raise UsageError("; ".join(problems))
    return plan


def source_date_epoch(cycle: str) -> str:
    """The date stamped into outputs: ``SOURCE_DATE_EPOCH`` if set, else the cycle's first day."""
    if os.environ.get("SOURCE_DATE_EPOCH"):
        return os.environ["SOURCE_DATE_EPOCH"]
    year, month = (int(p) for p in cycle.split("-"))
    return str(int(datetime(year, month, 1, tzinfo=UTC).timestamp()))


@contextmanager
def run_environment(root: Path, epoch: str) -> Iterator[None]:
    """The environment the run's kernels inherit, for the length of the run: this project's
    own package on the path, headless plotting, and the outputs' fixed date. Every variable
    is put back as it was afterwards, so that a later run in the same process (of another
    cycle) is not dated from this one."""
    src = str(root / "src")
    current = os.environ.get("PYTHONPATH", "")
    settings = {
        "MPLBACKEND": os.environ.get("MPLBACKEND", "Agg"),
        "GX_ANALYTICS_ENABLED": os.environ.get("GX_ANALYTICS_ENABLED", "false"),
        "PYDEVD_DISABLE_FILE_VALIDATION": os.environ.get("PYDEVD_DISABLE_FILE_VALIDATION", "1"),
        "SOURCE_DATE_EPOCH": epoch,
    }
    if src not in current.split(os.pathsep):
        settings["PYTHONPATH"] = os.pathsep.join(p for p in (src, current) if p)
    with environment_set(settings):
        yield
