"""A say in WeasyPrint's layout between pagination and the margin boxes.

WeasyPrint paginates a document first, then makes every page's margin boxes (folios,
running heads), which can no longer change the pages. A unit of the book (`pdf_units`)
needs that moment: its pages are known, so the units before it can be told its page count.
`paginated(callback)` calls `callback(pages)` there, with the laid-out page boxes, once per
layout; the callback returns what each folio prints (a function of the unit's own `page`
counter) and whether the pages are turned to the other side, or raises to stop the layout
(to move a figure and lay out again, or when only the count was wanted). `shown`, if given,
receives {page index: the unit's page counter} of the pages whose folio box prints that
number.

A page turned (`turn`) gets the other side's page style, its margins and margin boxes: a
unit laid out from a right-hand page that falls after a left-hand one in the book
(`pdf_units.Unit.turned`). Both sides have the same width, so the lines and the pages are
the same; the content moves across by the difference of the margins.

It replaces two names in `weasyprint.layout` (WeasyPrint 69–70: `make_all_pages` and
`make_margin_boxes`) and makes page boxes as `weasyprint.layout.page.make_page` does; the
equivalence tests against a single pass fail if that changes.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

Folio = Callable[[int], int]  # the unit's page counter → the number its folio prints


@dataclass(frozen=True, slots=True)
class Margins:
    """What a unit's margin boxes print: each folio's number, and on which sides."""

    folio: Folio
    turned: bool = False


Callback = Callable[[list[Any]], Margins]
FOLIO_BOXES = ("@bottom-left", "@bottom-right")  # book.css: `content: counter(page)`
_LOCK = threading.Lock()


@contextlib.contextmanager
def paginated(callback: Callback, shown: dict[int, int] | None = None) -> Iterator[None]:
    """While the block runs, WeasyPrint layouts (in this thread) call `callback` as above."""
    from weasyprint import layout

    make_all_pages = layout.make_all_pages
    make_margin_boxes = layout.make_margin_boxes
    pages: list[Any] = []
    folio: list[Folio] = []  # once known
    document: list[Any] = []  # the HTML laid out
    index_of: dict[int, int] = {}

    def all_pages(context: Any, root_box: Any, html: Any, previous: list[Any]) -> Iterator[Any]:
        document[:] = [html]
        pages.clear()
        folio.clear()
        for page in make_all_pages(context, root_box, html, previous):
            pages.append(page)
            yield page

    def margin_boxes(context: Any, page: Any, state: Any) -> Iterator[Any]:
        if not folio:
            margins = callback(list(pages))
            if margins.turned:
                for box in pages:
                    turn(context, document[0], box)
            folio.append(margins.folio)
            index_of.clear()
            index_of.update((id(box), index) for index, box in enumerate(pages))
        quote_depth, counters, scopes, groups = state
        counter = counters["page"][-1] if "page" in counters else None
        if counter is not None:
            counters = {**counters, "page": [folio[0](counter)]}
        made = list(make_margin_boxes(context, page, (quote_depth, counters, scopes, groups)))
        if shown is not None and counter is not None and id(page) in index_of:
            printed = str(counters["page"][-1])
            if any(box.at_keyword in FOLIO_BOXES and _text(box) == printed for box in made):
                shown[index_of[id(page)]] = counter
        return iter(made)

    with _LOCK:
        layout.make_all_pages = all_pages
        layout.make_margin_boxes = margin_boxes
        try:
            yield
        finally:
            layout.make_all_pages = make_all_pages
            layout.make_margin_boxes = make_margin_boxes


def turn(context: Any, html: Any, page: Any) -> None:
    """`page`, a laid-out page box, made a page of the other side: its page type, style and
    margins, its content moved by the difference (before its margin boxes are made)."""
    from weasyprint.formatting_structure import boxes
    from weasyprint.layout.page import page_height, page_width, set_page_type_computed_styles
    from weasyprint.layout.percent import resolve_percentages

    side = "left" if page.page_type.side == "right" else "right"
    page_type = page.page_type._replace(side=side)
    set_page_type_computed_styles(page_type, html, context.style_for)
    style = context.style_for(page_type)
    style["overflow"] = page.style["overflow"]
    other = boxes.PageBox(page_type, style)
    resolve_percentages(other, style["size"])
    other.position_x = other.position_y = 0
    page_width(other, context, style["size"][0])
    page_height(other, context, style["size"][1])
    dx, dy = (
        other.content_box_x() - page.content_box_x(),
        other.content_box_y() - page.content_box_y(),
    )
    for child in page.children:
        child.translate(dx, dy)
    for name, value in vars(other).items():
        if name != "children":
            setattr(page, name, value)


def _text(box: Any) -> str:
    return "".join(getattr(child, "text", "") for child in box.descendants()).strip()


def page_anchors(pages: list[Any]) -> dict[str, int]:
    """{anchor: index of the page it is on} for the page boxes of a paginated layout, the
    first occurrence of each, as WeasyPrint's `Page.anchors` will have them."""
    anchors: dict[str, int] = {}
    for index, page in enumerate(pages):
        for box in page.descendants():
            anchor = box.style["anchor"]
            if anchor and anchor not in anchors:
                anchors[anchor] = index
    return anchors
