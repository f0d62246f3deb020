"""Bar charts of the statistics page, measured here and drawn as SVG by the template."""

from __future__ import annotations

from dataclasses import dataclass

# Each row: the label on a line of its own, the bar under it, so that long Vietnamese
# names never shrink the chart on a phone (the SVG is drawn at about its own width).
ROW_HEIGHT = 50
BAR_HEIGHT = 20
GAP = 8
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
    width: int = BAR_SPACE + 50
    bar_height: int = BAR_HEIGHT


def bar_chart(chart_id: str, title: str, column: str, rows: list[tuple[str, int, str]]) -> Chart:
    """One horizontal bar per (label, count, link) row, the longest for the most models."""
    most = max((count for _, count, _ in rows), default=1)
    bars = tuple(
        Bar(label, count, href, GAP + number * ROW_HEIGHT, round(BAR_SPACE * count / most))
        for number, (label, count, href) in enumerate(rows)
    )
    return Chart(chart_id, title, column, bars, GAP + len(bars) * ROW_HEIGHT)
