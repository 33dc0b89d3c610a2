"""The theme rules: the shipped assembly's theme set valid, every example proved (each its
own test, so a reviewer sees which one broke), the demo texts coded as they are labelled; a
made-up theme set coded by its own rules; broken files reported with what is wrong."""

from __future__ import annotations

import pytest

import assembly
from demo.seed import load_texts
from staff.evidence import coding
from staff.evidence.coding import Coder
from tests.helpers.assemblies import ENGLISH, POLISH, theme_set

SHIPPED = assembly.load().themes
SETS, PROBLEMS = coding.read(SHIPPED, coding.read_themes(SHIPPED))


@pytest.fixture(scope="module")
def coder() -> Coder:
    return Coder.load()


def test_the_rule_files_are_valid():
    assert PROBLEMS == []
    assert {s.language for s in SETS} == {"en", "ro", "ur", "bg", "pl", "tr"}


def test_the_default_is_the_shipped_assemblys_theme_set(coder):
    assert coder.themes == coding.read_themes(SHIPPED)
    assert {s.language for s in coder.sets} == {s.language for s in SETS}


def test_the_eight_themes_in_the_assemblys_order():
    assert [t.id for t in coding.read_themes(SHIPPED)] == [
        "recruitment", "training", "accountability", "victim_support", "youth_engagement",
        "partnerships", "communication", "visibility"]


@pytest.mark.parametrize(("language", "theme", "text"), [
    (s.language, theme, text) for s in SETS for theme, text in s.must_match])
def test_must_match(coder, language, theme, text):
    assert theme in next(s for s in coder.sets if s.language == language).themes_in(
        coding.normalise(text))


@pytest.mark.parametrize(("language", "theme", "text"), [
    (s.language, theme, text) for s in SETS for theme, text in s.must_not_match])
def test_must_not_match_in_any_language(coder, language, theme, text):
    assert coder.coded_by(text, theme) == []


def _demo_lines():
    for lang, bank in load_texts().items():
        for theme, lines in bank["residents"].items():
            for text, english in lines:
                yield lang, theme, text, english


@pytest.mark.parametrize(("lang", "theme", "text", "english"), list(_demo_lines()))
def test_demo_texts_are_coded_as_labelled(coder, lang, theme, text, english):
    found = coder.code(text, english)
    if theme == "uncoded":
        assert found == set()
    elif theme != "personal":
        assert theme in found


def test_the_english_translation_is_coded_by_the_english_rules(coder):
    """An answer in a language whose rules miss it is still coded through its English."""
    assert coder.code("Polis bizimle konuşmalı, bağırmamalı.") == set()
    assert coder.code("Polis bizimle konuşmalı, bağırmamalı.",
                      "Police should talk with us, not shout.") == {"communication"}


def test_every_language_is_tried_on_every_answer(coder):
    """A Polish answer misdetected as English is coded all the same."""
    assert coder.code("Nie widać policji na ulicach") == {"visibility"}


def test_a_made_up_theme_set_codes_by_its_own_rules(tmp_path):
    coder = Coder.load(theme_set(tmp_path / "transport", en=ENGLISH, pl=POLISH))
    assert [(t.id, t.title) for t in coder.themes] == [("parks", "Parks"), ("buses", "Buses")]
    assert coder.code("The playground is broken and the bus never comes") == {"parks", "buses"}
    assert coder.code("Autobusy sa za rzadko") == {"buses"}
    assert coder.code("Parking near the station") == set()
    assert coder.code("Police on foot") == set()  # the shipped themes are not in this set


def test_english_rules_alone_are_enough_and_code_other_languages_through_english(tmp_path):
    coder = Coder.load(theme_set(tmp_path / "transport", en=ENGLISH))
    assert [s.language for s in coder.sets] == ["en"]
    assert coder.code("Otobüsler çok geç geliyor") == set()
    assert coder.code("Otobüsler çok geç geliyor", "More buses, they come too late") == {"buses"}


def test_a_theme_set_without_english_rules_is_refused(tmp_path):
    folder = theme_set(tmp_path / "transport", pl=POLISH)
    with pytest.raises(ValueError, match=r"en\.yaml: missing; every theme set has English"):
        Coder.load(folder)


def test_a_themes_file_without_titles_is_refused(tmp_path):
    folder = theme_set(tmp_path / "transport", themes="parks: Parks\n", en=ENGLISH)
    with pytest.raises(ValueError, match="themes.yaml: expected each theme's id mapped"):
        Coder.load(folder)


def test_a_broken_rule_file_is_reported(tmp_path):
    folder = theme_set(tmp_path / "transport", en="""
        language: en
        themes:
          parks: ["park*"]
          buses: ["(bus"]
          trams: [tram]
        must_match:
          parks: [A new park]
        must_not_match:
          parks: [They park on the pavement]
        """)
    _, problems = coding.read(folder, coding.read_themes(folder))
    text = "\n".join(problems)
    assert "en.yaml: themes: unknown theme 'trams'" in text
    assert "must_match: no entry for theme 'buses'" in text
    assert "'(bus' is not a valid pattern" in text


def test_a_rule_file_named_for_another_language_is_reported(tmp_path):
    folder = theme_set(tmp_path / "transport", en=ENGLISH, ro=POLISH)
    _, problems = coding.read(folder, coding.read_themes(folder))
    assert [p.split(": ", 1)[1] for p in problems] == [
        "language must be 'ro', as the file is named"]


def test_a_must_match_example_that_is_missed_is_reported(tmp_path):
    folder = theme_set(tmp_path / "transport", en=ENGLISH.replace(
        "[The park needs benches]", "[The park needs benches, Nothing here]"))
    _, problems = coding.read(folder, coding.read_themes(folder))
    assert [p.split(": ", 1)[1] for p in problems] == [
        "must_match parks: 'Nothing here' is not coded parks"]


def test_a_must_not_match_example_coded_by_any_language_is_reported(tmp_path):
    folder = theme_set(tmp_path / "transport", pl=POLISH, en=ENGLISH.replace(
        "[Parking is hard]", "[Parking is hard, Brak parkow]"))
    _, problems = coding.read(folder, coding.read_themes(folder))
    assert [p.split(": ", 1)[1] for p in problems] == [
        "must_not_match parks: 'Brak parkow' is coded parks by pl.yaml"]
