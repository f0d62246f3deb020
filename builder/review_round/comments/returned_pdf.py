"""A PDF a delegate sent back, opened without trusting it: the notes and marks it holds are
counted before any is read (a file beyond `ANNOTATIONS_MAX` is refused), a password or damage
is said in the user's language, and pypdf's own English warnings stay off the terminal.

The count is made with pikepdf (qpdf): it resolves 100 000 annotations in under a second,
where pypdf needs about eleven.
"""

from __future__ import annotations

import contextlib
import logging
import traceback
import warnings
from collections.abc import Collection, Iterator
from pathlib import Path

import pikepdf
import pypdf
from pypdf.errors import DependencyError

from builder.util.errors import DocumentRefused
from builder.util.i18n import _

LOG = logging.getLogger("builder")

# A delegate's careful reading of a 300-page book, ten marks on every page, is 3 000; a file
# with more was most likely made by a program (every word highlighted, many copies merged),
# and 5 000 notes still import in seconds into review files an editor can read through.
ANNOTATIONS_MAX = 5_000
TAIL = 2048  # bytes at the end of the file where `%%EOF` must stand


class Encrypted(Exception):
    """The PDF needs a password to be read."""


@contextlib.contextmanager
def opened(path: Path, counted: Collection[str]) -> Iterator[pypdf.PdfReader]:
    """The PDF at `path`, read by pypdf inside the block. DocumentRefused when it is damaged
    (here or while the block reads its pages) or holds more than ANNOTATIONS_MAX annotations
    whose /Subtype is in `counted`; Encrypted when it needs a password."""
    with _quiet():
        try:
            _check_count(path, counted)
            reader = pypdf.PdfReader(path)
            if reader.is_encrypted:
                _decrypt(reader)
            yield reader
        except (Encrypted, DocumentRefused):
            raise
        except DependencyError as exc:
            raise DocumentRefused(
                _("reading this encrypted PDF needs the `cryptography` package: run `make setup`")
            ) from exc
        except Exception as exc:  # whatever pypdf meets in a broken file
            LOG.debug("%s", traceback.format_exc())
            raise damaged(path) from exc


def damaged(path: Path) -> DocumentRefused:
    """The refusal of a PDF that cannot be read, with the likely cause."""
    if _cut_short(path):
        what = _(
            "it ends too early; it was perhaps not downloaded or copied whole, ask for it again"
        )
    else:
        what = _(
            "its structure cannot be read; open it in a PDF reader, save it as a new file "
            "and import that"
        )
    reason = _("the PDF is damaged: {what}").format(what=what)
    return DocumentRefused(_("cannot read it ({reason})").format(reason=reason))


def readable_number(count: int) -> str:
    """`100 000`: thousands apart, the same in both languages."""
    return format(count, ",").replace(",", " ")


def _check_count(path: Path, counted: Collection[str]) -> None:
    """DocumentRefused beyond ANNOTATIONS_MAX notes and marks. The annotations are counted first
    without being read; only when there are more than the limit (the book's own links count
    too) are their kinds read, up to the first note beyond it: qpdf keeps every object it
    reads, 2 KB each."""
    try:
        pdf = pikepdf.open(path)
    except pikepdf.PasswordError as exc:
        raise Encrypted from exc
    except pikepdf.PdfError as exc:
        raise damaged(path) from exc
    with pdf:
        lists: list[pikepdf.Array] = []
        for page in pdf.pages:
            found = page.obj.get("/Annots")
            if isinstance(found, pikepdf.Array):
                lists.append(found)
        total = sum(len(annotations) for annotations in lists)
        if total <= ANNOTATIONS_MAX:
            return
        notes = 0
        for annotations in lists:
            for annotation in annotations:
                if isinstance(annotation, pikepdf.Dictionary):
                    notes += int(str(annotation.get("/Subtype", "")) in counted)
                if notes > ANNOTATIONS_MAX:
                    raise DocumentRefused(
                        _(
                            "it holds {count} annotations, more than {limit} of them notes and "
                            "marks, the most one PDF may bring; ask for the notes in several "
                            "files"
                        ).format(
                            count=readable_number(total), limit=readable_number(ANNOTATIONS_MAX)
                        )
                    )


def _decrypt(reader: pypdf.PdfReader) -> None:
    """Open an encrypted PDF with the empty password every reader tries (a file locked only
    against editing); Encrypted when a password is needed to read it."""
    try:
        decrypted = reader.decrypt("")
    except NotImplementedError as exc:  # a certificate, or a handler pypdf does not know
        raise Encrypted from exc
    if not decrypted:
        raise Encrypted


def _cut_short(path: Path) -> bool:
    try:
        with path.open("rb") as stream:
            stream.seek(max(path.stat().st_size - TAIL, 0))
            return b"%%EOF" not in stream.read()
    except OSError:
        return False


@contextlib.contextmanager
def _quiet() -> Iterator[None]:
    """pypdf's warnings, logged in English (“EOF marker not found”, “incorrect startxref
    pointer”), silenced while a returned file is read: what the user needs is said by the
    refusal, translated."""
    logger = logging.getLogger("pypdf")
    level = logger.level
    logger.setLevel(logging.CRITICAL + 1)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            yield
    finally:
        logger.setLevel(level)
