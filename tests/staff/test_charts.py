"""The staff pages' bar charts (staff/charts.py): no bar tells more than the table beside it."""

from __future__ import annotations

from staff import charts


def test_a_chart_draws_no_bar_for_a_small_count():
    chart = charts.rows("x", [("a", 40), ("b", 3), ("c", 0)], partition=False)
    a, b, c = chart.bars
    assert a.width > b.width and b.small and b.width == charts.MARK and b.text == "fewer than 5"
    assert c.width == 0 and c.text == "none"
    weeks = charts.columns("d", [("w1", 2), ("w2", 10), ("w3", 20)])
    assert weeks.bars[0].height == charts.MARK and weeks.bars[2].height == charts.COLUMNS_HEIGHT
    # the weeks' bars add up to the responses shown: the second would give the first's 2 away
    assert weeks.bars[1].height == charts.MARK and weeks.bars[1].text == "not shown"
    assert (weeks.first, weeks.last, weeks.top) == ("w1", "w3", "20")
