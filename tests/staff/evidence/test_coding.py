"""The theme rules: every file valid, every example proved (each its own test, so a
reviewer sees which one broke), the demo texts coded as they are labelled, and broken files
reported with what is wrong."""

from __future__ import annotations

import pytest

from demo.seed import load_texts
from staff.evidence import coding
from staff.evidence.coding import Coder
from translations import data as language_files

SETS, PROBLEMS = coding.read(language_files.ROOT, coding.read_themes())


@pytest.fixture(scope="module")
def coder() -> Coder:
    return Coder.load()


def test_the_rule_files_are_valid():
    assert PROBLEMS == []
    assert {s.language for s in SETS} == {"en", "ro", "ur", "bg", "pl", "tr"}


def test_the_eight_themes_in_the_assemblys_order():
    assert [t.id for t in coding.read_themes()] == [
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


def test_a_broken_rule_file_is_reported(tmp_path):
    (tmp_path / "en").mkdir()
    (tmp_path / "en" / "themes.yaml").write_text("""
language: en
themes:
  recruitment: ["recruit*"]
  training: ["(training"]
  secrecy: [hush]
must_match:
  recruitment: [We must hire people]
  training: [training]
must_not_match:
  recruitment: [They recruit kids into gangs]
""")
    _, problems = coding.read(tmp_path, coding.read_themes())
    text = "\n".join(problems)
    assert "themes: unknown theme 'secrecy'" in text
    assert "themes: no entry for theme 'visibility'" in text
    assert "must_match: no entry for theme 'accountability'" in text
    assert "'(training' is not a valid pattern" in text


def _file(tmp_path, extra_match: str = "", must_not: str = "  training: [plain words]"):
    themes = "\n".join(f"  {t.id}: [{t.id}word]" for t in coding.read_themes())
    (tmp_path / "en").mkdir()
    (tmp_path / "en" / "themes.yaml").write_text(
        f"language: en\nthemes:\n{themes}\nmust_match:\n{themes}{extra_match}\n"
        f"must_not_match:\n{must_not}\n")


def test_a_must_match_example_that_is_missed_is_reported(tmp_path):
    _file(tmp_path, extra_match="\n  recruitment: [nothing here]")
    _, problems = coding.read(tmp_path, coding.read_themes())
    assert [p.split(": ", 1)[1] for p in problems] == [
        "must_match recruitment: 'nothing here' is not coded recruitment"]


def test_a_must_not_match_example_that_is_coded_is_reported(tmp_path):
    _file(tmp_path, must_not="  training: [so much trainingword]")
    _, problems = coding.read(tmp_path, coding.read_themes())
    assert [p.split(": ", 1)[1] for p in problems] == [
        "must_not_match training: 'so much trainingword' is coded training by en.yaml"]
