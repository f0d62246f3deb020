"""What the outputs of one build share, so none of them needs another: the books' file
names, the date written into them, the colophon, how this run builds (`BuildOptions`), and
what an output hands to the ones built after it (the print page map, the files readers may
download).
"""

from __future__ import annotations

import datetime
import hashlib
import json
import os
from dataclasses import dataclass, field
from pathlib import Path

from builder.book.model import Book, BookConfig
from builder.book.vietnamese import format_number

PAGE_MAP_NAME = "print-pages.json"


def book_id(config: BookConfig) -> str:
    """The book's identity, written into every review copy it builds (Word custom property,
    PDF document information) so that `builder comments` can tell a copy of this book from a
    copy of another: a hash of the title and the address, the same in every build."""
    key = f"{config.title}\n{config.base_url}".encode()
    return "dvk-" + hashlib.sha256(key).hexdigest()[:16]


def screen_pdf_name(book: Book) -> str:
    return f"{book.config.slug}.pdf"


def print_pdf_name(book: Book) -> str:
    return f"{book.config.slug}-print.pdf"


def cover_pdf_name(book: Book) -> str:
    """The cover spread, for the printing house only (the site does not offer it)."""
    return f"{book.config.slug}-cover.pdf"


PREFLIGHT_NAME = "preflight.txt"


def epub_name(book: Book) -> str:
    return f"{book.config.slug}.epub"


@dataclass(frozen=True, slots=True)
class Download:
    """A file of this build that the website offers; `kind` picks its description in the
    site's downloads page (templates/site/downloads.html)."""

    file: Path
    kind: str


@dataclass(frozen=True, slots=True)
class BuildOptions:
    """How this run builds, as the command asked (`build`, `publish`, `serve`'s rebuilds):
    passed to every output beside the book, never written into it.

    The final edition's choice of models is the book's (`build --final` hands the outputs a
    book of the approved models); `final` only says that it is one."""

    # `build --strict` (and `publish`): the print files' preflight failing a line fails
    # the build.
    strict: bool = False
    # `build --jobs N`: how many processes lay the PDF out (None: one per core).
    jobs: int | None = None
    # `build --final` (and `publish`): the book is the final edition.
    final: bool = False
    # `build --for-review`: the screen PDF says “BẢN DỰ THẢO” on every page, for delegates
    # who comment on the PDF.
    for_review: bool = False
    # The output folder this build replaces (set by `write_outputs`): an output may link
    # from it what it would write identically (the site's unchanged pages).
    previous: Path | None = None


PLAIN_BUILD = BuildOptions()  # `builder build` without options


@dataclass(slots=True)
class Handover:
    """What outputs built earlier in the same run leave for the later ones, in memory.

    The PDF fills `print_pages` (the printed page on which each model, part and page
    opens), which the EPUB's indexes and the site's “trang 57” cite, and `page_starts`,
    from which the EPUB marks every printed page. Every output that
    writes a book adds it to `downloads`, which the site offers. `build all` runs the
    PDF first for this (see `builder.outputs.available_outputs`).
    """

    print_pages: dict[str, int] = field(default_factory=dict)
    # Where every printed page with text begins: {folio: (the anchor of the model, part or
    # page it is in, its first words)}; the EPUB places its page-break markers there.
    page_starts: dict[int, tuple[str, str]] = field(default_factory=dict)
    downloads: list[Download] = field(default_factory=list)


def write_page_map(pages: dict[str, int], target: Path) -> Path:
    """The page map beside the books too: `output/print-pages.json`, for other tools."""
    path = target / PAGE_MAP_NAME
    path.write_text(json.dumps(pages, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    return path


def build_date(book: Book) -> datetime.datetime:
    """The date written into outputs: SOURCE_DATE_EPOCH, else the book's publication date."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch and epoch.isdigit():
        return datetime.datetime.fromtimestamp(int(epoch), datetime.UTC)
    day = book.config.published or datetime.date(book.config.period[1], 12, 31)
    return datetime.datetime(day.year, day.month, day.day, tzinfo=datetime.UTC)


def colophon_rows(book: Book) -> list[tuple[str, str]]:
    """(key, value) of every colophon line that has a value, in print order; none is printed
    empty. The labels are the templates' (`colophon_labels` in templates/shared/words.j2)."""
    colophon = book.config.colophon
    rows = [
        ("responsible_publisher", colophon.responsible_publisher),
        ("editors", ", ".join(colophon.editors)),
        ("publisher", colophon.publisher),
        ("print_run", format_number(colophon.print_run) if colophon.print_run else ""),
        ("size", colophon.size),
        ("printer", colophon.printer),
        ("registration_number", colophon.registration_number),
        ("decision_number", colophon.decision_number),
        ("isbn", colophon.isbn),
        ("licence", colophon.licence),
    ]
    return [(key, value) for key, value in rows if value]
