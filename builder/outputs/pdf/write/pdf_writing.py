"""Writing a WeasyPrint layout as the book's two PDFs: the screen edition (tagged PDF/UA-1,
trimmed to the page) and the print interior (PDF/X-4 with its bleed, no links), with
reproducible bytes. The whole book's layout and each unit's (`unit_layout`) are written so,
the pages' content deflated at zlib's default level and the rest at its quickest
(`deflate_level`).

The screen edition is what delegates annotate and send back (`builder comments`): its
document information carries the book's identity (`BOOK_ID_KEY`, `editions.book_id`), so a
copy of another book can be told apart.
"""

from __future__ import annotations

import contextlib
import uuid
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

from builder.outputs.pdf.write import deflate_level
from builder.outputs.pdf.write.folio_rewrite import split_at_folios
from builder.outputs.pdf.write.pdf_tags import finish_screen_edition

BLEED_NONE = {"top": 0, "right": 0, "bottom": 0, "left": 0}
BOOK_ID_KEY = "/BookId"  # in the screen edition's document information
# The identifier a unit is written with (`unit_layout`), so that its bytes are the same in
# every book it is part of; the joined editions get the book's own (`shell_for_book`, the join).
UNIT_IDENTIFIER = b"unit"


def write_interior(document: Any, target: Path, identifier: bytes) -> None:
    """The pages of `document` as PDF/X-4, without their links (nothing to click on paper);
    the links are put back afterwards."""
    links = [page.links for page in document.pages]
    for page in document.pages:
        page.links = []
    try:
        with document_id_from(identifier), deflate_level.fast():
            document.write_pdf(target, pdf_variant="pdf/x-4", pdf_identifier=identifier)
    finally:
        for page, kept in zip(document.pages, links, strict=True):
            page.links = kept


@contextlib.contextmanager
def page_references_kept() -> Iterator[None]:
    """pydyf 0.13 builds the tuple of every page's reference on each use of
    `PDF.page_references`, and WeasyPrint's tagging uses it once per structure element: a
    tagged write grows with pages × elements (27 s of a 921-page part's write at 1 000
    models). While the block runs, the tuple is kept until a page is added."""
    import pydyf

    built = pydyf.PDF.page_references
    kept: dict[int, tuple[int, tuple[bytes, ...]]] = {}

    def references(pdf: Any) -> tuple[bytes, ...]:
        pages = len(pdf.pages["Kids"])
        if id(pdf) not in kept or kept[id(pdf)][0] != pages:
            kept[id(pdf)] = (pages, built.fget(pdf))
        return kept[id(pdf)][1]

    pydyf.PDF.page_references = property(references)
    try:
        yield
    finally:
        pydyf.PDF.page_references = built


def write_screen(
    document: Any, target: Path, identifier: bytes, first_folio: int = 1, book_id: str = "",
    folios: Mapping[int, str] | None = None,
) -> None:  # fmt: skip
    """Tagged PDF/UA-1 trimmed to the page, without the press profile; its page labels count
    from `first_folio` (a unit's first folio in the book); with `book_id`, the book's
    identity in its document information (units leave it to the join); `folios`: {page
    index: the provisional folio it prints} of a unit, each written apart for the join
    (`folio_rewrite.split_at_folios`).

    Changes `document`: call it after the print interior is written (or has its own copy).
    """
    document.color_profiles.pop("device-cmyk", None)
    for page in document.pages:
        page.bleed = dict(BLEED_NONE)

    def finish(document: Any, pdf: Any) -> None:
        finish_screen_edition(document, pdf, first_folio)
        if folios:
            split_at_folios(document, pdf, folios)
        deflate_level.deflate_contents(pdf)
        if book_id:
            import pydyf

            pdf.info[BOOK_ID_KEY.removeprefix("/")] = pydyf.String(book_id)

    with page_references_kept(), deflate_level.fast():
        document.write_pdf(target, pdf_variant="pdf/ua-1", pdf_identifier=identifier,
                           finisher=finish)  # fmt: skip


def shell_for_book(shell: Path, identifier: bytes) -> None:
    """The print interior's shell written by a unit (`UNIT_IDENTIFIER`), with the XMP
    document id the book's `identifier` gives (`document_id_from`), in place."""
    import pikepdf

    written, wanted = (_document_id(value).encode() for value in (UNIT_IDENTIFIER, identifier))
    with pikepdf.open(shell, allow_overwriting_input=True) as pdf:
        metadata = pdf.Root.Metadata
        xmp = metadata.read_bytes()
        if written not in xmp:
            return
        metadata.write(xmp.replace(written, wanted))
        pdf.save(shell, deterministic_id=True)


def _document_id(identifier: bytes) -> str:
    return str(uuid.uuid5(uuid.NAMESPACE_OID, identifier.decode()))


@contextlib.contextmanager
def document_id_from(identifier: bytes) -> Iterator[None]:
    """WeasyPrint's PDF/X writer puts a random `xmpMM:DocumentID` in the XMP; derive it
    from the content instead, so the same book gives the same print files."""
    from weasyprint.pdf import metadata

    random_uuid = metadata.uuid4
    metadata.uuid4 = lambda: uuid.UUID(_document_id(identifier))
    try:
        yield
    finally:
        metadata.uuid4 = random_uuid
