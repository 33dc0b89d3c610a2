"""Small bar charts as plain data: each bar's place and size in an SVG viewBox, which the
template `staff/_charts.html` draws. The counts go through bot/suppress.py as one table: a
small count (fewer than 5), or one hidden so that it cannot be worked out from the total
("not shown"), gets no bar of its size, only a mark at the baseline, so a chart shows no more
than the table beside it."""

from __future__ import annotations

from dataclasses import dataclass

from bot import suppress

WIDTH = 360  # viewBox units; the SVG scales to the page's width
ROW = 36  # a horizontal bar's row: its label above, the bar below
BAR = 14
COLUMNS_HEIGHT = 120
MARK = 2  # the baseline mark for a small count


@dataclass(frozen=True)
class Bar:
    label: str
    text: str  # the count as shown ("fewer than 5", "1,234")
    x: float
    y: float
    width: float
    height: float
    small: bool


@dataclass(frozen=True)
class Chart:
    title: str
    kind: str  # rows (one horizontal bar per label) or columns (one per day)
    width: int
    height: int
    bars: tuple[Bar, ...]
    first: str = ""  # columns: the first and last labels, under the axis
    last: str = ""
    top: str = ""  # columns: the largest count, beside the axis


def rows(title: str, items: list[tuple[str, int]], partition: bool = True) -> Chart:
    """Horizontal bars, longest for the largest count; the count after each bar.
    `partition`: each person is in one bar and their total is shown elsewhere."""
    cells = suppress.table(dict(items), partition=partition).cells
    biggest = max((c.count for c in cells if c.count), default=0) or 1
    usable = WIDTH - 90  # room after the longest bar for its count
    bars = tuple(
        Bar(c.label, c.text, 0, i * ROW + 18,
            MARK if c.suppressed else usable * c.count / biggest, BAR, c.suppressed)
        for i, c in enumerate(cells))
    return Chart(title, "rows", WIDTH, max(len(items), 1) * ROW + 4, bars)


def columns(title: str, items: list[tuple[str, int]]) -> Chart:
    """Vertical bars side by side (days), tallest for the largest count."""
    cells = suppress.table(dict(items)).cells
    biggest = max((c.count for c in cells if c.count), default=0) or 1
    step = WIDTH / max(len(items), 1)
    bars = []
    for i, c in enumerate(cells):
        height = MARK if c.suppressed else COLUMNS_HEIGHT * c.count / biggest
        bars.append(Bar(c.label, c.text, i * step + step * 0.1, COLUMNS_HEIGHT - height,
                        max(step * 0.8, 1), height, c.suppressed))
    return Chart(title, "columns", WIDTH, COLUMNS_HEIGHT + 22, tuple(bars),
                 first=items[0][0] if items else "", last=items[-1][0] if items else "",
                 top=suppress.count_text(biggest) if items and biggest > 1 else "")
