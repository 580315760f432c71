"""The `prune` command: remove old run folders and the stored files no kept run uses.

Never removed: a cycle's published run, a run whose validation documents the cycle shows, a
failed or abandoned run newer than the published one (the record of what went wrong since),
and anything a kept run links to. A cycle being run is skipped, with a warning.
"""

from __future__ import annotations

import os
from contextlib import ExitStack
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

from highneeds.common.errors import LockHeld, UsageError
from highneeds.common.paths import COUNCIL_RE, CYCLE_RE, CyclePaths
from highneeds.runner.archive.archive import read_manifest, run_started, runs_newest_first
from highneeds.runner.archive.locking import cycle_lock
from highneeds.runner.archive.publishing import VALIDATION, published_run, recover
from highneeds.runner.archive.storage_errors import storage_failures
from highneeds.runner.archive.store import Store
from highneeds.runner.ops.logs import LOGGER


@dataclass
class PruneResult:
    """What a prune removed (or, with ``dry_run``, would remove) and what it kept."""

    dry_run: bool
    removed: list[str] = field(default_factory=list)
    kept: int = 0
    freed_bytes: int = 0
    skipped: list[str] = field(default_factory=list)


def protected_runs(reports: Path) -> set[Path]:
    """The runs of a cycle that prune never removes, whatever the rules say."""
    published = published_run(reports)
    protected = {published} if published else set()
    validation = reports / VALIDATION
    if validation.is_symlink():
        shown = Path(os.path.normpath(reports / os.readlink(validation)))
        if shown.parent.parent == reports / "runs":
            protected.add(shown.parent)
    for run in runs_newest_first(reports):
        if published is not None and run.name <= published.name:
            break
        if (read_manifest(run) or {}).get("status") != "ok":
            protected.add(run)
    return protected


def runs_to_remove(
    reports: Path, keep: int | None, older_than: timedelta | None, now: datetime
) -> tuple[list[Path], int]:
    """The runs a rule removes, oldest last; and how many runs are kept."""
    runs = runs_newest_first(reports)
    protected = protected_runs(reports)
    removing = []
    for index, run in enumerate(runs):
        beyond_keep = keep is None or index >= keep
        started = run_started(run.name)
        too_old = older_than is None or (started is not None and now - started > older_than)
        if beyond_keep and too_old and run not in protected:
            removing.append(run)
    return removing, len(runs) - len(removing)


def prune(
    root: Path,
    cycle: str | None,
    keep: int | None,
    older_than_days: float | None,
    dry_run: bool = False,
    now: datetime | None = None,
    council: str | None = None,
) -> PruneResult:
    """Remove old runs of one cycle (or of every cycle of the council, or of every council)
    and what no kept run uses (the store is shared by every council's runs)."""
    if keep is None and older_than_days is None:
        raise UsageError(
            "say which runs to keep: --keep N (the newest N), --older-than DAYS, or both"
        )
    if (keep is not None and keep < 0) or (older_than_days is not None and older_than_days < 0):
        raise UsageError("--keep and --older-than take a number of 0 or more")
    reports_root = root / "reports"
    cycles = _cycles(reports_root, cycle, council)
    older_than = None if older_than_days is None else timedelta(days=older_than_days)
    result = PruneResult(dry_run)
    store = Store(reports_root)
    removing: list[Path] = []
    with storage_failures(root, lambda: 0), ExitStack() as locks:
        for owner, name in cycles:
            paths = CyclePaths(root, name, owner)
            reports = paths.reports
            try:
                locks.enter_context(cycle_lock(reports, name, LOGGER.warning, "prune"))
            except LockHeld as held:
                LOGGER.warning(f"warning: skipped cycle {paths.label}: {held}")
                result.skipped.append(paths.label)
                continue
            if not dry_run:
                recover(reports, LOGGER.warning)
            runs, kept = runs_to_remove(reports, keep, older_than, now or datetime.now(UTC))
            removing += runs
            result.kept += kept
            where = f"{owner}/{name}" if owner else name
            result.removed += [f"{where}/runs/{run.name}" for run in runs]
        if reports_root.is_dir():
            with store.lock(exclusive=True):
                result.freed_bytes = store.collect_garbage(tuple(removing), dry_run)
    return result


def _cycles_in(folder: Path) -> list[str]:
    """The cycles with runs in a folder of cycles (links refused: never followed)."""
    return sorted(
        p.name
        for p in (folder.iterdir() if folder.is_dir() and not folder.is_symlink() else [])
        if CYCLE_RE.match(p.name)
        and p.is_dir()
        and not p.is_symlink()
        and (p / "runs").is_dir()
        and not (p / "runs").is_symlink()
    )


def _cycles(
    reports_root: Path, cycle: str | None, council: str | None = None
) -> list[tuple[str | None, str]]:
    """The (council, cycle) pairs to prune: one cycle, a council's, or every council's (the
    cycles straight under reports/ belong to no council)."""
    if council is not None:
        owners: list[str | None] = [council]
    else:
        owners = [None]
        if reports_root.is_dir():
            owners += sorted(
                p.name
                for p in reports_root.iterdir()
                if COUNCIL_RE.match(p.name) and p.is_dir() and not p.is_symlink()
            )
    known = [
        (owner, name)
        for owner in owners
        for name in _cycles_in(reports_root / owner if owner else reports_root)
    ]
    if cycle is None:
        return known
    chosen = [(owner, name) for owner, name in known if name == cycle]
    if not chosen:
        listed = ", ".join(f"{o}/{n}" if o else n for o, n in known) or "none"
        raise UsageError(f"cycle {cycle} has no runs under reports/ (cycles with runs: {listed})")
    return chosen
