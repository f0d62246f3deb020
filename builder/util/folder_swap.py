"""Replacing a folder whole: the new one is written beside it and swapped in, so a reader sees
the old folder or the new one, never half of one, and never none.

The swap is one exchange of the two names (`renameat2(RENAME_EXCHANGE)`, Linux 3.15 and
later): the target is there at every instant, even if the build is killed during the swap.
Where the file system refuses the exchange, two renames do it (the target moved aside to
`.<name>.old-…`, the new folder moved in); a build killed between them leaves the target
missing, and the next build or publish puts the old folder back before anything else
(`put_back`), even if that build then fails.

A staging folder stays locked (an `flock` on the folder itself) while its build lives; a build
killed halfway (`kill -9`, a power cut) leaves its staging folder unlocked, and the next swap
beside it removes it. The lock file that makes swaps take turns is removed by whoever holds it
last.
"""

from __future__ import annotations

import contextlib
import ctypes
import errno
import fcntl
import logging
import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

from builder.util.errors import BuildError
from builder.util.files import fsync_folder, plain_reason
from builder.util.i18n import _

LOG = logging.getLogger("builder")

# The file every folder the builder writes carries (destinations.mark): only such a folder
# is replaced, or put back after a killed swap.
MARKER = ".dan-van-kheo-output"

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
        _put_back(target)
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


def put_back(target: Path) -> Path | None:
    """If `target` is missing because a build was killed between the two renames of a swap,
    put the folder it had back (the retired one; else the new one, complete); return where it
    came from. Only a folder the builder wrote (its marker, `MARKER`) is put
    back. Call it first thing, before a build can fail."""
    target = Path(os.path.abspath(target))
    if target.exists() or target.is_symlink():
        return None  # the usual case: nothing to lock, no lock file made
    leftovers = _beside(target, "old", "ready")
    if not leftovers:
        return None  # a first build
    try:
        with turn(target):
            return _put_back(target)
    except OSError as exc:  # the lock file cannot be made: said, and the build goes on
        LOG.warning(_not_put_back(target, leftovers[0], exc))
    except BuildError as exc:
        LOG.warning(str(exc))
    return None


def _put_back(target: Path) -> Path | None:
    """`put_back`, under `turn` (no swap is halfway while it runs)."""
    if target.exists() or target.is_symlink():
        return None
    for kind in ("old", "ready"):  # the folder the swap retired; else the one it was putting in
        candidates = [folder for folder in _beside(target, kind)
                      if (folder / MARKER).is_file() and not _held(folder)]  # fmt: skip
        if candidates:
            newest = max(candidates, key=lambda folder: folder.stat().st_ctime_ns)
            try:
                newest.rename(target)
            except OSError as exc:
                raise BuildError(_not_put_back(target, newest, exc)) from exc
            fsync_folder(target.parent)
            LOG.warning(
                _("{target} was missing (a build or publish was stopped halfway); "
                  "the folder it had was put back from {leftover}").format(
                    target=target, leftover=newest.name)
            )  # fmt: skip
            return newest
    return None


def _not_put_back(target: Path, leftover: Path, error: OSError) -> str:
    return _("{target} is missing, and the folder it had could not be put back from "
             "{leftover}: {reason}; rename that folder to {name}").format(
        target=target, leftover=leftover.name, reason=plain_reason(error), name=target.name
    )  # fmt: skip


def _beside(target: Path, *kinds: str) -> list[Path]:
    """The swap's folders of these kinds beside `target` (`.<name>.<kind>-…`), real folders."""
    found = []
    for kind in kinds:
        for folder in sorted(target.parent.glob(f".{target.name}.{kind}-*")):
            if folder.is_dir() and not folder.is_symlink():
                found.append(folder)
    return found


def remove_leftovers(target: Path) -> list[Path]:
    """Remove staging and retired folders beside `target` that no living build holds."""
    removed = []
    for pattern in (f".{target.name}.new-*", f".{target.name}.ready-*", f".{target.name}.old-*"):
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
    """Put the finished folder `staging` where `target` is: one exchange of names where the
    file system allows it, else two renames (see the module's docstring)."""
    os.chmod(staging, 0o755)
    if not target.exists() and not target.is_symlink():
        staging.rename(target)
    elif _exchange(staging, target):
        shutil.rmtree(staging, ignore_errors=True)  # the old folder, now under the staging name
    else:
        swap_by_renames(staging, target)
    fsync_folder(target.parent)


def swap_by_renames(staging: Path, target: Path) -> None:
    """The swap in two renames, for file systems without the exchange. Between them the
    target is missing; `put_back` repairs that after a kill."""
    ready = _new_name(target, "ready")  # complete: a repair may put it in
    staging.rename(ready)
    retired = _new_name(target, "old")
    target.rename(retired)
    ready.rename(target)
    shutil.rmtree(retired, ignore_errors=True)


def _new_name(target: Path, kind: str) -> Path:
    """A free name `.<target>.<kind>-…` beside `target`."""
    folder = Path(tempfile.mkdtemp(prefix=f".{target.name}.{kind}-", dir=target.parent))
    folder.rmdir()
    return folder


_AT_FDCWD = -100
_RENAME_EXCHANGE = 2
_LIBC = ctypes.CDLL(None, use_errno=True)
_RENAMEAT2 = getattr(_LIBC, "renameat2", None)  # glibc 2.28 and later
if _RENAMEAT2 is not None:
    _RENAMEAT2.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p,
                           ctypes.c_uint]  # fmt: skip
    _RENAMEAT2.restype = ctypes.c_int


def _exchange(first: Path, second: Path) -> bool:
    """Swap the names of two existing folders at once; False where the system cannot."""
    if _RENAMEAT2 is None:
        return False
    done = _RENAMEAT2(_AT_FDCWD, os.fsencode(first), _AT_FDCWD, os.fsencode(second),
                      _RENAME_EXCHANGE)  # fmt: skip
    if done == 0:
        return True
    code = ctypes.get_errno()
    if code in (errno.EINVAL, errno.ENOSYS, errno.EOPNOTSUPP):  # no exchange here
        return False
    raise OSError(code, os.strerror(code), str(first), None, str(second))


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
