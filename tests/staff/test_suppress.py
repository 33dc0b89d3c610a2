"""Small numbers: counts of 1 to 4 read "fewer than 5", none reads "none", and a partition
with one hidden row hides the next smallest too."""

from __future__ import annotations

import pytest

from staff.evidence import suppress


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
