"""Small numbers are never shown: any count under 5 reads "fewer than 5".

A count of 1 to 4 is replaced by "fewer than 5", and so is its share; a count of 0 is shown as
"none" (it points to nobody). Where the rows of a table add up to a total that is shown (a
partition: each person in exactly one row), one hidden row could be worked out by
subtraction, so the next smallest row is hidden too and reads "not shown" ("secondary
suppression"). A whole table whose total is under 5 is not shown at all.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

THRESHOLD = 5
FEWER = f"fewer than {THRESHOLD}"
HIDDEN = "not shown"
NONE = "none"


@dataclass(frozen=True)
class Cell:
    """One count as it may be shown: `count` and `share` are None when suppressed."""

    label: str
    count: int | None
    share: float | None  # percent of the table's total, 0-100
    secondary: bool = False  # hidden only so that a smaller hidden count stays hidden

    @property
    def suppressed(self) -> bool:
        return self.count is None

    @property
    def text(self) -> str:
        """The count as the pack prints it."""
        if self.count is None:
            return HIDDEN if self.secondary else FEWER
        return NONE if self.count == 0 else f"{self.count:,}"

    @property
    def share_text(self) -> str:
        return "" if self.share is None else percent(self.share)


@dataclass(frozen=True)
class Table:
    """Counts with their labels, suppressed; `total` is None when the table is too small."""

    cells: tuple[Cell, ...]
    total: int | None

    @property
    def shown(self) -> bool:
        return self.total is not None

    @property
    def total_text(self) -> str:
        return FEWER if self.total is None else f"{self.total:,}"


    @property
    def has_secondary(self) -> bool:
        return any(cell.secondary for cell in self.cells)


def small(count: int) -> bool:
    """Whether a count must not be shown (1 to 4; none is shown as none)."""
    return 0 < count < THRESHOLD


def count_text(count: int) -> str:
    """A single count as the pack prints it."""
    return FEWER if small(count) else NONE if count == 0 else f"{count:,}"


def percent(share: float) -> str:
    """A share as printed: whole percent, and "under 1%" rather than a misleading 0%."""
    return "under 1%" if 0 < share < 0.5 else f"{share:.0f}%"


def table(counts: Mapping[str, int], total: int | None = None, *,
          partition: bool = True) -> Table:
    """Suppress a table of counts (label -> count) against `total` (default: their sum).

    `partition`: the rows add up to the total (one answer each), so one hidden row would be
    given away by the others; False for multi-choice questions, where they do not.
    """
    total = sum(counts.values()) if total is None else total
    if total < THRESHOLD:
        return Table(tuple(Cell(label, None, None) for label in counts), None)
    hidden = {label for label, n in counts.items() if small(n)}
    secondary = set()
    if partition and len(hidden) == 1:
        shown = sorted((n, label) for label, n in counts.items() if label not in hidden and n)
        secondary = {shown[0][1]} if shown else set()
    return Table(tuple(
        Cell(label, None, None, label in secondary) if label in hidden | secondary
        else Cell(label, n, 100 * n / total) for label, n in counts.items()), total)
