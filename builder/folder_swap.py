"""Replacing a folder whole: the new one is written beside it and swapped in with two renames,
so a reader sees the old folder or the new one, never half of one.

A staging folder stays locked (an `flock` on the folder itself) while its build lives; a build
killed halfway (`kill -9`, a power cut) leaves its staging folder unlocked, and the next swap
beside it removes it. The lock file that makes swaps take turns is removed by whoever holds it
last.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

_LOCKS: set[int] = set()  # this process's staging locks


def _forget_locks_in_child() -> None:
    """A forked child (a PDF worker) does not keep the build's staging lock: if the build
    is killed, its lock goes with it, even while a child is still finishing."""
    for handle in _LOCKS:
        with contextlib.suppress(OSError):
            os.close(handle)
    _LOCKS.clear()


os.register_at_fork(after_in_child=_forget_locks_in_child)


class Staging:
    """A fresh folder beside `target`, locked for as long as this build lives."""

    def __init__(self, target: Path) -> None:
        self.target = target
        self.folder = Path(tempfile.mkdtemp(prefix=f".{target.name}.new-", dir=target.parent))
        self._handle = os.open(self.folder, os.O_RDONLY)
        fcntl.flock(self._handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        _LOCKS.add(self._handle)

    def swap_in(self) -> None:
        """Put the finished staging folder where the target is (call under `turn`)."""
        swap_in(self.folder, self.target)

    def close(self) -> None:
        """Remove the staging folder if it was not swapped in, and drop its lock."""
        shutil.rmtree(self.folder, ignore_errors=True)
        _LOCKS.discard(self._handle)
        os.close(self._handle)


@contextlib.contextmanager
def staged(target: Path) -> Iterator[Staging]:
    """A `Staging` beside `target`; it is removed when the block ends unless swapped in.

    Leftovers of dead builds beside `target` are removed first.
    """
    target.parent.mkdir(parents=True, exist_ok=True)
    with turn(target):
        remove_leftovers(target)
        staging = Staging(target)
    try:
        yield staging
    finally:
        staging.close()


@contextlib.contextmanager
def turn(target: Path) -> Iterator[None]:
    """Builds started at once take turns here (a lock file beside `target`)."""
    path = target.parent / f".{target.name}.lock"
    while True:
        handle = open(path, "a")  # noqa: SIM115 (held across the yield)
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            same = os.stat(path).st_ino == os.fstat(handle.fileno()).st_ino
        except FileNotFoundError:
            same = False  # the holder before us removed it: lock the new one
        if same:
            break
        handle.close()
    try:
        yield
    finally:
        with contextlib.suppress(FileNotFoundError):
            path.unlink()  # nobody is left with a lock file to clean up
        handle.close()


def remove_leftovers(target: Path) -> list[Path]:
    """Remove staging and retired folders beside `target` that no living build holds."""
    removed = []
    for pattern in (f".{target.name}.new-*", f".{target.name}.old-*"):
        for leftover in sorted(target.parent.glob(pattern)):
            if leftover.is_symlink() or not leftover.is_dir() or _held(leftover):
                continue
            shutil.rmtree(leftover, ignore_errors=True)
            removed.append(leftover)
    return removed


def _held(folder: Path) -> bool:
    try:
        handle = os.open(folder, os.O_RDONLY)
    except OSError:
        return True
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return True
    finally:
        os.close(handle)
    return False


def swap_in(staging: Path, target: Path) -> None:
    """Put the finished folder `staging` where `target` is, in two renames."""
    os.chmod(staging, 0o755)
    if not target.exists() and not target.is_symlink():
        staging.rename(target)
        return
    retired = Path(tempfile.mkdtemp(prefix=f".{target.name}.old-", dir=target.parent))
    retired.rmdir()
    target.rename(retired)
    staging.rename(target)
    shutil.rmtree(retired, ignore_errors=True)


def link_or_copy(source: str | Path, target: str | Path) -> None:
    """A hard link where the file system allows one, else a copy."""
    try:
        os.link(source, target, follow_symlinks=False)
    except OSError:
        shutil.copy2(source, target, follow_symlinks=False)


def copy_tree(source: Path, target: Path) -> None:
    """Copy a folder, leaving symlinks out: the builder makes none, and following one found in
    an output folder would pull in whatever it points to."""

    def links(folder: str, names: list[str]) -> list[str]:
        return [name for name in names if os.path.islink(os.path.join(folder, name))]

    shutil.copytree(source, target, ignore=links, copy_function=link_or_copy)


def replace_file(path: Path, text: str) -> None:
    """Write `text` (UTF-8, line ends as given) over `path` in one rename, keeping its mode."""
    handle, scratch = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(handle, "w", encoding="utf-8", newline="") as stream:
            stream.write(text)
        os.chmod(scratch, path.stat().st_mode & 0o7777)
        os.replace(scratch, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(scratch)
        raise
