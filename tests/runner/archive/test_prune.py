"""prune removes what its rules say and never what a cycle still needs."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from highneeds.common.errors import UsageError
from highneeds.common.paths import CyclePaths
from highneeds.runner.archive.locking import cycle_lock
from highneeds.runner.archive.prune import prune
from highneeds.runner.archive.publishing import published_run, recover, show_validation
from highneeds.runner.archive.store import Store, disk_usage
from tests.runner.archive.test_publishing import CYCLE, run_files, store_and_publish, write_run
from tests.runner.archive.test_store import read_run

#: Six monthly runs: the third is published, the fourth failed (its gate's documents are the
#: ones shown), the fifth was killed before it finished, the sixth succeeded.
RUNS = {
    "20260101T060000000000Z-1": "ok",
    "20260201T060000000000Z-1": "ok",
    "20260301T060000000000Z-1": "published",
    "20260401T060000000000Z-1": "failed",
    "20260501T060000000000Z-1": "killed",
    "20260601T060000000000Z-1": "ok",
}
JULY = datetime(2026, 7, 1, tzinfo=UTC)


@pytest.fixture
def archive(tmp_path: Path) -> CyclePaths:
    paths = CyclePaths(tmp_path, CYCLE)
    store = Store(tmp_path / "reports")
    for run_id, state in RUNS.items():
        run = write_run(paths, run_id, "failed" if state == "failed" else "ok")
        if state == "published":
            store_and_publish(run, paths)
            continue
        with store.lock():
            store.absorb_run(run)
        if state == "killed":
            (run / "manifest.json").unlink()
        if state == "failed":
            show_validation(paths.reports, run / "validation")
    return paths


def remaining(paths: CyclePaths) -> list[str]:
    return sorted(p.name for p in (paths.reports / "runs").iterdir())


def test_keep_removes_the_oldest_but_never_the_published_or_a_later_failure(
    archive: CyclePaths,
) -> None:
    result = prune(archive.root, None, keep=1, older_than_days=None, now=JULY)
    assert remaining(archive) == [
        "20260301T060000000000Z-1",  # published
        "20260401T060000000000Z-1",  # failed after it, its documents shown
        "20260501T060000000000Z-1",  # killed after it (marked abandoned on the way)
        "20260601T060000000000Z-1",  # the newest
    ]
    assert result.removed == [
        f"{CYCLE}/runs/20260201T060000000000Z-1",
        f"{CYCLE}/runs/20260101T060000000000Z-1",
    ]
    assert result.kept == 4
    assert published_run(archive.reports) == archive.reports / "runs" / "20260301T060000000000Z-1"
    for run_id in remaining(archive):
        expected = run_files(run_id, "failed" if RUNS[run_id] == "failed" else "ok")
        got = read_run(archive.reports / "runs" / run_id)
        assert {k: v for k, v in got.items() if k != "manifest.json"} == {
            k: v for k, v in expected.items() if k != "manifest.json"
        }


def test_a_dry_run_removes_nothing_and_predicts_the_space_freed(archive: CyclePaths) -> None:
    recover(archive.reports, lambda message: None)  # as prune does first (the killed run)
    before = disk_usage(archive.root / "reports")
    dry = prune(archive.root, CYCLE, keep=0, older_than_days=None, dry_run=True, now=JULY)
    assert len(remaining(archive)) == 6
    assert disk_usage(archive.root / "reports") == before
    real = prune(archive.root, CYCLE, keep=0, older_than_days=None, now=JULY)
    assert real.removed == dry.removed and len(real.removed) == 3
    assert real.freed_bytes == dry.freed_bytes == before - disk_usage(archive.root / "reports")


def test_older_than_counts_days_from_the_run_id_and_combines_with_keep(
    archive: CyclePaths,
) -> None:
    assert prune(archive.root, None, None, 100, dry_run=True, now=JULY).removed == [
        f"{CYCLE}/runs/20260201T060000000000Z-1",
        f"{CYCLE}/runs/20260101T060000000000Z-1",
    ]
    both = prune(archive.root, None, keep=0, older_than_days=150, dry_run=True, now=JULY)
    assert both.removed == [f"{CYCLE}/runs/20260101T060000000000Z-1"]  # Feb 1 is 150 days


def test_a_cycle_being_run_is_skipped(archive: CyclePaths) -> None:
    with cycle_lock(archive.reports, CYCLE, lambda message: None):
        result = prune(archive.root, None, keep=0, older_than_days=None, now=JULY)
    assert result.skipped == [CYCLE] and result.removed == []
    assert len(remaining(archive)) == 6


def test_prune_without_a_rule_or_for_an_unknown_cycle_is_a_usage_error(
    archive: CyclePaths,
) -> None:
    with pytest.raises(UsageError, match="--keep N"):
        prune(archive.root, None, None, None)
    with pytest.raises(UsageError, match="cycles with runs: 2022-01"):
        prune(archive.root, "2031-01", keep=1, older_than_days=None)
    with pytest.raises(UsageError, match="0 or more"):
        prune(archive.root, None, keep=-1, older_than_days=None)


def _outside(tmp_path: Path) -> Path:
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "keep.txt").write_text("not the pipeline's")
    (outside / "manifest.json").write_text('{"status": "ok", "run_id": "x"}')
    return outside


def test_prune_and_recovery_never_follow_a_link_planted_in_the_archive(tmp_path: Path) -> None:
    """Links planted by someone who can write reports/: in runs/, in the store's files and as
    current. Nothing outside reports/ is read as a run, written, renamed or deleted."""
    import os

    from highneeds.common.paths import CyclePaths
    from highneeds.runner.archive.prune import prune
    from highneeds.runner.archive.publishing import published_run, recover

    outside = _outside(tmp_path)
    reports = CyclePaths(tmp_path, "2022-01").reports
    (reports / "runs").mkdir(parents=True)
    (reports / "runs" / "20200101T000000000000Z-1").symlink_to(outside)
    files = tmp_path / "reports" / ".store" / "files"
    files.mkdir(parents=True)
    (files / "ab").symlink_to(outside)
    (reports / "current").symlink_to(outside)
    assert published_run(reports) is None  # current must be runs/<run-id>
    os.remove(reports / "current")
    (reports / "current").symlink_to("runs/20200101T000000000000Z-1")
    assert published_run(reports) is None  # a link among the runs is no run
    messages: list[str] = []
    recover(reports, messages.append)
    assert any("is a link, not a run" in m for m in messages)
    prune(tmp_path, None, keep=0, older_than_days=None)
    assert sorted(p.name for p in outside.iterdir()) == ["keep.txt", "manifest.json"]
    assert (outside / "keep.txt").read_text() == "not the pipeline's"


def test_a_run_with_a_forged_empty_manifest_is_not_intact(tmp_path: Path) -> None:
    from highneeds.runner.archive.publishing import intact

    run = tmp_path / "reports" / "2022-01" / "runs" / "20200101T000000000000Z-1"
    run.mkdir(parents=True)
    (run / "manifest.json").write_text('{"status": "ok", "run_id": "x", "outputs": {}}')
    assert not intact(run)


@pytest.mark.parametrize("planted", ["store", "files", "trees", "runs", "cycle", "council"])
def test_no_walk_of_the_archive_goes_through_a_link_at_any_level(
    archive: CyclePaths, tmp_path: Path, planted: str
) -> None:
    """A link where the store, its files or trees, a cycle's runs, a cycle or a council's
    folder should be: prune refuses or passes it by, and nothing outside is touched."""
    import shutil

    from highneeds.common.errors import StorageError
    from highneeds.runner.commands.status import cycle_status

    outside = _outside(tmp_path)
    run = outside / "runs" / "20200101T000000000000Z-1"
    run.mkdir(parents=True)
    (run / "manifest.json").write_text('{"status": "ok", "run_id": "x"}')
    (outside / "trees" / "ab").mkdir(parents=True)
    (outside / "files" / "cd").mkdir(parents=True)
    reports = tmp_path / "reports"
    where = {
        "store": reports / ".store",
        "files": reports / ".store" / "files",
        "trees": reports / ".store" / "trees",
        "runs": reports / "2030-01" / "runs",
        "cycle": reports / "2030-01",
        "council": reports / "rutland",
    }[planted]
    if where.exists():
        shutil.rmtree(where)
    where.parent.mkdir(parents=True, exist_ok=True)
    target = {"runs": outside / "runs", "cycle": outside, "council": outside}.get(planted, outside)
    where.symlink_to(target, target_is_directory=True)
    before = sorted(str(p.relative_to(outside)) for p in outside.rglob("*"))
    try:
        prune(tmp_path, None, keep=0, older_than_days=None)
    except StorageError as refused:
        assert "is a link to another folder" in str(refused)
    if planted in ("runs", "cycle"):
        with pytest.raises(StorageError, match="is a link to another folder"):
            _ = CyclePaths(tmp_path, "2030-01").reports
        with pytest.raises((StorageError, UsageError)):
            cycle_status(tmp_path, "2030-01")
    assert sorted(str(p.relative_to(outside)) for p in outside.rglob("*")) == before
