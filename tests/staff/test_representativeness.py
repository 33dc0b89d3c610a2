"""Representativeness: the comparison, small counts, and the data files checked."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from bot import suppress
from staff import charts, representativeness
from staff.representativeness import Dimension, Group, Reference, compare
from tests.helpers.surveys import SHIPPED, definition

OLDER = Group("65 or over", ("65_74", "75_plus"), Reference(10.0, "10%", "all residents"))
DIM = Dimension("Age", (Group("Under 65", ("16_24", "25_34")), OLDER), ("age_band",))


def test_a_group_below_its_share_by_more_than_the_margin_is_not_yet_heard_from():
    rows = compare(DIM, {"25_34": 92, "65_74": 8}, margin=0.2).rows
    assert rows[1].unheard is False  # 8% of 10%: within the margin
    rows = compare(DIM, {"25_34": 93, "65_74": 7}, margin=0.2).rows
    assert rows[1].unheard is True and rows[1].share == 7.0
    assert rows[0].unheard is False and rows[0].reference is None  # nothing to compare


def test_nobody_in_a_group_is_not_yet_heard_from_and_nobody_at_all_is_no_comparison():
    assert compare(DIM, {"25_34": 40}, 0.2).rows[1].unheard is True
    empty = compare(DIM, {}, 0.2)
    assert empty.answered == 0 and not any(row.unheard for row in empty.rows)


def test_small_counts_hide_their_share():
    rows = compare(DIM, {"25_34": 50, "65_74": 3, "prefer_not": 9}, 0.2).rows  # 3 of 53
    assert rows[1].count == 3 and rows[1].share is None and rows[1].unheard is True
    assert compare(DIM, {"25_34": 30}, 0.2).rows[1].share == 0.0


@pytest.mark.parametrize("n, shown", [(0, "none"), (1, "fewer than 5"), (4, "fewer than 5"),
                                      (5, "5"), (1300, "1,300")])
def test_counts_under_five_are_fewer_than_five(n, shown):
    assert suppress.count_text(n) == shown


def test_a_chart_draws_no_bar_for_a_small_count():
    chart = charts.rows("x", [("a", 40), ("b", 3), ("c", 0)], partition=False)
    a, b, c = chart.bars
    assert a.width > b.width and b.small and b.width == charts.MARK and b.text == "fewer than 5"
    assert c.width == 0 and c.text == "none"
    days = charts.columns("d", [("Mon", 2), ("Tue", 10), ("Wed", 20)])
    assert days.bars[0].height == charts.MARK and days.bars[2].height == charts.COLUMNS_HEIGHT
    # the day's bars add up to the responses shown: Tuesday would give Monday's 2 away
    assert days.bars[1].height == charts.MARK and days.bars[1].text == "not shown"


def test_the_shipped_profile_uses_only_figures_from_the_reference_file():
    profile = representativeness.load()
    reference = yaml.safe_load((Path(representativeness.__file__).parent / "data" /
                                "waltham-forest-census-2021.yaml").read_text())
    dims = {d.title: d for d in profile.dimensions("neighbourhood-policing")}
    older = dims["Age"].groups[-1].reference
    assert older.share == reference["age_shares_pct"]["aged_65_plus"]
    romanian = dims["Language answered in"].groups[1].reference
    assert romanian.figure == "10,600 of 278,400"
    assert all(g.reference is None for g in dims["Ethnic group"].groups + dims["Ward"].groups)


def test_the_profile_names_only_choices_the_survey_has():
    survey = {d["slug"]: d for d in map(definition, SHIPPED)}["neighbourhood-policing"]
    choices = {q["id"]: {str(c["id"]) for c in q.get("choices", [])} for q in survey["questions"]}
    for dim in representativeness.load().dimensions("neighbourhood-policing"):
        offered = set(survey["languages"]) if dim.language else set().union(
            *(choices[q] for q in dim.questions))
        for group in dim.groups:
            assert set(group.choices) <= offered, (dim.title, group.label)
    wards = next(d for d in representativeness.load().dimensions("neighbourhood-policing")
                 if d.title == "Ward")
    assert len(wards.groups) == 22


def test_a_reference_the_file_does_not_hold_is_refused(tmp_path):
    (tmp_path / "ref.yaml").write_text("age: {old: 10}\nname: x\n")
    (tmp_path / "profile.yaml").write_text(yaml.safe_dump({
        "reference": "ref.yaml", "margin": 0.2, "surveys": {"s": [{
            "title": "Age", "questions": ["a"], "groups": [
                {"label": "Old", "choices": ["o"], "reference": {"share_pct": "age.older"}},
                {"label": "Named", "choices": ["n"], "reference": {"share_pct": "name"}}]}]}}))
    with pytest.raises(representativeness.ProfileError) as error:
        representativeness.load(tmp_path / "profile.yaml")
    assert "no age.older" in str(error.value) and "name is not a number" in str(error.value)
