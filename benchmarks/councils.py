"""How the time of ``run --all`` grows with councils and cores: N councils (copies of the
shipped cycle, each in a folder of its own) published by one ``run --all``, cold, for a few N;
the seconds a council and how many councils one machine publishes an hour, which says how many
one machine serves in a night.

Run by ``make bench`` (after the single-cycle measures), or alone:
``python benchmarks/councils.py [--councils 1 2 4 20]``. Writes
``benchmarks/results/councils.json``.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(Path(__file__).resolve().parent))
from project_copy import CYCLE, copy_project  # noqa: E402  (beside this file)

DEFAULT_COUNTS = (1, 2, 4, 20)


def project_with(councils: int, work: Path) -> Path:
    """A project whose only cycles are ``councils`` councils' copies of the shipped cycle."""
    project = copy_project(work / f"project-{councils}")
    raw = project / "data" / "raw"
    shipped = raw / CYCLE
    for number in range(councils):
        shutil.copytree(shipped, raw / f"council-{number + 1:02d}" / CYCLE)
    for other in raw.iterdir():  # the shipped councils: only the copies are measured
        if not other.name.startswith("council-"):
            shutil.rmtree(other)
    return project


def run_all(project: Path) -> float:
    """One ``run --all``, cold: its wall seconds."""
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "pipeline.py", "run", "--all", "--quiet"],
        cwd=project,
        capture_output=True,
        text=True,
        check=False,
    )
    seconds = time.perf_counter() - started
    if done.returncode != 0:
        raise SystemExit(f"run --all failed ({done.returncode}):\n{done.stdout}{done.stderr}")
    return seconds


def measure(counts: tuple[int, ...]) -> dict[str, object]:
    rows = []
    with tempfile.TemporaryDirectory(prefix="highneeds-councils-") as temporary:
        work = Path(temporary)
        run_all(project_with(1, work / "warm"))  # the file cache and environment, unmeasured
        for count in counts:
            project = project_with(count, work)
            seconds = run_all(project)
            rows.append(
                {
                    "councils": count,
                    "seconds": seconds,
                    "seconds_a_council": seconds / count,
                    "councils_an_hour": 3600 * count / seconds,
                }
            )
            print(
                f"{count:>3} council(s): {seconds:7.1f} s, {seconds / count:5.1f} s a council, "
                f"{3600 * count / seconds:6.0f} an hour",
                flush=True,
            )
            shutil.rmtree(project)
    one = rows[0]["seconds"]
    for row in rows:
        # Against one council's run: above 1 for several councils, the cores working at once.
        row["speed_up_over_one_by_one"] = row["councils"] * one / row["seconds"]  # type: ignore[operator]
    return {"cpus": os.cpu_count(), "runs": rows}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--councils", type=int, nargs="+", default=list(DEFAULT_COUNTS))
    args = parser.parse_args()
    result = measure(tuple(args.councils))
    last = result["runs"][-1]  # type: ignore[index]
    night = 8 * last["councils_an_hour"]
    print(
        f"\n{result['cpus']} core(s): {last['councils']} councils in {last['seconds']:.0f} s, "
        f"{last['speed_up_over_one_by_one']:.2f}x one after another; about {night:.0f} "
        "councils in an eight-hour night"
    )
    target = ROOT / "benchmarks" / "results" / "councils.json"
    target.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    print(f"written to {target}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
