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
    "templates",
    "expectations",
    "data/raw",
)


def resolve(path: str | Path, root: Path = PROJECT_ROOT) -> Path:
    """Return ``path`` as an absolute path, reading a relative one against the project root."""
    p = Path(path)
    return p if p.is_absolute() else root / p


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

    @property
    def notebooks(self) -> Path:
        return self.root / "notebooks"

    @property
    def template(self) -> Path:
        return self.root / "templates" / "cabinet-paper"

    def relative(self, path: Path) -> str:
        """``path`` relative to the project root, as notebooks receive it."""
        return path.relative_to(self.root).as_posix()
