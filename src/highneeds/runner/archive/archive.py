"""Run folders: what a run read and wrote, its manifest, and publishing the latest good run.

Each run of a cycle gets ``reports/<cycle>/runs/<run-id>/`` holding a copy of the inputs it
read, its executed notebooks, processed tables, validation documents, the paper and
``manifest.json`` (kept once in the shared store: ``store.py``). The cycle's published files
(``reports/<cycle>/cabinet-report.html`` ...) are links through the cycle's ``current`` link to
the latest successful run (``publishing.py``).
"""

from __future__ import annotations

import hashlib
import json
import os
import platform
import re
import subprocess
import sys
from collections.abc import Iterable, Iterator
from contextlib import contextmanager, suppress
from contextvars import ContextVar
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from highneeds.runner.archive.outputs import MANIFEST

_PACKAGES = (
    "highneeds",
    "papermill",
    "nbconvert",
    "nbformat",
    "great-expectations",
    "pandas",
    "numpy",
    "matplotlib",
    "jinja2",
    "weasyprint",
    "ipykernel",
    "openpyxl",
)


#: Files hashed within :func:`hashes_kept`, by what says their bytes have not changed since.
_KEPT: ContextVar[dict[tuple[int, int, int, int], str] | None] = ContextVar(
    "highneeds_kept_hashes", default=None
)


@contextmanager
def hashes_kept() -> Iterator[None]:
    """Within the block (in this thread), a file hashed again unchanged -- the same device,
    inode, size and modification time -- is not read again. A run holds its cycle's lock for
    the block and hashes the same files more than once: the published run's outputs when it
    checks that run is whole and again when it reuses them, its own files for the manifest and
    again as it stores them."""
    token = _KEPT.set({})
    try:
        yield
    finally:
        _KEPT.reset(token)


def sha256(path: Path) -> str:
    """The SHA-256 of a file's bytes."""
    kept = _KEPT.get()
    if kept is None:
        return _file_sha256(path)
    unchanged = _unchanged_key(path)
    if unchanged not in kept:
        kept[unchanged] = _file_sha256(path)
    return kept[unchanged]


def hash_known(path: Path, digest: str) -> None:
    """Within :func:`hashes_kept`, take ``digest`` as the hash of ``path`` as it now is: a copy
    of a file whose hash was checked a moment before, which hashing would only read again."""
    kept = _KEPT.get()
    if kept is not None:
        kept[_unchanged_key(path)] = digest


def _unchanged_key(path: Path) -> tuple[int, int, int, int]:
    """What says a file's bytes are those hashed before: its device, inode, size and
    modification time."""
    status = os.stat(path)
    return (status.st_dev, status.st_ino, status.st_size, status.st_mtime_ns)


def _file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 16), b""):
            digest.update(chunk)
    return digest.hexdigest()


def hash_files(folder: Path, paths: Iterable[Path]) -> dict[str, str]:
    """``{path relative to folder: sha256}`` for each existing file, sorted."""
    return {p.relative_to(folder).as_posix(): sha256(p) for p in sorted(set(paths)) if p.is_file()}


def hash_tree(folder: Path) -> dict[str, str]:
    """Every file under ``folder``, hashed, keyed by its path relative to ``folder``."""
    return hash_files(folder, folder.rglob("*")) if folder.is_dir() else {}


#: Notebook metadata that records when and where a run happened, not what it computed.
_VOLATILE_NOTEBOOK_KEYS = (
    "start_time",
    "end_time",
    "duration",
    "exception",
    "input_path",
    "output_path",
    "environment_variables",
)


def normalise_notebook(path: Path, relative_name: str) -> None:
    """Drop timestamps and absolute paths from an executed notebook, so that the same inputs
    give the same bytes. Durations are kept in the run's manifest instead. (A cell's printed
    lines are already one output: :mod:`highneeds.runner.execute.kernels` has nbclient merge
    them.)"""
    import nbformat

    notebook = nbformat.read(path, as_version=4)
    papermill = notebook.metadata.get("papermill", {})
    for key in _VOLATILE_NOTEBOOK_KEYS:
        papermill.pop(key, None)
    papermill["input_path"] = relative_name
    for cell in notebook.cells:
        cell.metadata.pop("papermill", None)
        cell.metadata.pop("execution", None)
        if "injected-parameters" in cell.metadata.get("tags", []):
            cell.id = "injected-parameters"  # papermill gives it a random id
    nbformat.write(notebook, path)


def package_versions() -> dict[str, str]:
    """The installed version of each package the paper depends on, as its ``.dist-info``
    folder is named: ``{name}-{version}.dist-info``, both normalised (the packaging
    specification "Recording installed projects"), first found along ``sys.path`` as
    importlib.metadata finds it. Reading the names takes a folder listing where
    importlib.metadata imports itself and reads and parses each package's METADATA, a
    noticeable part of a no-change re-run; it is asked only for a package installed otherwise
    (an ``.egg-info``)."""
    installed: dict[str, str] = {}
    for entry in sys.path:
        with suppress(OSError):
            for item in os.scandir(entry or "."):
                if item.name.endswith(_DIST_INFO) and item.is_dir():
                    name, _, version = item.name.removesuffix(_DIST_INFO).partition("-")
                    installed.setdefault(_normalised_name(name), version)
    versions: dict[str, str] = {}
    for package in _PACKAGES:
        found = installed.get(_normalised_name(package))
        versions[package] = found if found else _version_from_metadata(package)
    return versions


_DIST_INFO = ".dist-info"


def _normalised_name(name: str) -> str:
    """A distribution's name as the packaging specifications compare names."""
    return re.sub(r"[-_.]+", "-", name).lower()


def _version_from_metadata(package: str) -> str:
    from importlib import metadata

    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:
        return "not installed"


def git_state(root: Path) -> dict[str, Any]:
    """The project's commit and whether its tree had uncommitted changes, from one ``git
    status`` (its header names the commit; any other line is a change). A repository with no
    commit yet has ``commit`` None; with no git, or outside a repository, both are None."""
    try:
        lines = subprocess.run(
            ["git", "status", "--porcelain=v2", "--branch"],
            cwd=root,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.splitlines()
    except (OSError, subprocess.CalledProcessError):
        return {"commit": None, "dirty": None}
    header = {k: v for k, _, v in (line[2:].partition(" ") for line in lines if line[:2] == "# ")}
    commit = header.get("branch.oid")
    return {
        "commit": None if commit in (None, "(initial)") else commit,
        "dirty": any(not line.startswith("# ") for line in lines),
    }


def platform_name() -> str:
    """The operating system, its release, the machine and the C library, as
    ``platform.platform()`` names them on Debian (``Linux-6.1.0-x86_64-with-glibc2.36``), without
    the ``uname -p`` subprocess CPython starts for that call: every run records this."""
    if sys.platform != "linux":
        return platform.platform()
    libc, version = platform.libc_ver()
    name = f"{platform.system()}-{platform.release()}-{platform.machine()}"
    return f"{name}-with-{libc}{version}" if libc else name


def environment(root: Path) -> dict[str, Any]:
    lock = root / "uv.lock"
    return {
        "python": platform.python_version(),
        "platform": platform_name(),
        "uv_lock_sha256": sha256(lock) if lock.is_file() else None,
        "packages": package_versions(),
    }


def write_json(path: Path, data: Any) -> None:
    """Write JSON atomically: to a temporary file beside it, then renamed into place."""
    temporary = path.with_name(f".{path.name}.tmp")
    temporary.write_text(json.dumps(data, indent=2, sort_keys=False) + "\n", encoding="utf-8")
    os.replace(temporary, path)


def read_manifest(run_dir: Path) -> dict[str, Any] | None:
    path = run_dir / MANIFEST
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def runs_newest_first(reports: Path) -> list[Path]:
    """A cycle's run folders, newest first (run ids sort by time)."""
    runs = reports / "runs"
    if not runs.is_dir():
        return []
    # A link planted among the runs is no run: it is never read, moved or removed through.
    found = (p for p in runs.iterdir() if p.is_dir() and not p.is_symlink())
    return sorted(found, key=lambda p: p.name, reverse=True)


#: A run id starts with when the run started, so that run ids sort by time.
_RUN_ID_TIME = "%Y%m%dT%H%M%S%fZ"


def new_run_id(now: datetime | None = None) -> str:
    stamp = (now or datetime.now(UTC)).strftime(_RUN_ID_TIME)
    return f"{stamp}-{os.getpid()}"


def run_started(run_id: str) -> datetime | None:
    """When a run started, read from its id (``20260103T060000123456Z-4242``)."""
    try:
        return datetime.strptime(run_id.split("-")[0], _RUN_ID_TIME).replace(tzinfo=UTC)
    except ValueError:
        return None


def sha256_json(payload: Any) -> str:
    return hashlib.sha256(json.dumps(payload, sort_keys=True).encode("utf-8")).hexdigest()


def code_hash(root: Path) -> str:
    """One hash of the package's source and its templates: what shapes outputs besides the
    inputs (no document is read while the pipeline runs, so none is hashed)."""
    package = root / "src" / "highneeds"
    files = sorted(package.rglob("*.py")) + sorted(package.glob("*/templates/**/*"))
    return sha256_json(hash_files(root, (p for p in files if p.is_file())))
