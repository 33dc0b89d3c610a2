"""Days of the week as members type them (translations/<lang>/weekdays.yaml over Babel's
names)."""

from __future__ import annotations

import pytest

from translations import weekdays


@pytest.mark.parametrize("lang, text, expected", weekdays.examples())
def test_each_example_names_its_day_or_none(lang, text, expected):
    assert weekdays.named(text) == expected, (lang, text)


def test_the_shipped_file_has_no_problems():
    assert weekdays.read()[1] == []


def test_a_spelling_for_two_days_and_an_unknown_day_are_reported(tmp_path):
    (tmp_path / "pl").mkdir()
    path = tmp_path / "pl" / "weekdays.yaml"
    path.write_text("extra: {saturday: [niedziela], someday: [x]}\n", encoding="utf-8")
    problems = weekdays.read(tmp_path)[1]
    assert f"{path}: pl: 'niedziela' names two weekdays" in problems
    assert any("'someday' is not a weekday" in p for p in problems)
