"""One model's pages as the printed book sets them, on demand, without laying out the book:
`builder serve`'s “Xem bản in”. The same markup and stylesheet as the book, its first folio
and side from the page map of the last full build (`print-pages.json`), the running head of
its part, the footnote numbers it continues, the figures placed as the book places them.
"""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass, field
from pathlib import Path

from builder.book import urls
from builder.book.model import Book
from builder.outputs.pdf.layout import figure_placement
from builder.outputs.pdf.output import (
    book_css,
    font_faces,
    printed_body,
    printed_entry,
)
from builder.outputs.pdf.weasyprint_loading import import_weasyprint
from builder.outputs.pdf.write.pdf_writing import BLEED_NONE
from builder.render.editions import build_date
from builder.render.templating import environment

FOOTNOTE = 'class="footnote"'  # each footnote of the printed HTML (paged_html)


def first_page(page_map: Path, slug: str) -> int | None:
    """The folio model `slug` opens on in the last full build's page map, or None when there
    is no map, it cannot be read, or the model is not in it (added since)."""
    try:
        pages = json.loads(page_map.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    folio = pages.get(urls.model_anchor(slug)) if isinstance(pages, dict) else None
    return folio if isinstance(folio, int) and folio > 0 else None


def model_print_pdf(book: Book, slug: str, first_page: int) -> bytes:
    """The screen edition's pages of model `slug` (KeyError when the book has no such
    model), numbered from `first_page`: an odd folio is a right-hand page, as in the book."""
    import_weasyprint()  # the first preview's import, without the libraries' search
    from weasyprint import HTML

    html = model_print_html(book, slug, first_page)
    base_url = str(book.root.resolve())
    _html, document = figure_placement.lay_out(
        html, lambda html: HTML(string=html, base_url=base_url).render()
    )
    document.color_profiles.pop("device-cmyk", None)  # the screen edition: no press profile
    for page in document.pages:
        page.bleed = dict(BLEED_NONE)
    data: bytes = document.write_pdf()
    return data


def model_print_html(book: Book, slug: str, first_page: int) -> str:
    """The HTML of the preview: the book's stylesheet and the model's `<article>` only."""
    part = next(part for part in book.parts for entry in part.entries if entry.slug == slug)
    entry = next(entry for entry in part.entries if entry.slug == slug)
    date = build_date(book)
    return (
        environment("pdf")
        .get_template("model_preview.html")
        .render(
            book=book.config,
            title=f"{entry.title} – {book.config.title}",
            css=book_css(book),
            font_faces=font_faces(),
            variant="book",
            date_iso=date.strftime("%Y-%m-%dT%H:%M:%SZ"),
            side="right" if first_page % 2 else "left",
            first_page=first_page,
            footnotes_before=footnotes_before(book, slug),
            part_title=part.title,
            part_slug=part.slug,
            item=printed_entry(book, entry),
        )
    )


def footnotes_before(book: Book, slug: str) -> int:
    """How many footnotes the book prints before model `slug`: its numbers run on through
    the book (book.css resets them nowhere)."""
    count = sum(printed_body(page).count(FOOTNOTE) for page in book.front_pages)
    for entry in (entry for part in book.parts for entry in part.entries):
        if entry.slug == slug:
            return count
        count += printed_body(entry).count(FOOTNOTE)
    raise KeyError(slug)


PREVIEW_ROUTE = "/__ban-in/"  # builder serve: /__ban-in/<slug>.pdf


def preview_address(slug: str) -> str:
    return f"{PREVIEW_ROUTE}{slug}.pdf"


Signature = tuple[object, ...]


@dataclass(slots=True)
class PrintPreviews:
    """The previews `builder serve` has rendered, kept while nothing they are made of changes:
    the model's file, book.yaml, the templates, its first folio."""

    page_map: Path  # print-pages.json of the last full build
    rendered: dict[str, tuple[Signature, bytes]] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def folio(self, slug: str) -> int | None:
        return first_page(self.page_map, slug)

    def pdf(self, book: Book, slug: str, templates: object) -> bytes:
        """The preview of model `slug` (KeyError when the book has none)."""
        entry = next((entry for entry in book.entries if entry.slug == slug), None)
        if entry is None:
            raise KeyError(slug)
        folio = self.folio(slug)
        signature = (folio, _stat(entry.source), _stat(book.root / "book.yaml"), templates)
        with self.lock:
            kept = self.rendered.get(slug)
        if kept is not None and kept[0] == signature:
            return kept[1]
        data = model_print_pdf(book, slug, folio or 1)
        with self.lock:
            self.rendered[slug] = (signature, data)
        return data


def _stat(path: Path) -> tuple[int, int] | None:
    try:
        info = path.stat()
    except OSError:
        return None
    return info.st_mtime_ns, info.st_size
