"""Where things live: every path hangs off the project root, never the working directory."""

from __future__ import annotations

import functools
import re
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parents[3]
#: What a copy of the project needs in order to run a cycle (tests and benchmarks copy these).
PROJECT_FILES = (
    "pipeline.py",
    "pyproject.toml",
    "uv.lock",
    "src",
    "notebooks",
    "data/raw",
)


#: A cycle's label (``2022-01``).
CYCLE_RE = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")
#: A council's folder name under ``data/raw/`` (``anyshire``, ``north-borough``): lower-case
#: letters, digits and hyphens, with a letter somewhere (so never a cycle's label), and none
#: of the names the project's own folders have.
COUNCIL_RE = re.compile(
    r"^(?!(?:reports|data|raw|processed|runs|inputs|current|validation|hand-runs)$)"
    r"(?=[a-z0-9-]*[a-z])[a-z0-9][a-z0-9-]{0,62}$"
)


def reports_root_of(cycle_reports: Path) -> Path:
    """The ``reports/`` folder a cycle's folder is in (``reports/<cycle>``, or
    ``reports/<council>/<cycle>``): where the store of every council's runs is."""
    parent = cycle_reports.parent
    return (
        parent
        if parent.name == "reports" or COUNCIL_RE.match(parent.name) is None
        else (parent.parent)
    )


@dataclass(frozen=True)
class CyclePaths:
    """The folders a run of one cycle reads and writes, relative to a project root: under the
    council's own folder where the project holds several councils (``data/raw/<council>/``),
    or straight under ``data/raw/`` for a project of one council laid out so."""

    root: Path
    cycle: str
    council: str | None = None

    def _under(self, *base: str) -> Path:
        folder = self.root.joinpath(*base)
        return (folder / self.council if self.council else folder) / self.cycle

    @property
    def raw(self) -> Path:
        return self._under("data", "raw")

    @property
    def processed(self) -> Path:
        return self._under("data", "processed")

    @property
    def reports(self) -> Path:
        """The cycle's folder of runs and published papers; refused (a StorageError) where it,
        its council's folder or its ``runs`` folder is a link: the archive is never read,
        written or pruned through a link to a folder outside the project."""
        folder = self._under("reports")
        for level in (folder.parent, folder, folder / "runs"):
            if level.is_symlink() and level != self.root / "reports":
                from highneeds.common.errors import StorageError

                raise StorageError(
                    f"{level} is a link to another folder; the archive is never used through "
                    "a link (remove it)"
                )
        return folder

    @property
    def validation(self) -> Path:
        return self.reports / "validation"

    @property
    def label(self) -> str:
        """The cycle as messages name it: ``2022-01``, or ``anyshire 2022-01``."""
        return f"{self.council} {self.cycle}" if self.council else self.cycle


def raw_base(root: Path, council: str | None = None) -> Path:
    """The folder a council's cycles are in (``data/raw/<council>``, or ``data/raw``)."""
    folder = root / "data" / "raw"
    return folder / council if council else folder


def reports_base(root: Path, council: str | None = None) -> Path:
    """The folder a council's published cycles are in (``reports/<council>``, or ``reports``)."""
    folder = root / "reports"
    return folder / council if council else folder


def _holds_cycles(folder: Path) -> bool:
    return any(p.is_dir() and CYCLE_RE.match(p.name) for p in folder.iterdir())


def councils(root: Path) -> list[str]:
    """The councils of a project: each folder under ``data/raw/`` named as a council that
    holds a cycle folder (a link is no council), in order."""
    raw = root / "data" / "raw"
    if not raw.is_dir():
        return []
    return sorted(
        p.name
        for p in raw.iterdir()
        if COUNCIL_RE.match(p.name) and p.is_dir() and not p.is_symlink() and _holds_cycles(p)
    )


def single_layout(root: Path) -> bool:
    """Whether the project has cycles straight under ``data/raw/`` (one council, no folder)."""
    raw = root / "data" / "raw"
    return raw.is_dir() and _holds_cycles(raw)


def which_council(root: Path, council: str | None) -> str | None:
    """The council a command works on: the one named (checked); else the cycles straight under
    ``data/raw/`` where there are any (``None``: the project's own council, as a project of
    one council is laid out); else the project's only council folder. Several council folders
    and none named: a :class:`~highneeds.common.errors.UsageError` listing them."""
    from highneeds.common.errors import UsageError

    known = councils(root)
    if council is not None:
        if not COUNCIL_RE.match(council):
            raise UsageError(
                f"'{council}' is not a council's folder name: lower-case letters, digits and "
                "hyphens, e.g. anyshire"
            )
        if council not in known:
            raise UsageError(
                f"no council '{council}' under data/raw/ (councils: {', '.join(known) or 'none'})"
            )
        return council
    if single_layout(root) or not known:
        return None
    if len(known) == 1:
        return known[0]
    raise UsageError(
        f"the project holds several councils ({', '.join(known)}); say which with --council "
        "NAME (or run every council's newest cycle with run --all)"
    )


#: Where notebooks run by hand write when the folder they were given is an archived run's.
HAND_RUNS = Path("data") / "hand-runs"


class NotebookFolders:
    """The folders a notebook reads and writes: those it was given, or the cycle's own in this
    project; never an archived run's (see :func:`notebook_folders`). Each is worked out when
    the notebook first asks for it, so a notebook that writes no validation documents never
    touches that folder."""

    def __init__(
        self,
        cycle: str,
        given: dict[str, str | None],
        say: Callable[[str], None],
        council: str | None = None,
    ) -> None:
        from highneeds.common.errors import UsageError

        # Checked where it is read: the cycle names folders (data/hand-runs/<cycle>/...).
        if not isinstance(cycle, str) or not CYCLE_RE.match(cycle):
            raise UsageError(f"the parameter cycle must be a cycle such as 2022-01; got {cycle!r}")
        if council is not None and not (isinstance(council, str) and COUNCIL_RE.match(council)):
            raise UsageError(
                f"the parameter council must be a council's folder name; got {council!r}"
            )
        self.cycle, self._given, self._say, self._council = cycle, given, say, council

    @functools.cached_property
    def _paths(self) -> CyclePaths:
        """The cycle's own folders in this project: worked out only for a folder not given."""
        return CyclePaths(PROJECT_ROOT, self.cycle, which_council(PROJECT_ROOT, self._council))

    def _folder(self, name: str, default: Path) -> Path:
        given = self._given.get(name)
        return Path(given) if given else default

    @property
    def raw(self) -> Path:
        return self._folder("raw_dir", self._paths.raw)

    @functools.cached_property
    def processed(self) -> Path:
        folder = self._folder("processed_dir", self._paths.processed)
        return _outside_reports(
            _never_archived(folder, self.cycle, "processed", self._say), "processed_dir"
        )

    @functools.cached_property
    def validation(self) -> Path:
        folder = self._folder("validation_dir", self._paths.validation)
        return _outside_reports(
            _never_archived(folder, self.cycle, "validation", self._say), "validation_dir"
        )


def _outside_reports(folder: Path, name: str) -> Path:
    """A folder a notebook writes: refused inside ``reports/`` (the published papers, the
    runs, the store) unless it lies in a run the pipeline has started and not finished (its
    ``runs/<id>`` folder made, with its inputs, and no manifest yet)."""
    from highneeds.common.errors import UsageError

    reports = (PROJECT_ROOT / "reports").resolve()
    resolved = folder.resolve()
    if not resolved.is_relative_to(reports):
        return folder
    for candidate in (resolved, *resolved.parents):
        if candidate == reports:
            break
        if (
            candidate.parent.name == "runs"
            and (candidate / "inputs").is_dir()
            and not (candidate / "manifest.json").exists()
        ):
            return folder
    raise UsageError(
        f"the parameter {name} ({folder}) lies in reports/, which only the pipeline's own runs "
        "write: run by hand, a notebook writes under data/ (leave it out to use the cycle's own)"
    )


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
    validation_dir: str | None = None,
    say: Callable[[str], None] = print,
    council: str | None = None,
) -> NotebookFolders:
    """The folders of a notebook's parameters: each as given (relative to the working folder),
    or, left as None, the cycle's own in this project wherever papermill is run from (so that
    ``-p cycle 2022-02`` alone moves them all; ``-p council anyshire`` in a project of several
    councils).

    A notebook run by hand never writes into the archive: a processed or validation folder
    that lies in it (``data/processed/<cycle>`` is a link to the published run's) is replaced
    by a working copy under ``data/hand-runs/<cycle>/``, made once from the archived one and
    kept for the next notebook, and ``say`` says so."""
    given = {
        "raw_dir": raw_dir,
        "processed_dir": processed_dir,
        "validation_dir": validation_dir,
    }
    return NotebookFolders(cycle, given, say, council)


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


def financial_year_of(cycle: str) -> str:
    """The financial year (April to March) a ``YYYY-MM`` cycle falls in: 2022-01 is 2021/22."""
    year, month = (int(part) for part in cycle.split("-"))
    start = year if month >= 4 else year - 1
    return f"{start}/{(start + 1) % 100:02d}"
