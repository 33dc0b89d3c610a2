"""A selected registrant's YES or NO in the engine (bot/engine/confirming.py): read in
every offered language, only from someone the lottery asked, never over a survey's own."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from bot import engine
from bot.engine.confirming import dates_text, deadline
from bot.lottery_state import LotteryAnswered, Selected
from bot.state import Incoming, Person, Run, State
from tests.helpers.surveys import make_env

NOW = datetime(2026, 3, 3, 9, tzinfo=UTC)
WAITING = Selected(7, "selected", ("2026-03-14", "2026-03-15"), "2026-03-10")


def _resume(text: str, lang: str = "en", run: Run | None = None, selected=WAITING):
    env = make_env(selected=lambda: selected)
    return engine.resume(State(Person(lang), run or Run()), Incoming(text), NOW, env)


@pytest.mark.parametrize("lang, text, yes", [
    ("en", "YES", True), ("en", "no", False), ("ur", "ہاں", True), ("ur", "نہیں", False),
    ("pl", "tak", True), ("pl", "Nie", False), ("tr", "evet", True), ("bg", "да", True),
    ("ro", "nu", False),
])
def test_yes_and_no_in_every_language(lang, text, yes):
    sprint = _resume(text, lang)
    assert sprint.effects == [LotteryAnswered(7, yes)]
    assert len(sprint.replies) == 1


def test_from_someone_not_waiting_the_words_are_left_to_others():
    sprint = _resume("yes", selected=None)
    assert not any(isinstance(e, LotteryAnswered) for e in sprint.effects)
    answered = _resume("yes", selected=Selected(7, "confirmed"))
    assert not any(isinstance(e, LotteryAnswered) for e in answered.effects)


def test_anything_else_repeats_the_question_with_the_days():
    [again] = _resume("hello?").replies
    assert "14-15 March" in again.text and "Tuesday 10 March" in again.text
    assert [o.id for o in again.options] == ["yes", "no"]


def test_a_survey_keyword_still_starts_its_survey():
    sprint = _resume("SAFETY")
    assert sprint.state.run.survey == "neighbourhood-policing"


def test_a_yes_at_a_surveys_consent_is_the_surveys():
    env = make_env(selected=lambda: WAITING)
    survey = env.surveys["neighbourhood-policing"]
    run = Run(survey=survey.slug, version=survey.version, step="consent")
    sprint = engine.resume(State(Person("en"), run), Incoming("yes"), NOW, env)
    assert not any(isinstance(e, LotteryAnswered) for e in sprint.effects)
    assert sprint.state.run.step == "question"


@pytest.mark.parametrize("lang, expected", [
    ("en", "14-15 March, 28 March and 11-12 April"),
    ("pl", "14-15 marca, 28 marca i 11-12 kwietnia"),
])
def test_days_in_a_row_are_one_span(lang, expected):
    days = [date(2026, 3, 14), date(2026, 3, 15), date(2026, 3, 28), date(2026, 4, 11),
            date(2026, 4, 12)]
    assert dates_text(days, lang) == expected


@pytest.mark.parametrize("lang, expected", [
    ("en", "Wednesday 16 December"),
    ("pl", "16 grudnia (środa)"),  # after "do": no weekday to decline ("do środy")
    ("tr", "16 Aralık (Çarşamba)"),
])
def test_the_day_to_answer_by_reads_after_by_in_each_language(lang, expected):
    assert deadline(date(2026, 12, 16), lang) == expected


def test_a_question_about_it_is_met_with_the_question_and_whom_to_ask():
    env = make_env(selected=lambda: WAITING, help_contact="020 7946 0123")
    [again] = engine.resume(State(Person("en")), Incoming("what is this about?"), NOW,
                            env).replies
    assert again.text.startswith("You were selected by lottery for the Citizens' Assembly")
    assert again.text.endswith("Questions: 020 7946 0123")


@pytest.mark.parametrize("status", ["not_selected", "declined", "no_answer", "dropped"])
def test_someone_the_lottery_finished_with_is_told_so_kindly(status):
    env = make_env(selected=lambda: Selected(7, status), org="Waltham Forest Council")
    registration = next(s for s in env.surveys.values() if s.audience == "registrants")
    done = Run(survey=registration.slug, version=registration.version, step="done")
    sprint = engine.resume(State(Person("en"), done), Incoming("why was I not picked?"),
                           NOW, env)
    [reply] = sprint.replies
    assert reply.text == ("Waltham Forest Council: the Citizens' Assembly lottery has "
                          "finished. Thank you for registering. Questions: Waltham Forest "
                          "Council")  # no HELP_CONTACT set: the council's name
    assert not sprint.effects


def test_in_another_survey_they_finished_with_the_lottery_answer_it():
    env = make_env(selected=lambda: Selected(7, "not_selected"))
    sprint = engine.resume(State(Person("en")), Incoming("SAFETY"), NOW, env)
    assert sprint.state.run.survey == "neighbourhood-policing"
    assert not any("lottery has finished" in r.text for r in sprint.replies)


def test_the_weekends_they_can_come_to_are_asked_about_in_their_language():
    some = Selected(7, "selected", ("2026-03-14", "2026-03-15"), "2026-03-10",
                    weekends=(("lottery-registration/dates/weekend_2", "Sat 17 and Sun 18 "
                               "April 2027"), ("lottery-registration/dates/weekend_3",
                                               "Sat 15 and Sun 16 May 2027")))
    env = make_env(selected=lambda: some)
    [again] = engine.resume(State(Person("ur")), Incoming("یہ کیا ہے؟"), NOW, env).replies
    assert "ہفتہ 17 اور اتوار 18 اپریل 2027، ہفتہ 15 اور اتوار 16 مئی 2027" in again.text
    assert "14" not in again.text  # not the assembly's other days
