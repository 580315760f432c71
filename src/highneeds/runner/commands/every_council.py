"""``run --all``: every council's newest cycle, several at once, one process each (up to the
machine's cores), each a run of its own (its lock, log, notification and exit code), and one
line a council."""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from highneeds.common.errors import HighNeedsError
from highneeds.common.paths import PROJECT_ROOT, councils, single_layout


class SomeCouncilsFailed(HighNeedsError):
    """At least one council's run failed: the exit code is the first failure's."""

    def __init__(self, message: str, exit_code: int) -> None:
        super().__init__(message)
        self.exit_code = exit_code


@dataclass(frozen=True)
class CouncilRun:
    """How one council's run ended: its exit code, what it said last and how long it took."""

    council: str | None
    exit_code: int
    said: str
    seconds: float

    def line(self) -> str:
        who = self.council or "(cycles under data/raw/)"
        if self.exit_code == 0:
            return f"{who}: {self.said} ({self.seconds:.1f} s)"
        return f"{who}: FAILED, exit {self.exit_code}: {self.said} ({self.seconds:.1f} s)"


def _passed_on(args: argparse.Namespace) -> list[str]:
    """The options of ``run --all`` every council's run is given."""
    out: list[str] = []
    for name, value in args.parameter:
        out += ["-p", f"{name}={value}"]
    for flag in ("force", "sequential", "require_changes"):
        if getattr(args, flag):
            out.append("--" + flag.replace("_", "-"))
    for option in ("cell_timeout", "kernel_timeout", "render_timeout"):
        out += ["--" + option.replace("_", "-"), str(getattr(args, option))]
    return [*out, "--log-format", args.log_format]


def _run_one(root: Path, council: str | None, options: list[str]) -> CouncilRun:
    started = time.monotonic()
    command = [sys.executable, str(root / "pipeline.py"), "run", "--quiet", *options]
    if council is not None:
        command += ["--council", council]
    done = subprocess.run(command, cwd=root, capture_output=True, text=True, check=False)
    lines = [line for line in (done.stdout + "\n" + done.stderr).splitlines() if line.strip()]
    said = next(
        (line.strip() for line in reversed(lines) if "error" in line.lower()),
        lines[-1].strip() if lines else "",
    )
    if done.returncode == 0:
        said = next((line.strip() for line in lines if line.startswith("Paper for")), said)
        listed = {
            line.split(":", 1)[0].strip(): line.split(":", 1)[1].strip()
            for line in lines
            if line.startswith("  ") and ":" in line
        }
        paper = listed.get("PDF") or listed.get("HTML", "")
        said = f"{said.rstrip(':')} {paper}".strip()
    return CouncilRun(council, done.returncode, said, time.monotonic() - started)


def every_council(root: Path) -> list[str | None]:
    """The councils to run: each named one, and the cycles straight under data/raw/."""
    named: list[str | None] = list(councils(root))
    return ([None] if single_layout(root) else []) + named


def run_every_council(args: argparse.Namespace, root: Path = PROJECT_ROOT) -> list[str]:
    """Run every council's newest cycle, ``os.cpu_count()`` at a time; one line a council.
    Raises :class:`SomeCouncilsFailed` with the first failure's exit code, after every run."""
    if args.cycle or args.council:
        from highneeds.common.errors import UsageError

        raise UsageError(
            "run --all runs every council's newest cycle: give no --cycle or --council"
        )
    targets = every_council(root)
    if not targets:
        from highneeds.common.errors import UsageError

        raise UsageError(f"no cycle folders under {root / 'data' / 'raw'}")
    options = _passed_on(args)
    workers = max(1, min(len(targets), os.cpu_count() or 1))
    with ThreadPoolExecutor(max_workers=workers) as pool:
        results = list(pool.map(lambda council: _run_one(root, council, options), targets))
    lines = [result.line() for result in results]
    failed = [result for result in results if result.exit_code != 0]
    if failed:
        print("\n".join(lines), flush=True)
        raise SomeCouncilsFailed(
            f"{len(failed)} of {len(results)} council(s) failed: "
            + ", ".join(str(r.council) for r in failed),
            failed[0].exit_code,
        )
    return [f"Every council's newest cycle ({len(results)}), {workers} at a time:", *lines]
