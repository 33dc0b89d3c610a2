"""Roles: a survey says what its questions are for, and its choices which of the place's
categories they stand for; every problem at its line (surveys/roles.py).

A made-up council survey with every role is checked against the made-up tiny borough
(tests/data/places/tiny-borough.yaml), so nothing here depends on the shipped place or
surveys but the tests that say so.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from app import create_app
from assembly import place as places
from surveys import cli, loader
from surveys.model import DIMENSION_ROLES, Choice, Questionnaire
from tests.helpers.assemblies import made_up
from tests.helpers.surveys import SHIPPED

ROOT = Path(__file__).resolve().parents[2]
TINY = ROOT / "tests" / "data" / "places" / "tiny-borough.yaml"

COUNCIL = """\
slug: council-residents
title: Residents' survey
audience: residents
language: en
intro: Hello from the council.
outro: Thank you.
screen_out: Thank you! This survey is for people aged 16 and over.
ages: 16+
questions:
  - id: satisfied
    type: scale
    role: headline
    measure: Satisfaction with the area
    min: 1
    max: 5
    text: How satisfied are you with your area? 1 = not at all, 5 = very
  - id: change
    type: text
    role: themes
    optional: true
    text: What one thing should change?
  - id: proud
    type: text
    role: themes
    optional: true
    text: What makes you proud of your area?
  - id: services
    type: choice
    text: Which service matters most?
    choices:
      - {id: parks, text: Parks}
      - {id: libraries, text: Libraries}
  - id: age
    type: choice
    role: age
    optional: true
    text: How old are you?
    choices:
      - {id: under_16, text: Under 16, ages: 0-15}
      - {id: "16_17", text: 16 or 17, ages: 16-17}
      - {id: "18_44", text: 18 to 44, ages: 18-44}
      - {id: "45_59", text: 45 to 59, ages: 45-59}
      - {id: 60_plus, text: 60 or over, ages: 60+}
      - {id: prefer_not, text: Prefer not to say}
  - id: sex
    type: choice
    role: gender
    optional: true
    text: What is your sex?
    choices:
      - {id: female, text: Female, reference: female}
      - {id: male, text: Male, reference: male}
      - {id: prefer_not, text: Prefer not to say}
  - id: ethnicity
    type: choice
    role: ethnic_group
    optional: true
    text: What is your ethnic group?
    choices:
      - {id: asian, text: Asian, reference: asian}
      - {id: white, text: White, reference: [white_british, white_other]}
      - {id: other, text: Other, reference: other}
  - id: part
    type: choice
    optional: true
    text: Which part of the borough?
    choices:
      - {id: up, text: The north}
      - {id: down, text: Further south}
  - id: ward_north
    type: choice
    role: ward
    optional: true
    when: part == up
    text: Which ward?
    choices:
      - {id: north, text: North, reference: north}
      - {id: not_sure, text: Not sure}
  - id: ward_south
    type: choice
    role: ward
    optional: true
    when: part == down
    text: Which ward?
    choices:
      - {id: middle, text: Middle, reference: middle}
      - {id: south, text: South, reference: south}
  - id: home_language
    type: choice
    role: language
    optional: true
    text: What is your main language?
    choices:
      - {id: english, text: English, reference: english}
      - {id: romanian, text: Romanian, reference: romanian}
      - {id: another, text: Another language, reference: [polish, other_languages]}
"""


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "council.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def line(text: str, part: str, after: str = "") -> int:
    """The line of `text` holding `part` (the first after the line holding `after`)."""
    start = text.index(after) if after else 0
    return text.count("\n", 0, text.index(part, start)) + 1


def problems(tmp_path: Path, text: str, place: places.Place | None = None) -> list[str]:
    return [str(p) for p in loader.validate_file(write(tmp_path, text), place=place)]


def tiny() -> places.Place:
    return places.load(TINY)


def test_the_council_survey_with_every_role_validates_against_its_place(tmp_path):
    assert problems(tmp_path, COUNCIL) == []
    assert problems(tmp_path, COUNCIL, tiny()) == []


def test_the_model_gives_each_role_its_questions_measure_and_references(tmp_path):
    definition, found = loader.load_file(write(tmp_path, COUNCIL), place=tiny())
    assert found == []
    survey = Questionnaire.from_definition(definition)
    assert [q.id for q in survey.with_role("themes")] == ["change", "proud"]
    assert [q.id for q in survey.with_role("ward")] == ["ward_north", "ward_south"]
    assert survey.with_role("participants") == ()
    [headline] = survey.with_role("headline")
    assert (headline.id, headline.measure) == ("satisfied", "Satisfaction with the area")
    assert survey.question("change").measure is None
    sex = survey.question("sex").choices
    assert [c.reference for c in sex] == [("female",), ("male",), ()]
    white = survey.question("ethnicity").choices[1]
    assert white == Choice("white", "White", None, ("white_british", "white_other"))
    # The definition keeps `reference` as written: its checksum is the file's.
    assert definition["questions"][5]["choices"][0]["reference"] == "female"


def replace(old: str, new: str, after: str = "") -> str:
    """COUNCIL with `old` (the first after `after`) replaced by `new`."""
    start = COUNCIL.index(old, COUNCIL.index(after) if after else 0)
    return COUNCIL[:start] + new + COUNCIL[start + len(old):]


HEADLINE_TEXT = replace("    role: themes\n    optional: true\n    text: What one",
                        "    role: headline\n    measure: Change\n    optional: true\n"
                        "    text: What one")


# Each problem without a place: (survey text, [(line's text, line's anchor, message)]).
WITHOUT_PLACE = [
    (replace("role: headline", "role: mood"),
     [("role: mood", "", "unknown role 'mood' (use age, gender, ethnic_group, disability, "
       "ward, language, themes, headline, participants, name, phone, access, availability)")]),
    (replace("type: text", "type: number"),
     [("role: themes", "", "a themes question is a text question")]),
    (replace("type: choice", "type: multi", after="id: sex"),
     [("role: gender", "", "a gender question is a choice question")]),
    (replace("type: choice", "type: yesno", after="id: ethnicity")
     .replace("      - {id: asian, text: Asian, reference: asian}\n"
              "      - {id: white, text: White, reference: [white_british, white_other]}\n"
              "      - {id: other, text: Other, reference: other}\n", "")
     .replace("    text: What is your ethnic group?\n    choices:\n",
              "    text: What is your ethnic group?\n"),
     [("role: ethnic_group", "", "an ethnic_group question is a choice question")]),
    (HEADLINE_TEXT,
     [("role: headline", "id: change", "role 'headline' is already satisfied's"),
      ("role: headline", "id: change", "a headline question is a scale or a choice question")]),
    (replace("role: headline\n    measure: Satisfaction with the area\n", "role: headline\n"),
     [("role: headline", "", "a headline question says what it measures (measure: a short "
       "name, shown with its results)")]),
    (replace("measure: Satisfaction with the area", "measure: '  '"),
     [("measure:", "", "'measure' must be some text")]),
    (replace("    role: themes\n", "    role: themes\n    measure: Change\n"),
     [("measure: Change", "", "'measure' belongs to the question with role: headline")]),
    (replace("{id: parks, text: Parks}", "{id: parks, text: Parks, reference: north}"),
     [("reference: north}", "id: parks", "'reference' belongs to the choices of a question "
       f"with one of the roles {', '.join(DIMENSION_ROLES)}")]),
    (replace("reference: female", "reference: []"),
     [("reference: []", "", "'reference' must be a category or group id of the place, or a "
       "list of them")]),
    (replace("reference: male", "reference: [male, 3]"),
     [("reference: [male, 3]", "", "'reference' must be a category or group id of the "
       "place, or a list of them")]),
    (replace("{id: english, text: English, reference: english}",
             "{id: english, text: English, reference: english, code: en}"),
     [("code: en", "", "each choice must be {id: ..., text: ...}")]),
    (replace("    role: themes\n    optional: true\n    text: What makes",
             "    role: participants\n    optional: true\n    text: What makes"),
     [("role: participants", "", "a participants question is a number question")]),
    (replace("    role: themes\n", "    role: age\n", after="id: proud"),
     [("role: age", "id: proud", "an age question is a number or a choice question"),
      ("role: age", "id: age", "role 'age' is already proud's")]),
]


@pytest.mark.parametrize(("text", "expected"), WITHOUT_PLACE, ids=[
    "unknown-role", "themes-not-text", "gender-multi", "ethnic-group-yesno", "two-headlines",
    "headline-without-measure", "empty-measure", "measure-not-headline",
    "reference-not-dimension", "reference-empty-list", "reference-not-ids",
    "unknown-choice-key", "participants-not-number", "two-ages"])
def test_each_role_problem_at_its_line(tmp_path, text, expected):
    path = write(tmp_path, text)
    assert problems(tmp_path, text) == [
        f"{path}:{line(text, part, after)}: {message}" for part, after, message in expected]


def test_participants_and_themes_fit_their_questions_and_two_participants_do_not(tmp_path):
    log = """\
slug: chat-log
title: A conversation log
audience: engagers
language: en
intro: Log a chat.
outro: Logged.
questions:
  - id: people
    type: number
    role: participants
    min: 1
    max: 30
    text: How many took part?
  - id: more_people
    type: number
    role: participants
    text: How many more joined later?
  - id: said
    type: text
    role: themes
    text: What did they say?
"""
    path = write(tmp_path, log)
    assert problems(tmp_path, log) == [
        f"{path}:{line(log, 'role: participants', 'more_people')}: "
        "role 'participants' is already people's"]
    fixed = log.replace("    role: participants\n    text: How many more",
                        "    text: How many more")
    assert problems(tmp_path, fixed, tiny()) == []
    survey = Questionnaire.from_definition(loader.load_file(write(tmp_path, fixed))[0])
    assert [q.id for q in survey.with_role("participants")] == ["people"]


# Each problem against the tiny borough: (survey text, [(line's text, anchor, message)]).
NAME = "Tiny Borough (made up)"
WITH_PLACE = [
    (replace("reference: female", "reference: woman"),
     [("reference: woman", "", f"choice 'female': 'woman' is no gender category or group of "
       f"{NAME}")]),
    (replace("reference: male", "reference: asian"),  # an id of another dimension
     [("reference: asian", "id: sex", f"choice 'male': 'asian' is no gender category or "
       f"group of {NAME}")]),
    (replace("reference: romanian", "reference: [romanian, not_english_main]"),
     [("reference: [romanian", "", f"choice 'romanian': romanian, not_english_main: not all "
       f"in one language table of {NAME}")]),
    (replace("reference: [white_british, white_other]", "reference: [asian_indian, white]"),
     [("reference: [asian_indian", "", "choice 'white' shares some of TB021's categories "
       "with 'asian' (asian_indian): map both to the same categories, or to none in common")]),
    # The wards are asked in turn: the second question's choices meet the first's.
    (replace("reference: north}", "reference: [north, middle]}"),
     [("reference: middle}", "id: ward_south", "choice 'middle' shares some of Wards (2022)'s "
       "categories with 'north' (middle): map both to the same categories, or to none in "
       "common")]),
    # An age band is mapped by its `ages`; a reference that meets it is reported.
    (replace("{id: \"45_59\", text: 45 to 59, ages: 45-59}",
             "{id: \"45_59\", text: 45 to 59, ages: 45-59, reference: aged_25_44}"),
     [("reference: aged_25_44", "", "choice '45_59' shares some of TB007's categories with "
       "'18_44' (aged_25_44): map both to the same categories, or to none in common")]),
    (replace("{id: english, text: English, reference: english}",
             "{id: english, text: English, reference: english}\n"
             "      - {id: welsh, text: Welsh, reference: [english, welsh]}"),
     [("reference: [english, welsh]", "", f"choice 'welsh': 'welsh' is no language category "
       f"or group of {NAME}")]),
]


@pytest.mark.parametrize(("text", "expected"), WITH_PLACE, ids=[
    "unknown-id", "another-dimension", "two-tables", "overlapping-group",
    "overlap-across-questions", "reference-meets-an-age-band", "one-unknown-of-two"])
def test_each_reference_problem_at_its_choice(tmp_path, text, expected):
    path = write(tmp_path, text)
    assert problems(tmp_path, text) == []  # only the place can tell
    assert problems(tmp_path, text, tiny()) == [
        f"{path}:{line(text, part, after)}: {message}" for part, after, message in expected]


def test_equal_references_are_one_group_and_unmatched_age_bands_are_not_compared(tmp_path):
    text = replace("{id: male, text: Male, reference: male}",
                   "{id: male, text: Male, reference: male}\n"
                   "      - {id: man, text: Man, reference: [male]}")
    # The wards are asked in turn: a choice of the second may stand for one of the first's.
    text = text.replace("{id: south, text: South, reference: south}",
                        "{id: south, text: South, reference: south}\n"
                        "      - {id: north_after_all, text: North, reference: [north]}")
    # 45-59 and 60+ tile none of the borough's bands: not compared, no problem.
    assert problems(tmp_path, text, tiny()) == []


def test_a_dimension_the_place_lacks_is_a_problem_only_where_a_choice_names_it(tmp_path):
    text = replace("{id: parks, text: Parks}\n      - {id: libraries, text: Libraries}",
                   "{id: parks, text: Disabled, reference: disabled}\n"
                   "      - {id: libraries, text: Not disabled}").replace(
        "    text: Which service matters most?",
        "    role: disability\n    text: Which service matters most?")
    path = write(tmp_path, text)
    assert problems(tmp_path, text, tiny()) == [
        f"{path}:{line(text, 'reference: disabled')}: choice 'parks': 'disabled' is no "
        f"disability category or group of {NAME}"]


SHIPPED_PLACE = ROOT / "assembly" / "places" / "waltham-forest.yaml"


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.stem)
def test_the_shipped_surveys_validate_against_the_shipped_place(path):
    assert [str(p) for p in loader.validate_file(path, place=places.load(SHIPPED_PLACE))] == []


def test_the_shipped_residents_survey_maps_every_ward_and_the_groups_it_names():
    place = places.load(SHIPPED_PLACE)
    [residents] = [p for p in SHIPPED if p.stem == "neighbourhood-policing"]
    survey = Questionnaire.from_definition(loader.load_file(residents, place=place)[0])
    wards = [c for q in survey.with_role("ward") for c in q.choices]
    [table] = place.tables_for("ward")
    assert sorted(c.reference[0] for c in wards) == sorted(c.id for c in table.categories)
    mapped = {c.id: c.reference for q in survey.questions if q.role in DIMENSION_ROLES
              for c in q.choices}
    assert mapped["prefer_not"] == () and mapped["another"] == ()
    for role in ("gender", "ethnic_group", "disability"):
        for choice in survey.with_role(role)[0].choices:
            if choice.reference:
                place.resolve(role, choice.reference)  # raises if it does not


def test_validate_and_load_check_references_against_the_place_they_are_given(
        app, tmp_path, monkeypatch):
    monkeypatch.setattr(cli, "_place", tiny)
    bad = replace("reference: female", "reference: woman")
    path = write(tmp_path, bad)
    runner = app.test_cli_runner()
    for command in ("validate", "load"):
        result = runner.invoke(args=["surveys", command, str(path)])
        assert result.exit_code == 1
        assert (f"{path}:{line(bad, 'reference: woman')}: choice 'female': 'woman' is no "
                f"gender category or group of {NAME}") in result.output
    write(tmp_path, COUNCIL)
    result = runner.invoke(args=["surveys", "validate", str(path)])
    assert result.output.splitlines()[-1] == "1 survey file(s) OK"
    assert result.exit_code == 0


def test_a_place_file_that_does_not_load_stops_validate_with_its_own_problems(
        app, tmp_path, monkeypatch):
    broken = tmp_path / "broken-place.yaml"
    broken.write_text("place: Nowhere\ncode: E09999998\nsources: {}\ndimensions: {}\n"
                      "mayor: nobody\n", encoding="utf-8")
    monkeypatch.setattr(cli, "_place", lambda: places.load(broken))
    result = app.test_cli_runner().invoke(args=["surveys", "validate", str(write(tmp_path,
                                                                                COUNCIL))])
    assert result.exit_code == 1
    assert result.output.splitlines()[-1].startswith(f"{broken}:5: ")


def test_validate_checks_references_against_the_place_of_the_assembly_file(config, tmp_path):
    """ASSEMBLY_FILE names the place: the shipped residents' survey names Waltham Forest's
    wards, which a made-up borough's assembly does not know."""
    survey = ROOT / "surveys" / "neighbourhood-policing.yaml"
    shipped = create_app(config)
    assert shipped.test_cli_runner().invoke(args=["surveys", "validate", str(survey)]
                                            ).exit_code == 0
    elsewhere = create_app({**config, "ASSEMBLY_FILE": str(made_up(tmp_path))})
    result = elsewhere.test_cli_runner().invoke(args=["surveys", "validate", str(survey)])
    assert result.exit_code == 1
    assert "'endlebury' is no ward category or group of" in result.output
    for app in (shipped, elsewhere):
        app.extensions["outreach"].engine.dispose()
