"""Survey files: every problem reported as FILE:LINE: message, keywords across surveys,
and the shipped surveys validating against the shipped translations."""

from __future__ import annotations

import math
from pathlib import Path

import pytest

from surveys import loader
from surveys.model import ROLES, Questionnaire
from translations.catalog import Catalogs

ROOT = Path(__file__).resolve().parents[2]
SHIPPED = sorted((ROOT / "surveys").glob("*.yaml"))
DEMO = ROOT / "tests" / "data" / "surveys" / "demo.yaml"

GOOD = """\
slug: mini
title: Mini survey
audience: residents
language: en
languages: [en, ro]
keyword: MINI
intro: Hello.
consent: Reply YES to take part.
questions:
  - id: feel_safe
    type: scale
    min: 1
    max: 5
    text: How safe do you feel?
  - id: trust
    type: choice
    text: How much do you trust the police?
    end_if: trust == not_sure
    choices:
      - {id: a_lot, text: A lot}
      - {id: not_sure, text: Not sure}
outro: Thank you.
screen_out: Sorry, that is all.
"""

# A file with many problems; each expected problem names the line it is on.
MANY = """\
slug: Bad_Slug
title: A survey
audience: neighbours
language: en
languages: [en, ro]
keyword: stop
intro: Hello.
outro: Thanks.
colour: blue
questions:
  - id: feel_safe
    type: scale
    min: 5
    max: 1
    text: How safe?
  - id: feel_safe
    type: slider
    text: Again?
  - id: trust
    type: choice
    text: Trust?
    choices:
      - {id: a_lot, text: A lot}
      - {id: a_lot, text: Lots}
  - id: only
    type: choice
    text: One choice
    choices:
      - {id: one, text: One}
  - id: why
    type: text
    text: Why?
    when: nowhere == 1
  - id: early
    type: text
    text: Early?
    when: later > 2
  - id: later
    type: number
    text: Later?
  - id: how_trust
    type: text
    text: How?
    when: trust == 3
  - id: intro
    type: text
    text: Reserved
    hint: nope
"""
MANY_PROBLEMS = [
    (9, "unknown key 'colour'"),
    (1, "'slug' must be lower-case letters, digits and -"),
    (3, "'audience' must be one of residents, youth, members, engagers, "
     "registrants"),
    (6, "'stop' is one of the bot's own keywords"),
    (13, "min (5) is greater than max (1)"),
    (16, "duplicate question id 'feel_safe'"),
    (17, "unknown type 'slider' (use scale, choice, multi, yesno, number, text)"),
    (24, "duplicate choice id 'a_lot'"),
    (28, "a choice question needs at least two choices"),
    (33, "'when' names an unknown or later question 'nowhere'"),
    (37, "'when' names an unknown or later question 'later'"),
    (44, "'when': '3' is not a choice of 'trust'"),
    (48, "unknown key 'hint' in a question"),
    (45, "question id 'intro' is reserved"),
]

QUESTIONS = """\
slug: questions
title: Questions
audience: youth
language: en
languages: [ro]
keyword: two words
intro: Hello.
outro: ""
questions:
  - id: contact
    type: yesno
    text: Any contact?
    choices:
      - {id: a, text: A}
  - id: asked
    type: text
    text: Asked?
    min: 1
    when: contact == maybe
  - id: rate
    type: scale
    min: 1
    max: 20
    text: Rate it
    optional: sometimes
  - id: open
    type: scale
    min: 0
    text: Open
  - id: how_many
    type: number
    min: low
    text: How many?
    when: rate == high
  - id: pick
    type: multi
    text: Pick
    choices:
      - {id: Bad-Id, text: Bad}
      - just a string
      - {id: ok, text: ""}
      - {id: extra, text: X, colour: red}
  - id: follow
    type: text
    text: Follow
    when: (contact == yes
  - id: by_number
    type: text
    text: By number
    when: how_many == yes or pick == 1
  - id: ends
    type: yesno
    text: Ends
    end_if: ends == no
  - Just a sentence
  - id: Bad Id
    type: text
"""
QUESTIONS_PROBLEMS = [
    (8, "'outro' must be some text"),
    (5, "'languages' must include the survey's own 'en'"),
    (6, "'keyword' must be one word of letters or digits"),
    (13, "a yesno question has no choices"),
    (18, "a text question has no 'min'"),
    (19, "'when': compare 'contact' with yes or no"),
    (23, "a scale may have at most 11 points"),
    (25, "'optional' must be true or false"),
    (26, "a scale needs a whole number 'max'"),
    (32, "'min' must be a number"),
    (34, "'when': compare 'rate' with a number"),
    (39, "choice 'id' must be lower-case letters, digits and _"),
    (38, "each choice must be {id: ..., text: ...}"),
    (41, "'text' must be some text"),
    (42, "each choice must be {id: ..., text: ...}"),
    (46, "'when': expected ) but found the end"),
    (50, "'when': compare 'how_many' with a number"),
    (50, "'when': '1' is not a choice of 'pick'"),
    (9, "each question must be a mapping with id, type, text"),  # the list's line
    (56, "question 'id' must be lower-case letters, digits and _"),
    (56, "missing 'text'"),
    (1, "missing 'screen_out'"),
]


def write(tmp_path: Path, text: str, name: str = "survey.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def problems(path: Path, catalogs: Catalogs | None = None) -> list[str]:
    return [str(p) for p in loader.validate_file(path, catalogs)]


@pytest.mark.parametrize(("text", "expected"), [
    (MANY, MANY_PROBLEMS),
    (QUESTIONS, QUESTIONS_PROBLEMS),
], ids=["many", "questions"])
def test_problems_at_their_lines(tmp_path, text, expected):
    path = write(tmp_path, text)
    assert problems(path) == [f"{path}:{line}: {message}" for line, message in expected]


@pytest.mark.parametrize(("text", "expected"), [
    ("- a list\n- not a mapping\n",
     [(1, "a survey file must be a mapping (slug:, title:, questions: ...)")]),
    ("just a sentence\n", [(1, "a survey file must be a mapping (slug:, title:, questions: ...)")]),
    ("", [(1, "a survey file must be a mapping (slug:, title:, questions: ...)")]),
    ("slug: x\ntitle: [a, b\nintro: x\n", [(3, "YAML: expected ',' or ']', but got ':'")]),
    ("slug: x\n  title: bad indent\n", [(2, "YAML: mapping values are not allowed here")]),
    ("slug: x\n\ttitle: tab\n", [(2, "YAML: found character '\\t' that cannot start any token")]),
    ("a: 1\nb: *nowhere\n", [(2, "YAML: found undefined alias 'nowhere'")]),
    ("a: !!python/object:os.system {}\n",
     [(1, "YAML: could not determine a constructor for the tag "
          "'tag:yaml.org,2002:python/object:os.system'")]),
    # PyYAML keeps only the last of two equal keys; a lost block must not pass silently.
    (GOOD.replace("questions:\n", "intro: Hello again.\nquestions:\n"),
     [(9, "YAML: duplicate key 'intro'")]),
    (GOOD.replace("    text: How safe do you feel?\n",
                  "    text: How safe do you feel?\n    type: text\n"),
     [(15, "YAML: duplicate key 'type'")]),
], ids=["list", "string", "empty", "flow", "indent", "tab", "alias", "python-tag",
        "duplicate-key", "duplicate-question-key"])
def test_unreadable_files(tmp_path, text, expected):
    path = write(tmp_path, text)
    assert problems(path) == [f"{path}:{line}: {message}" for line, message in expected]


def test_merge_keys_may_be_overridden(tmp_path):
    text = GOOD.replace("  - id: feel_safe\n    type: scale\n    min: 1\n    max: 5\n",
                        "  - id: feel_safe\n    <<: {type: scale, min: 1, max: 9}\n    max: 5\n")
    data, found = loader.load_file(write(tmp_path, text))
    assert found == []
    assert data["questions"][0] == {"id": "feel_safe", "type": "scale", "min": 1, "max": 5,
                                    "text": "How safe do you feel?"}


def test_unreadable_bytes_and_missing_file(tmp_path):
    path = tmp_path / "latin1.yaml"
    path.write_bytes("title: Cât de sigur\n".encode("latin-1"))
    assert len(problems(path)) == 1
    assert problems(path)[0].startswith(f"{path}:1: cannot read: 'utf-8' codec can't decode")
    missing = tmp_path / "missing.yaml"
    assert problems(missing)[0].startswith(f"{missing}:1: cannot read: ")


@pytest.mark.parametrize(("old", "new", "expected"), [
    ("keyword: MINI", "keyword: Stop", [(6, "'Stop' is one of the bot's own keywords")]),
    ("keyword: MINI", "keyword: help", [(6, "'help' is one of the bot's own keywords")]),
    ("keyword: MINI", "keyword: LOG", [(6, "'LOG' is one of the bot's own keywords")]),
    ("keyword: MINI", "keyword: 123", [(6, "'keyword' must be one word of letters or digits")]),
    ("language: en", "language: English",
     [(4, "'language' must be a language code such as en"),
      (5, "'languages' must include the survey's own 'English'")]),
    ("languages: [en, ro]", "languages: [en, ro, en]", [(5, "'languages' lists a language twice")]),
    ("languages: [en, ro]", "languages: en", [(5, "'languages' must be a list of language codes")]),
    ("slug: mini", "slug: -mini", [(1, "'slug' must be lower-case letters, digits and -")]),
    ("slug: mini", "slug: mini survey", [(1, "'slug' must be lower-case letters, digits and -")]),
    ("  - id: trust", "  - id: consent",
     [(15, "question id 'consent' is reserved"),
      (18, "'end_if' names an unknown or later question 'trust'")]),
    ("  - id: trust", "  - id: Trust",
     [(15, "question 'id' must be lower-case letters, digits and _"),
      (18, "'end_if' names an unknown or later question 'trust'")]),
    ("end_if: trust == not_sure", "end_if: trust == unsure",
     [(18, "'end_if': 'unsure' is not a choice of 'trust'")]),
    ("end_if: trust == not_sure", "end_if: trust ==", [(18, "'end_if': expected a value")]),
    ("end_if: trust == not_sure", "when: trust == a_lot",
     [(18, "'when' names a later question 'trust'")]),
    ("end_if: trust == not_sure", "when: feel_safe <= 2 and trust == a_lot",
     [(18, "'when' names a later question 'trust'")]),
    ("end_if: trust == not_sure", "when: feel_safe == low",
     [(18, "'when': compare 'feel_safe' with a number")]),
    ("screen_out: Sorry, that is all.\n", "", [(1, "missing 'screen_out'")]),
    ("questions:\n", "questions: []\nother:\n", [(10, "unknown key 'other'"),
                                                (9, "'questions' must be a list of questions")]),
], ids=["stop", "help", "engager-keyword", "keyword-number", "language", "language-twice",
        "languages-not-list", "slug-dash", "slug-space", "reserved-id", "bad-id", "not-a-choice",
        "bad-condition", "when-self", "when-self-later", "scale-vs-text", "no-screen-out",
        "no-questions"])
def test_one_problem_in_a_good_file(tmp_path, old, new, expected):
    assert GOOD.count(old) == 1
    path = write(tmp_path, GOOD.replace(old, new))
    assert problems(path) == [f"{path}:{line}: {message}" for line, message in expected]


def test_good_file_loads_as_plain_data(tmp_path):
    data, found = loader.load_file(write(tmp_path, GOOD))
    assert found == []
    assert type(data) is dict and type(data["questions"][1]["choices"][0]) is dict
    assert data["questions"][1]["choices"][1] == {"id": "not_sure", "text": "Not sure"}


def test_load_file_returns_no_definition_when_there_are_problems(tmp_path):
    data, found = loader.load_file(write(tmp_path, GOOD.replace("keyword: MINI", "keyword: STOP")))
    assert data is None
    assert [p.line for p in found] == [6]


RO_COMPLETE = {
    ("mini/title", "Mini survey"): "Mini sondaj",
    ("mini/intro", "Hello."): "Bună ziua.",
    ("mini/consent", "Reply YES to take part."): "Răspundeți DA pentru a participa.",
    ("mini/feel_safe", "How safe do you feel?"): "Cât de în siguranță vă simțiți?",
    ("mini/trust", "How much do you trust the police?"): "Cât de mult aveți încredere?",
    ("mini/trust/a_lot", "A lot"): "Mult",
    ("mini/trust/not_sure", "Not sure"): "Nu știu",
    ("mini/outro", "Thank you."): "Mulțumim.",
    ("mini/screen_out", "Sorry, that is all."): "Ne pare rău, asta e tot.",
}


@pytest.mark.parametrize(("missing", "expected"), [
    ([], []),
    (["mini/consent", "mini/trust", "mini/trust/not_sure", "mini/screen_out"],
     [(8, "mini/consent"), (17, "mini/trust"), (21, "mini/trust/not_sure"),
      (23, "mini/screen_out")]),
    (["mini/title", "mini/feel_safe", "mini/trust/a_lot", "mini/outro"],
     [(2, "mini/title"), (14, "mini/feel_safe"), (20, "mini/trust/a_lot"), (22, "mini/outro")]),
], ids=["complete", "some-missing", "others-missing"])
def test_missing_translations(tmp_path, missing, expected):
    entries = {key: value for key, value in RO_COMPLETE.items() if key[0] not in missing}
    path = write(tmp_path, GOOD)
    assert problems(path, Catalogs({"ro": entries})) == [
        f"{path}:{line}: no 'ro' translation for {context} (translations/ro)"
        for line, context in expected
    ]


def test_a_stale_translation_does_not_count(tmp_path):
    # The key is (msgctxt, msgid): a translation of older English wording is missing.
    entries = dict(RO_COMPLETE)
    del entries[("mini/outro", "Thank you.")]
    entries[("mini/outro", "Thanks.")] = "Mulțumim."
    path = write(tmp_path, GOOD)
    assert problems(path, Catalogs({"ro": entries})) == [
        f"{path}:22: no 'ro' translation for mini/outro (translations/ro)"]


def test_an_empty_translation_does_not_count(tmp_path):
    entries = dict(RO_COMPLETE)
    entries[("mini/intro", "Hello.")] = ""
    path = write(tmp_path, GOOD)
    assert problems(path, Catalogs({"ro": entries})) == [
        f"{path}:7: no 'ro' translation for mini/intro (translations/ro)"]


def test_translations_are_checked_only_once_the_file_is_sound(tmp_path):
    path = write(tmp_path, GOOD.replace("keyword: MINI", "keyword: STOP"))
    assert problems(path, Catalogs({})) == [f"{path}:6: 'STOP' is one of the bot's own keywords"]


@pytest.mark.parametrize(("definitions", "expected"), [
    ({"a.yaml": {"slug": "a", "keyword": "SAFETY"}, "b.yaml": {"slug": "b", "keyword": "YOUTH"}},
     []),
    ({"a.yaml": {"slug": "a", "keyword": "SAFETY"}, "b.yaml": {"slug": "b", "keyword": "safety"}},
     ["b.yaml:1: keyword 'SAFETY' is also used by a.yaml"]),
    ({"a.yaml": {"slug": "a"}, "b.yaml": {"slug": "b"}, "c.yaml": {"slug": "c", "keyword": None}},
     []),
    ({"a.yaml": {"slug": "a", "keyword": "X"}, "b.yaml": {"slug": "b", "keyword": "X"},
      "c.yaml": {"slug": "c", "keyword": "X"}},
     ["b.yaml:1: keyword 'X' is also used by a.yaml",
      "c.yaml:1: keyword 'X' is also used by a.yaml"]),
    # Two files with one slug would overwrite each other's versions in the database.
    ({"a.yaml": {"slug": "same", "keyword": "A"}, "b.yaml": {"slug": "same", "keyword": "B"}},
     ["b.yaml:1: slug 'same' is also used by a.yaml"]),
], ids=["distinct", "shared-keyword", "no-keywords", "three-share", "shared-slug"])
def test_check_keywords(definitions, expected):
    assert loader.check_keywords(definitions) == expected


def test_check_keywords_on_real_files(tmp_path):
    first = write(tmp_path, GOOD, "first.yaml")
    second = write(tmp_path, GOOD.replace("slug: mini", "slug: other"), "second.yaml")
    found = {str(p): loader.load_file(p)[0] for p in (first, second)}
    assert loader.check_keywords(found) == [f"{second}:1: keyword 'MINI' is also used by {first}"]


@pytest.mark.parametrize("path", [*SHIPPED, DEMO], ids=lambda p: p.name)
def test_shipped_surveys_validate_with_the_translations(path):
    # Every offered language must have every text translated in translations/.
    assert problems(path, Catalogs.load(ROOT / "translations")) == []


def test_shipped_surveys_are_all_there():
    assert [p.name for p in SHIPPED] == ["lottery-registration.yaml",
                                         "neighbourhood-policing.yaml",
                                         "peer-conversation-log.yaml",
                                         "wellbeing-check-in.yaml", "youth-voice.yaml"]
    definitions = {str(p): loader.load_file(p)[0] for p in [*SHIPPED, DEMO]}
    assert loader.check_keywords(definitions) == []


# The age role: any council's survey screens out an under-13 by declaring its age question.

AGE = GOOD.replace("    end_if: trust == not_sure\n", "") + "ages: 16+\n"
AGE_QUESTION = """\
  - id: age
    type: choice
    role: age
    text: How old are you?
    choices:
      - {id: young, text: Under 16, ages: 0-15}
      - {id: adult, text: 16 to 64, ages: 16-64}
      - {id: older, text: 65 or over, ages: 65+}
      - {id: prefer_not, text: Prefer not to say}
"""


def with_age(question: str = AGE_QUESTION, ages: str = "ages: 16+") -> str:
    return AGE.replace("ages: 16+", ages).replace("outro: Thank you.\n",
                                                  question + "outro: Thank you.\n")


def test_an_age_question_declares_its_bands_and_screens_out_who_the_survey_is_not_for(
        tmp_path):
    data, found = loader.load_file(write(tmp_path, with_age()))
    assert found == []
    survey = Questionnaire.from_definition(data)
    age = survey.question("age")
    assert survey.ages == (16, math.inf) and age.role == "age"
    assert survey.screens_out(age, {"age": "young"}) == "age=young"
    assert survey.screens_out(age, {"age": "adult"}) is None
    assert survey.screens_out(age, {"age": "prefer_not"}) is None  # no age: kept


def test_a_number_age_under_13_is_screened_out_by_default(tmp_path):
    question = ("  - id: age\n    type: number\n    role: age\n    min: 0\n    max: 120\n"
                "    text: How old are you?\n")
    data, found = loader.load_file(write(tmp_path, with_age(question, "")))
    assert found == []
    survey = Questionnaire.from_definition(data)
    age = survey.question("age")
    assert [survey.screens_out(age, {"age": n}) for n in (12, 12.5, 13, 90)] == [
        "age=under_13", "age=under_13", None, None]


SPANS_13 = (26, "choice 'young' (0-15) spans age 13, where the survey's ages begin or end: "
                "split it")


@pytest.mark.parametrize(("question", "ages", "expected"), [
    (AGE_QUESTION, "ages: 10+",
     [(32, "'ages' cannot start under 13: nothing is kept from a younger child"),
      SPANS_13]),
    (AGE_QUESTION, "ages: sixteen",
     [(32, "'ages' must be a range such as 13-24 or 16+"), SPANS_13]),
    (AGE_QUESTION.replace("0-15", "0-20"), "ages: 16+",
     [(26, "choice 'young' (0-20) spans age 16, where the survey's ages begin or end: "
           "split it"),
      (27, "choice 'adult' (16-64) overlaps 'young'")]),
    (AGE_QUESTION, "ages: 13+", [SPANS_13]),
    (AGE_QUESTION.replace("0-15", "young ones"), "ages: 16+",
     [(26, "'ages' must be a range such as 13-15, 75+ or 16")]),
    (AGE_QUESTION.replace("role: age", "role: sex"), "ages: 16+",
     [(23, f"unknown role 'sex' (use {', '.join(ROLES)})")]),
    (AGE_QUESTION.replace("type: choice", "type: multi"), "ages: 16+",
     [(23, "an age question is a number or a choice question")]),
    (AGE_QUESTION.replace("    role: age\n", ""), "ages: 16+",
     [(line, "'ages' belongs to the choices of a question with role: age")
      for line in (25, 26, 27)]),
    (AGE_QUESTION.replace(", ages: 0-15", "").replace(", ages: 16-64", "")
     .replace(", ages: 65+", ""), "ages: 16+",
     [(23, "an age question's choices say their ages (ages: 0-12, 13-15, 75+ ...)")]),
    # a council's bands from 18: a child typing "10" would be asked again, never thanked
    (AGE_QUESTION.replace("0-15", "16-17").replace("16-64", "18-64"), "ages: 16+",
     [(23, "no choice covers ages 0-15: someone who types such an age is asked again, and "
           "a child under 13 is never thanked and let go; add a band (ages: 0-15)")]),
    (AGE_QUESTION.replace("16-64", "16-40"), "ages: 16+",
     [(23, "no choice covers ages 41-64: someone who types such an age is asked again, and "
           "a child under 13 is never thanked and let go; add a band (ages: 41-64)")]),
], ids=["under-13", "not-a-range", "spans-and-overlaps", "spans-13", "bad-band",
        "unknown-role", "multi", "ages-without-role", "no-bands", "no-child-band", "a-gap"])
def test_age_problems_at_their_lines(tmp_path, question, ages, expected):
    path = write(tmp_path, with_age(question, ages))
    assert problems(path) == [f"{path}:{line}: {message}" for line, message in expected]


def test_an_age_question_needs_a_screen_out_text(tmp_path):
    path = write(tmp_path, with_age().replace("screen_out: Sorry, that is all.\n", ""))
    assert problems(path) == [f"{path}:1: missing 'screen_out'"]


@pytest.mark.parametrize(("new", "expected"), [
    ("anonymous: true\nconsent: Reply YES to take part.", []),
    ("anonymous: yes please\nconsent: Reply YES to take part.",
     [(8, "'anonymous' must be true or false")]),
    ("anonymous: true", [(8, "'anonymous: true' needs a consent that tells people so")]),
], ids=["with-consent", "not-a-flag", "no-consent"])
def test_an_anonymous_survey_says_so_in_its_consent(tmp_path, new, expected):
    """`anonymous: true`: the consent promises the answers are kept apart from the number
    (no staff page or command shows them beside a person, docs/safeguarding.md)."""
    path = write(tmp_path, GOOD.replace("consent: Reply YES to take part.", new))
    assert problems(path) == [f"{path}:{line}: {message}" for line, message in expected]
    if not expected:
        data, _ = loader.load_file(path)
        assert Questionnaire.from_definition(data).anonymous is True
