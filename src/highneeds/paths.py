"""Where things live: every path hangs off the project root, never the working directory."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parents[2]
#: What a copy of the project needs in order to run a cycle (tests and benchmarks copy these).
PROJECT_FILES = (
    "pipeline.py",
    "pyproject.toml",
    "uv.lock",
    "src",
    "notebooks",
    "expectations",
    "data/raw",
)


@dataclass(frozen=True)
class CyclePaths:
    """The folders a run of one cycle reads and writes, relative to a project root."""

    root: Path
    cycle: str

    @property
    def raw(self) -> Path:
        return self.root / "data" / "raw" / self.cycle

    @property
    def processed(self) -> Path:
        return self.root / "data" / "processed" / self.cycle

    @property
    def reports(self) -> Path:
        return self.root / "reports" / self.cycle

    @property
    def validation(self) -> Path:
        return self.reports / "validation"

    @property
    def expectations(self) -> Path:
        return self.root / "expectations"
