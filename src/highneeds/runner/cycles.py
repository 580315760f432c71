"""Reporting cycles: their labels, which exist, and starting a new one from the last."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

from highneeds.errors import UsageError

CYCLE_RE = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")


def check_label(cycle: str) -> str:
    """Refuse anything but a ``YYYY-MM`` label (so no ``..``, no slashes)."""
    if not CYCLE_RE.match(cycle):
        raise UsageError(f"'{cycle}' is not a cycle label: write it as YYYY-MM, e.g. 2022-01")
    return cycle


def available_cycles(root: Path) -> list[str]:
    """Cycles that have a folder of raw inputs, oldest first."""
    raw = root / "data" / "raw"
    if not raw.is_dir():
        return []
    return sorted(p.name for p in raw.iterdir() if p.is_dir() and CYCLE_RE.match(p.name))


def choose_cycle(root: Path, cycle: str | None) -> str:
    """The cycle asked for, checked; or the newest one under ``data/raw/``."""
    cycles = available_cycles(root)
    if cycle is None:
        if not cycles:
            raise UsageError(f"no cycle folders (YYYY-MM) under {root / 'data' / 'raw'}")
        return cycles[-1]
    check_label(cycle)
    if cycle not in cycles:
        known = ", ".join(cycles) or "none"
        raise UsageError(f"no inputs for cycle {cycle} under data/raw/ (cycles: {known})")
    return cycle


def new_cycle(root: Path, cycle: str, previous: str | None = None) -> Path:
    """Create ``data/raw/<cycle>/`` from a previous cycle's inputs and narrative.

    The author then edits only what changed. Refuses to overwrite an existing cycle.
    """
    check_label(cycle)
    source = choose_cycle(root, previous)
    target = root / "data" / "raw" / cycle
    if target.exists():
        raise UsageError(f"cycle {cycle} already exists at {target}; it is not overwritten")
    staging = target.with_name(f".{cycle}.incoming")
    shutil.rmtree(staging, ignore_errors=True)
    shutil.copytree(root / "data" / "raw" / source, staging)
    staging.rename(target)
    return target
