"""Opting out in plain words: the phrase files, every example both ways, and the rule."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from bot import engine
from bot.optout_phrases import OptOutPhrases, Phrases, phrase, read, slipped
from bot.state import Incoming, LanguageChanged, OptedOut, Person, Run, State
from tests.helpers.surveys import make_env
from translations.texts import BOT

LOADED, PROBLEMS = read()
PHRASES = OptOutPhrases(tuple(LOADED))
MUST_MATCH = [(p.language, text) for p in LOADED for text in p.must_match]
MUST_NOT_MATCH = [(p.language, text) for p in LOADED for text in p.must_not_match]
NOW = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)


def test_there_is_a_valid_phrase_file_for_every_offered_language():
    assert PROBLEMS == []
    assert {p.language for p in LOADED} == {"en", "ro", "ur", "bg", "pl", "tr"}


@pytest.mark.parametrize("lang, text", MUST_MATCH)
def test_each_must_match_example_opts_out(lang, text):
    assert PHRASES.matches(text)


@pytest.mark.parametrize("lang, text", MUST_NOT_MATCH)
def test_each_must_not_match_example_stays_an_answer(lang, text):
    assert not PHRASES.matches(text)  # checked against every language's phrases at once


def test_a_long_message_holding_a_phrase_is_an_answer():
    assert PHRASES.matches("please stop texting me")
    assert not PHRASES.matches("the police should stop texting my son and come to see us "
                               "at home instead")


@pytest.mark.parametrize("content, problem", [
    ("language: xx\nexamples: {match: [a], no_match: [b]}\n",
     "language must be 'en', as the file is named"),
    ("language: en\ncontains: ['!!']\nexamples: {match: [a], no_match: [b]}\n",
     "contains: '!!' is not a phrase"),
    ("language: en\ncontains: [stop texting]\n",
     "examples must list messages that match and that do not (no_match)"),
    ("language: en\nphrases: [x]\nexamples: {match: [a], no_match: [b]}\n",
     "unknown key 'phrases'"),
    ("language: en\nslips: [top]\nexamples: {match: [a], no_match: [b]}\n",
     "slips: 'top' is not one word of at least 4 letters"),
])
def test_a_broken_phrase_file_is_reported_and_refused(tmp_path, content, problem):
    (tmp_path / "en").mkdir()
    (tmp_path / "en" / "optout.yaml").write_text(content, encoding="utf-8")
    _, problems = read(tmp_path)
    assert problems == [f"{tmp_path / 'en' / 'optout.yaml'}: {problem}"]
    with pytest.raises(ValueError, match="en/optout.yaml"):
        OptOutPhrases.load(tmp_path)


def _on_free_text(env) -> State:
    return State(Person("en"), Run(survey="demo", version=1, step="question",
                                   question="why_unsafe", consented=True,
                                   answers={"feel_safe": 1}))


def test_the_engine_opts_out_on_a_phrase_even_mid_survey_on_a_free_text_question():
    env = make_env(opt_out=OptOutPhrases.load())
    sprint = engine.resume(_on_free_text(env), Incoming("Please stop texting me"), NOW, env)
    assert OptedOut() in sprint.effects and sprint.state.contact.opted_out
    assert [r.text for r in sprint.replies] == [env.catalogs.bot("en", "stopped")]


def test_the_engine_keeps_stop_and_search_as_an_answer():
    env = make_env(opt_out=OptOutPhrases.load())
    sprint = engine.resume(_on_free_text(env), Incoming("stop and search"), NOW, env)
    assert not sprint.state.contact.opted_out
    assert sprint.state.run.answers["why_unsafe"] == "stop and search"


@pytest.mark.parametrize(("typed", "slip"), [
    ("stpo", True), ("sotp", True), ("stopp", True), ("sstop", True), ("stooop", True),
    ("stop", False), ("top", False), ("step", False), ("spot", False), ("tops", False),
    ("stops", False), ("stopped", False), ("shop", False),
])
def test_a_slip_is_two_letters_swapped_or_one_repeated_never_one_missing_or_changed(typed,
                                                                                    slip):
    assert slipped(typed, "stop") is slip


def _answers_in_every_language(env) -> set[str]:
    """Every word list a short reply is read against (yes, no, every keyword) and every
    choice of every shipped survey, in English and each offered language."""
    langs = env.languages
    found = set()
    for key in [k for k in BOT if k.startswith(("keywords/", "words/"))]:
        if key != "keywords/stop":
            found |= env.catalogs.words(key, langs)
    for survey in env.surveys.values():
        for question in survey.questions:
            for choice in question.choices:
                context = f"{survey.slug}/{question.id}/{choice.id}"
                found |= {env.catalogs.text([lang], context, choice.text) for lang in langs}
    return found


def test_no_word_that_answers_something_in_any_language_opts_out():
    env = make_env()
    answers = _answers_in_every_language(env)
    assert {"yes", "nie", "hayır", "ne", "nu", "nahi"} <= {a.casefold() for a in answers}
    assert [a for a in answers if PHRASES.matches(a)] == []


def test_a_phrase_file_listing_an_answer_still_never_takes_it_for_an_opt_out():
    careless = OptOutPhrases((Phrases("en", exact=(phrase("no"),), slips=("stop",)),))
    env = make_env(opt_out=careless)
    at_consent = State(Person("en"), Run(survey="neighbourhood-policing", version=1,
                                         step="consent"))
    sprint = engine.resume(at_consent, Incoming("no"), NOW, env)
    assert OptedOut() not in sprint.effects and sprint.state.run.step == "refused"
    sprint = engine.resume(at_consent, Incoming("STPO"), NOW, env)
    assert OptedOut() in sprint.effects


def test_opting_out_in_another_language_makes_it_theirs():
    env = make_env(opt_out=OptOutPhrases.load())
    sprint = engine.resume(_on_free_text(env), Incoming("prosze przestac pisac"), NOW, env)
    assert LanguageChanged("pl") in sprint.effects
    assert [r.text for r in sprint.replies] == [env.catalogs.bot("pl", "stopped")]
