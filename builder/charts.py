"""Bar charts of the statistics page, measured here and drawn as SVG by the template."""

from __future__ import annotations

from dataclasses import dataclass

from builder.model import Part

BAR_HEIGHT = 28
GAP = 10
LABEL_WIDTH = 260
BAR_SPACE = 300  # the longest bar; the count is written after it


@dataclass(frozen=True, slots=True)
class Bar:
    label: str
    count: int
    href: str
    y: int
    width: int


@dataclass(frozen=True, slots=True)
class Chart:
    id: str
    title: str
    column: str  # heading of the first column of the data table
    bars: tuple[Bar, ...]
    height: int
    width: int = LABEL_WIDTH + BAR_SPACE + 50
    label_width: int = LABEL_WIDTH


def bar_chart(chart_id: str, title: str, column: str, parts: tuple[Part, ...], href: str) -> Chart:
    """One horizontal bar per part (field, district or year), longest = most models."""
    most = max((len(part.entries) for part in parts), default=1)
    bars = tuple(
        Bar(part.title, len(part.entries), href.format(slug=part.slug),
            GAP + number * (BAR_HEIGHT + GAP), round(BAR_SPACE * len(part.entries) / most))
        for number, part in enumerate(parts)
    )  # fmt: skip
    return Chart(chart_id, title, column, bars, GAP + len(bars) * (BAR_HEIGHT + GAP))
