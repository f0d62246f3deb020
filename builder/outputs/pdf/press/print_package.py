"""Finishing WeasyPrint's PDF/X-4 files for the press: the interior padded to whole
signatures with the colophon kept last, press colours, and marks in a slug."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path

import pikepdf

from builder.book.model import Cmyk
from builder.outputs.pdf.press.print_colour import Rgb, press_shares, rewritten, to_press
from builder.outputs.pdf.press.print_marks import add_marks


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
    with pikepdf.open(written) as pdf:
        pages = range(len(pdf.pages))
        with press_shares(written, pages, table, profile) as shares:
            finish_opened(pdf, final, rewritten(shares), table=table, profile=profile,
                          bleed_mm=bleed_mm, blank_pages=blank_pages,
                          folds_mm=folds_mm)  # fmt: skip
    written.unlink()


def finish_opened(
    pdf: pikepdf.Pdf,
    final: Path,
    rewritten: Mapping[str, bytes],
    *,
    table: Mapping[Rgb, Cmyk],
    profile: Path,
    bleed_mm: float,
    blank_pages: int = 0,
    folds_mm: Iterable[float] = (),
) -> None:
    """`finish_for_press` of an open file, its content streams rewritten for the press
    (`print_colour.press_shares` on the file it was opened from, or saved from)."""
    folds = tuple(folds_mm)
    to_press(pdf, rewritten, profile, table)
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
    pdf.save(final, deterministic_id=True, object_stream_mode=pikepdf.ObjectStreamMode.generate)
