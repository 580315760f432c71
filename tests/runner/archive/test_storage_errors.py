"""When the machine is the problem, the operator is told the path and what to do."""

from __future__ import annotations

import errno
import os
from pathlib import Path

import pytest

from highneeds.common.errors import StorageError
from highneeds.runner.archive.storage_errors import (
    is_storage_problem,
    os_error_from_kernel,
    space_to_free,
    storage_error,
    storage_failures,
)


def os_error(code: int, path: Path | str | None) -> OSError:
    return OSError(code, os.strerror(code), None if path is None else str(path))


def test_a_full_disk_names_the_file_the_space_to_free_and_the_prune_command(
    tmp_path: Path,
) -> None:
    path = tmp_path / "reports" / "2022-01" / "runs" / "r" / "manifest.json"
    error = storage_error(os_error(errno.ENOSPC, path), needed_bytes=5_900_000)
    assert error.exit_code == 7
    text = str(error)
    assert text.startswith(f"The disk is full: could not write {path}. Free about 6 MB on /")
    assert "python pipeline.py prune --keep 24" in text
    assert text.endswith("(No space left on device). The last good paper is left as it was.")


@pytest.mark.parametrize(
    ("code", "expected"),
    [
        (errno.EROFS, "is on a read-only filesystem: remount it read-write"),
        (errno.EACCES, "permission denied on"),
        (errno.EDQUOT, "disk quota of the pipeline's user is used up"),
        (errno.ENOENT, "vanished during the run"),
    ],
)
def test_each_machine_problem_says_what_to_do(tmp_path: Path, code: int, expected: str) -> None:
    text = str(storage_error(os_error(code, tmp_path / "reports" / "x"), needed_bytes=1))
    assert expected in text.lower() and str(tmp_path / "reports" / "x") in text


def test_permission_denied_names_the_user_who_needs_access(tmp_path: Path) -> None:
    import pwd

    user = pwd.getpwuid(os.getuid()).pw_name
    text = str(storage_error(os_error(errno.EACCES, tmp_path), needed_bytes=1))
    assert f"the user running the pipeline ({user}) needs write access to reports/" in text


def test_a_missing_file_is_the_machines_problem_only_inside_the_written_folders(
    tmp_path: Path,
) -> None:
    written = (tmp_path / "reports",)
    assert is_storage_problem(os_error(errno.ENOENT, tmp_path / "reports" / "r"), written)
    assert not is_storage_problem(os_error(errno.ENOENT, tmp_path / "src" / "x.py"), written)
    assert not is_storage_problem(os_error(errno.ENOENT, None), written)
    assert not is_storage_problem(os_error(errno.EINVAL, tmp_path / "reports"), written)
    assert not is_storage_problem(ValueError("no"), written)


def test_storage_failures_turns_only_the_machines_errors_into_exit_7(tmp_path: Path) -> None:
    full = os_error(errno.ENOSPC, tmp_path / "reports" / "x")
    with (
        pytest.raises(StorageError, match="Free about 2 MB"),
        storage_failures(tmp_path, lambda: 1_500_000),
    ):
        raise full
    elsewhere = os_error(errno.ENOENT, tmp_path / "notebooks" / "x")
    with pytest.raises(FileNotFoundError), storage_failures(tmp_path, lambda: 1):
        raise elsewhere


def test_an_os_error_raised_in_a_notebook_is_read_back_from_its_text() -> None:
    found = os_error_from_kernel(
        "OSError", "[Errno 28] No space left on device: 'processed/budget.csv'"
    )
    assert found is not None
    assert (found.errno, found.strerror, found.filename) == (
        28,
        "No space left on device",
        "processed/budget.csv",
    )
    assert os_error_from_kernel("PermissionError", "[Errno 13] Permission denied").errno == 13
    assert os_error_from_kernel("ValueError", "[Errno 28] x") is None
    assert os_error_from_kernel("OSError", "something else") is None


def test_the_space_to_free_is_named_on_the_mount_holding_the_path(tmp_path: Path) -> None:
    assert space_to_free(1, tmp_path / "not" / "yet" / "there").startswith("Free about 1 MB on /")
