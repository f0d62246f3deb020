"""Writing into the book from the workspace: whole files, under the book's lock, each change
one git commit by its author, and a save over a newer version refused instead of lost.

A form carries the version it was opened from (`version_of`: a hash of the file's bytes, so a
change made from the command line or a text editor counts too). `save` compares it with the
file on disk under the lock; a difference raises `Conflict` with the newer text, and nothing is
written.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

from builder.util.files import book_lock, write_whole
from builder.workspace.accounts import Account
from builder.workspace.history import Repository

MISSING = "missing"  # the version of a file that does not exist


class Conflict(Exception):
    """The file changed since the form was opened; `current` is its text now."""

    def __init__(self, path: Path, current: str) -> None:
        super().__init__(str(path))
        self.path = path
        self.current = current


@dataclass(frozen=True, slots=True)
class Write:
    path: Path
    data: bytes | None  # None removes the file
    expected: str | None = None  # the version the editor started from; None: no check


def version_of(path: Path) -> str:
    try:
        return _version(path.read_bytes())
    except FileNotFoundError:
        return MISSING


def read_with_version(path: Path) -> tuple[str, str]:
    """The file's text and its version, from one read. A page that shows a file must carry
    this version: one read again later may belong to a save that landed meanwhile, and the
    page's next save would then pass the check and write over that save unseen."""
    data = path.read_bytes()
    return data.decode("utf-8", errors="replace"), _version(data)


def _version(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()[:20]


def save(
    content: Path, repository: Repository, writes: list[Write], message: str, author: Account
) -> str | None:
    """Every write done whole, then one commit by `author`; Conflict (nothing written) when
    a file is no longer at the version its write expected. The commit's id, or None when the
    files were already so."""
    with book_lock(content):
        for write in writes:
            if write.expected is not None and version_of(write.path) != write.expected:
                try:
                    current = write.path.read_text(encoding="utf-8")
                except FileNotFoundError:
                    current = ""
                raise Conflict(write.path, current)
        for write in writes:
            if write.data is None:
                write.path.unlink(missing_ok=True)
            else:
                mode = write.path.stat().st_mode & 0o7777 if write.path.exists() else 0o644
                write_whole(write.path, write.data, mode=mode)
        return repository.commit([write.path for write in writes], message, author)
