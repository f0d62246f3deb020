"""The book's HTML cut into units that lay out apart and join into the same pages: the front
matter (cover to table of contents), each part, the back matter (indexes to colophon).

Every cut falls before a block that starts on a right-hand page (a part opener, an index), so
each unit begins, like a document, on a right-hand page, and a unit's pages do not depend on
the units before it. What does depend on them is put in here:

- the footnote numbers, which run on through the book (`counter-reset: footnote N`);
- links to another unit's anchors, written as `pdf_join.cross_unit_uri` (the join makes them
  GoTo links again);
- the page numbers of the table of contents and the indexes, which point into other units:
  written as literal numbers (`data-folio`) once those units are paginated, or as a
  placeholder of the same width to count the front matter's pages first.

The folios are not in the HTML: they are margin boxes, set once every unit before is
paginated (`pagination_hook`).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

from builder.outputs.pdf.write.pdf_join import cross_unit_uri

PART = '<section class="part"'
INDEX = '<section class="index"'
COLOPHON = '<section class="colophon"'
FOOTNOTE = 'class="footnote"'  # each footnote of the printed HTML (paged_html)
# Ends every unit but the last: forced to the next right-hand page, it makes the blank
# left-hand page the whole book has before the next unit; its own page is left out.
SENTINEL = '<div class="unit-end" style="break-before: right"></div>'
PLACEHOLDER_FOLIO = "000"  # as wide as the book's widest numbers, to count pages first
# The table of contents and the indexes print a literal number where the target is in
# another unit (book.css uses `target-counter`, which only sees this unit's anchors).
LITERAL_FOLIOS = (
    ".toc-list a[data-folio]::after, .index-list a[data-folio]::after "
    '{ content: leader(". ") " " attr(data-folio); }'
)
_LINK = re.compile(r'href="#([^"]+)"')
_ID = re.compile(r'\bid="([^"]+)"')


@dataclass(frozen=True, slots=True)
class Unit:
    """One piece of the book's body with what it needs from the rest of the book."""

    index: int
    kind: str  # "front", "part" or "back"
    head: str  # the book's `<head>…</head>` and `<body …>` opening tag
    body: str
    footnotes_before: int
    last: bool

    @property
    def anchors(self) -> frozenset[str]:
        return frozenset(_ID.findall(self.body))

    @property
    def needs_other_folios(self) -> bool:
        """Whether its printed numbers point into other units (the TOC, the indexes)."""
        anchors = self.anchors
        return self.kind != "part" and any(
            anchor not in anchors for anchor in _LINK.findall(self.body)
        )

    def html(self, folios: Mapping[str, int] | None = None) -> str:
        """The unit as a document. `folios` (anchor → printed page) gives the numbers of its
        links into other units; without them, those numbers are placeholders."""
        anchors = self.anchors

        def relink(match: re.Match[str]) -> str:
            anchor = match.group(1)
            if anchor in anchors:
                return match.group(0)
            folio = PLACEHOLDER_FOLIO if folios is None else str(folios.get(anchor, ""))
            return f'href="{cross_unit_uri(anchor)}" data-folio="{folio}"'

        style = LITERAL_FOLIOS
        if self.footnotes_before:
            style += f" html {{ counter-reset: footnote {self.footnotes_before}; }}"
        head = self.head.replace("</head>", f"<style>{style}</style>\n</head>", 1)
        end = "" if self.last else SENTINEL
        return f"{head}{_LINK.sub(relink, self.body)}{end}</body></html>"


def cut(book_html: str) -> tuple[Unit, ...]:
    """The book's HTML (`outputs.pdf.book_html`) as its front matter, parts and back matter.
    A book without parts is one unit."""
    head, rest = book_html.split("<body", 1)
    body_open, body = rest.split(">", 1)
    head = f"{head}<body{body_open}>"
    body = body.rsplit("</body>", 1)[0]
    starts = [match.start() for match in re.finditer(re.escape(PART), body)]
    if not starts:
        return (Unit(0, "front", head, body, 0, True),)
    back_at = [at for at in (body.find(INDEX, starts[-1]), body.find(COLOPHON, starts[-1]))
               if at >= 0]  # fmt: skip
    ends = [*starts[1:], min(back_at) if back_at else len(body)]
    pieces = [("front", body[: starts[0]])]
    pieces += [("part", body[a:b]) for a, b in zip(starts, ends, strict=True)]
    if back_at:
        pieces.append(("back", body[ends[-1] :]))
    units = []
    footnotes = 0
    for index, (kind, piece) in enumerate(pieces):
        units.append(Unit(index, kind, head, piece, footnotes, index == len(pieces) - 1))
        footnotes += piece.count(FOOTNOTE)
    return tuple(units)
