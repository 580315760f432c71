"""Publishing switches the whole published set at once: a process killed after any file or
folder operation of storing and publishing leaves the old set or the new one, never a mix,
and the next start tidies what it left."""

from __future__ import annotations

import hashlib
import json
import os
import signal
import tempfile
from collections.abc import Callable
from pathlib import Path

import pytest

from highneeds.common.paths import CyclePaths
from highneeds.runner.archive.publishing import PUBLISHED_NAMES, publish, published_run, recover
from highneeds.runner.archive.store import Store

CYCLE = "2022-01"
OLD, NEW = "20260101T060000000000Z-1", "20260201T060000000000Z-1"


def run_files(run_id: str, status: str = "ok") -> dict[str, bytes]:
    """A small run: the new one has a DfE return the old lacks, and lacks its change log."""
    tag = run_id.encode()
    pdf = b"%PDF " + tag
    outputs = {"cabinet-report.pdf": hashlib.sha256(pdf).hexdigest()}
    files = {
        "manifest.json": json.dumps(
            {"run_id": run_id, "status": status, "outputs": outputs}
        ).encode(),
        "cabinet-report.html": b"<p>" + tag + b"</p>",
        "cabinet-report.pdf": pdf,
        "notebooks/01_validate.ipynb": b"{} " + tag,
        "processed/budget.csv": b"year\n" + tag,
        "validation/summary.html": b"<p>checks " + tag + b"</p>",
    }
    files["changes.html" if run_id == OLD else "dfe-management-plan.xlsx"] = tag
    return files


def write_run(paths: CyclePaths, run_id: str, status: str = "ok") -> Path:
    run = paths.reports / "runs" / run_id
    for name, data in run_files(run_id, status).items():
        (run / name).parent.mkdir(parents=True, exist_ok=True)
        (run / name).write_bytes(data)
    return run


def store_and_publish(run: Path, paths: CyclePaths) -> None:
    store = Store(paths.root / "reports")
    with store.lock():
        store.absorb_run(run)
        publish(run, paths, lambda message: None)


def published_view(paths: CyclePaths) -> dict[str, bytes | None]:
    """What a reader of the stable paths sees, file by file (None: not there)."""
    places = {name: paths.reports / name for name in PUBLISHED_NAMES if name != "notebooks"} | {
        "notebooks/01_validate.ipynb": paths.reports / "notebooks" / "01_validate.ipynb",
        "processed/budget.csv": paths.processed / "budget.csv",
    }
    return {name: path.read_bytes() if path.is_file() else None for name, path in places.items()}


def view_of(run_id: str, view: dict[str, bytes | None]) -> dict[str, bytes | None]:
    files = run_files(run_id)
    return {name: files.get(name) for name in view}


def which_set(paths: CyclePaths) -> str:
    view = published_view(paths)
    matches = [run for run in (OLD, NEW) if view == view_of(run, view)]
    assert matches, f"a mix of two runs is published: {view}"
    return matches[0]


def temporaries(paths: CyclePaths) -> list[str]:
    folders = [paths.reports, *(paths.reports / "runs").iterdir()]
    return [p.name for f in folders for p in f.iterdir() if p.name.startswith(".")]


def counting_kill(after: int) -> None:
    """In a child process: die by SIGKILL right after the ``after``-th file operation."""
    done = 0

    def counted(function: Callable[..., object]) -> Callable[..., object]:
        def operation(*args: object, **kwargs: object) -> object:
            nonlocal done
            result = function(*args, **kwargs)
            done += 1
            if done == after:
                os.kill(os.getpid(), signal.SIGKILL)
            return result

        return operation

    for name in ("link", "symlink", "rename", "replace", "unlink", "rmdir", "mkdir", "chmod"):
        setattr(os, name, counted(getattr(os, name)))
    os.fsync = counted(os.fsync)


def killed_after(operations: int, run: Path, paths: CyclePaths) -> bool:
    """Store and publish ``run`` in a child process killed after ``operations`` operations;
    True if it was killed before it finished."""
    child = os.fork()
    if child == 0:  # pragma: no cover (the child's coverage is not collected)
        try:
            counting_kill(operations)
            store_and_publish(run, paths)
        finally:
            os._exit(0)
    _, status = os.waitpid(child, 0)
    return os.WIFSIGNALED(status)


def a_cycle_with_a_published_run(root: Path) -> tuple[CyclePaths, Path]:
    paths = CyclePaths(root, CYCLE)
    store_and_publish(write_run(paths, OLD), paths)
    return paths, write_run(paths, NEW)


def test_publishing_switches_every_stable_path_to_the_new_run(tmp_path: Path) -> None:
    paths, new = a_cycle_with_a_published_run(tmp_path)
    assert which_set(paths) == OLD
    store_and_publish(new, paths)
    assert which_set(paths) == NEW
    assert published_run(paths.reports) == new
    assert not (paths.reports / "changes.html").is_symlink()  # the new run has none
    assert (paths.validation / "summary.html").read_bytes() == run_files(NEW)[
        "validation/summary.html"
    ]


def test_a_kill_after_any_operation_leaves_the_old_set_or_the_new_one() -> None:
    seen = {OLD: 0, NEW: 0}
    for operations in range(1, 500):
        with tempfile.TemporaryDirectory() as temporary:
            paths, new = a_cycle_with_a_published_run(Path(temporary))
            if not killed_after(operations, new, paths):
                break
            seen[which_set(paths)] += 1
            recover(paths.reports, lambda message: None)
            which_set(paths)
            assert temporaries(paths) == [], operations
            # The run can then be stored and published as if nothing had happened.
            if (new / "manifest.json").is_file():
                store_and_publish(new, paths)
                assert which_set(paths) == NEW
    else:
        pytest.fail("publishing never finished")
    assert operations > 40  # every operation of storing and publishing was interrupted once
    assert seen[OLD] and seen[NEW]


def test_a_current_naming_a_failed_run_goes_back_to_the_newest_intact_good_run(
    tmp_path: Path,
) -> None:
    paths, new = a_cycle_with_a_published_run(tmp_path)
    (new / "cabinet-report.pdf").write_bytes(b"")  # good once, cut short by a power cut
    store_and_publish(write_run(paths, "20260301T060000000000Z-1", status="failed"), paths)
    messages: list[str] = []
    recover(paths.reports, messages.append)
    assert published_run(paths.reports) == paths.reports / "runs" / OLD
    assert which_set(paths) == OLD
    assert f"the newest good run, {OLD}, is published again" in messages[0]


def test_a_run_that_never_finished_is_marked_abandoned(tmp_path: Path) -> None:
    paths, new = a_cycle_with_a_published_run(tmp_path)
    (new / "manifest.json").unlink()
    messages: list[str] = []
    recover(paths.reports, messages.append)
    assert json.loads((new / "manifest.json").read_text())["status"] == "abandoned"
    assert messages == [f"warning: run {NEW} ended before it finished; marked abandoned"]
    assert which_set(paths) == OLD


def test_a_cycle_published_as_copies_by_an_older_version_is_adopted(tmp_path: Path) -> None:
    paths = CyclePaths(tmp_path, CYCLE)
    old = write_run(paths, OLD)  # as an older version left it: copies beside the runs
    for name, data in run_files(OLD).items():
        target = (
            paths.processed / name[len("processed/") :]
            if name.startswith("processed/")
            else paths.reports / name
        )
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
    assert which_set(paths) == OLD and not (paths.reports / "current").exists()
    store_and_publish(write_run(paths, NEW), paths)
    assert which_set(paths) == NEW
    assert all(
        (paths.reports / name).is_symlink()
        for name in PUBLISHED_NAMES
        if (paths.reports / name).exists()
    )
    assert paths.processed.is_symlink() and (paths.reports / "validation").is_symlink()
    assert old.is_dir()


def test_validate_never_unpublishes_and_reports_a_damaged_paper(
    tmp_path: Path, shipped_raw: Path
) -> None:
    """A published file edited in place: validate checks the inputs, says the published run
    is damaged (exit 6) and leaves every link as it was; run's recovery would republish."""
    import shutil

    from highneeds.common.errors import VerificationFailed
    from highneeds.runner.archive.publishing import damaged_publication
    from highneeds.runner.commands.validate import validate_only
    from highneeds.runner.execute.options import RunOptions

    paths, _ = a_cycle_with_a_published_run(tmp_path)
    shutil.copytree(shipped_raw, paths.raw)
    before = published_view(paths)
    published = paths.reports / "runs" / OLD / "cabinet-report.pdf"
    published.chmod(0o644)
    published.write_bytes(b"%PDF edited in place")
    with pytest.raises(VerificationFailed, match="passed the gate, but the published run") as e:
        validate_only(RunOptions(root=tmp_path, cycle=CYCLE))
    assert e.value.exit_code == 6
    assert (paths.reports / "current").is_symlink()
    assert published_view(paths) == {**before, "cabinet-report.pdf": b"%PDF edited in place"}
    assert "edited or removed" in (damaged_publication(paths.reports) or "")


def test_recovery_with_no_good_run_left_removes_the_dangling_stable_names(tmp_path: Path) -> None:
    import shutil

    paths, never_published = a_cycle_with_a_published_run(tmp_path)
    shutil.rmtree(never_published)
    edited = paths.reports / "runs" / OLD / "cabinet-report.pdf"
    edited.chmod(0o644)
    edited.write_bytes(b"edited")
    recover(paths.reports, lambda message: None)
    assert not (paths.reports / "current").is_symlink()
    assert not any((paths.reports / name).is_symlink() for name in PUBLISHED_NAMES)
