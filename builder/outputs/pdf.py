"""The printed book: a screen edition (tagged PDF/UA-1, links, bookmarks) and a print
edition (PDF/X-4, 3 mm bleed, crop marks, no links) from one WeasyPrint layout.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar

import segno

from builder import figure_placement, markdown, preflight, urls
from builder.cover_spread import cover_size, render_cover
from builder.editions import (
    PREFLIGHT_NAME,
    Download,
    Handover,
    build_date,
    colophon_rows,
    cover_pdf_name,
    print_pdf_name,
    screen_pdf_name,
    write_page_map,
)
from builder.fonts import book_fonts
from builder.i18n import _
from builder.model import Book, Entry, Image, Page
from builder.ordering import districts_alphabetical, group_entries
from builder.parallel import ForkedTask
from builder.pdf_tags import finish_screen_edition
from builder.print_colour import press_colours
from builder.print_html import footnotes_at_call_sites
from builder.print_layout import cover_pages, model_pages, page_starts
from builder.print_package import finish_for_press, padding
from builder.problems import BuildError
from builder.progress import layout_progress
from builder.templating import environment

LOG = logging.getLogger("builder")
BLEED_NONE = {"top": 0, "right": 0, "bottom": 0, "left": 0}
INTERIOR_BLEED_MM = 3  # book.css `@page { bleed }`


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

        base_url = str(book.root.resolve())
        with layout_progress(self.name):
            # A figure too tall for the rest of its page moves below the text that fills
            # the gap (issue 13): a second layout, only when one does.
            html, document = figure_placement.lay_out(
                book_html(book), lambda html: HTML(string=html, base_url=base_url).render()
            )
        identifier = hashlib.sha256(html.encode()).hexdigest()[:32].encode()
        screen = target / screen_pdf_name(book)
        package = PrintPackage(book, target, identifier, cover_pages(document))
        # One layout, two editions, written side by side on two cores: the print files
        # in a forked copy of the layout, the screen edition here. Without fork, the print
        # files are written first and the screen one from a fresh layout, since a written
        # document keeps traces of its writing.
        task = ForkedTask(
            lambda: _write_print(document, package),
            _("writing the print PDF failed: {reason}"),
        )
        with task:
            fresh = document if task.forked else HTML(string=html, base_url=base_url).render()
            _write_screen(fresh, screen, identifier)
        pages = model_pages(document, package.cover_pages)
        starts = _colophon_last(page_starts(document, package.cover_pages), book, document,
                                package)  # fmt: skip
        strict = handover is not None and handover.strict
        checked = _preflight(book, document, package, strict=strict)
        if handover is not None:
            handover.print_pages.update(pages)
            handover.page_starts.update(starts)
            handover.downloads += [
                Download(screen, "pdf-screen"),
                Download(package.interior, "pdf-print"),
            ]  # not the cover spread: it is for the printing house only
        return [screen, package.interior, package.cover, checked, write_page_map(pages, target)]


@dataclass(frozen=True, slots=True)
class PrintPackage:
    """What the printing house gets: the interior block and the cover spread."""

    book: Book
    target: Path
    identifier: bytes
    cover_pages: int  # pages of the layout before the half title: the screen edition's cover

    @property
    def interior(self) -> Path:
        return self.target / print_pdf_name(self.book)

    @property
    def cover(self) -> Path:
        return self.target / cover_pdf_name(self.book)


def _write_print(document: Any, package: PrintPackage) -> None:
    """The interior block (PDF/X-4, from the half title, whole signatures, no links: nothing
    to click on paper) and the cover spread, both finished for the press."""
    book = package.book
    settings = book.config.print
    table = press_colours(book.config.pdf.colours, book.config.pdf.colours_print)
    interior = document.copy(document.pages[package.cover_pages :])
    links = [page.links for page in interior.pages]
    for page in interior.pages:
        page.links = []
    written = package.interior.with_name(package.interior.name + ".part")
    with _document_id_from(package.identifier):
        interior.write_pdf(written, pdf_variant="pdf/x-4", pdf_identifier=package.identifier)
    for page, kept in zip(interior.pages, links, strict=True):
        page.links = kept
    blank = padding(len(interior.pages), settings.signature)
    finish_for_press(written, package.interior, table=table, profile=settings.profile,
                     bleed_mm=INTERIOR_BLEED_MM, blank_pages=blank)  # fmt: skip
    size = cover_size(book, len(interior.pages) + blank)
    written = package.cover.with_name(package.cover.name + ".part")
    date_iso = build_date(book).strftime("%Y-%m-%dT%H:%M:%SZ")
    with _document_id_from(package.identifier + b"-cover"):
        render_cover(book, size, font_faces(), date_iso, written, package.identifier + b"c")
    finish_for_press(written, package.cover, table=table, profile=settings.profile,
                     bleed_mm=size.bleed,
                     folds_mm=(size.trim_width, size.trim_width + size.spine))  # fmt: skip


@contextlib.contextmanager
def _document_id_from(identifier: bytes) -> Iterator[None]:
    """WeasyPrint's PDF/X writer puts a random `xmpMM:DocumentID` in the XMP; derive it
    from the content instead, so the same book gives the same print files."""
    from weasyprint.pdf import metadata

    random_uuid = metadata.uuid4
    metadata.uuid4 = lambda: uuid.uuid5(uuid.NAMESPACE_OID, identifier.decode())
    try:
        yield
    finally:
        metadata.uuid4 = random_uuid


def _preflight(book: Book, document: Any, package: PrintPackage, *, strict: bool) -> Path:
    """`preflight.txt` beside the print files; failing lines are warnings, or with
    `strict` an error that stops the build."""
    settings = book.config.print
    laid_out = len(document.pages) - package.cover_pages
    interior_pages = laid_out + padding(laid_out, settings.signature)
    size = cover_size(book, interior_pages)
    colophon_last = "thong-tin-xuat-ban" in document.pages[-1].anchors
    trim = (book.config.pdf.trim_width_mm, book.config.pdf.trim_height_mm)
    lines = [
        *preflight.check_file(package.interior, trim, INTERIOR_BLEED_MM, settings.max_ink),
        *preflight.interior_lines(
            package.interior, interior_pages, settings.signature, colophon_last
        ),
        *preflight.check_file(
            package.cover, (size.width, size.trim_height), size.bleed, settings.max_ink
        ),
        *preflight.cover_lines(
            package.cover, book, interior_pages, size.spine,
            size.spine >= settings.spine_text_min_mm,
        ),
    ]  # fmt: skip
    path = package.target / PREFLIGHT_NAME
    path.write_text(preflight.report(book, lines), encoding="utf-8")
    failed = [f"{line.file}: {line.label}: {line.value}" for line in lines if not line.passed]
    if failed and strict:
        raise BuildError(
            _("the preflight of the print files failed ({path}): {lines}").format(
                path=PREFLIGHT_NAME, lines="; ".join(failed)
            )
        )
    for line in failed:
        LOG.warning(_("preflight: {line}").format(line=line))
    return path


def _write_screen(document: Any, target: Path, identifier: bytes) -> None:
    """Tagged PDF/UA-1 trimmed to the page, without the press profile.

    Changes `document`: call it after the print edition has its own copy (or is written).
    """
    document.color_profiles.pop("device-cmyk", None)
    for page in document.pages:
        page.bleed = dict(BLEED_NONE)
    document.write_pdf(
        target,
        pdf_variant="pdf/ua-1",
        pdf_identifier=identifier,
        finisher=finish_screen_edition,
    )


def _colophon_last(
    starts: dict[int, tuple[str, str]], book: Book, document: Any, package: PrintPackage
) -> dict[int, tuple[str, str]]:
    """The starts with the colophon on the print interior's last page, after the blank
    pages that complete its last signature (`finish_for_press`)."""
    laid_out = len(document.pages) - package.cover_pages
    blank = padding(laid_out, book.config.print.signature)
    if blank and starts.get(laid_out, ("",))[0] == "thong-tin-xuat-ban":
        starts = dict(starts)
        starts[laid_out + blank] = starts.pop(laid_out)
    return starts


def book_html(book: Book) -> str:
    """The whole book as one HTML document for WeasyPrint."""
    config = book.config
    env = environment("pdf")
    date = build_date(book)
    districts = districts_alphabetical(book.entries, config)
    return env.get_template("book.html").render(
        book=config,
        css=book_css(book),
        font_faces=font_faces(),
        variant="book",
        date_iso=date.strftime("%Y-%m-%dT%H:%M:%SZ"),
        year=date.year,
        front_pages=[printed_page(page) for page in book.front_pages],
        back_pages=[printed_page(page) for page in book.back_pages],
        parts=[
            {
                "slug": part.slug,
                "title": part.title,
                "entries": [printed_entry(book, entry) for entry in part.entries],
            }
            for part in book.parts
        ],
        by_district=districts,
        by_year=group_entries(book.entries, config, "year"),
        colophon=colophon_rows(book),
    )


def book_css(book: Book) -> str:
    """The book's stylesheet (templates/pdf/book.css) with its trim size and colours."""
    config = book.config
    return (
        environment("pdf")
        .get_template("book.css")
        .render(
            trim_width=config.pdf.trim_width_mm,
            trim_height=config.pdf.trim_height_mm,
            colours=config.pdf.colours,
            cover_foreground=config.pdf.colours.cover_foreground,
            cover_accent=config.pdf.colours.cover_accent,
            short_title=config.short_title,
            cmyk_profile=_press_profile(config.print.profile).as_uri(),
        )
    )


def printed_entry(book: Book, entry: Entry) -> PrintedEntry:
    figures = tuple({"url": image.source.as_uri(), "image": image} for image in entry.images)
    url = urls.absolute(book.config.base_url, urls.model(entry.slug))
    qr = segno.make(url, error="m").svg_data_uri(border=0, dark="#000", nl=False)
    return PrintedEntry(entry, printed_body(entry), figures, qr)


def printed_body(entry: Entry | Page) -> str:
    """A model's or page's body as the book prints it: footnotes at their calls."""
    body = markdown.render_body(entry.body, entry.body_images, _file_url, entry.slug, lazy=False,
                                model_url=_model_anchor)  # fmt: skip
    return footnotes_at_call_sites(body, entry.slug)


def printed_page(page: Page) -> dict[str, Any]:
    return {"slug": page.slug, "title": page.title, "html": printed_body(page)}


def _model_anchor(slug: str) -> str:
    """A link to another model: its first page in the same document (`mo-hinh-<slug>`)."""
    return f"#mo-hinh-{slug}"


def _file_url(image: Image) -> str:
    return image.source.as_uri()


def _press_profile(profile: Path) -> Path:
    if not profile.is_file():
        raise BuildError(
            _(
                "the press colour profile {path} is missing: run `make setup` "
                "(it installs Debian's libgs-common)"
            ).format(path=profile)
        )
    return profile


def font_faces() -> str:
    return "\n".join(
        f'@font-face {{ font-family: "Charis SIL"; font-weight: {font.weight}; '
        f'font-style: {font.style}; src: url("{font.path.as_uri()}"); }}'
        for font in book_fonts()
    )
