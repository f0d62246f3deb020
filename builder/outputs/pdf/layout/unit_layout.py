"""One unit of the book (`pdf_units`) laid out and written, in a worker process: its figures
placed as the whole book places them, its page count handed to the parent at pagination, then
its screen PDF written for the join. The front matter also writes the shell of the print
interior (`interior_from_screen`): its half title as PDF/X-4.

A unit's written pages do not depend on the units before it, so that they can be kept
(`unit_cache`) and joined again after a change elsewhere: its folios print a provisional
number as wide as the real one (`provisional_folio`), and its page labels count from 1; the
join writes the real numbers (`folio_rewrite`). Its PDF identifier is UNIT_IDENTIFIER; the
join and the interior put the book's own back (`pdf_join`, `pdf_writing.shell_for_book`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from builder.outputs.pdf.layout import figure_placement
from builder.outputs.pdf.layout.page_map import (
    HALF_TITLE,
    colophon_last,
    cover_pages,
    page_starts,
)
from builder.outputs.pdf.layout.pagination_hook import Folio, page_anchors, paginated
from builder.outputs.pdf.write.pdf_writing import UNIT_IDENTIFIER, write_interior, write_screen


@dataclass(frozen=True, slots=True)
class UnitJob:
    unit: int
    html: str
    base_url: str
    drops_last: bool  # its last page is `pdf_units.SENTINEL`'s, left out
    count_only: bool  # stop at pagination: only its page count is wanted
    screen: Path
    shell: Path | None  # where to write the print interior's shell, if this unit does


@dataclass(frozen=True, slots=True)
class UnitPages:
    """A unit at pagination: what the units after it and the book's indexes need."""

    pages: int  # without the sentinel's page
    cover_pages: int  # pages before the half title (the front matter's), otherwise 0
    anchors: dict[str, int]  # anchor id → index of its page in the unit

    @property
    def folios(self) -> int:
        """Pages the unit adds to the book's folios (the cover has none)."""
        return self.pages - self.cover_pages


@dataclass(frozen=True, slots=True)
class UnitWritten:
    starts: dict[int, tuple[str, str]]  # `page_map.page_starts`, from the unit's folio 1
    colophon_last: bool
    folios: dict[int, int]  # {page index: the unit's page counter} of the pages with a folio


def provisional_folio(before: int) -> Folio:
    """What a unit after `before` folios prints in place of each folio: a number as wide as
    the real one (1, 10, 100…), so that its pages depend on no other unit but for the width
    of its numbers. The book's digits are all as wide (`folio_rewrite`)."""
    return lambda counter: 10 ** (len(str(before + counter)) - 1)


def folio_widths(before: int, pages: int) -> str:
    """The digits of each of a unit's folios, when `before` folios precede it: what its
    written pages depend on besides its HTML (a unit's page counter runs 1…`pages`)."""
    return "".join(str(len(str(before + counter))) for counter in range(1, pages + 1))


class _Stop(Exception):
    """Leaves WeasyPrint's layout at pagination, with what to do instead."""

    def __init__(self, moved_html: str = "", pages: UnitPages | None = None) -> None:
        super().__init__("layout stopped at pagination")
        self.moved_html = moved_html
        self.pages = pages


def lay_out_unit(
    job: UnitJob, folios_before: Callable[[UnitPages], int]
) -> UnitPages | UnitWritten:
    """Lay out `job`'s unit; `folios_before(pages)`, called at pagination, says how many
    folios the book has before the unit's first. Writes the unit's screen PDF (and the
    shell), or with `count_only` returns its pages without writing anything."""
    from weasyprint import HTML

    html = figure_placement.number_figures(job.html)
    may_move = True
    shown: dict[int, int] = {}

    def at_pagination(boxes: list[Any]) -> Folio:
        if may_move:
            moves = figure_placement.figures_leaving_gaps_on(boxes)
            moved = figure_placement.defer_figures(html, moves) if moves else html
            if moved != html:
                raise _Stop(moved_html=moved)
        anchors = page_anchors(boxes)
        pages = len(boxes) - (1 if job.drops_last else 0)
        cover = anchors.get(HALF_TITLE, 0)
        found = UnitPages(pages, cover, {a: i for a, i in anchors.items() if i < pages})
        if job.count_only:
            raise _Stop(pages=found)
        return provisional_folio(folios_before(found))

    while True:
        try:
            with paginated(at_pagination, shown):
                document = HTML(string=html, base_url=job.base_url).render()
            break
        except _Stop as stop:
            if stop.pages is not None:
                return stop.pages
            html, may_move = stop.moved_html, False
    if job.drops_last:
        document = document.copy(document.pages[:-1])
    cover = cover_pages(document)
    folios = {index: counter for index, counter in shown.items() if index < len(document.pages)}
    written = UnitWritten(page_starts(document, cover), colophon_last(document), folios)
    if job.shell is not None:
        shell = document.copy(document.pages[cover : cover + 1])
        write_interior(shell, job.shell, UNIT_IDENTIFIER)
    write_screen(document, job.screen, UNIT_IDENTIFIER)
    return written
