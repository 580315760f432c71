"""The `verify` command: re-execute an archived run from its archived inputs and compare every
output's hash with its manifest."""

from __future__ import annotations

import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from highneeds.common.errors import UsageError, VerificationFailed
from highneeds.common.paths import CyclePaths, which_council
from highneeds.runner.archive.archive import code_hash, hash_files, hash_tree, read_manifest
from highneeds.runner.archive.cycles import choose_cycle
from highneeds.runner.archive.manifest import reproducible_outputs
from highneeds.runner.archive.publishing import find_run
from highneeds.runner.changes.changes import page_redraw_problems
from highneeds.runner.commands.cycle import copy_inputs
from highneeds.runner.execute.options import RunOptions, run_environment
from highneeds.runner.execute.overlap import execute_steps
from highneeds.runner.execute.plain import run_plainly
from highneeds.runner.ops.logs import LOGGER
from highneeds.runner.ops.signals import interruptible
from highneeds.runner.ops.temporary import temporary_prefix


@dataclass
class VerifyResult:
    """A run that reproduced: which run, and how many files were compared."""

    cycle: str
    run_id: str
    compared: int


def changed_since_the_run(root: Path, manifest: dict[str, Any]) -> list[str]:
    """The notebooks and code that are not what the run executed (said before re-executing:
    today's are what a re-execution uses)."""
    changes = []
    now = hash_files(root, (root / "notebooks").glob("*.ipynb"))
    then = manifest.get("notebook_sources", {})
    for name in sorted(set(now) | set(then)):
        if now.get(name) != then.get(name):
            changes.append(f"{name} changed since the run")
    if "code" in manifest and manifest["code"] != code_hash(root):
        commit = (manifest.get("git") or {}).get("commit")
        at = f" (the run was made at commit {commit[:12]})" if commit else ""
        changes.append(f"the package's code or templates changed since the run{at}")
    return changes


def edited_after_the_run(run_dir: Path, manifest: dict[str, Any]) -> list[str]:
    """Each archived input (inputs; and expectations, in a run from before the suites were
    the package's code) and output (tables, paper, documents) of ``run_dir`` whose bytes are
    no longer those its manifest recorded, or that was added or removed since."""
    problems: list[str] = []
    for folder in [f for f in ("inputs", "expectations") if f in manifest]:
        now = hash_tree(run_dir / folder)
        for name in sorted(set(now) | set(manifest[folder])):
            if now.get(name) != manifest[folder].get(name):
                problems.append(f"{folder}/{name}: archived input edited after the run")
    for section in ("outputs", "documents"):
        now = hash_files(run_dir, (run_dir / n for n in manifest[section]))
        for name, digest in manifest[section].items():
            if now.get(name) != digest:
                problems.append(f"{name}: archived output edited after the run")
    return problems


def verify_run(options: RunOptions, run: str | None = None, plain: bool = False) -> VerifyResult:
    """Re-execute an archived run from its archived inputs and compare every output's hash
    (``plain``: with stock papermill and the render in this process, none of the speed
    machinery: :mod:`highneeds.runner.execute.plain`).

    Raises :class:`VerificationFailed` (exit 6) listing each file that was edited after the
    run or that the re-execution did not reproduce.
    """
    root = options.root
    council = which_council(root, options.council)
    cycle = choose_cycle(root, options.cycle, council)
    paths = CyclePaths(root, cycle, council)
    run_dir = find_run(paths, run, "to verify")
    manifest = read_manifest(run_dir)
    if not manifest or manifest.get("status") != "ok":
        raise UsageError(f"run {run_dir.name} did not succeed; only successful runs verify")
    problems = edited_after_the_run(run_dir, manifest)
    epoch = manifest["source_date_epoch"]
    changed = changed_since_the_run(root, manifest)
    for change in changed:
        LOGGER.warning(f"[{paths.label}] note: {change}; the re-execution uses today's")
    LOGGER.info(f"[{paths.label}] re-executing run {run_dir.name} from its archived inputs ...")
    with (
        run_environment(root, epoch),
        interruptible(),
        tempfile.TemporaryDirectory(prefix=temporary_prefix("verify")) as temporary,
    ):
        replay = Path(temporary) / run_dir.name
        copy_inputs(run_dir / "inputs", replay)
        if plain:
            run_plainly(replay, root, manifest["parameters"], epoch)
        else:
            execute_steps(replay, root, manifest["parameters"], options, epoch, None, [])
        again = reproducible_outputs(replay)
        for name in sorted(set(again) | set(manifest["outputs"])):
            if again.get(name) != manifest["outputs"].get(name):
                problems.append(f"{name}: differs when re-executed")
    # The change log's page is not re-executed (it compares with other runs): it is drawn
    # again from the content the run recorded, which it must be (a copied page included).
    problems += page_redraw_problems(run_dir)
    if problems:
        why = (
            " (the notebooks or code changed since the run, which may explain it)"
            if changed
            else ""
        )
        raise VerificationFailed(
            f"run {run_dir.name} of cycle {cycle} does not verify{why}:",
            [f"note: {change}" for change in changed] + problems,
        )
    return VerifyResult(cycle, run_dir.name, len(manifest["outputs"]))
