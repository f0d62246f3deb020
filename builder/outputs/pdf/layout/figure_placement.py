"""Figures that leave a gap: a picture too tall for what is left of its page goes to the next
page, and the text that follows it waits, leaving the foot of the page blank. Books let the
text run on and set the picture a little later. WeasyPrint has no page floats, so the PDF
lays the book out once, finds each such figure here, moves it below the text that fills the
gap, and lays the book out again.

The figures are told apart by `data-figure` numbers (`number_figures`); the blocks around
them are matched between WeasyPrint's tree and lxml's by their tag and order in the model.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from lxml import html as lxml_html
from lxml.html import HtmlElement

MM = 96 / 25.4  # CSS px per millimetre: WeasyPrint's layout unit
MIN_GAP_MM = 15.0  # a blank foot shorter than three lines is not worth moving a picture for
LEFT_OVER_MM = 10.0  # what may stay blank once the text is moved up
LEAF_TAGS = frozenset(
    {"p", "h1", "h2", "h3", "h4", "h5", "h6", "ul", "ol", "table", "figure", "blockquote",
     "aside", "dl", "pre", "hr"}
)  # fmt: skip
HEADINGS = frozenset({"h1", "h2", "h3", "h4", "h5", "h6"})
_FIGURE_TAG = re.compile(r'<figure class="figure"')
LOG = logging.getLogger("builder")


@dataclass(frozen=True, slots=True)
class FigureMove:
    """Figure `figure` goes after the `after`-th block that follows it in its model (1 is
    the next one); `tags` are the tags of the blocks it passes, to check the match."""

    figure: str
    after: int
    tags: tuple[str, ...]
    gap_mm: float


def lay_out(book_html: str, render: Callable[[str], Any]) -> tuple[str, Any]:
    """The HTML the book is finally laid out from, and its layout: `render` (HTML → a
    WeasyPrint document) runs once, and a second time when figures had to move."""
    numbered = number_figures(book_html)
    document = render(numbered)
    moves = figures_leaving_gaps(document)
    if not moves:
        return numbered, document
    moved = defer_figures(numbered, moves)
    if moved == numbered:
        return numbered, document
    LOG.debug("figures moved below the text that fills their gap: %s", moves)
    return moved, render(moved)


def number_figures(book_html: str) -> str:
    """Every `<figure class="figure">` numbered in document order (`data-figure`)."""
    numbers = iter(range(1_000_000))
    return _FIGURE_TAG.sub(
        lambda _match: f'<figure class="figure" data-figure="{next(numbers)}"', book_html
    )


def figures_leaving_gaps(document: Any) -> tuple[FigureMove, ...]:
    """The figures of a laid-out document that opened a page after leaving a blank foot of
    at least MIN_GAP_MM on the page before (headings pulled along with them count as part of
    the move), with the blocks of text to set before them instead."""
    return figures_leaving_gaps_on([page._page_box for page in document.pages])


def figures_leaving_gaps_on(page_boxes: list[Any]) -> tuple[FigureMove, ...]:
    """`figures_leaving_gaps` for WeasyPrint's page boxes, margin boxes made or not."""
    pages = [list(_flow_leaves(box.children[0], None)) for box in page_boxes]
    order: list[_Leaf] = []
    heights: dict[int, float] = {}
    for leaves in pages:
        for leaf in leaves:
            key = id(leaf.box.element)
            if key not in heights:
                order.append(leaf)
                heights[key] = 0.0
            heights[key] += leaf.box.margin_height()
    moves = []
    for index in range(1, len(pages)):
        before, leaves = pages[index - 1], pages[index]
        figure = _pushed_figure(leaves)
        if figure is None or not before or before[-1].article is not figure.article:
            continue
        gap = _free_below(page_boxes[index - 1], before)
        if gap < MIN_GAP_MM * MM:
            continue
        pulled = sum(leaf.box.margin_height() for leaf in leaves[: leaves.index(figure)])
        following = _following(order, figure)
        after = _blocks_to_fill(following, heights, gap - pulled)
        if after:
            moves.append(
                FigureMove(
                    figure.box.element.get("data-figure"),
                    after,
                    tuple(leaf.tag for leaf in following[:after]),
                    round(gap / MM, 1),
                )
            )
    return tuple(moves)


def defer_figures(book_html: str, moves: tuple[FigureMove, ...]) -> str:
    """The book's HTML with each figure of `moves` set after the blocks that fill its gap.
    A move whose blocks are not found as the layout saw them is left out."""
    root = lxml_html.document_fromstring(book_html)
    moved = 0
    for move in moves:
        found = root.xpath(f'//figure[@data-figure="{move.figure}"]')
        if not found:
            continue
        figure = found[0]
        article = next(figure.iterancestors("article"), None)
        if article is None:
            continue
        leaves = list(_element_leaves(article))
        start = leaves.index(figure) + 1
        passed = leaves[start : start + move.after]
        if tuple(element.tag for element in passed) != move.tags:
            continue
        anchor = passed[-1]
        tail = figure.tail
        figure.getparent().remove(figure)
        figure.tail = anchor.tail
        anchor.tail = tail
        anchor.addnext(figure)
        moved += 1
    if not moved:
        return book_html
    return str(lxml_html.tostring(root, doctype="<!DOCTYPE html>", encoding="unicode"))


@dataclass(frozen=True, slots=True)
class _Leaf:
    box: Any
    article: Any  # the element of the model (`<article>`) the box is in, or None

    @property
    def tag(self) -> str:
        return str(self.box.element_tag)


def _flow_leaves(box: Any, article: Any) -> Iterator[_Leaf]:
    """The block-level boxes in normal flow that hold text or a picture, in order."""
    from weasyprint.formatting_structure import boxes

    for child in getattr(box, "children", ()):
        if not isinstance(child, boxes.BlockLevelBox) or child.is_absolutely_positioned():
            continue
        if child.is_floated() or child.element is None:
            continue
        inside = child.element if child.element_tag == "article" else article
        if child.element_tag in LEAF_TAGS:
            yield _Leaf(child, inside)
        else:
            yield from _flow_leaves(child, inside)


def _element_leaves(element: HtmlElement) -> Iterator[HtmlElement]:
    """The same blocks as `_flow_leaves`, in the lxml tree of one model."""
    for child in element:
        if not isinstance(child.tag, str):
            continue
        if child.tag in LEAF_TAGS:
            yield child
        else:
            yield from _element_leaves(child)


def _pushed_figure(leaves: list[_Leaf]) -> _Leaf | None:
    """The figure a page opens with, after nothing but headings."""
    for leaf in leaves:
        if leaf.tag == "figure" and leaf.box.element.get("data-figure") is not None:
            return leaf
        if leaf.tag not in HEADINGS:
            return None
    return None


def _free_below(page_box: Any, leaves: list[_Leaf]) -> float:
    """The blank height at the foot of a page, above its footnotes."""
    from weasyprint.formatting_structure import boxes

    bottom = page_box.content_box_y() + page_box.height
    for area in page_box.children[1:]:
        if isinstance(area, boxes.FootnoteAreaBox) and area.children:
            bottom = area.position_y
    used = max(leaf.box.position_y + leaf.box.margin_height() for leaf in leaves)
    return float(bottom - used)


def _following(order: list[_Leaf], figure: _Leaf) -> list[_Leaf]:
    """The blocks after `figure` in its model, once each."""
    start = next(i for i, leaf in enumerate(order) if leaf.box.element is figure.box.element)
    following = []
    for leaf in order[start + 1 :]:
        if leaf.article is not figure.article:
            break
        following.append(leaf)
    return following


def _blocks_to_fill(following: list[_Leaf], heights: dict[int, float], gap: float) -> int:
    """How many of the following blocks to set before the figure: the fewest whose height
    fills the gap to within LEFT_OVER_MM, never ending on a heading; all of them when even
    all do not fill it; 0 when the figure is followed by nothing it may pass."""
    total = 0.0
    best = 0
    for count, leaf in enumerate(following, start=1):
        if leaf.tag == "figure":
            break
        total += heights[id(leaf.box.element)]
        if leaf.tag in HEADINGS:
            continue
        best = count
        if total >= gap - LEFT_OVER_MM * MM:
            break
    return best
