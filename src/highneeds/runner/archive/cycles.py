"""Reporting cycles: their labels, which exist, and starting a new one from the last."""

from __future__ import annotations

import calendar
import hashlib
import re
import shutil
from pathlib import Path

from highneeds.common.errors import InputDataError, UsageError
from highneeds.common.paths import CYCLE_RE, raw_base
from highneeds.gate.read.limits import InputLimits, check_cycle_folder
from highneeds.gate.read.sources import input_file_names
from highneeds.runner.archive.archive import hash_files


def check_label(cycle: str) -> str:
    """Refuse anything but a ``YYYY-MM`` label (so no ``..``, no slashes)."""
    if not CYCLE_RE.match(cycle):
        raise UsageError(f"'{cycle}' is not a cycle label: write it as YYYY-MM, e.g. 2022-01")
    return cycle


def available_cycles(root: Path, council: str | None = None) -> list[str]:
    """A council's cycles that have a folder of raw inputs, oldest first (a link is none)."""
    raw = raw_base(root, council)
    if not raw.is_dir() or raw.is_symlink():
        return []
    return sorted(
        p.name
        for p in raw.iterdir()
        if CYCLE_RE.match(p.name) and p.is_dir() and not p.is_symlink()
    )


def choose_cycle(root: Path, cycle: str | None, council: str | None = None) -> str:
    """The cycle asked for, checked; or the council's newest under ``data/raw/``."""
    cycles = available_cycles(root, council)
    where = f"data/raw/{council}/" if council else "data/raw/"
    if cycle is None:
        if not cycles:
            raise UsageError(f"no cycle folders (YYYY-MM) under {raw_base(root, council)}")
        return cycles[-1]
    check_label(cycle)
    folder = raw_base(root, council) / cycle
    if folder.is_symlink() or raw_base(root, council).is_symlink():
        raise InputDataError(
            f"{where}{cycle} is a link to another folder: a cycle's inputs must be a folder of "
            "the project itself (copy them in)"
        )
    if cycle not in cycles:
        known = ", ".join(cycles) or "none"
        raise UsageError(f"no inputs for cycle {cycle} under {where} (cycles: {known})")
    return cycle


def new_cycle(
    root: Path, cycle: str, previous: str | None = None, council: str | None = None
) -> tuple[Path, list[str]]:
    """Create ``data/raw/<cycle>/`` from a previous cycle's inputs and narrative; return it
    and the names it left behind (anything that is no input: notes, folders, hidden files).

    The author then edits only what changed; paper.yaml's meeting, where it was the previous
    cycle's month ("January 2022"), is moved to the new one's. Refuses to overwrite an
    existing cycle, and
    refuses a previous cycle holding a link (exit 3, as ``run`` does): a link is never
    followed, so no file from outside the cycle folder is copied in.
    """
    check_label(cycle)
    source = choose_cycle(root, previous, council)
    target = raw_base(root, council) / cycle
    if target.exists():
        raise UsageError(f"cycle {cycle} already exists at {target}; it is not overwritten")
    folder = raw_base(root, council) / source
    check_cycle_folder(folder, InputLimits.from_environment())
    inputs = input_file_names(folder)
    staging = target.with_name(f".{cycle}.incoming")
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir()
    left = []
    for path in sorted(folder.iterdir()):
        if path.name in inputs and path.is_file() and not path.is_symlink():
            shutil.copy2(path, staging / path.name, follow_symlinks=False)
        else:
            left.append(path.name)
    paper = staging / "paper.yaml"
    if paper.is_file():
        paper.write_text(
            moved_meeting(paper.read_text(encoding="utf-8"), source, cycle), encoding="utf-8"
        )
    staging.rename(target)
    return target, left


#: The line of paper.yaml that says when the paper is taken (``meeting: January 2022``).
_MEETING_LINE = re.compile(r"^(meeting:[ \t]*)([^\n]*)$", re.MULTILINE)


def month_words(cycle: str) -> str:
    """A cycle's month as a paper's header writes it: 2022-02 -> 'February 2022'."""
    year, month = (int(part) for part in cycle.split("-"))
    return f"{calendar.month_name[month]} {year}"


def meeting_of(paper_yaml: Path) -> str | None:
    """The meeting paper.yaml names (as written), or None."""
    if not paper_yaml.is_file():
        return None
    found = _MEETING_LINE.search(paper_yaml.read_text(encoding="utf-8"))
    return None if found is None else found.group(2).rstrip().strip("'\"")


def moved_meeting(paper_yaml: str, previous: str, cycle: str) -> str:
    """paper.yaml's text with the meeting moved to the new cycle's month, where it was the
    previous cycle's ("January 2022" for 2022-01); any other meeting is left as written, and
    so is every other line."""
    found = _MEETING_LINE.search(paper_yaml)
    if found is None or found.group(2).rstrip().strip("'\"") != month_words(previous):
        return paper_yaml
    line = f"{found.group(1)}{month_words(cycle)}"
    return paper_yaml[: found.start()] + line + paper_yaml[found.end() :]


def input_files(folder: Path) -> list[Path]:
    """The files of a cycle folder that a run reads: its inputs (see
    :func:`highneeds.gate.read.sources.input_file_names`)."""
    names = input_file_names(folder)
    return [p for p in sorted(folder.iterdir()) if p.name in names and p.is_file()]


def unchanged_from_previous(root: Path, cycle: str, council: str | None = None) -> str | None:
    """The previous cycle, if this cycle's inputs are byte for byte the same as its (a cycle
    started with ``new-cycle`` and not yet edited: the meeting new-cycle moved on aside)."""
    earlier = [c for c in available_cycles(root, council) if c < cycle]
    if not earlier:
        return None
    raw = raw_base(root, council)
    now = hash_files(raw / cycle, input_files(raw / cycle))
    before = hash_files(raw / earlier[-1], input_files(raw / earlier[-1]))
    # new-cycle moves the meeting on by itself: that alone is no edit by the author.
    for folder, hashes in ((raw / cycle, now), (raw / earlier[-1], before)):
        if "paper.yaml" in hashes:
            text = (folder / "paper.yaml").read_text(encoding="utf-8")
            without = _MEETING_LINE.sub("meeting:", text).encode("utf-8")
            hashes["paper.yaml"] = hashlib.sha256(without).hexdigest()
    return earlier[-1] if now == before else None
