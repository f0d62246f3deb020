"""The printed book: a screen edition (tagged PDF/UA-1, links, bookmarks) and a print
edition (PDF/X-4, 3 mm bleed, crop marks, no links) from one WeasyPrint layout.
"""

from __future__ import annotations

import contextlib
import hashlib
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar

import segno

from builder import markdown, urls
from builder.editions import (
    Download,
    Handover,
    build_date,
    colophon_rows,
    print_pdf_name,
    screen_pdf_name,
    write_page_map,
)
from builder.fonts import book_fonts
from builder.i18n import _
from builder.model import Book, Entry, Image, Page
from builder.ordering import districts_alphabetical, group_entries
from builder.parallel import ForkedTask
from builder.print_html import footnotes_at_call_sites
from builder.problems import BuildError
from builder.progress import layout_progress
from builder.templating import environment

BLEED_NONE = {"top": 0, "right": 0, "bottom": 0, "left": 0}
# Ghostscript's CMYK press profile (Debian's libgs-common): the print edition's output intent.
CMYK_PROFILE = Path("/usr/share/color/icc/ghostscript/default_cmyk.icc")


@dataclass(frozen=True, slots=True)
class PrintedEntry:
    entry: Entry
    html: str
    figures: tuple[dict[str, Any], ...]
    qr: str


class PdfOutput:
    name: ClassVar[str] = "pdf"

    def render(self, book: Book, target: Path, handover: Handover | None = None) -> list[Path]:
        from weasyprint import HTML

        html = book_html(book)
        base_url = str(book.root.resolve())
        with layout_progress(self.name):
            document = HTML(string=html, base_url=base_url).render()
        identifier = hashlib.sha256(html.encode()).hexdigest()[:32].encode()
        screen = target / screen_pdf_name(book)
        printed = target / print_pdf_name(book)
        # One layout, two editions, written side by side on two cores: the print edition
        # in a forked copy of the layout, the screen edition here. Without fork, the print
        # edition is written first and the screen one from a fresh layout, since a written
        # document keeps traces of its writing.
        task = ForkedTask(
            lambda: _write_print(document, printed, identifier),
            _("writing the print PDF failed: {reason}"),
        )
        with task:
            fresh = document if task.forked else HTML(string=html, base_url=base_url).render()
            _write_screen(fresh, screen, identifier)
        pages = model_pages(document)
        if handover is not None:
            handover.print_pages.update(pages)
            handover.downloads += [Download(screen, "pdf-screen"), Download(printed, "pdf-print")]
        return [screen, printed, write_page_map(pages, target)]


def _write_print(document: Any, target: Path, identifier: bytes) -> None:
    """PDF/X-4 with the 3 mm bleed and crop marks, and no links: nothing to click on paper."""
    links = [page.links for page in document.pages]
    for page in document.pages:
        page.links = []
    with _document_id_from(identifier):
        document.write_pdf(target, pdf_variant="pdf/x-4", pdf_identifier=identifier)
    for page, kept in zip(document.pages, links, strict=True):
        page.links = kept


@contextlib.contextmanager
def _document_id_from(identifier: bytes) -> Iterator[None]:
    """WeasyPrint's PDF/X writer puts a random `xmpMM:DocumentID` in the XMP; derive it
    from the content instead, so the same book gives the same print edition."""
    from weasyprint.pdf import metadata

    random_uuid = metadata.uuid4
    metadata.uuid4 = lambda: uuid.uuid5(uuid.NAMESPACE_OID, identifier.decode())
    try:
        yield
    finally:
        metadata.uuid4 = random_uuid


def _write_screen(document: Any, target: Path, identifier: bytes) -> None:
    """Tagged PDF/UA-1 trimmed to the page, without the press profile.

    Changes `document`: call it after the print edition has its own copy (or is written).
    """
    document.color_profiles.pop("device-cmyk", None)
    for page in document.pages:
        page.bleed = dict(BLEED_NONE)
    document.write_pdf(target, pdf_variant="pdf/ua-1", pdf_identifier=identifier)


PAGE_ANCHORS = ("mo-hinh-", "phan-", "trang-", "muc-luc", "chi-muc-")


def model_pages(document: Any) -> dict[str, int]:
    """The printed page on which each model, part and page opens: {anchor id: page}.

    Model anchors are `mo-hinh-<slug>`; the EPUB and the site read this map to cite the
    printed book (“trang 57”).
    """
    pages: dict[str, int] = {}
    for number, page in enumerate(document.pages, start=1):
        for anchor in page.anchors:
            if anchor.startswith(PAGE_ANCHORS):
                pages.setdefault(anchor, number)
    return pages


def book_html(book: Book) -> str:
    """The whole book as one HTML document for WeasyPrint."""
    config = book.config
    env = environment("pdf")
    css = env.get_template("book.css").render(
        trim_width=config.pdf.trim_width_mm,
        trim_height=config.pdf.trim_height_mm,
        colours=config.pdf.colours,
        short_title=config.short_title,
        cmyk_profile=_press_profile().as_uri(),
    )
    date = build_date(book)
    districts = districts_alphabetical(book.entries, config)
    return env.get_template("book.html").render(
        book=config,
        css=css,
        font_faces=_font_faces(),
        variant="book",
        date_iso=date.strftime("%Y-%m-%dT%H:%M:%SZ"),
        year=date.year,
        front_pages=[_page(page) for page in book.front_pages],
        back_pages=[_page(page) for page in book.back_pages],
        parts=[
            {
                "slug": part.slug,
                "title": part.title,
                "entries": [_entry(book, entry) for entry in part.entries],
            }
            for part in book.parts
        ],
        by_district=districts,
        by_year=group_entries(book.entries, config, "year"),
        colophon=colophon_rows(book),
    )


def _entry(book: Book, entry: Entry) -> PrintedEntry:
    body = markdown.render_body(entry.body, entry.body_images, _file_url, entry.slug, lazy=False,
                                model_url=_model_anchor)  # fmt: skip
    figures = tuple({"url": image.source.as_uri(), "image": image} for image in entry.images)
    url = urls.absolute(book.config.base_url, urls.model(entry.slug))
    qr = segno.make(url, error="m").svg_data_uri(border=0, dark="#000", nl=False)
    return PrintedEntry(entry, footnotes_at_call_sites(body, entry.slug), figures, qr)


def _page(page: Page) -> dict[str, Any]:
    body = markdown.render_body(page.body, page.body_images, _file_url, page.slug, lazy=False,
                                model_url=_model_anchor)  # fmt: skip
    return {
        "slug": page.slug,
        "title": page.title,
        "html": footnotes_at_call_sites(body, page.slug),
    }


def _model_anchor(slug: str) -> str:
    """A link to another model: its first page in the same document (`mo-hinh-<slug>`)."""
    return f"#mo-hinh-{slug}"


def _file_url(image: Image) -> str:
    return image.source.as_uri()


def _press_profile() -> Path:
    if not CMYK_PROFILE.is_file():
        raise BuildError(
            _(
                "the press colour profile {path} is missing: run `make setup` "
                "(it installs Debian's libgs-common)"
            ).format(path=CMYK_PROFILE)
        )
    return CMYK_PROFILE


def _font_faces() -> str:
    return "\n".join(
        f'@font-face {{ font-family: "Charis SIL"; font-weight: {font.weight}; '
        f'font-style: {font.style}; src: url("{font.path.as_uri()}"); }}'
        for font in book_fonts()
    )
