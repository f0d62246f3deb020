"""The words a delegate marked on a page of the screen PDF (highlight, underline,
strike-out), found from the marks' quadrilaterals and the positions of the page's text runs.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import pypdf


@dataclass(frozen=True, slots=True)
class Line:
    """A run of text on the page as pypdf reports it: its start, size and words."""

    x: float
    y: float  # baseline
    size: float
    text: str


def page_lines(page: pypdf.PageObject) -> list[Line]:
    """The page's runs of text with their start point in page space."""
    lines: list[Line] = []

    def visit(text: str, cm: list[float], tm: list[float], font: Any, size: float) -> None:
        if not text.strip():
            return
        x = tm[4] * cm[0] + tm[5] * cm[2] + cm[4]
        y = tm[4] * cm[1] + tm[5] * cm[3] + cm[5]
        scale = abs(tm[3] * cm[3] + tm[2] * cm[1]) or abs(tm[0] * cm[0]) or 1.0
        lines.append(Line(x, y, size * scale, text))

    page.extract_text(visitor_text=visit)
    return lines


def marked_text(lines: list[Line], quads: list[float]) -> str:
    """The words under the marked quadrilaterals (eight numbers each), in their order.

    A word counts when its middle falls inside a quadrilateral whose height holds the
    line's baseline. Word positions are estimated from the typeface's widths; a line that
    nearly fills the column is taken as justified, its spaces widened to reach the column's
    right edge (the furthest any line of that size reaches).
    """
    right_edges: dict[float, float] = {}
    for line in lines:
        end = line.x + _natural_width(line.text, line.size)
        right_edges[line.size] = max(right_edges.get(line.size, end), end)
    left_edge = min((line.x for line in lines), default=0.0)
    words: list[str] = []
    for start in range(0, len(quads) - 7, 8):
        xs, ys = quads[start : start + 8 : 2], quads[start + 1 : start + 8 : 2]
        left, right, bottom, top = min(xs), max(xs), min(ys), max(ys)
        for line in lines:
            if not bottom - 1 <= line.y <= top:
                continue
            edge = right_edges[line.size]
            full = line.x + _natural_width(line.text, line.size) >= edge - JUSTIFIED * (
                edge - left_edge
            )
            for word, middle in _word_middles(line, edge if full else None):
                if left <= middle <= right:
                    words.append(word)
    return " ".join(words)


JUSTIFIED = 0.1  # a line within this share of the column's width from its edge is justified


def _natural_width(text: str, size: float) -> float:
    widths = _advance_widths()
    return sum(widths.get(char, 0.5) for char in text) * size


def _word_middles(line: Line, edge: float | None) -> list[tuple[str, float]]:
    """Each word of the line with the estimated x of its middle; `edge`: where the line
    ends when it is justified."""
    words = line.text.split(" ")
    space = _natural_width(" ", line.size) or 0.25 * line.size
    if edge is not None and len(words) > 1:
        natural = _natural_width(line.text, line.size)
        space += max(edge - line.x - natural, 0) / (len(words) - 1)
    x = line.x
    found = []
    for word in words:
        width = _natural_width(word, line.size)
        if word:
            found.append((word, x + width / 2))
        x += width + space
    return found


@lru_cache(maxsize=1)
def _advance_widths() -> dict[str, float]:
    """Advance widths of the book's typeface in ems, by character; none (0.5 em for every
    letter) when it is not installed."""
    from fontTools.ttLib import TTFont

    from builder.render.fonts import book_fonts
    from builder.util.errors import BuildError

    try:
        regular = book_fonts()[0].path
    except BuildError:
        return {}
    font = TTFont(regular, lazy=True)
    units = font["head"].unitsPerEm
    metrics = font["hmtx"].metrics
    return {chr(code): metrics[glyph][0] / units for code, glyph in font.getBestCmap().items()}
