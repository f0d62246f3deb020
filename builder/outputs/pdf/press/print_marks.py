"""Crop and fold marks in a slug: the page (MediaBox) grows beyond the bleed, and the marks
are drawn there, 0.25 pt in black ink only, so none of them can print on the trimmed book.

(WeasyPrint's own `marks: crop` sit inside the bleed, and its MediaBox is the BleedBox.)
"""

from __future__ import annotations

from collections.abc import Iterable

import pikepdf

MM = 72 / 25.4
MARK_GAP_MM = 1  # between the bleed's edge and a mark
MARK_LENGTH_MM = 5
SLUG_EDGE_MM = 2  # beyond the marks' ends
MARK_WIDTH_PT = 0.25


def slug_mm(bleed_mm: float) -> float:
    """How far the page reaches beyond the trim on every side."""
    return bleed_mm + MARK_GAP_MM + MARK_LENGTH_MM + SLUG_EDGE_MM


def add_marks(page: pikepdf.Page, bleed_mm: float, folds_mm: Iterable[float] = ()) -> None:
    """Grow the page into a slug around its BleedBox and draw crop marks at the trim's
    corners, and fold marks at `folds_mm` (distances from the trim's left edge)."""
    left, bottom, right, top = (float(v) for v in page.obj.TrimBox)
    start = (bleed_mm + MARK_GAP_MM) * MM
    end = start + MARK_LENGTH_MM * MM
    lines: list[tuple[float, float, float, float]] = []
    for x, sign_x in ((left, -1), (right, 1)):
        for y, sign_y in ((bottom, -1), (top, 1)):
            lines.append((x + sign_x * start, y, x + sign_x * end, y))
            lines.append((x, y + sign_y * start, x, y + sign_y * end))
    for fold in folds_mm:
        x = left + fold * MM
        lines.append((x, top + start, x, top + end))
        lines.append((x, bottom - start, x, bottom - end))
    slug = slug_mm(bleed_mm) * MM
    bleed = bleed_mm * MM  # WeasyPrint paints it all but writes a BleedBox of at most 10 pt
    page.obj.BleedBox = pikepdf.Array([left - bleed, bottom - bleed, right + bleed, top + bleed])
    page.obj.MediaBox = pikepdf.Array([left - slug, bottom - slug, right + slug, top + slug])
    if "/CropBox" in page.obj:
        del page.obj["/CropBox"]
    path = " ".join(f"{x1:.3f} {y1:.3f} m {x2:.3f} {y2:.3f} l" for x1, y1, x2, y2 in lines)
    page.contents_add(b"q\n", prepend=True)
    page.contents_add(f"\nQ\nq 0 0 0 1 K {MARK_WIDTH_PT} w 0 J {path} S Q\n".encode())
