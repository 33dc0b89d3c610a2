"""The lottery's transparency report: a page a council can publish, with each category's
target, registrations and panel, the spread of chances, the seed and the library; no names,
no ids, and small counts hidden with the reason said."""

from __future__ import annotations

import re

import pytest

import assembly
from lottery import library, report
from lottery.targets import dimensions
from store.db import transaction
from surveys.model import Questionnaire
from tests.helpers.cli import outreach
from tests.helpers.lottery_pool import REGISTRATION, add_pool, answers, load_registration

FIGURES = {
    "kind": "select", "seed": "council meeting 2027-03-01", "seed_number": 123456789,
    "algorithm": "maximin", "library": "sortition-algorithms", "version": "0.12.15",
    "date": "2027-03-01T10:00:00+00:00", "wanted": 10, "pool": 40, "panel": 10,
    "reserves": 2,
    "targets": [["gender", "female", 4, 7, 22, 6], ["gender", "male", 3, 6, 15, 4],
                ["gender", "not_stated", 0, 10, 3, 0]],
    "probabilities": [0.2] * 30 + [0.4] * 10,
}


def _dims():
    import yaml

    survey = Questionnaire.from_definition(yaml.safe_load(REGISTRATION.read_text()))
    return dimensions(survey, assembly.load().place)


def test_small_counts_are_hidden_and_why_is_said():
    page = report.render(report.build(FIGURES, _dims(), "A test assembly"))
    rows = re.findall(r"<tr><th scope=\"row\">(.*?)</th>(.*?)</tr>", page, re.S)
    cells = {label: re.findall(r"<td[^>]*>(.*?)</td>", rest) for label, rest in rows}
    assert cells["Woman"][:2] == ["4 to 7", "22"]
    # 3 said nothing: hidden, and so is the next smallest, else 40 − 22 − 15 gives it away
    assert cells["Not stated"][1] == "fewer than 5"
    assert cells["Man"][1] == "not shown"
    # 4 men on the panel: hidden, so the 6 women are too (10 − 6); both within target
    assert cells["Man"][2:] == ["fewer than 5", "yes"]
    assert cells["Woman"][2:] == ["not shown", "yes"]
    assert "Why some counts are hidden" in page and "could point at the person" in page
    assert "council meeting 2027-03-01" in page and "123456789" in page
    assert "sortition-algorithms 0.12.15" in page and "maximin" in page
    assert "Lowest 20.00%, median 20.00%, highest 40.00%" in page


def test_the_panel_is_the_total_of_every_table_in_the_places_words():
    """The page opens with the panel's size, so each table's "All" gives it too; a count
    the known total would give away is hidden rather than the total."""
    figures = {**FIGURES, "panel": 8, "wanted": 8, "targets": [
        ["gender", "female", 3, 6, 22, 4], ["gender", "male", 2, 5, 15, 4],
        ["gender", "not_stated", 0, 8, 3, 0],
        ["disability", "disabled", 0, 3, 6, 1], ["disability", "not_disabled", 5, 8, 30, 7],
        ["disability", "not_stated", 0, 8, 4, 0]]}
    page = report.render(report.build(figures, _dims(), "A test assembly",
                                      assembly.load().place))
    assert "chose 8 members" in page
    totals = re.findall(r"<tfoot><tr><th scope=\"row\">All</th><td></td>"
                        r"<td class=\"n\">(.*?)</td>\s*<td class=\"n\">(.*?)</td>", page)
    assert totals == [("40", "8"), ("40", "8")]
    rows = re.findall(r"<tr><th scope=\"row\">(.*?)</th>(.*?)</tr>", page, re.S)
    cells = {label: re.findall(r"<td[^>]*>(.*?)</td>", rest) for label, rest in rows}
    # 4 and 4 of 8 would each be "fewer than 5", which 8 gives away: neither is shown
    assert cells["Female"][2] == cells["Male"][2] == "not shown"
    assert cells["Disabled under the Equality Act"][2] == "not shown"  # 1, and 8 − 7
    assert cells["Not disabled under the Equality Act"][2] == "not shown"
    assert "Woman" not in page and ">No<" not in page  # not the survey's words


def test_a_target_missed_is_marked():
    figures = {**FIGURES, "kind": "replace", "kept": 8, "wanted": 2,
               "relaxed": ["gender female: min 4 can no longer be kept"],
               "targets": [["gender", "female", 4, 7, 22, 3], *FIGURES["targets"][1:]]}
    page = report.render(report.build(figures, _dims(), "A test assembly"))
    assert "Targets that could not be kept" in page
    assert "gender female: min 4 can no longer be kept" in page
    assert '<td class="missed">no</td>' in page


def test_the_report_of_a_selection_names_nobody(app, rt, tmp_path, monkeypatch):
    try:
        library.command(None)
    except library.LibraryMissing as exc:
        pytest.skip(f"{exc} (`make test` makes it)")
    with transaction(rt.sessions) as session:
        load_registration(session)
        add_pool(session, answers(60))
    path = tmp_path / "targets.csv"
    assert outreach(app, "lottery", "targets", "--panel", "8", "--out", str(path)).exit_code == 0
    assert outreach(app, "lottery", "targets", "--load", str(path), "--panel", "8"
                    ).exit_code == 0
    monkeypatch.chdir(tmp_path)
    result = outreach(app, "lottery", "select", "--panel", "8", "--reserves", "0",
                      "--seed", "published seed")
    assert result.exit_code == 0, result.output
    written = tmp_path / report.DEFAULT  # the current folder, by default
    assert f"transparency report: {written.resolve()}" in result.output
    page = written.read_text()
    assert "Example" not in page and "Person" not in page  # the registrants' names
    assert "Agent ID" not in page and "household" not in page  # the library's ids
    assert "published seed" in page and str(library.seed_number("published seed")) in page
    assert "chose 8 members" in page
    assert "Female" in page and "Target" in page  # the place's words, as the staff page's
