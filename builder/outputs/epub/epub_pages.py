"""Page-break markers of the printed book in the EPUB's XHTML (EPUB).

The PDF hands over where each printed page begins (`Handover.page_starts`: its anchor and
first words); each marker goes right before those words in its document, after the
document's previous marker. Text is compared without spaces and case (the print edition
sets some lines in capitals, breaks lines and joins blocks). When the words are not found
(generated text, a fact row only the print edition has), the marker goes right after the
previous one: the page-list stays in reading order and every page keeps its marker.
"""

from __future__ import annotations

from collections.abc import Iterator

from lxml import etree

XHTML = "http://www.w3.org/1999/xhtml"
EPUB_TYPE = "{http://www.idpf.org/2007/ops}type"
DOCTYPE = "<!DOCTYPE html>"
IGNORED = str.maketrans("", "", "\u00ad\u2010")  # soft hyphens and the hyphens they become
# A marker that would open one of these goes before it instead: readers announce the page
# before the heading or paragraph, not inside it.
MOVED_OUT_OF = {"p", "h1", "h2", "h3", "h4", "h5", "h6", "a", "span", "strong", "em",
                "b", "i", "blockquote", "div", "figure"}  # fmt: skip
# …unless its parent may hold no span (lists, tables, the nav's fixed structure).
NO_SPAN_IN = {"ol", "ul", "dl", "table", "thead", "tbody", "tr", "nav", "li"}


def marker_id(folio: int) -> str:
    return f"trang-in-{folio}"


def place_markers(xhtml: str, starts: list[tuple[int, str]], root_id: str) -> str:
    """`xhtml` with a marker for each (folio, first words) of `starts`, in order, inside the
    element `root_id` (else the body)."""
    document = etree.ElementTree(etree.fromstring(xhtml.encode()))
    roots = document.xpath("//*[@id=$id]", id=root_id) if root_id else []
    root = roots[0] if roots else document.find(f"{{{XHTML}}}body")
    position = 0  # in the text without spaces: where the previous marker is
    for number, (folio, words) in enumerate(starts):
        flat, places = _text_index(root)
        found = _find(flat, words, position)
        if number + 1 < len(starts):
            # The next page's words first (the half title's words are the title page's
            # second line): this page's marker goes there too, before the next one.
            following = _find(flat, starts[number + 1][1], position)
            if following >= 0 and (found < 0 or following < found):
                found = following
        position = max(found, position)
        marker = etree.Element(
            f"{{{XHTML}}}span",
            {EPUB_TYPE: "pagebreak", "role": "doc-pagebreak", "id": marker_id(folio),
             "aria-label": str(folio)},
        )  # fmt: skip
        if position < len(places):
            _insert(marker, *places[position], root)
        else:  # no text at all: at the start
            root.insert(0, marker)
    text = etree.tostring(document, encoding="utf-8", xml_declaration=True, doctype=DOCTYPE)
    return bytes(text).decode()


def _find(flat: str, words: str, start: int) -> int:
    """Where the page's words (or the longest part of them found) begin, from `start` on;
    -1 when they are not there."""
    split = words.split()
    candidates = [split, split[:4], *(split[first : first + 5] for first in (1, 2, 3))]
    for candidate in candidates:
        if len(candidate) >= 2 or (candidate == split and candidate):
            at = flat.find(_flat("".join(candidate)), start)
            if at >= 0:
                return at
    return -1


def _flat(text: str) -> str:
    return "".join(text.translate(IGNORED).split()).casefold()


def _text_index(root: etree._Element) -> tuple[str, list[tuple[etree._Element, bool, int]]]:
    """The text under `root` without spaces, and for each of its characters the node it is
    in: (element, in its tail rather than its text, offset)."""
    flat: list[str] = []
    places: list[tuple[etree._Element, bool, int]] = []
    for node, is_tail in _text_nodes(root):
        text = node.tail if is_tail else node.text
        for offset, char in enumerate(text or ""):
            folded = _flat(char)
            if folded:
                flat.append(folded)
                places.extend([(node, is_tail, offset)] * len(folded))
    return "".join(flat), places


def _text_nodes(element: etree._Element) -> Iterator[tuple[etree._Element, bool]]:
    if isinstance(element.tag, str):
        yield element, False
    for child in element:
        yield from _text_nodes(child)
        yield child, True


def _insert(
    marker: etree._Element, node: etree._Element, is_tail: bool, offset: int, root: etree._Element
) -> None:
    """`marker` right before character `offset` of `node`'s text or tail; before the
    paragraph or heading instead when that character opens it."""
    if is_tail:
        parent = node.getparent()
        parent.insert(parent.index(node) + 1, marker)
        marker.tail, node.tail = node.tail[offset:], node.tail[:offset]
        return
    if not (node.text or "")[:offset].strip():
        before = None  # the outermost element the page's words open, where a span may go
        target = node
        while target is not root and _local(target) in MOVED_OUT_OF:
            parent = target.getparent()
            if _local(parent) in NO_SPAN_IN:
                break
            before = target
            if parent is root or parent.index(target) or (parent.text or "").strip():
                break
            target = parent
        if before is not None:
            parent = before.getparent()
            parent.insert(parent.index(before), marker)
            return
    marker.tail, node.text = (node.text or "")[offset:], (node.text or "")[:offset]
    node.insert(0, marker)


def _local(element: etree._Element) -> str:
    return str(etree.QName(element).localname)
