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
