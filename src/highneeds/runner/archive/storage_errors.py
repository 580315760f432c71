"""When the machine is the problem: a full disk, a read-only, vanished or forbidden folder
becomes a :class:`StorageError` (exit 7) that names the path and says what to do."""

from __future__ import annotations

import errno
import os
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from highneeds.common.errors import StorageError

#: What each error asks of the operator; ``{path}`` and ``{space}`` are filled in.
_ADVICE = {
    errno.ENOSPC: "the disk is full: could not write {path}. {space}, for example by pruning "
    "old runs (python pipeline.py prune --keep 24), then run again",
    errno.EDQUOT: "the disk quota of the pipeline's user is used up: could not write {path}. "
    "{space} or raise the quota, then run again",
    errno.EROFS: "{path} is on a read-only filesystem: remount it read-write (or point the "
    "service at a writable copy), then run again",
    errno.EACCES: "permission denied on {path}: the user running the pipeline ({user}) needs "
    "write access to reports/ and data/processed/",
    errno.EPERM: "operation not permitted on {path}: the user running the pipeline ({user}) "
    "needs write access to reports/ and data/processed/",
    errno.EIO: "the disk reported an input/output error on {path}: check the disk and its "
    "mount before running again",
    errno.ENOENT: "{path} vanished during the run (was a folder removed or unmounted?): "
    "check that the project's folders are in place, then run again",
}
_KERNEL_ERRNO = re.compile(r"\[Errno (\d+)\] ([^:]*)(?:: '(.*)')?")
_OSERROR_NAMES = {
    "OSError",
    "IOError",
    "PermissionError",
    "FileNotFoundError",
    "IsADirectoryError",
}


def written_folders(root: Path) -> tuple[Path, Path]:
    """The folders the pipeline writes: where a vanished path is the machine's problem."""
    return root / "reports", root / "data"


@contextmanager
def storage_failures(root: Path, needed_bytes: Callable[[], int]) -> Iterator[None]:
    """Turn an OSError the machine causes into a :class:`StorageError` (exit 7)."""
    try:
        yield
    except OSError as exc:
        if not is_storage_problem(exc, written_folders(root)):
            raise
        raise storage_error(exc, needed_bytes()) from None


def is_storage_problem(exc: BaseException, folders: tuple[Path, ...]) -> bool:
    """An OSError the machine causes (a vanished path counts only inside ``folders``)."""
    if not isinstance(exc, OSError) or exc.errno not in _ADVICE:
        return False
    if exc.errno != errno.ENOENT:
        return True
    return exc.filename is not None and any(
        Path(os.fspath(exc.filename)).is_relative_to(folder) for folder in folders
    )


def storage_error(exc: OSError, needed_bytes: int, published_kept: bool = True) -> StorageError:
    """The message an operator acts on: what failed, where, what to free or fix."""
    path = Path(os.fspath(exc.filename)) if exc.filename is not None else None
    where = str(path) if path else "a file of the run"
    advice = _ADVICE.get(exc.errno or 0, "could not write {path}: " + str(exc.strerror))
    text = advice.format(
        path=where,
        space=space_to_free(needed_bytes, path) if path else "free some space",
        user=_user(),
    )
    kept = " The last good paper is left as it was." if published_kept else ""
    return StorageError(f"{text[0].upper()}{text[1:]} ({exc.strerror}).{kept}")


def space_to_free(needed_bytes: int, path: Path) -> str:
    """ "Free about 6 MB on /srv": a run's size, on the filesystem holding ``path``."""
    mount = path
    while not mount.exists() and mount != mount.parent:
        mount = mount.parent
    while not os.path.ismount(mount) and mount != mount.parent:
        mount = mount.parent
    return f"Free about {max(1, -(-needed_bytes // 1_000_000))} MB on {mount}"


def os_error_from_kernel(ename: str, evalue: str) -> OSError | None:
    """The OSError a notebook's kernel raised (it arrives as text), if it is one."""
    found = _KERNEL_ERRNO.match(evalue)
    if ename not in _OSERROR_NAMES or not found:
        return None
    return OSError(int(found.group(1)), found.group(2), found.group(3))


def _user() -> str:
    try:
        import pwd

        return pwd.getpwuid(os.getuid()).pw_name
    except (ImportError, KeyError):
        return f"uid {os.getuid()}"
