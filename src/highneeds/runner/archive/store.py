"""The archive's shared storage: each distinct file kept once, by its SHA-256, and each
distinct folder of a run kept once, as a tree of links to those files.

``reports/.store/files/ab/<sha256>``   one read-only copy of every distinct file
``reports/.store/trees/<32 hex>/``     one copy of every distinct run subfolder (its files
                                       hard links to the stored files)

A run folder reads as it always did: its files are hard links to the stored copies and each
of its subfolders (``inputs``, ``notebooks``, ``validation`` ...) is a relative link to its
tree, so a run that reused every step adds only its folder, manifest and log. A stored file
whose only link is the store's own is used by no run, and a tree that no run or cycle links to
is unused: :func:`collect_garbage` removes both, holding the store's lock exclusively, while
runs hold it shared as they add to the store.
"""

from __future__ import annotations

import errno
import fcntl
import hashlib
import json
import os
import shutil
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path

from highneeds.common.errors import StorageError
from highneeds.runner.archive.archive import sha256

STORE = ".store"
#: A tree's name: the first 32 hex digits (128 bits) of its SHA-256, so that the link to it
#: from a run folder stays under 60 bytes and is kept in the link's own inode (no disk block).
TREE_NAME_LENGTH = 32
_LINK_UNSUPPORTED = (errno.EXDEV, errno.EPERM, errno.ENOTSUP, errno.EMLINK)


def fsync_path(path: Path) -> None:
    """Flush a file's or a folder's contents (a folder: its entries) to the disk."""
    fd = os.open(path, os.O_RDONLY | (os.O_DIRECTORY if path.is_dir() else 0))
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def fsync_tree(folder: Path) -> None:
    """Flush every file and folder under ``folder`` (links are not followed)."""
    for parent, _, files in os.walk(folder):
        for name in files:
            if not os.path.islink(os.path.join(parent, name)):
                fsync_path(Path(parent, name))
        fsync_path(Path(parent))


def disk_usage(folder: Path) -> int:
    """Bytes of disk that ``folder`` takes, each file counted once however many links it has
    (what ``du -s`` reports); links are not followed."""
    seen: set[tuple[int, int]] = set()
    total = 0
    for parent, folders, files in os.walk(folder):
        for name in [*folders, *files, ""]:
            info = os.lstat(os.path.join(parent, name) if name else parent)
            if (info.st_dev, info.st_ino) not in seen:
                seen.add((info.st_dev, info.st_ino))
                total += info.st_blocks * 512
    return total


def folder_size(folder: Path) -> int:
    """Bytes of the files under ``folder``, links followed: what a run of it writes at most."""
    total = 0
    for parent, _, files in os.walk(folder, followlinks=True):
        for name in files:
            try:
                total += os.stat(os.path.join(parent, name)).st_size
            except OSError:
                continue
    return total


class Store:
    """The store of a project's ``reports/`` folder, shared by every cycle."""

    def __init__(self, reports_root: Path) -> None:
        self.reports_root = reports_root
        self.root = reports_root / STORE
        self.files = self.root / "files"
        self.trees = self.root / "trees"

    def check_no_links(self) -> None:
        """Refuse a store that is, or holds at its top, a link: everything under it would be
        read, written and removed through the link, in a folder outside the project."""
        for folder in (self.root, self.files, self.trees):
            if folder.is_symlink():
                raise StorageError(
                    f"{folder} is a link to another folder; the store is never used through a "
                    "link (remove the link: the next run makes the folder again)"
                )

    @contextmanager
    def lock(self, exclusive: bool = False) -> Iterator[None]:
        """Runs add to the store under a shared lock; garbage collection takes it alone."""
        self.check_no_links()
        self.root.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.root / ".lock", os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX if exclusive else fcntl.LOCK_SH)
            yield
        finally:
            os.close(fd)  # closing releases the lock

    def object_path(self, digest: str) -> Path:
        return self.files / digest[:2] / digest

    def store_file(self, path: Path, digest: str | None = None) -> Path:
        """Keep ``path``'s bytes in the store (once) and return the stored copy; ``digest`` is
        the file's SHA-256 when the caller has it already."""
        digest = digest or sha256(path)
        stored = self.object_path(digest)
        # Read-only, and readable by no more people than the file was (an input kept 0640
        # is not archived 0444): the same bytes from a stricter file make the copy stricter.
        readable = (os.stat(path).st_mode & 0o444) | 0o400
        if stored.is_file() and sha256(stored) == digest:
            kept = os.stat(stored).st_mode & 0o777
            if kept & ~readable:
                os.chmod(stored, kept & readable)
            return stored
        # New, or a stored copy damaged since (edited in place, or cut short by a power cut):
        # the file becomes the stored copy, flushed before it is named.
        stored.parent.mkdir(parents=True, exist_ok=True)
        incoming = stored.with_name(f".{digest}.{os.getpid()}.incoming")
        with suppress(FileNotFoundError):
            incoming.unlink()
        _link_or_copy(path, incoming)
        os.chmod(incoming, readable)
        fsync_path(incoming)
        os.replace(incoming, stored)
        fsync_path(stored.parent)
        return stored

    def absorb_file(self, path: Path) -> None:
        """Replace ``path`` by a hard link to its stored copy (same bytes, one copy on disk)."""
        stored = self.store_file(path)
        if os.path.samefile(stored, path):
            return
        incoming = path.with_name(f".{path.name}.link")
        with suppress(FileNotFoundError):
            incoming.unlink()
        _link_or_copy(stored, incoming)
        os.replace(incoming, path)

    def store_tree(self, folder: Path) -> Path:
        """Keep a folder in the store (once) as a tree of links to stored files."""
        entries = _tree_entries(folder)
        key = hashlib.sha256(json.dumps(entries).encode("utf-8")).hexdigest()
        tree = self.trees / key[:TREE_NAME_LENGTH]
        if tree.is_dir():
            return tree
        self.trees.mkdir(parents=True, exist_ok=True)
        incoming = self.trees / f".{tree.name}.{os.getpid()}.incoming"
        shutil.rmtree(incoming, ignore_errors=True)
        incoming.mkdir()
        for name, digest in entries:
            target = incoming / name
            if digest is None:
                target.mkdir()
                continue
            _link_or_copy(self.store_file(folder / name, digest), target)
        fsync_tree(incoming)
        try:
            os.rename(incoming, tree)
        except OSError as exc:  # another run stored the same tree first
            if exc.errno not in (errno.ENOTEMPTY, errno.EEXIST):
                raise
            shutil.rmtree(incoming, ignore_errors=True)
        fsync_path(self.trees)
        return tree

    def absorb_folder(self, folder: Path) -> None:
        """Replace a run's subfolder by a relative link to its tree in the store.

        The link is made beside the folder first, then the folder is moved aside and the link
        put in its place; :func:`finish_absorbing` completes or undoes a move cut short."""
        tree = self.store_tree(folder)
        link = folder.with_name(f".{folder.name}.link")
        aside = folder.with_name(f".{folder.name}.old")
        with suppress(FileNotFoundError):
            link.unlink()
        os.symlink(os.path.relpath(tree, folder.parent), link)
        os.rename(folder, aside)
        os.rename(link, folder)
        shutil.rmtree(aside)

    def absorb_run(self, run_dir: Path, keep: tuple[str, ...] = ()) -> None:
        """Store a finished run folder's files and subfolders, then flush it to the disk.
        ``keep``: files left as they are (the log, still being written)."""
        for path in sorted(run_dir.iterdir()):
            if path.name.startswith(".") or path.name in keep or path.is_symlink():
                continue
            if path.is_dir():
                self.absorb_folder(path)
            elif path.is_file():
                self.absorb_file(path)
        fsync_tree(run_dir)

    def linked_trees(self, ignoring: frozenset[Path] = frozenset()) -> set[str]:
        """The trees some run folder or cycle links to (run folders in ``ignoring`` aside)."""
        linked = set()
        # A cycle's folder is reports/<cycle>/, or reports/<council>/<cycle>/.
        candidates = [
            *self.reports_root.glob("*/runs/*/*"),
            *self.reports_root.glob("*/*"),
            *self.reports_root.glob("*/*/runs/*/*"),
            *self.reports_root.glob("*/*/*"),
        ]
        for path in candidates:
            if path.is_symlink() and path.parent not in ignoring:
                target = Path(os.path.normpath(path.parent / os.readlink(path)))
                if target.parent == self.trees:
                    linked.add(target.name)
        return linked

    def collect_garbage(self, removing: tuple[Path, ...] = (), dry_run: bool = False) -> int:
        """Remove the run folders ``removing``, then every tree and stored file no run uses
        any more (and leftovers of interrupted writes); return the bytes freed (with
        ``dry_run``: that would be freed, removing nothing). Call it holding the store's lock
        exclusively and the locks of the runs' cycles."""
        linked = self.linked_trees(frozenset(removing))
        unused = [tree for tree in _children(self.trees) if tree.name not in linked]
        freed = 0
        lost: Counter[tuple[int, int]] = Counter()  # the links each file loses
        loose: dict[tuple[int, int], os.stat_result] = {}  # files outside the store
        for folder in (*removing, *unused):
            for parent, folders, files in os.walk(folder):
                freed += os.lstat(parent).st_blocks * 512
                for name in [*files, *(f for f in folders if os.path.islink(Path(parent, f)))]:
                    info = os.lstat(os.path.join(parent, name))
                    lost[(info.st_dev, info.st_ino)] += 1
                    loose[(info.st_dev, info.st_ino)] = info
        if not dry_run:
            for folder in (*removing, *unused):
                shutil.rmtree(folder)
        for stored in _stored_files(self.files):
            info = os.lstat(stored)
            key = (info.st_dev, info.st_ino)
            loose.pop(key, None)
            # After the removals above, a file used by no run has the store's link alone.
            links_left = info.st_nlink - (lost[key] if dry_run else 0)
            if links_left <= 1 or stored.name.endswith(".incoming"):
                freed += info.st_blocks * 512
                if not dry_run:
                    stored.unlink()
        freed += sum(i.st_blocks * 512 for k, i in loose.items() if i.st_nlink <= lost[k])
        return freed


def _tree_entries(folder: Path) -> list[tuple[str, str | None]]:
    """A folder's content, sorted: (relative path, SHA-256), or None for a sub-folder."""
    entries: list[tuple[str, str | None]] = []
    for parent, folders, files in os.walk(folder):
        folders.sort()
        here = Path(parent).relative_to(folder)
        for name in folders:
            entries.append(((here / name).as_posix(), None))
        for name in sorted(files):
            entries.append(((here / name).as_posix(), sha256(Path(parent, name))))
    return sorted(entries, key=lambda entry: entry[0])


def _link_or_copy(source: Path, target: Path) -> None:
    """A hard link where the filesystem allows one, else a copy."""
    try:
        os.link(source, target)
    except OSError as exc:
        if exc.errno not in _LINK_UNSUPPORTED:
            raise
        shutil.copy2(source, target)


def _children(folder: Path) -> list[Path]:
    """A store folder's entries, links left out: the store never reads, removes or follows a
    link planted in it (a link to a folder outside would have its files deleted)."""
    if not folder.is_dir() or folder.is_symlink():
        return []
    return sorted(p for p in folder.iterdir() if not p.is_symlink())


def _stored_files(files: Path) -> list[Path]:
    return [path for fan in _children(files) if fan.is_dir() for path in _children(fan)]
