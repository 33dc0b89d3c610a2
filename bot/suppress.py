"""Small numbers are never shown: any count under 5 reads "fewer than 5". The one module
every count, table, total and chart of the evidence pack, the dashboard and the engagers'
stats goes through (pure: no database, no Flask).

A count of 1 to 4 is replaced by "fewer than 5", and so is its share; a count of 0 is shown
as "none" (it points to nobody). A whole table whose total is under 5 is not shown at all.

Secondary ("complementary") suppression. Where the rows of a table add up to a total that is
shown (a partition: each person in exactly one row), the hidden rows add up to the total less
the rows shown: "72 / 68 / fewer than 5" gives the 4 away. So more rows are hidden, the next
smallest first, reading "not shown", until each row reading "fewer than 5" could still be any
of 1 to 4 for all the table tells; where even hiding every row cannot do that, the total is
not shown either. A funnel (`chain`: how many got at least this far, each step no more than
the one before) hides a step whose drop from the last step shown is 1 to 4, so no two steps
shown differ by a small number.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

THRESHOLD = 5
FEWER = f"fewer than {THRESHOLD}"
HIDDEN = "not shown"
MOST_HIDDEN = THRESHOLD - 1  # the most a count reading "fewer than 5" can stand for
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
        return count_text(self.count)

    @property
    def share_text(self) -> str:
        return "" if self.share is None else percent(self.share)


@dataclass(frozen=True)
class Table:
    """Counts with their labels, suppressed; `total` is None when it may not be shown."""

    cells: tuple[Cell, ...]
    total: int | None
    total_secondary: bool = False  # the total is 5 or more, hidden to protect a row

    @property
    def shown(self) -> bool:
        """Whether the table has anything to show (its total is 5 or more)."""
        return self.total_secondary or (self.total or 0) >= THRESHOLD

    @property
    def total_text(self) -> str:
        if self.total is None:
            return HIDDEN if self.total_secondary else FEWER
        return count_text(self.total)

    @property
    def has_secondary(self) -> bool:
        return self.total_secondary or any(cell.secondary for cell in self.cells)


def below(count: int) -> bool:
    """Under the threshold, none included: for a count said only when it is 5 or more (an
    engager's own reach, where "none" would be as telling as the number)."""
    return count < THRESHOLD


def small(count: int) -> bool:
    """Whether a count must not be shown (1 to 4; none is shown as none)."""
    return 0 < count < THRESHOLD


def count_text(count: int) -> str:
    """A single count as it is printed: "none", "fewer than 5" or "1,234"."""
    return FEWER if small(count) else NONE if count == 0 else f"{count:,}"


def percent(share: float) -> str:
    """A share as printed: whole percent, and "under 1%" rather than a misleading 0%."""
    return "under 1%" if 0 < share < 0.5 else f"{share:.0f}%"


def table(counts: Mapping[str, int], total: int | None = None, *,
          partition: bool = True) -> Table:
    """Suppress a table of counts (label -> count) against `total` (default: their sum).

    `partition`: the rows add up to the total (one answer each), so hidden rows could be
    worked out from the others; False for multi-choice questions, where they do not.
    """
    total = sum(counts.values()) if total is None else total
    if small(total) or not any(counts.values()):
        return Table(tuple(Cell(label, None if n else 0, None) for label, n in counts.items()),
                     None if small(total) else total)
    primary = {label for label, n in counts.items() if small(n)}
    secondary: set[str] = set()
    total_hidden = False
    if partition and primary:
        candidates = sorted((n, label) for label, n in counts.items()
                            if label not in primary and n)
        while not protected({k: counts[k] for k in primary},
                            {k: counts[k] for k in secondary}, total):
            if not candidates:
                total_hidden = True
                break
            secondary.add(candidates.pop(0)[1])
    cells = tuple(
        Cell(label, None, None, label in secondary) if label in primary | secondary
        else Cell(label, n, None if total_hidden else 100 * n / total)
        for label, n in counts.items())
    return Table(cells, None if total_hidden else total, total_hidden)


def protected(primary: Mapping[str, int], secondary: Mapping[str, int], total: int) -> bool:
    """Whether every primary (1 to 4) hidden count could still be any of 1 to 4, knowing only
    that the hidden counts add up to their sum, secondary ones being `THRESHOLD` or more."""
    if not primary:
        return True
    hidden = sum(primary.values()) + sum(secondary.values())
    others_low = (len(primary) - 1) + THRESHOLD * len(secondary)
    others_high = (THRESHOLD - 1) * (len(primary) - 1) + total * len(secondary)
    return hidden - (THRESHOLD - 1) >= others_low and hidden - 1 <= others_high


@dataclass(frozen=True)
class Chain:
    """A funnel's steps as shown, with the drops between them."""

    steps: tuple[Cell, ...]
    counts: tuple[int, ...]

    def drop_text(self, i: int) -> str:
        """How many went no further than step `i` (its count less the next step's); not
        shown beside a hidden step, where even "fewer than 5" would narrow it down."""
        if self.steps[i].suppressed or self.steps[i + 1].suppressed:
            return HIDDEN
        return count_text(self.counts[i] - self.counts[i + 1])

    def span_text(self) -> str:
        """The drop from the first step to the last ("fewer than 5" where it is small, and
        then the last step is hidden)."""
        if self.steps[0].suppressed or self.steps[-1].suppressed:
            small_span = small(self.counts[0] - self.counts[-1])
            return FEWER if small_span and not self._span_narrows() else HIDDEN
        return count_text(self.counts[0] - self.counts[-1])

    def _span_narrows(self) -> bool:
        """Whether "fewer than 5" between the ends would leave fewer drops possible than
        1 to 4, given what the ends' own texts say (6 shown, then "not shown", so at least
        5, leaves a drop of 1 only)."""
        top = self.counts[0] + THRESHOLD
        firsts, lasts = _could_be(self.steps[0], top), _could_be(self.steps[-1], top)
        drops = {f - n for f in firsts for n in lasts if n <= f}
        return not set(range(1, THRESHOLD)) <= drops


def _could_be(cell: Cell, top: int) -> set[int]:
    """The counts a reader could take a cell for from its text alone."""
    if not cell.suppressed:
        return {cell.count}
    return set(range(1, THRESHOLD)) if cell.text == FEWER else set(range(THRESHOLD, top + 1))


def chain(steps: Sequence[tuple[str, int]]) -> Chain:
    """A funnel (each step's count no more than the one before), suppressed so that no
    hidden step and no small drop can be read from the steps shown: a step is hidden when it
    is small or its drop from the last step shown is small. The first and last steps are
    decided as a two-step chain of their own first, so that the same pair shown anywhere
    else (a survey's started and completed) is shown the same way."""
    counts = tuple(n for _, n in steps)
    if not counts:
        return Chain((), ())
    first, last = counts[0], counts[-1]
    show_first = not small(first)
    show_last = not small(last) and (not show_first or not small(first - last))
    shown = [show_first]
    last_shown = first if show_first else None
    for n in counts[1:-1]:
        ok = (not small(n) and (last_shown is None or not small(last_shown - n))
              and (not show_last or not small(n - last)))
        shown.append(ok)
        last_shown = n if ok else last_shown
    if len(counts) > 1:
        shown.append(show_last)
    cells = tuple(Cell(label, n if ok else None, None, secondary=not small(n))
                  for (label, n), ok in zip(steps, shown, strict=True))
    return Chain(cells, counts)
