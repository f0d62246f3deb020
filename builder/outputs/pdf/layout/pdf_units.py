"""The book's HTML cut into units that lay out apart and join into the same pages: the front
matter (cover to the last page before the table of contents), the table of contents, each
part's opener, each model, each index, the back matter's pages (with the colophon). One
model edited is one unit laid out again (`unit_cache`); the table of contents and the
indexes too if their page numbers moved.

A unit's pagination does not depend on the units before it: every page has the same
width whichever side it falls on. What does depend on them is put in here or at the join:

- the side its first page falls on. A model starts on the next page, left or right: it is
  laid out as a document (starting on a right-hand page) and turned to the left side when
  it follows an odd number of folios (`pagination_hook`: margins and margin boxes of the
  other side, the same lines). The table of contents, a part opener, an index and the
  back matter start on a right-hand page: they are laid out after a page that is always
  left out (`START`) and a blank left-hand page, kept when the page before them is a
  right-hand one (`leading_pages`);
- the part a model belongs to: its left-hand running head is the part's title, written
  here as a literal (its part opener is another unit);
- the footnote numbers, which run on through the book (`counter-reset: footnote N`);
- links to another unit's anchors, written as `pdf_join.cross_unit_uri` (the join makes them
  GoTo links again);
- the page numbers of the table of contents and the indexes, which point into other units:
  written (`data-folio`) once those units are paginated, as provisional numbers as wide as
  the real ones, which the join writes (`folio_rewrite.write_numbers`, `printed`), or as a
  placeholder of the widest numbers' width to count the table of contents' pages first.

A model's HTML is wrapped in a part's `<section>` of its own; the join puts its tags and
its bookmark back under its part's (`CONTINUES`). The folios are not in the HTML: they are
margin boxes, set once every unit before is paginated (`pagination_hook`). The book's
stylesheet (`BOOK_STYLE`: its typefaces and book.css) is taken out of the units' heads:
parsed once, it is handed to every unit's layout (`unit_layout.SharedStyle`).
"""

from __future__ import annotations

import html as html_text
import re
from collections.abc import Mapping
from dataclasses import dataclass

from builder.outputs.pdf.write.folio_rewrite import provisional
from builder.outputs.pdf.write.pdf_join import cross_unit_uri
from builder.render.templating import css_string

PART = '<section class="part"'
MODEL = '<article class="model'
TOC = '<nav class="toc"'
INDEX = '<section class="index"'
MATTER = '<section class="matter"'
COLOPHON = '<section class="colophon"'
FOOTNOTE = 'class="footnote"'  # each footnote of the printed HTML (paged_html)
# Begins a unit that starts on a right-hand page: its own page (a right-hand one) is always
# left out, the blank left-hand page the next block's `break-before: right` makes after it
# only when the book's page before is a right-hand page.
START = '<div class="unit-start"></div>'
CONTINUES = f'{PART[:-1]} unit-continues"'  # a model's part, opened in another unit
PLACEHOLDER_FOLIO = "000"  # as wide as the book's widest numbers, to count pages first
# The table of contents and the indexes print a literal number where the target is in
# another unit (book.css uses `target-counter`, which only sees this unit's anchors).
LITERAL_FOLIOS = (
    ".toc-list a[data-folio]::after, .index-list a[data-folio]::after "
    '{ content: leader(". ") " " attr(data-folio); }'
)
BOOK_STYLE = re.compile(r'<style class="book-style">(.*?)</style>\n?', re.S)
_LINK = re.compile(r'href="#([^"]+)"')
_ID = re.compile(r'\bid="([^"]+)"')
_PART_TITLE = re.compile(r'<h1 class="part-title">(.*?)</h1>', re.S)
_TAG = re.compile(r"<[^>]+>")


def starts_right(kind: str) -> bool:
    """Whether a unit of `kind` starts on a right-hand page (laid out after START and a
    blank page)."""
    return kind in ("toc", "opener", "index", "matter")


def leading_pages(kind: str, before: int) -> int:
    """The pages a unit's layout begins with that the book leaves out, when `before` folios
    come before it: START's, and the blank page if the page before is a left-hand one
    (folio 1, the half title, is a right-hand page)."""
    return (1 + (before % 2 == 0)) if starts_right(kind) else 0


def turned(kind: str, before: int) -> bool:
    """Whether a unit's pages are turned to the other side: a model (or a colophon without
    back matter before it) after `before` folios that starts on a left-hand page."""
    return kind in ("model", "colophon") and before % 2 == 1


@dataclass(frozen=True, slots=True)
class Unit:
    """One piece of the book's body with what it needs from the rest of the book."""

    index: int
    kind: str  # "front", "toc", "opener" (a part's first page), "model", "index", "matter"
    # (back matter pages and the colophon) or "colophon" (alone)
    head: str  # the book's `<head>…</head>` and `<body …>` opening tag, without BOOK_STYLE
    body: str
    footnotes_before: int
    part_title: str = ""  # a model's: its part's, for its left-hand running head
    style: str = ""  # BOOK_STYLE's content

    @property
    def starts_right(self) -> bool:
        return starts_right(self.kind)

    @property
    def anchors(self) -> frozenset[str]:
        return frozenset(_ID.findall(self.body))

    @property
    def needs_other_folios(self) -> bool:
        """Whether it prints the page numbers of other units (the TOC, the indexes): its
        other units' links carry them (`html`); any other unit's carry none."""
        return self.kind in ("toc", "index")

    def html(self, folios: Mapping[str, int] | None = None) -> str:
        """The unit as a document. `folios` (anchor → printed page) gives the numbers of its
        links into other units; without them, those numbers are placeholders."""
        anchors = self.anchors

        def relink(match: re.Match[str]) -> str:
            anchor = match.group(1)
            if anchor in anchors:
                return match.group(0)
            folio = PLACEHOLDER_FOLIO if folios is None else _provisional(folios.get(anchor))
            if not self.needs_other_folios:
                folio = ""
            return f'href="{cross_unit_uri(anchor)}" data-folio="{folio}"'

        style = LITERAL_FOLIOS
        if self.footnotes_before:
            style += f" html {{ counter-reset: footnote {self.footnotes_before}; }}"
        if self.kind == "model":  # book.css: `string(part-title, first-except)`
            style += (f" @page :left {{ @top-left {{ content: {css_string(self.part_title)}; }} }}"
                      " @page :blank { @top-left { content: none; } }")  # fmt: skip
        head = self.head.replace("</head>", f"<style>{style}</style>\n</head>", 1)
        start = START if self.starts_right else ""
        return f"{head}{start}{_LINK.sub(relink, self.body)}</body></html>"

    def printed(self, folios: Mapping[str, int]) -> tuple[int, ...]:
        """The page numbers it prints of other units' anchors, in its order (`html`)."""
        if not self.needs_other_folios:
            return ()
        anchors = self.anchors
        found = (folios.get(anchor) for anchor in _LINK.findall(self.body) if anchor not in anchors)
        return tuple(folio for folio in found if folio)


def _provisional(folio: int | None) -> str:
    return str(provisional(folio)) if folio else ""


def cut(book_html: str) -> tuple[Unit, ...]:
    """The book's HTML (`outputs.pdf.book_html`) as its front matter, each part's opener
    and models, and its back matter. A book without parts is one unit."""
    head, rest = book_html.split("<body", 1)
    body_open, body = rest.split(">", 1)
    found = BOOK_STYLE.search(head)
    style = found.group(1) if found else ""
    head = f"{BOOK_STYLE.sub('', head, 1)}<body{body_open}>"
    body = body.rsplit("</body>", 1)[0]
    starts = [match.start() for match in re.finditer(re.escape(PART), body)]
    if not starts:
        return (Unit(0, "front", head, body, 0, style=style),)
    back_at = [at for at in (body.find(INDEX, starts[-1]), body.find(COLOPHON, starts[-1]))
               if at >= 0]  # fmt: skip
    ends = [*starts[1:], min(back_at) if back_at else len(body)]
    toc = body.find(TOC, 0, starts[0])
    pieces = [("front", body[:toc], ""), ("toc", body[toc : starts[0]], "")] if toc > 0 else [
        ("front", body[: starts[0]], "")]  # fmt: skip
    for a, b in zip(starts, ends, strict=True):
        pieces += _part_pieces(body[a:b])
    if back_at:
        pieces += _back_pieces(body[ends[-1] :])
    units = []
    footnotes = 0
    for index, (kind, piece, part_title) in enumerate(pieces):
        units.append(Unit(index, kind, head, piece, footnotes, part_title, style))
        footnotes += piece.count(FOOTNOTE)
    return tuple(units)


def _back_pieces(back: str) -> list[tuple[str, str, str]]:
    """The back matter as each index and the pages after them (with the colophon): each
    starts on a right-hand page; a colophon alone starts on the next page."""
    cuts = sorted(match.start() for match in re.finditer(f"{INDEX}|{MATTER}", back))
    cuts = [0, *[at for at in cuts if at > 0]]
    pieces = []
    for a, b in zip(cuts, [*cuts[1:], len(back)], strict=True):
        piece = back[a:b]
        if piece.startswith(INDEX):
            pieces.append(("index", piece, ""))
        elif piece.startswith(MATTER):  # the back matter's pages, one unit
            pieces.append(("matter", back[a:], ""))
            break
        else:
            pieces.append(("colophon", piece, ""))
    return pieces


def _part_pieces(part: str) -> list[tuple[str, str, str]]:
    """A part's `<section>` as its opener and its models, each closed and (the models)
    opened again as CONTINUES."""
    inner, closing = part.rsplit("</section>", 1)
    models = [match.start() for match in re.finditer(re.escape(MODEL), inner)]
    if not models:
        return [("opener", part, "")]
    found = _PART_TITLE.search(inner, 0, models[0])
    title = " ".join(html_text.unescape(_TAG.sub("", found.group(1))).split()) if found else ""
    pieces = [("opener", f"{inner[: models[0]]}</section>\n", "")]
    for a, b in zip(models, [*models[1:], len(inner)], strict=True):
        pieces.append(("model", f"{CONTINUES}>\n{inner[a:b]}</section>{closing}", title))
    return pieces
