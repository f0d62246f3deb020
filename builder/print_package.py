"""Finishing WeasyPrint's PDF/X-4 files for the press: the interior padded to whole
signatures with the colophon kept last, press colours, and marks in a slug."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path

import pikepdf

from builder.model import Cmyk
from builder.print_colour import Rgb, to_press
from builder.print_marks import add_marks


def padding(pages: int, signature: int) -> int:
    """Blank pages that make `pages` a whole number of signatures."""
    return -pages % signature


def finish_for_press(
    written: Path,
    final: Path,
    *,
    table: Mapping[Rgb, Cmyk],
    profile: Path,
    bleed_mm: float,
    blank_pages: int = 0,
    folds_mm: Iterable[float] = (),
) -> None:
    """`written` (removed afterwards) → `final`: `blank_pages` before the last page (a
    Vietnamese book's colophon is its last page), colours for the press, marks."""
    folds = tuple(folds_mm)
    with pikepdf.open(written) as pdf:
        to_press(pdf, written, table, profile)  # before the blank pages: page for page
        last = pdf.pages[-1].obj
        for _ in range(blank_pages):
            blank = pikepdf.Dictionary(
                Type=pikepdf.Name.Page,
                MediaBox=last.MediaBox,
                BleedBox=last.BleedBox,
                TrimBox=last.TrimBox,
                Resources=pikepdf.Dictionary(),
                Contents=pdf.make_stream(b""),
            )
            pdf.pages.insert(len(pdf.pages) - 1, pikepdf.Page(pdf.make_indirect(blank)))
        for page in pdf.pages:
            add_marks(page, bleed_mm, folds)
        pdf.save(final, deterministic_id=True)
    written.unlink()
