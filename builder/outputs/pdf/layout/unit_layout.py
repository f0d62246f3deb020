"""One unit of the book (`pdf_units`) laid out and written, in a worker process: its figures
placed as the whole book places them, its page count handed to the parent at pagination, then
its screen PDF written for the join. The front matter also writes the shell of the print
interior (`interior_from_screen`): its half title as PDF/X-4.

A unit's written pages depend on the units before it only by the parity of their folios
(the side its pages fall on, `pdf_units.turned` and `pdf_units.leading_pages`) and the
width of its folios, so that they can be kept (`unit_cache`) and joined again after a
change elsewhere: its folios print a provisional number as wide as the real one
(`provisional_folio`), and its page labels count from its own page counter; the join
writes the real numbers (`folio_rewrite`). Its PDF identifier is UNIT_IDENTIFIER; the
join and the interior put the book's own back (`pdf_join`, `pdf_writing.shell_for_book`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from builder.outputs.pdf.layout import figure_placement, leader_runs
from builder.outputs.pdf.layout.page_map import (
    HALF_TITLE,
    colophon_last,
    cover_pages,
    page_starts,
)
from builder.outputs.pdf.layout.pagination_hook import Folio, Margins, page_anchors, paginated
from builder.outputs.pdf.layout.pdf_units import leading_pages, turned
from builder.outputs.pdf.write.pdf_writing import UNIT_IDENTIFIER, write_interior, write_screen
from builder.outputs.pdf.write.subset_arrays import glyph_arrays_without_parsing


@dataclass(frozen=True, slots=True)
class SharedStyle:
    """The book's stylesheet (`pdf_units.BOOK_STYLE`) parsed once with the typefaces it
    loads, for every unit's layout: made before the workers fork, each has it ready (a
    tenth of a second a unit otherwise, parsing book.css and warming the typefaces). It is a
    user stylesheet to WeasyPrint: what a unit's own head adds takes precedence over it.
    A page is laid out and written with it at once, so that the workers inherit every cache
    a first page fills."""

    sheet: Any  # weasyprint.CSS
    font_config: Any  # weasyprint.text.fonts.FontConfiguration
    color_profiles: dict[str, Any]

    @classmethod
    def parse(cls, style: str, base_url: str) -> SharedStyle:
        from weasyprint import CSS
        from weasyprint.text.fonts import FontConfiguration

        glyph_arrays_without_parsing()
        leader_runs.install()
        fonts = FontConfiguration()
        profiles: dict[str, Any] = {}
        sheet = CSS(string=style, base_url=base_url, font_config=fonts, color_profiles=profiles)
        shared = cls(sheet, fonts, profiles)
        # Written once, so that the C types of the PDF writer (subsetting the typefaces) are
        # parsed here: cffi takes a third of a second to parse them in each new process.
        warm = shared.render("<p>a <b>b</b> <i>c</i> <b><i>d</i></b></p>", base_url)
        warm.write_pdf(pdf_variant="pdf/ua-1")
        return shared

    def render(self, html: str, base_url: str) -> Any:
        from weasyprint import HTML

        return HTML(string=html, base_url=base_url).render(
            stylesheets=[self.sheet], font_config=self.font_config,
            color_profiles=dict(self.color_profiles),
        )  # fmt: skip


@dataclass(frozen=True, slots=True)
class UnitJob:
    unit: int
    kind: str  # `pdf_units.Unit.kind`
    html: str  # without the book's stylesheet (`SharedStyle`)
    base_url: str
    count_only: bool  # stop at pagination: only its page count is wanted
    screen: Path
    shell: Path | None  # where to write the print interior's shell, if this unit does


@dataclass(frozen=True, slots=True)
class UnitPages:
    """A unit at pagination: what the units after it and the book's indexes need."""

    pages: int  # laid out, with its leading pages (`pdf_units.leading_pages`)
    cover_pages: int  # pages before the half title (the front matter's), otherwise 0
    anchors: dict[str, int]  # anchor id → index of its page in the unit

    def folios(self, kind: str, before: int) -> int:
        """Pages the unit of `kind` adds to the book's folios after `before` (the cover and
        its leading pages have none)."""
        return self.pages - self.cover_pages - leading_pages(kind, before)


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


def written_variant(kind: str, before: int, pages: int) -> str:
    """What the written pages of a unit of `kind` with `pages` laid-out pages depend on
    besides its HTML, when `before` folios precede it: the side it starts on and the digits
    of each of its folios (a unit's page counter runs 1…`pages`)."""
    base = before - leading_pages(kind, before)
    widths = "".join(str(len(str(base + counter))) for counter in range(1, pages + 1))
    return f"{before % 2}:{widths}"


class _Stop(Exception):
    """Leaves WeasyPrint's layout at pagination, with what to do instead."""

    def __init__(self, moved_html: str = "", pages: UnitPages | None = None) -> None:
        super().__init__("layout stopped at pagination")
        self.moved_html = moved_html
        self.pages = pages


def lay_out_unit(
    job: UnitJob, folios_before: Callable[[UnitPages], int], style: SharedStyle
) -> UnitPages | UnitWritten:
    """Lay out `job`'s unit with the book's `style`; `folios_before(pages)`, called at
    pagination, says how many folios the book has before the unit's first. Writes the
    unit's screen PDF (and the shell), or with `count_only` returns its pages without
    writing anything."""
    html = figure_placement.number_figures(job.html)
    may_move = True
    shown: dict[int, int] = {}
    before: list[int] = []  # the folios before the unit, once told

    def at_pagination(boxes: list[Any]) -> Margins:
        if may_move:
            moves = figure_placement.figures_leaving_gaps_on(boxes)
            moved = figure_placement.defer_figures(html, moves) if moves else html
            if moved != html:
                raise _Stop(moved_html=moved)
        anchors = page_anchors(boxes)
        found = UnitPages(len(boxes), anchors.get(HALF_TITLE, 0), anchors)
        if job.count_only:
            raise _Stop(pages=found)
        before[:] = [folios_before(found)]
        base = before[0] - leading_pages(job.kind, before[0])
        return Margins(provisional_folio(base), turned(job.kind, before[0]))

    while True:
        try:
            with paginated(at_pagination, shown):
                document = style.render(html, job.base_url)
            break
        except _Stop as stop:
            if stop.pages is not None:
                return stop.pages
            html, may_move = stop.moved_html, False
    left_out = leading_pages(job.kind, before[0])
    if left_out:
        document = document.copy(document.pages[left_out:])
    cover = cover_pages(document)
    folios = {index - left_out: counter for index, counter in shown.items() if index >= left_out}
    written = UnitWritten(page_starts(document, cover), colophon_last(document), folios)
    if job.shell is not None:
        shell = document.copy(document.pages[cover : cover + 1])
        write_interior(shell, job.shell, UNIT_IDENTIFIER)
    printed = provisional_folio(before[0] - left_out)
    shown_folios = {index: str(printed(counter)) for index, counter in folios.items()}
    write_screen(document, job.screen, UNIT_IDENTIFIER, first_folio=left_out + 1,
                 folios=shown_folios)  # fmt: skip
    return written
