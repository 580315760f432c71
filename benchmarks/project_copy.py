"""A copy of the project for a benchmark to run in, as `make setup` leaves it (shared by the
benchmarks beside this file)."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from highneeds.common.paths import PROJECT_FILES  # noqa: E402

#: The shipped cycle the benchmarks run.
CYCLE = "2022-01"


def copy_project(target: Path) -> Path:
    """A copy of the project as `make setup` leaves it (the package byte-compiled)."""
    for name in PROJECT_FILES:
        source = ROOT / name
        if source.is_dir():
            shutil.copytree(source, target / name)
        else:
            (target / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target / name)
    return target
