"""A say in WeasyPrint's layout between pagination and the margin boxes.

WeasyPrint paginates a document first, then makes every page's margin boxes (folios,
running heads), which can no longer change the pages. A unit of the book (`pdf_units`)
needs that moment: its pages are known, so the units before it can be told its page count,
and its folios can wait for theirs. `paginated(callback)` calls `callback(pages)` there, with
the laid-out page boxes, once per layout; the callback returns how many pages the book has
before the unit's first folio (added to the `page` counter of every margin box), or raises to
stop the layout (to move a figure and lay out again, or when only the count was wanted).

It replaces two names in `weasyprint.layout` (WeasyPrint 69–70: `make_all_pages` and
`make_margin_boxes`); the equivalence tests against a single pass fail if that changes.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable, Iterator
from typing import Any

Callback = Callable[[list[Any]], int]
_LOCK = threading.Lock()


@contextlib.contextmanager
def paginated(callback: Callback) -> Iterator[None]:
    """While the block runs, WeasyPrint layouts (in this thread) call `callback` as above."""
    from weasyprint import layout

    make_all_pages = layout.make_all_pages
    make_margin_boxes = layout.make_margin_boxes
    pages: list[Any] = []
    offset: list[int] = []

    def all_pages(context: Any, root_box: Any, html: Any, previous: list[Any]) -> Iterator[Any]:
        pages.clear()
        offset.clear()
        for page in make_all_pages(context, root_box, html, previous):
            pages.append(page)
            yield page

    def margin_boxes(context: Any, page: Any, state: Any) -> Iterator[Any]:
        if not offset:
            offset.append(callback(list(pages)))
        quote_depth, counters, scopes, groups = state
        if offset[0] and "page" in counters:
            counters = {**counters, "page": [counters["page"][-1] + offset[0]]}
        boxes: Iterator[Any] = make_margin_boxes(
            context, page, (quote_depth, counters, scopes, groups)
        )
        return boxes

    with _LOCK:
        layout.make_all_pages = all_pages
        layout.make_margin_boxes = margin_boxes
        try:
            yield
        finally:
            layout.make_all_pages = make_all_pages
            layout.make_margin_boxes = make_margin_boxes


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
