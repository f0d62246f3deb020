"""Every failure the user can act on, in one hierarchy (as Sphinx's `errors.py`).

`BuildError` is what the CLI prints without a traceback; each subclass names one kind of
failure, so a caller catches the kind it can answer and lets the others through. A problem
found in the content is not an exception but a `Problem` (util/problems.py), reported with
the others; its `code` is one of `CODES` below, and the editors' guide lists each code
(content/README.md, "Mã của thông báo" / "Message codes", kept in step by a test).

An HTTP request the preview server answers with an error status is not a `BuildError`:
that is `serve.RequestRefused`, a different thing with a different name.
"""

from __future__ import annotations

import errno
from pathlib import Path
from typing import TYPE_CHECKING

from builder.util.i18n import _
from builder.util.problems import shown_path, shown_text

if TYPE_CHECKING:
    from builder.util.problems import Problem


class BuildError(Exception):
    """A failure the user can act on; the CLI prints it without a traceback (and with any
    file name in it escaped, as `shown_text` does)."""

    def __str__(self) -> str:
        return shown_text(super().__str__(), keep="\n")


class WriteFailed(BuildError):
    """A file of the book could not be written; nothing was left half-written."""

    def __init__(self, path: Path, error: OSError) -> None:
        self.path = path
        self.errno = error.errno
        super().__init__(
            _("cannot write {path}: {reason}").format(
                path=shown_path(path), reason=plain_reason(error)
            )
        )


class DestinationRefused(BuildError):
    """A folder the builder must not replace (publish, build --out)."""


class DocumentRefused(BuildError):
    """A document given to import (a Word file, a returned PDF) that cannot be read; the
    message says why, in the user's language. The other documents go on."""


class UnknownComment(BuildError):
    """`--resolve` was given an id no review file holds."""


class BadSlug(BuildError):
    """A model's name read from outside (a returned copy, the command line) that cannot name
    a review file: not a slug, or a file that leads out of `content/reviews/`."""


class BadReviewFile(BuildError):
    """A review file edited into something unreadable; `problem` says where."""

    def __init__(self, problem: Problem) -> None:
        super().__init__(str(problem))
        self.problem = problem


def plain_reason(error: OSError) -> str:
    """What an editor needs to know of an `OSError`, in the catalogue's words."""
    if error.errno in (errno.ENOSPC, errno.EDQUOT, errno.EFBIG):
        return _("the disk is full; free some space and try again")
    if error.errno == errno.EROFS:
        return _("the disk is read-only")
    if error.errno in (errno.EACCES, errno.EPERM):
        return _("permission denied; ask for write access to the book's folder")
    if error.errno == errno.ENOENT:
        return _("the folder does not exist")
    return error.strerror or str(error)
