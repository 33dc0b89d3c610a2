"""One rule for who has been heard (staff/heard.py), on a made-up borough and survey."""

from __future__ import annotations

import math
from pathlib import Path

import pytest

from assembly import place as places
from staff import heard
from surveys.model import Questionnaire

TINY = Path(__file__).resolve().parents[1] / "data" / "places" / "tiny-borough.yaml"

SURVEY = {
    "slug": "our-streets", "title": "Our streets", "audience": "residents", "language": "en",
    "languages": ["en", "ro", "pl", "tr"], "intro": "Hi", "outro": "Bye",
    "questions": [
        {"id": "how_old", "type": "choice", "role": "age", "optional": True,
         "text": "How old are you?", "choices": [
             {"id": "kid", "text": "Under 13", "ages": "0-12"},
             {"id": "teen", "text": "13 to 15", "ages": "13-15"},
             {"id": "sixteen", "text": "16 or 17", "ages": "16-17"},
             {"id": "young", "text": "18 to 24", "ages": "18-24"},
             {"id": "mid", "text": "25 to 44", "ages": "25-44"},
             {"id": "older", "text": "45 to 64", "ages": "45-64"},
             {"id": "old", "text": "65 or over", "ages": "65+"},
             {"id": "rather_not", "text": "Prefer not to say"}]},
        {"id": "sex", "type": "choice", "role": "gender", "optional": True,
         "text": "Your gender?", "choices": [
             {"id": "f", "text": "Woman", "reference": "female"},
             {"id": "m", "text": "Man", "reference": "male"},
             {"id": "x", "text": "Another way"}]},
        {"id": "roots", "type": "choice", "role": "ethnic_group", "optional": True,
         "text": "Your ethnic group?", "choices": [
             {"id": "a", "text": "Asian", "reference": "asian"},
             {"id": "w", "text": "White", "reference": "white"},
             {"id": "o", "text": "Other", "reference": ["other"]}]},
        {"id": "side", "type": "choice", "text": "Which side?", "choices": [
            {"id": "n", "text": "North side"}, {"id": "s", "text": "South side"}]},
        {"id": "ward_n", "type": "choice", "role": "ward", "optional": True, "when": "side == n",
         "text": "Ward?", "choices": [{"id": "north", "text": "North", "reference": "north"},
                                      {"id": "middle", "text": "Middle", "reference": "middle"}]},
        {"id": "ward_s", "type": "choice", "role": "ward", "optional": True, "when": "side == s",
         "text": "Ward?", "choices": [{"id": "south", "text": "South", "reference": "south"}]},
    ],
}


@pytest.fixture(scope="module")
def tiny():
    return places.load(TINY)


@pytest.fixture(scope="module")
def survey():
    return Questionnaire.from_definition(SURVEY)


def _plan(survey, tiny, table):
    return next(p for p in heard.plans(survey, tiny) if p.table.table == table)


def test_age_bands_meet_the_published_bands_they_tile_and_the_rest_is_left_out(survey, tiny):
    plan = _plan(survey, tiny, "TB007")
    assert [g.label for g in plan.groups] == ["16 or 17", "18 to 24", "25 to 44", "45 to 64",
                                              "65 or over"]
    # an under-13 is never kept, so never listed; 13 to 15 has no matching band
    assert [label for _, label in plan.left_out] == ["13 to 15", "Prefer not to say"]


def test_a_group_id_takes_every_category_within_it(survey, tiny):
    plan = _plan(survey, tiny, "TB021")
    asian = plan.groups[0]
    assert asian.label == "Asian" and asian.figure == 90 + 110


def test_shares_are_rescaled_to_the_groups_compared_and_parity_is_exact(survey, tiny):
    plan = _plan(survey, tiny, "TB008")  # female 520, male 480
    comparison = heard.compare(plan, {("sex", "f"): 20, ("sex", "m"): 80, ("sex", "x"): 3})
    woman, man = comparison.rows
    assert woman.reference == pytest.approx(52.0) and man.reference == pytest.approx(48.0)
    assert woman.cell.share == pytest.approx(20.0)
    assert woman.status == "under" and man.status == "over"
    # (20 + x) / (100 + x) = 0.52  ->  x = (52 - 20) / 0.48
    assert woman.to_parity == math.ceil(32 / 0.48) and not woman.at_least
    assert comparison.left_out == ("Another way",) and comparison.left_out_text == "fewer than 5"
    assert comparison.rescaled
    sentences = heard.gaps(comparison)
    assert sentences[0].startswith("Under-represented: Woman — 20% of those who answered")
    assert sentences[0].endswith("against 52% of all usual residents in the groups compared.")


def test_within_the_margins_is_even(survey, tiny):
    comparison = heard.compare(_plan(survey, tiny, "TB008"), {("sex", "f"): 50, ("sex", "m"): 50})
    assert [r.status for r in comparison.rows] == ["even", "even"]
    assert heard.gaps(comparison) == []


def test_a_custom_rule_moves_the_line(survey, tiny):
    counts = {("sex", "f"): 45, ("sex", "m"): 55}
    strict = heard.compare(_plan(survey, tiny, "TB008"), counts, heard.Rule(under=0.9, over=1.1))
    assert [r.status for r in strict.rows] == ["under", "over"]


def test_a_hidden_count_is_judged_only_by_what_its_text_allows(survey, tiny):
    plan = _plan(survey, tiny, "TB021")  # asian 200, white 700, other 100 of 1,000
    # 3 Asian of 103: even 4 would be under 20%, so "under" says nothing more than the text
    few = heard.compare(plan, {("roots", "a"): 3, ("roots", "w"): 60, ("roots", "o"): 40})
    asian = few.rows[0]
    assert asian.cell.suppressed and asian.status == "under" and asian.at_least
    assert asian.to_parity == math.ceil((0.2 * (few.total.total or 0) - 4) / 0.8)
    assert asian.to_parity_text.startswith("at least ")
    # 2 "other" of 12: 4 of 12 would be over 10%, so no verdict can be given
    unsure = heard.compare(plan, {("roots", "a"): 5, ("roots", "w"): 5, ("roots", "o"): 2})
    assert unsure.rows[2].cell.suppressed and unsure.rows[2].status is None


def test_the_language_answered_in_meets_both_language_tables(survey, tiny):
    main = _plan(survey, tiny, "TB024")
    # tr has no category of its own: it is one of "all other languages", and says so
    assert [g.label for g in main.groups] == ["English", "Romanian", "Polish",
                                              "All other languages (Turkish)"]
    english = _plan(survey, tiny, "TB024E")
    assert [g.label for g in english.groups] == ["English",
                                                 "Not English (Romanian, Polish, Turkish)"]
    assert english.groups[1].keys == ((None, "ro"), (None, "pl"), (None, "tr"))
    comparison = heard.compare(english, {(None, "en"): 60, (None, "ro"): 30, (None, "pl"): 10})
    assert [r.cell.count for r in comparison.rows] == [60, 40]
    assert comparison.rows[1].status == "over" and not comparison.rescaled


def test_a_table_without_figures_names_the_places_not_heard_from(survey, tiny):
    plan = _plan(survey, tiny, "Wards (2022)")
    comparison = heard.compare(plan, {("ward_n", "north"): 12, ("ward_n", "middle"): 2})
    assert not comparison.compared
    assert comparison.why_not_compared == "No ward populations for these wards are in this file."
    assert all(row.status is None for row in comparison.rows)
    assert [(g.kind, [r.label for r in g.rows]) for g in heard.gap_rows(comparison)] == [
        ("none", ["South"]), ("few", ["Middle"])]
    assert heard.gaps(comparison) == [
        "No one answered from 1 of the 3 in Electoral wards: South.",
        "Fewer than 5 answered from 1 of the 3 in Electoral wards: Middle."]


def test_a_survey_without_roles_meets_only_the_language_tables(tiny):
    plain = Questionnaire.from_definition({**SURVEY, "questions": [SURVEY["questions"][3]]})
    assert {p.dimension for p in heard.plans(plain, tiny)} == {"language"}
    one_language = Questionnaire.from_definition({**SURVEY, "languages": ["en"],
                                                  "questions": [SURVEY["questions"][3]]})
    assert heard.plans(one_language, tiny) == []


def test_the_language_answered_in_is_not_compared_for_a_survey_of_an_age_range(tiny):
    young = Questionnaire.from_definition({**SURVEY, "ages": "13-24",
                                           "questions": [SURVEY["questions"][3]]})
    assert heard.plans(young, tiny) == []
