"""The `status` command, for monitors: what a cycle has published, how its last run ended,
whether one is running now, and how big the archive is. Exit 0 when the last run succeeded,
else that run's exit code (1 for a run that never finished, or none at all)."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from highneeds.common.paths import CyclePaths
from highneeds.runner.archive.archive import read_manifest, runs_newest_first
from highneeds.runner.archive.locking import lock_holder
from highneeds.runner.archive.publishing import published_run
from highneeds.runner.archive.store import disk_usage


@dataclass
class CycleStatus:
    cycle: str
    published: dict[str, Any] | None
    last_run: dict[str, Any] | None
    in_progress: dict[str, Any] | None
    runs: int
    archive_bytes: int

    @property
    def exit_code(self) -> int:
        if self.last_run is None:
            return 1
        return int(self.last_run.get("exit_code", 0 if self.last_run["status"] == "ok" else 1))

    def as_json(self) -> str:
        return json.dumps(asdict(self) | {"exit_code": self.exit_code}, indent=2)

    def lines(self) -> list[str]:
        published, last, progress = self.published, self.last_run, self.in_progress
        shown = {"published": "none", "last run": "none", "in progress": "no"}
        if published:
            shown["published"] = f"run {published['run_id']} ({published['finished']})"
        if last:
            error = f": {last['error'].splitlines()[0]}" if last.get("error") else ""
            shown["last run"] = (
                f"run {last['run_id']} ({last.get('finished') or last['started']}), "
                f"{last['status']} (exit {self.exit_code}){error}"
            )
        if progress:
            shown["in progress"] = (
                f"process {progress.get('pid', '?')} since {progress.get('since', '?')}"
            )
        return [
            f"Cycle {self.cycle}:",
            *(f"  {name}: {text}" for name, text in shown.items()),
            f"  archive: {self.runs} run(s); reports/ takes {self.archive_bytes / 1e6:.1f} MB",
        ]


def _summary(run: Path) -> dict[str, Any]:
    manifest = read_manifest(run) or {}
    summary = {
        "run_id": run.name,
        "status": manifest.get("status", "unfinished"),
        "started": manifest.get("started"),
        "finished": manifest.get("finished"),
    }
    if "exit_code" in manifest:
        summary["exit_code"] = manifest["exit_code"]
    if manifest.get("error"):
        summary["error"] = manifest["error"]
    return summary


def cycle_status(root: Path, cycle: str, council: str | None = None) -> CycleStatus:
    paths = CyclePaths(root, cycle, council)
    reports = paths.reports
    runs = runs_newest_first(reports)
    holder = lock_holder(reports)
    finished = [run for run in runs if not (holder and read_manifest(run) is None)]
    published = published_run(reports)
    return CycleStatus(
        cycle=paths.label,
        published=_summary(published) if published else None,
        last_run=_summary(finished[0]) if finished else None,
        in_progress=holder,
        runs=len(runs),
        archive_bytes=disk_usage(root / "reports") if (root / "reports").is_dir() else 0,
    )
