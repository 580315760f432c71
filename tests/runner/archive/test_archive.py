"""Executed notebooks are stored so that the same inputs give the same bytes."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import pytest


def test_within_a_run_a_file_hashed_again_unchanged_is_not_read_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from highneeds.runner.archive import archive

    reads: list[Path] = []
    real = archive._file_sha256
    monkeypatch.setattr(archive, "_file_sha256", lambda path: reads.append(path) or real(path))
    paper = tmp_path / "paper.html"
    paper.write_text("<p>1,834</p>")
    with archive.hashes_kept():
        first = archive.sha256(paper)
        assert archive.sha256(paper) == first  # the same file, unchanged: not read again
        assert archive.sha256(tmp_path / "." / "paper.html") == first  # however it is named
        assert len(reads) == 1
        paper.write_text("<p>1,835 and more</p>")  # changed: its size and time differ
        changed = archive.sha256(paper)
        assert changed != first and changed == hashlib.sha256(paper.read_bytes()).hexdigest()
        os.utime(paper, ns=(1, 1))  # only its time changed: read again
        archive.sha256(paper)
        assert len(reads) == 3
    archive.sha256(paper)
    archive.sha256(paper)
    assert len(reads) == 5  # outside a run's block every hash reads the file


def test_package_versions_are_those_importlib_metadata_reads() -> None:
    from importlib import metadata

    from highneeds.runner.archive import archive

    versions = archive.package_versions()
    assert list(versions) == list(archive._PACKAGES)
    for package, version in versions.items():
        assert version == metadata.version(package), package


def test_package_versions_come_from_dist_info_names_first_found_on_the_path(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from highneeds.runner.archive import archive

    first, later = tmp_path / "first", tmp_path / "later"
    for folder, names in (
        (first, ["great_expectations-1.24.1.dist-info", "Jinja2-3.1.6.dist-info"]),
        (later, ["great_expectations-0.18.0.dist-info", "README.dist-info.txt"]),
    ):
        for name in names:
            (folder / name).mkdir(parents=True)
    monkeypatch.setattr("sys.path", [str(tmp_path / "missing"), str(first), str(later)])
    monkeypatch.setattr(archive, "_PACKAGES", ("great-expectations", "jinja2", "pandas"))
    assert archive.package_versions() == {
        "great-expectations": "1.24.1",
        "jinja2": "3.1.6",
        "pandas": "not installed",  # no folder: importlib.metadata, on the same path, finds none
    }


def test_the_platform_is_named_as_the_standard_library_names_it_without_a_subprocess(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import platform
    import subprocess

    from highneeds.runner.archive.archive import platform_name

    expected = platform.platform()  # it may ask `uname -p`; the name below must not

    def no_subprocess(*args: object, **kwargs: object) -> None:
        raise AssertionError(f"a subprocess was started: {args}")

    monkeypatch.setattr(subprocess, "Popen", no_subprocess)
    # Forget what the standard library worked out above, so nothing is answered from it.
    monkeypatch.setattr(platform, "_uname_cache", None)
    monkeypatch.setattr(platform, "_platform_cache", {})
    assert platform_name() == expected


def git(folder: Path, *args: str) -> None:
    import subprocess

    identity = ["-c", "user.name=t", "-c", "user.email=t@example.org"]
    subprocess.run(["git", *identity, *args], cwd=folder, check=True, capture_output=True)


def test_git_state_names_the_commit_and_whether_the_tree_has_uncommitted_changes(
    tmp_path: Path,
) -> None:
    from highneeds.runner.archive.archive import git_state

    assert git_state(tmp_path) == {"commit": None, "dirty": None}  # not a repository
    git(tmp_path, "init", "-q")
    (tmp_path / "a.txt").write_text("one")
    assert git_state(tmp_path) == {"commit": None, "dirty": True}  # no commit yet
    git(tmp_path, "add", "a.txt")
    git(tmp_path, "commit", "-q", "-m", "first")
    state = git_state(tmp_path)
    assert state["dirty"] is False and len(state["commit"]) == 40
    import subprocess

    head = subprocess.run(
        ["git", "rev-parse", "HEAD"], cwd=tmp_path, capture_output=True, text=True, check=True
    ).stdout.strip()
    assert state["commit"] == head
    (tmp_path / "a.txt").write_text("two")
    assert git_state(tmp_path) == {"commit": head, "dirty": True}
