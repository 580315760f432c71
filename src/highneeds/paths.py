"""Where things live: every path hangs off the project root, never the working directory."""

from __future__ import annotations

import functools
import shutil
from collections.abc import Callable
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


#: Where notebooks run by hand write when the folder they were given is an archived run's.
HAND_RUNS = Path("data") / "hand-runs"


class NotebookFolders:
    """The folders a notebook reads and writes: those it was given, or the cycle's own in this
    project; never an archived run's (see :func:`notebook_folders`). Each is worked out when
    the notebook first asks for it, so a notebook that writes no validation documents never
    touches that folder."""

    def __init__(
        self, cycle: str, given: dict[str, str | None], say: Callable[[str], None]
    ) -> None:
        self.cycle, self._given, self._say = cycle, given, say
        self._paths = CyclePaths(PROJECT_ROOT, cycle)

    def _folder(self, name: str, default: Path) -> Path:
        given = self._given.get(name)
        return Path(given) if given else default

    @property
    def raw(self) -> Path:
        return self._folder("raw_dir", self._paths.raw)

    @property
    def expectations(self) -> Path:
        return self._folder("expectations_dir", self._paths.expectations)

    @functools.cached_property
    def processed(self) -> Path:
        folder = self._folder("processed_dir", self._paths.processed)
        return _never_archived(folder, self.cycle, "processed", self._say)

    @functools.cached_property
    def validation(self) -> Path:
        folder = self._folder("validation_dir", self._paths.validation)
        return _never_archived(folder, self.cycle, "validation", self._say)


def archived_run(folder: Path) -> Path | None:
    """What of the archive ``folder`` lies in: a finished run (``runs/<id>`` with its
    manifest, published or kept) or the store's files (``reports/.store``, where ``validate``
    keeps its documents); None elsewhere. A run still in progress has no manifest yet."""
    resolved = folder.resolve()
    for candidate in (resolved, *resolved.parents):
        if candidate.parent.name == "runs" and (candidate / "manifest.json").is_file():
            return candidate
        if candidate.parent.name == ".store":
            return resolved
    return None


def notebook_folders(
    cycle: str,
    raw_dir: str | None = None,
    processed_dir: str | None = None,
    expectations_dir: str | None = None,
    validation_dir: str | None = None,
    say: Callable[[str], None] = print,
) -> NotebookFolders:
    """The folders of a notebook's parameters: each as given (relative to the working folder),
    or, left as None, the cycle's own in this project wherever papermill is run from (so that
    ``-p cycle 2022-02`` alone moves them all).

    A notebook run by hand never writes into the archive: a processed or validation folder
    that lies in it (``data/processed/<cycle>`` is a link to the published run's) is replaced
    by a working copy under ``data/hand-runs/<cycle>/``, made once from the archived one and
    kept for the next notebook, and ``say`` says so."""
    given = {
        "raw_dir": raw_dir,
        "processed_dir": processed_dir,
        "expectations_dir": expectations_dir,
        "validation_dir": validation_dir,
    }
    return NotebookFolders(cycle, given, say)


def _never_archived(folder: Path, cycle: str, name: str, say: Callable[[str], None]) -> Path:
    run = archived_run(folder)
    if run is None:
        return folder
    working = PROJECT_ROOT / HAND_RUNS / cycle / run.name / name
    if not working.exists():
        working.parent.mkdir(parents=True, exist_ok=True)
        if name == "processed" and folder.is_dir():
            # New files, writable: never links to the archived (read-only) ones.
            shutil.copytree(folder.resolve(), working, copy_function=shutil.copyfile)
        else:
            working.mkdir()
    say(
        f"{folder} is archived ({run.name}), and a notebook run by hand never changes the "
        f"archive: this notebook works in {working} instead"
    )
    return working
