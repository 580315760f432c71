"""Publishing a run: one atomic switch of the cycle's pointer to the run folder.

``reports/<cycle>/current``              a link to ``runs/<run-id>``: the published run
``reports/<cycle>/cabinet-report.pdf``   a link to ``current/cabinet-report.pdf`` (and so for
                                         the other papers, the manifest, the change log and
                                         the executed notebooks): made once, never changed
``data/processed/<cycle>``               a link to the published run's processed tables
``reports/<cycle>/validation``           a link to the latest validation documents: the last
                                         run's, or those of the last ``validate``

Publishing makes the stable links that are missing, then replaces ``current`` by renaming a
new link over it and flushes the folder: every reader sees the old published set or the new
one, whole, at every instant, and a power cut cannot leave a link to a run whose files were
not yet on the disk (the run folder is flushed first). :func:`recover` tidies what an
interrupted run or publish left, when the cycle's next run or ``validate`` starts.
"""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Callable
from contextlib import suppress
from pathlib import Path

from highneeds.common.errors import UsageError
from highneeds.common.paths import CyclePaths, reports_root_of
from highneeds.runner.archive.archive import (
    hash_files,
    read_manifest,
    runs_newest_first,
)
from highneeds.runner.archive.outputs import MANIFEST, PUBLISHED_FILES
from highneeds.runner.archive.store import Store, folder_size, fsync_path

CURRENT = "current"
VALIDATION = "validation"
#: What the stable names of a cycle show, through ``current``: the paper's files, the
#: executed notebooks and the archived inputs (which the auditor's edition links to).
PUBLISHED_NAMES = (*PUBLISHED_FILES, "notebooks", "inputs")
#: The temporary names publishing and storing use, tidied by :func:`recover`.
_INCOMING, _OUTGOING = ".incoming", ".outgoing"

#: A run's size when the cycle has none published to measure (the shipped cycle's is 6 MB).
TYPICAL_RUN_BYTES = 10_000_000

Say = Callable[[str], None]


def published_run(reports: Path) -> Path | None:
    """The run folder the cycle's ``current`` link names, if it names one that exists."""
    link = reports / CURRENT
    if not link.is_symlink():
        return None
    target = os.readlink(link)
    parts = Path(target).parts
    # Only ``runs/<run-id>``, a real folder: a link pointing elsewhere is not a published run.
    if len(parts) != 2 or parts[0] != "runs" or parts[1] in (".", ".."):
        return None
    run = reports / target
    return run if run.is_dir() and not run.is_symlink() else None


def find_run(paths: CyclePaths, run: str | None, purpose: str) -> Path:
    """The run folder named ``run`` of the cycle, or its published run; a usage error that
    names the latest runs if there is none (``purpose``: "to verify", "to explain")."""
    if run is None:
        published = published_run(paths.reports)
        if published is None:
            raise UsageError(f"cycle {paths.cycle} has no published run {purpose}")
        return published
    run_dir = paths.reports / "runs" / run
    if "/" in run or not run_dir.is_dir():
        known = ", ".join(p.name for p in runs_newest_first(paths.reports)[:5]) or "none"
        raise UsageError(f"no run {run!r} of cycle {paths.cycle} (latest: {known})")
    return run_dir


def run_size(reports: Path) -> int:
    """What a run of the cycle writes at most: its published run's size, when it has one."""
    published = published_run(reports)
    return folder_size(published) if published else TYPICAL_RUN_BYTES


def switch_link(link: Path, target: str) -> None:
    """Point ``link`` at ``target`` in one atomic step (a new link renamed over the old one),
    then flush its folder. A real file there is replaced the same way; a real folder (left by
    an older version) is moved aside first, then removed."""
    incoming = link.with_name(f".{link.name}{_INCOMING}")
    with suppress(FileNotFoundError):
        incoming.unlink()
    os.symlink(target, incoming)
    if link.is_dir() and not link.is_symlink():
        outgoing = link.with_name(f".{link.name}{_OUTGOING}")
        os.rename(link, outgoing)
        os.replace(incoming, link)
        shutil.rmtree(outgoing)
    else:
        os.replace(incoming, link)
    fsync_path(link.parent)


def publish(run_dir: Path, paths: CyclePaths, say: Say) -> None:
    """Make a complete, flushed run folder the cycle's published run."""
    reports = paths.reports
    _adopt_copied_layout(reports, say)
    paths.processed.parent.mkdir(parents=True, exist_ok=True)
    processed = os.path.relpath(reports / CURRENT / "processed", paths.processed.parent)
    if not _links_to(paths.processed, processed):
        switch_link(paths.processed, processed)
    _switch_to(run_dir, reports)
    try:  # the run is published: what follows only tidies, and may fail without undoing it
        _remove_dangling(reports)
        if (run_dir / VALIDATION).exists():
            show_validation(reports, run_dir / VALIDATION)
    except OSError as problem:
        say(f"warning: run {run_dir.name} is published, but tidying after it failed: {problem}")


def _switch_to(run_dir: Path, reports: Path) -> None:
    """Make the stable names the run has (each a link through ``current``, made once), then
    switch ``current`` to the run: the one step that publishes it."""
    for name in PUBLISHED_NAMES:
        stable = reports / name
        wanted = f"{CURRENT}/{name}"
        if (run_dir / name).exists() and not _links_to(stable, wanted):
            switch_link(stable, wanted)
    switch_link(reports / CURRENT, f"runs/{run_dir.name}")


def _remove_dangling(reports: Path) -> None:
    """What the published run does not have is no longer published."""
    for name in PUBLISHED_NAMES:
        stable = reports / name
        if stable.is_symlink() and not stable.exists():
            stable.unlink()


def show_validation(reports: Path, documents: Path) -> None:
    """Point ``reports/<cycle>/validation`` at a run's or a check's validation documents."""
    switch_link(reports / VALIDATION, os.path.relpath(documents, reports))


def _links_to(link: Path, target: str) -> bool:
    return link.is_symlink() and os.readlink(link) == target


def _adopt_copied_layout(reports: Path, say: Say) -> None:
    """A cycle published by an older version holds copies, not links: name its published run
    ``current`` (so the copies and the links show the same files while they are replaced) and
    keep its validation documents in the store."""
    manifest = reports / MANIFEST
    if (reports / CURRENT).is_symlink() or manifest.is_symlink() or not manifest.is_file():
        return
    run_id = (read_manifest(reports) or {}).get("run_id")
    if run_id and (reports / "runs" / run_id).is_dir():
        switch_link(reports / CURRENT, f"runs/{run_id}")
        for name in PUBLISHED_NAMES:  # the copies become links to the same run's files
            if (reports / name).exists():
                switch_link(reports / name, f"{CURRENT}/{name}")
        say(f"note: the published files of {reports} are now links to run {run_id}")
    validation = reports / VALIDATION
    if validation.is_dir() and not validation.is_symlink():
        Store(reports_root_of(reports)).absorb_folder(validation)


def damaged_publication(reports: Path) -> str | None:
    """What is wrong with the cycle's published run, in words, or None if it is whole (or
    nothing is published): ``current`` naming a missing run, or one whose files changed."""
    link = reports / CURRENT
    if not link.is_symlink():
        return None
    current = published_run(reports)
    if current is None:
        return f"{link} names a run that is missing"
    if not intact(current):
        return (
            f"the published run {current.name} is not the run that was published: its "
            "files were edited or removed since it ran"
        )
    return None


def recover(reports: Path, say: Say, republish: bool = True) -> None:
    """Finish or undo what an interrupted run or publish left in a cycle's folder (call it
    holding the cycle's lock): temporary links and folders, a run folder cut short while it
    was stored, a run that never finished; and, with ``republish`` (``run`` and ``prune``
    only: no other command changes what is published), a ``current`` naming a run that is not
    whole, switched back to the newest good run, dangling stable names removed."""
    if not reports.is_dir():
        return
    _tidy_temporaries(reports, say)
    runs = reports / "runs"
    for planted in sorted(p for p in runs.iterdir() if p.is_symlink()) if runs.is_dir() else []:
        say(f"warning: {planted} is a link, not a run: it is left alone and never followed")
    for run in runs_newest_first(reports):
        _tidy_temporaries(run, say)
        if read_manifest(run) is None:
            _mark_abandoned(run, say)
    if not republish:
        return
    current = published_run(reports)
    link = reports / CURRENT
    if link.is_symlink() and (current is None or not intact(current)):
        good = next((r for r in runs_newest_first(reports) if intact(r)), None)
        if good is None:
            link.unlink()
            _remove_dangling(reports)
            say(f"warning: {link} named a run that is missing or incomplete; removed it")
        else:
            _switch_to(good, reports)
            _remove_dangling(reports)
            say(
                f"warning: {link} named a run that is missing or incomplete; "
                f"the newest good run, {good.name}, is published again"
            )


def intact(run: Path) -> bool:
    """A run that succeeded, whose manifest lists its outputs with their hashes, and whose
    files are still those it hashed, each inside ``reports/`` (a run's subfolders link into
    the store there; nothing may lead outside)."""
    manifest = read_manifest(run) or {}
    outputs = manifest.get("outputs")
    if manifest.get("status") != "ok" or not isinstance(outputs, dict) or not outputs:
        return False
    recorded = {**outputs, **manifest.get("documents", {})}
    reports_root = reports_root_of(run.parent.parent).resolve()
    for name in recorded:
        resolved = (run / name).resolve()
        if not resolved.is_relative_to(reports_root) or not resolved.is_file():
            return False
    return hash_files(run, (run / name for name in recorded)) == recorded


def _tidy_temporaries(folder: Path, say: Say) -> None:
    """Folders moved aside first (a stored subfolder, a replaced folder): put back, or the
    switch that moved them finished; then the temporary links and files go."""
    leftovers = [p for p in sorted(folder.iterdir()) if p.name.startswith(".")]
    for path in leftovers:
        if not path.name.endswith((_OUTGOING, ".old")) or path.is_symlink():
            continue
        original = folder / path.name[1:].rsplit(".", 1)[0]
        incoming = original.with_name(f".{original.name}{_INCOMING}")
        if not original.exists() and not original.is_symlink():
            if path.name.endswith(".old"):  # storing a run's subfolder was cut short
                os.rename(path, original)
            elif incoming.is_symlink():  # replacing a folder by its link was cut short
                os.replace(incoming, original)
        shutil.rmtree(path, ignore_errors=True)
        say(f"warning: finished {path}, left by an interrupted run")
    for path in leftovers:
        if path.name.endswith((_INCOMING, ".link")) and (path.is_symlink() or path.is_file()):
            path.unlink()
        elif ".incoming-" in path.name and path.is_dir() and not path.is_symlink():
            shutil.rmtree(path)
        else:
            continue
        say(f"warning: removed {path}, left by an interrupted run")


def _mark_abandoned(run: Path, say: Say) -> None:
    """A run folder without a manifest: its run was killed or the power failed."""
    record = {
        "cycle": run.parent.parent.name,
        "run_id": run.name,
        "status": "abandoned",
        "error": "the run ended before it finished (killed, or the machine stopped); "
        "see its run.log",
    }
    (run / MANIFEST).write_text(json.dumps(record, indent=2) + "\n", encoding="utf-8")
    say(f"warning: run {run.name} ended before it finished; marked abandoned")
