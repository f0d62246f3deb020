"""Where things fall in the laid-out book: the cover's pages, the printed page on which each
model, part and page opens, and the words each printed page begins with. The PDF reads it
off WeasyPrint's layout and hands it to the EPUB and the site (builder.render.editions.Handover).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from builder.book import urls

PAGE_ANCHORS = (urls.MODEL_ANCHOR_PREFIX, "phan-", "trang-", "muc-luc", "chi-muc-")
HALF_TITLE = "nhan-de"  # the print interior's first page; the pages before it are the cover
COLOPHON = "thong-tin-xuat-ban"


def cover_pages(document: Any) -> int:
    """Pages before the half title (`nhan-de`): the screen edition's cover and its back."""
    for index, page in enumerate(document.pages):
        if HALF_TITLE in page.anchors:
            return index
    return 0


def colophon_last(document: Any) -> bool:
    """Whether the layout's last page is the colophon's."""
    return bool(document.pages) and COLOPHON in document.pages[-1].anchors


def model_pages(document: Any, before: int = 0) -> dict[str, int]:
    """The printed page on which each model, part and page opens: {anchor id: page}, with
    pages counted from the half title, as the folios (the `before` pages are the cover).

    Model anchors are `mo-hinh-<slug>`; the EPUB and the site read this map to cite the
    printed book (“trang 57”).
    """
    pages: dict[str, int] = {}
    for number, page in enumerate(document.pages[before:], start=1):
        for anchor in page.anchors:
            if anchor.startswith(PAGE_ANCHORS):
                pages.setdefault(anchor, number)
    return pages


# The ids a page's first words are looked up under in the EPUB (`nhan-de`: the half title
# and the title page after it; `thong-tin-xuat-ban`: the colophon).
START_ANCHORS = (*PAGE_ANCHORS, HALF_TITLE, COLOPHON)
START_WORDS = 12


def page_starts(document: Any, before: int = 0) -> dict[int, tuple[str, str]]:
    """Where each printed page begins: {folio: (anchor id, its first words)}, for the
    EPUB's page-break markers. Folios count from the half title, as `model_pages`; pages
    without text (blank ones, a picture alone) are left out.

    The first words are those of the page's first lines of text, generated text (list
    numbers, leaders, footnote calls, running heads) left out; the anchor is the id of the
    model, part or page the first line is in (a title page without one: the page before's).
    """
    starts: dict[int, tuple[str, str]] = {}
    anchor = ""
    for number, page in enumerate(document.pages[before:], start=1):
        lines: list[tuple[str, str]] = []
        _first_lines(page._page_box.children[0], anchor, lines)
        if not lines:
            continue
        anchor = lines[0][0]
        words = " ".join(text for _anchor, text in lines).split()
        starts[number] = (anchor, " ".join(words[:START_WORDS]))
    return starts


def _first_lines(box: Any, anchor: str, lines: list[tuple[str, str]]) -> None:
    """(nearest anchor, text) of the line boxes with text under `box`, in reading order,
    until they hold START_WORDS words."""
    from weasyprint.formatting_structure import boxes

    element = getattr(box, "element", None)
    if element is not None and "::" not in (box.element_tag or ""):
        identifier = element.get("id") or ""
        if identifier.startswith(START_ANCHORS):
            anchor = identifier
    if isinstance(box, boxes.LineBox):
        text = "".join(_line_text(box)).strip()
        if text:
            lines.append((anchor, text))
        return
    for child in getattr(box, "children", ()):
        if sum(len(text.split()) for _anchor, text in lines) >= START_WORDS:
            return
        _first_lines(child, anchor, lines)


def _line_text(box: Any) -> Iterator[str]:
    if "::" in (box.element_tag or ""):  # ::marker, ::before, ::after, footnote calls
        return
    if hasattr(box, "text"):
        yield box.text
    for child in getattr(box, "children", ()):
        yield from _line_text(child)
