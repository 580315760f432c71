"""Executed notebooks are stored so that the same inputs give the same bytes."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import pytest


def test_within_a_run_a_file_hashed_again_unchanged_is_not_read_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from highneeds.runner import archive

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

    from highneeds.runner import archive

    versions = archive.package_versions()
    assert list(versions) == list(archive._PACKAGES)
    for package, version in versions.items():
        assert version == metadata.version(package), package


def test_package_versions_come_from_dist_info_names_first_found_on_the_path(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from highneeds.runner import archive

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
