"""The archive's store: a run that repeats another adds almost nothing, every run reads as it
was written, and garbage collection frees exactly what no kept run uses."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from highneeds.runner.archive.store import Store, disk_usage

#: A small synthetic run: top-level files and two subfolders, one nested.
RUN = {
    "cabinet-report.html": b"<p>paper</p>" * 400,
    "manifest.json": b'{"status": "ok"}',
    "processed/budget.csv": b"year,line,value\n" * 300,
    "validation/index.html": b"<html>docs</html>" * 300,
    "validation/static/styles/a.css": b"p{}" * 2000,
}


def write_run(reports_root: Path, name: str, files: dict[str, bytes]) -> Path:
    run = reports_root / "2022-01" / "runs" / name
    for relative, data in files.items():
        (run / relative).parent.mkdir(parents=True, exist_ok=True)
        (run / relative).write_bytes(data)
    return run


def read_run(run: Path) -> dict[str, bytes]:
    found = {}
    for parent, _, files in os.walk(run, followlinks=True):
        for name in files:
            path = Path(parent, name)
            found[path.relative_to(run).as_posix()] = path.read_bytes()
    return found


def stored(reports_root: Path, files: dict[str, bytes], name: str) -> Path:
    store = Store(reports_root)
    run = write_run(reports_root, name, files)
    with store.lock():
        store.absorb_run(run)
    return run


def test_a_stored_run_reads_as_written_with_subfolders_linked_to_trees(tmp_path: Path) -> None:
    run = stored(tmp_path, RUN, "20260101T000000000000Z-1")
    assert read_run(run) == RUN
    for folder in ("processed", "validation"):
        link = os.readlink(run / folder)
        assert link.startswith("../../../.store/trees/")
        assert len(link) < 60  # kept in the link's own inode: no disk block
    assert not (run / "cabinet-report.html").is_symlink()
    assert (run / "cabinet-report.html").stat().st_nlink == 2  # the run's and the store's


def test_a_repeated_run_adds_only_its_own_folder(tmp_path: Path) -> None:
    stored(tmp_path, RUN, "20260101T000000000000Z-1")
    before = disk_usage(tmp_path)
    second = stored(tmp_path, RUN, "20260102T000000000000Z-1")
    # The run folder's own entry list (one block); its files and trees are the first run's.
    assert disk_usage(tmp_path) - before == os.lstat(second).st_blocks * 512 <= 8192


def test_a_damaged_stored_copy_is_replaced_by_the_next_run_that_has_the_bytes(
    tmp_path: Path,
) -> None:
    first = stored(tmp_path, RUN, "20260101T000000000000Z-1")
    damaged = first / "cabinet-report.html"
    damaged.chmod(0o644)
    damaged.write_bytes(b"")  # a power cut before the data reached the disk, say
    second = stored(tmp_path, RUN, "20260102T000000000000Z-1")
    assert read_run(second) == RUN


def test_garbage_collection_keeps_what_a_kept_run_uses(tmp_path: Path) -> None:
    first = stored(tmp_path, RUN, "20260101T000000000000Z-1")
    changed = {**RUN, "processed/budget.csv": b"other\n"}
    second = stored(tmp_path, changed, "20260102T000000000000Z-1")
    store = Store(tmp_path)
    predicted = store.collect_garbage((first,), dry_run=True)
    assert first.is_dir()
    before = disk_usage(tmp_path)
    freed = store.collect_garbage((first,))
    assert not first.exists()
    assert read_run(second) == changed
    assert freed == predicted == before - disk_usage(tmp_path)
    assert store.collect_garbage((second,)) > 0
    assert disk_usage(store.files) == disk_usage(tmp_path / ".store" / "files")
    assert not any(store.files.rglob("*.*")) and not any(
        p.is_file() for p in store.files.rglob("*")
    )


contents = st.sampled_from([b"a", b"b" * 5000, b"c" * 9000, b""])
runs = st.lists(
    st.dictionaries(
        st.sampled_from(["x.pdf", "inputs/a.csv", "inputs/b.csv", "validation/s/t.css"]),
        contents,
        min_size=1,
    ),
    min_size=1,
    max_size=4,
)


@settings(max_examples=40, deadline=None)
@given(runs=runs, removed=st.sets(st.integers(0, 3)))
def test_any_runs_stored_then_some_removed_leave_the_rest_whole(
    runs: list[dict[str, bytes]], removed: set[int]
) -> None:
    with tempfile.TemporaryDirectory() as temporary:
        root = Path(temporary)
        folders = [
            stored(root, files, f"2026010{i}T000000000000Z-1") for i, files in enumerate(runs)
        ]
        removing = tuple(folders[i] for i in sorted(removed) if i < len(folders))
        store = Store(root)
        predicted = store.collect_garbage(removing, dry_run=True)
        before = disk_usage(root)
        assert store.collect_garbage(removing) == predicted == before - disk_usage(root)
        for folder, files in zip(folders, runs, strict=True):
            if folder not in removing:
                assert read_run(folder) == files
        # Nothing is left in the store that no kept run uses.
        kept = [f for f in folders if f not in removing]
        assert {os.lstat(p).st_nlink > 1 for p in store.files.rglob("*") if p.is_file()} <= {True}
        assert len(list(store.trees.iterdir()) if store.trees.is_dir() else []) == len(
            store.linked_trees()
        )
        if not kept:
            assert not [p for p in store.files.rglob("*") if p.is_file()]


def test_a_stored_copy_is_readable_by_no_more_people_than_its_file(tmp_path: Path) -> None:
    import os
    import stat

    store = Store(tmp_path / "reports")
    private = tmp_path / "budget.csv"
    private.write_text("row,line\n")
    os.chmod(private, 0o640)
    stored = store.store_file(private)
    assert stat.S_IMODE(os.stat(stored).st_mode) == 0o440
    stricter = tmp_path / "again.csv"
    stricter.write_text("row,line\n")
    os.chmod(stricter, 0o600)
    assert store.store_file(stricter) == stored
    assert stat.S_IMODE(os.stat(stored).st_mode) == 0o400
