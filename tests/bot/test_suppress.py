"""Small numbers: counts of 1 to 4 read "fewer than 5", none reads "none", and a partition
with one hidden row hides the next smallest too. An attacker who knows every rule tries to
recover each hidden count from what is shown (totals, the other rows, differences between
steps of a funnel), across random tables."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot import suppress
from bot.suppress import FEWER, HIDDEN


@pytest.mark.parametrize(("count", "text"), [
    (0, "none"), (1, "fewer than 5"), (4, "fewer than 5"), (5, "5"), (1234, "1,234")])
def test_a_single_count(count, text):
    assert suppress.count_text(count) == text


def test_small_cells_and_their_shares_are_hidden():
    table = suppress.table({"a": 50, "b": 3, "c": 2, "d": 45})
    shown = {cell.label: (cell.text, cell.share_text) for cell in table.cells}
    assert shown == {"a": ("50", "50%"), "b": ("fewer than 5", ""),
                     "c": ("fewer than 5", ""), "d": ("45", "45%")}
    assert table.total_text == "100"


def test_one_hidden_cell_of_a_partition_hides_the_next_smallest():
    """Otherwise 100 - 50 - 45 would give the hidden cell away."""
    table = suppress.table({"a": 50, "b": 2, "c": 45, "d": 3 + 0})
    assert [c.text for c in table.cells] == ["50", "fewer than 5", "45", "fewer than 5"]
    table = suppress.table({"a": 53, "b": 2, "c": 45})
    assert [c.text for c in table.cells] == ["53", "fewer than 5", "not shown"]
    assert table.cells[2].secondary and table.has_secondary
    assert table.cells[2].share is None


def test_a_zero_is_shown_and_never_counts_as_the_hidden_cell():
    table = suppress.table({"a": 60, "b": 0, "c": 40})
    assert [c.text for c in table.cells] == ["60", "none", "40"]
    table = suppress.table({"a": 60, "b": 0, "c": 3, "d": 40})
    assert [c.text for c in table.cells] == ["60", "none", "fewer than 5", "not shown"]


def test_multi_choice_tables_are_not_partitions():
    table = suppress.table({"a": 50, "b": 2, "c": 45}, total=60, partition=False)
    assert [c.text for c in table.cells] == ["50", "fewer than 5", "45"]
    assert table.cells[0].share_text == "83%"


def test_a_table_under_five_in_all_is_not_shown():
    table = suppress.table({"a": 3, "b": 1})
    assert not table.shown and table.total_text == "fewer than 5"
    assert all(cell.suppressed for cell in table.cells)


def test_shares_under_half_a_percent_are_not_printed_as_zero():
    assert suppress.percent(0.3) == "under 1%"
    assert suppress.percent(0) == "0%"
    assert suppress.percent(12.5) == "12%"


def test_72_68_and_fewer_than_5_no_longer_gives_the_4_away():
    pair = suppress.chain([("started", 72), ("complete", 68)])
    shown = [pair.steps[0].text, pair.steps[1].text, pair.span_text()]
    assert shown == ["72", "not shown", "fewer than 5"]
    table = suppress.table({"complete": 68, "partial": 4})
    assert [c.text for c in table.cells] == ["not shown", "fewer than 5"]
    assert table.total_text == "72"


# The attacker ------------------------------------------------------------------------------


def _possible(text: str, total: int) -> range:
    """The values a count shown as `text` can have, as far as a reader knows."""
    if text == FEWER:
        return range(1, suppress.THRESHOLD)
    if text == HIDDEN:
        return range(suppress.THRESHOLD, total + 1)
    return range(0, 1) if text == "none" else range(int(text.replace(",", "")),
                                                     int(text.replace(",", "")) + 1)


def _sums(ranges: list[range]) -> set[int]:
    """Every sum the hidden cells could have (brute force, not the module's arithmetic)."""
    sums = {0}
    for r in ranges:
        sums = {s + v for s in sums for v in r}
    return sums


@settings(max_examples=400, deadline=None)
@given(st.lists(st.one_of(st.integers(0, 6), st.integers(0, 40)), min_size=1, max_size=6))
def test_no_hidden_cell_of_a_table_can_be_worked_out_from_its_total(values):
    counts = {f"c{i}": n for i, n in enumerate(values)}
    table = suppress.table(counts)
    if not table.shown:
        assert all(c.text in (FEWER, "none") for c in table.cells)
        return
    for cell in table.cells:  # nothing shown is wrong, and no share gives a hidden total away
        assert cell.text in (FEWER, HIDDEN) or cell.count == counts[cell.label]
        assert cell.share is None or table.total is not None
    if table.total is None:
        assert table.total_text == HIDDEN
        return
    hidden_sum = table.total - sum(c.count for c in table.cells if not c.suppressed)
    hidden = [c for c in table.cells if c.suppressed]
    for cell in hidden:
        if cell.text != FEWER:
            continue
        others = [_possible(o.text, table.total) for o in hidden if o is not cell]
        sums = _sums(others)
        could_be = {v for v in _possible(cell.text, table.total) if hidden_sum - v in sums}
        assert could_be == set(range(1, suppress.THRESHOLD)), (counts, cell, could_be)


def _sequences(chain: suppress.Chain, top: int) -> list[tuple[int, ...]]:
    """Every funnel (each step no more than the one before) that shows as `chain` does."""
    found = []

    def walk(prefix: tuple[int, ...]) -> None:
        i = len(prefix)
        if i == len(chain.steps):
            found.append(prefix)
            return
        for v in _possible(chain.steps[i].text, top):
            if prefix and (v > prefix[-1] or prefix[-1] - v not in
                           _drop_possible(chain.drop_text(i - 1), top)):
                continue
            if i == len(chain.steps) - 1 and i and (
                    prefix[0] - v not in _drop_possible(chain.span_text(), top)):
                continue
            walk(prefix + (v,))

    walk(())
    return found


def _drop_possible(text: str, top: int) -> set[int]:
    return set(range(top + 1)) if text == HIDDEN else set(_possible(text, top))


@settings(max_examples=300, deadline=None)
@given(st.integers(0, 30), st.lists(st.integers(0, 7), min_size=1, max_size=4))
def test_no_hidden_step_or_small_drop_of_a_funnel_can_be_worked_out(first, drops):
    counts = [first]
    for d in drops:
        counts.append(max(counts[-1] - d, 0))
    chain = suppress.chain([(f"s{i}", n) for i, n in enumerate(counts)])
    seen = _sequences(chain, first + 10)
    assert tuple(counts) in seen
    for i, step in enumerate(chain.steps):
        if step.suppressed:
            assert len({s[i] for s in seen}) > 1, (counts, i)
    for i in range(len(counts) - 1):
        if suppress.small(counts[i] - counts[i + 1]):
            assert len({s[i] - s[i + 1] for s in seen}) > 1, (counts, i)
    if suppress.small(counts[0] - counts[-1]):  # never the number; "not shown" where even
        assert chain.span_text() in (FEWER, HIDDEN)  # "fewer than 5" would pin it down


def test_a_small_span_is_not_shown_where_fewer_than_5_would_pin_the_last_step():
    """6 started and 5 finished: "not shown" finished and "fewer than 5" stopped would
    leave 5 as the only count the hidden step could be."""
    assert suppress.chain([("a", 6), ("b", 5)]).span_text() == HIDDEN
    assert suppress.chain([("a", 72), ("b", 68)]).span_text() == FEWER


def test_a_funnel_keeps_its_first_and_last_as_a_pair_of_its_own():
    """A survey's started and completed read the same in the funnel and in the list."""
    long = suppress.chain([("a", 40), ("b", 39), ("c", 20), ("d", 18)])
    pair = suppress.chain([("a", 40), ("d", 18)])
    assert [long.steps[0].text, long.steps[-1].text] == [s.text for s in pair.steps]
    assert [s.text for s in long.steps] == ["40", "not shown", "not shown", "18"]


@pytest.mark.parametrize(("count", "below"), [(0, True), (1, True), (4, True), (5, False),
                                               (12, False)])
def test_below_holds_back_none_too_where_only_5_or_more_is_said(count, below):
    assert suppress.below(count) is below
    assert suppress.small(count) is (below and count > 0)
