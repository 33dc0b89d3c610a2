"""The engine's side of the lottery's registration: only a letter's code opens it, however
it is typed; each refused code gets its own reply and counts against the guesser; the
registration carries the code to its end (RESTART and LANG included) and ends in a
Registered effect, never for someone under 16."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from bot import engine
from bot.engine.registration import LETTER_TRIES
from bot.lottery_state import LetterCodeStatus, Registered
from bot.state import Incoming, Start, State
from tests.helpers.surveys import make_env

NOW = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)
SLUG = "lottery-registration"
OPEN, USED, CLOSED = "K7PM3QXAF", "K7PM3QXAG", "HR4T9WCEN"
MINE, WITH_FIVE = "HR4T9WCEP", "MX5YDJ7UA"
IN_POLISH, ASKED_POLISH = "E9CDH4NYR", "EMRE2FEUP"
STATUSES = {OPEN: "open", WITH_FIVE: "open", USED: "used", CLOSED: "closed",
            MINE: "registered", IN_POLISH: "open", ASKED_POLISH: "open"}
# Age, name, phone, dates, gender, ethnic group, disability, area, ward, access needs.
ANSWERS = ["30", "Sam Smith", "07700 900123", "1,3", "1", "4", "3", "3", "6", "SKIP"]
REGISTERED = ("You are registered for the lottery, thank you. We will message you if you are "
              "selected. Each person registers once. Questions: reply HELP.")


@pytest.fixture(scope="module")
def env():
    looked: list[str] = []

    def letter_code(code: str) -> LetterCodeStatus:
        looked.append(code)
        return LetterCodeStatus(STATUSES.get(code, "unknown"), code,
                                "2027-02-28" if code != OPEN else None)

    made = make_env(letter_code=letter_code, registration=lambda: ("registered", ""))
    made.looked = looked
    return made


def talk(env, messages, state=None, **incoming):
    """Send messages one by one (the state through JSON at each step, as stored)."""
    state = state or State()
    sprints = []
    for i, text in enumerate(messages):
        sprint = engine.resume(state, Incoming(text, **incoming), NOW + timedelta(minutes=i),
                               env)
        sprints.append(sprint)
        state = State.from_json(json.loads(json.dumps(sprint.state.to_json())))
    return state, sprints


def said(sprint) -> list[str]:
    return [reply.text for reply in sprint.replies]


def registered(sprints) -> list[Registered]:
    return [e for s in sprints for e in s.effects if isinstance(e, Registered)]


@pytest.mark.parametrize("typed", ["REGISTER K7P-M3Q-XAF", "register k7pm3qxaf",
                                   "Register: K7P M3Q XAF", "K7P-M3Q-XAF", "k7p m3q xaf",
                                   "REGISTER MXS-YDJ-7UA", "mxsydj7ua"])
def test_a_code_however_typed_opens_the_registration(env, typed):
    state, (sprint,) = talk(env, [typed])
    assert state.run.survey == SLUG and state.run.step == "consent"
    assert state.run.letter in (OPEN, WITH_FIVE)
    assert said(sprint)[0].startswith("Hello from Waltham Forest Council. Thank you for regis")


def test_a_whole_registration_ends_in_the_registrant_with_the_number_given(env):
    state, sprints = talk(env, ["REGISTER K7P-M3Q-XAF", "yes", *ANSWERS])
    assert registered(sprints) == [Registered(OPEN, "+447700900123")]
    kinds = [type(e).__name__ for e in sprints[-1].effects]
    assert kinds[-2:] == ["Registered", "ResponseCompleted"]  # while the response is open
    assert said(sprints[-1]) == [
        "Thank you, you are registered for the lottery. If you are chosen, we will message "
        "you to confirm. Reply DELETE at any time to withdraw."]
    assert state.run.step == "done" and state.run.letter is None


def test_a_number_that_is_no_phone_number_is_asked_again(env):
    state, sprints = talk(env, ["REGISTER K7P-M3Q-XAF", "yes", "30", "Sam", "12345"])
    assert sprints[-1].replies[0].hint == (
        "That does not look like a phone number. Please send the whole number, e.g. "
        "07700 900123.")
    assert state.run.question == "phone" and "phone" not in state.run.answers


@pytest.mark.parametrize("age", ["15", "13 to 15", "10"])
def test_under_16_is_screened_out_and_never_registered(env, age):
    state, sprints = talk(env, ["REGISTER K7P-M3Q-XAF", "yes", age])
    assert registered(sprints) == []
    assert said(sprints[-1]) == [
        "Thank you for your interest. The assembly is for people aged 16 and over, so we "
        "have not kept your answers. Age typed by mistake? Reply HELP to contact the council."]
    assert state.run.letter is None


@pytest.mark.parametrize(("code", "reply"), [
    (USED, "This code has already been used to register. Each code registers one person: if "
           "someone else in your home wants to register, use the other code on your letter."),
    (CLOSED, "Registration for the lottery closed on Sunday 28 February. Thank you for your "
             "interest."),
    (MINE, "You are already registered for the lottery: each person registers once. If you "
           "are chosen, we will message you."),
    ("ACDEFGHJK", "We could not find that code. Please check it and send it again: codes "
                  "look like K7P-M3Q-XAF. Reply HELP for help."),
])
def test_each_refused_code_has_its_reply_and_starts_nothing(env, code, reply):
    state, (sprint,) = talk(env, [f"REGISTER {code}"])
    assert said(sprint) == [reply]
    assert state.run.survey is None
    assert [type(e).__name__ for e in sprint.effects] == ["LanguageChanged"]  # nothing else


def test_register_alone_asks_for_the_code_and_reads_the_next_message_as_it(env):
    state, (ask, refused, opened) = talk(env, ["REGISTER", "hello", "K7P-M3Q-XAF"])
    assert said(ask) == ["Please send the registration code printed on your letter. It looks "
                         "like K7P-M3Q-XAF."]
    assert said(refused)[0].startswith("We could not find that code.")
    assert state.run.survey == SLUG and state.run.letter == OPEN


def test_the_urdu_reply_to_a_used_code(env):
    state = State.from_json({"contact": {"language": "ur"}})
    _, (sprint,) = talk(env, [f"REGISTER {USED}"], state)
    assert said(sprint) == [env.catalogs.bot("ur", "register-code-used")]
    assert "کوڈ" in said(sprint)[0]


def test_wrong_codes_are_throttled_and_then_not_even_looked_up(env):
    wrong = [f"REGISTER ACDEFGH{a}{b}" for a, b in zip("JKLMNP", "QRTUVW", strict=True)]
    env.looked.clear()
    state, sprints = talk(env, [*wrong, f"REGISTER {OPEN}"])
    assert len(env.looked) == LETTER_TRIES  # the sixth and the right one never looked up
    assert said(sprints[-1]) == said(sprints[-2]) == [
        "Too many codes did not work. Please wait an hour and try again, or reply HELP."]
    assert state.run.survey is None
    later = engine.resume(state, Incoming(f"REGISTER {OPEN}"), NOW + timedelta(hours=2), env)
    assert later.state.run.letter == OPEN


@pytest.mark.parametrize("start", [
    Start(survey=SLUG),  # the web form without ?code=
    Start(letter="ACDEFGHJK"),  # /start with a code no letter holds
])
def test_no_link_opens_the_registration_without_an_open_code(env, start):
    state, (sprint,) = talk(env, [""], start=start)
    assert state.run.survey is None and state.run.step == "idle"
    assert sprint.replies[-1].question == "letter_code"  # a web form asks for the code


def test_a_start_with_an_open_code_opens_it(env):
    state, _ = talk(env, ["start"], start=Start(letter=OPEN))
    assert state.run.survey == SLUG and state.run.letter == OPEN


def test_neither_restart_nor_the_default_survey_opens_it_without_a_code(env):
    done, _ = talk(env, ["REGISTER K7P-M3Q-XAF", "yes", *ANSWERS])
    state, (restart,) = talk(env, ["RESTART"], done)
    assert said(restart) == [REGISTERED]  # each person registers once: nothing to redo
    assert (state.run.survey, state.run.step) == (SLUG, "done") and not restart.effects
    by_default = replace(env, default_survey=SLUG)  # DEFAULT_SURVEY set to it by mistake
    state, (first,) = talk(by_default, ["hello"])
    assert state.run.survey != SLUG and not first.effects


def test_restart_and_lang_part_way_keep_the_code(env):
    state, _ = talk(env, ["REGISTER K7P-M3Q-XAF", "yes", "30", "Sam", "RESTART", "yes",
                          "LANG", "pl"])
    assert state.run.letter == OPEN and state.run.step == "question"
    state, sprints = talk(env, ANSWERS, state)
    assert registered(sprints) == [Registered(OPEN, "+447700900123")]


def test_a_code_typed_as_an_answer_to_a_text_question_is_the_answer(env):
    state, _ = talk(env, ["REGISTER K7P-M3Q-XAF", "yes", "30", "REGISTER HR4T9WCEP"])
    assert state.run.answers["name"] == "REGISTER HR4T9WCEP" and state.run.letter == OPEN


@pytest.mark.parametrize(("typed", "code", "lang"), [
    ("Dzień dobry, chcę się zarejestrować E9C-DH4-NYR", IN_POLISH, "pl"),
    ("EMR-E2F-EUP po polsku", ASKED_POLISH, "pl"),
    ("my code is k7p m3q xaf", OPEN, "en"),
    ("Hello, I would like to register: K7P-M3Q-XAF", OPEN, "en"),
])
def test_a_code_inside_a_short_message_opens_the_registration_in_its_words_language(
        env, typed, code, lang):
    state, (sprint,) = talk(env, [typed])
    assert state.run.survey == SLUG and state.run.letter == code
    assert state.contact.language == lang
    assert said(sprint)[0] == env.catalogs.text([lang], f"{SLUG}/intro", env.surveys[SLUG].intro)


def test_a_message_after_registering_says_they_are_registered_in_their_language(env):
    done, _ = talk(env, ["EMR-E2F-EUP po polsku", "tak", *ANSWERS])
    state, (hello, why) = talk(env, ["dzień dobry", "kiedy losowanie?"], done)
    assert said(hello) == said(why) == [env.catalogs.bot("pl", "register-done")]
    assert said(hello)[0].startswith("Są Państwo zarejestrowani w losowaniu")
    assert state.run.survey == SLUG and not hello.effects


def test_registered_is_told_the_day_registration_closes_when_there_is_one(env):
    done, _ = talk(env, ["REGISTER K7P-M3Q-XAF", "yes", *ANSWERS])
    closing = replace(env, registration=lambda: ("registered", "2027-02-28"))
    _, (sprint,) = talk(closing, ["hello?"], done)
    assert said(sprint) == [
        "You are registered for the lottery, thank you. Registration closes on Sunday 28 "
        "February; we will message you if you are selected. Each person registers once. "
        "Questions: reply HELP."]
    left_out = replace(env, registration=lambda: ("not_selected", "2027-02-28"))
    _, (why,) = talk(left_out, ["why was I not picked?"], done)
    assert said(why) == [env.catalogs.bot("en", "selection/not-selected-no-date",
                                          org=env.org)]
    assert said(why)[0].endswith("You were not selected this time. Your details will be "
                                 "erased after the assembly.")


def test_help_while_registering_names_the_lottery_not_the_survey(env):
    state, sprints = talk(env, ["REGISTER K7P-M3Q-XAF", "yes", "HELP"])
    assert said(sprints[-1])[0].startswith(
        "This is the council's registration for the Citizens' Assembly lottery.")
    assert "policing" not in said(sprints[-1])[0]
    asked, _ = talk(env, ["REGISTER", "HELP"])
    assert asked.run.interrupt == "letter"  # HELP on the way: the next message is a code
    state, _ = talk(env, ["K7P-M3Q-XAF"], asked)
    assert state.run.letter == OPEN


def test_a_list_place_under_16_is_asked_about_once_then_taken_as_an_age(env):
    state, sprints = talk(env, ["REGISTER K7P-M3Q-XAF", "yes", "3"])
    assert said(sprints[-1]) == ["Is 3 your age in years? Please reply with your age, e.g. 34"]
    assert state.run.question == "age_band" and not registered(sprints)
    went_on, _ = talk(env, ["35"], state)
    assert went_on.run.answers["age_band"] == "35_44" and went_on.run.question == "name"
    again, (sprint,) = talk(env, ["3"], state)  # under age twice: screened out as ever
    assert said(sprint)[0].startswith("Thank you for your interest. The assembly is for")
    assert again.run.letter is None


def test_the_age_check_is_in_their_language(env):
    _, sprints = talk(env, ["EMR-E2F-EUP po polsku", "tak", "2"])
    assert said(sprints[-1]) == ["Czy mają Państwo 2 lat? Prosimy odpisać, podając wiek w "
                                 "latach, np. 34"]


def test_a_landline_is_asked_again_for_a_mobile_the_lottery_can_text(env):
    state, sprints = talk(env, ["REGISTER K7P-M3Q-XAF", "yes", "30", "Sam", "020 7946 0000"])
    assert sprints[-1].replies[0].hint == (
        "That looks like a landline. The lottery's messages come by text: please send a "
        "mobile number, e.g. 07700 900123.")
    assert state.run.question == "phone"
    state, _ = talk(env, ["07700 900123"], state)
    assert state.run.question == "dates"


def test_someone_under_16_cannot_retry_at_once_and_is_told_to_reply_help(env):
    not_registered = replace(env, registration=lambda: None)
    done, _ = talk(not_registered, ["REGISTER K7P-M3Q-XAF", "yes", "15"])
    state, sprints = talk(not_registered, ["RESTART", "REGISTER MXS-YDJ-7UA", "sorry I meant 35"],
                          done)
    thanks = ("Thank you for your interest. The assembly is for people aged 16 and over, so "
              "we have not kept your answers. Age typed by mistake? Reply HELP to contact "
              "the council.")
    assert [said(s) for s in sprints] == [[thanks]] * 3
    assert state.run.letter is None and not registered(sprints)


def test_a_code_alone_during_another_survey_opens_the_registration(env):
    state, _ = talk(env, ["hello", "yes"])  # the residents' survey, at its first question
    assert state.run.step == "question" and state.run.survey != SLUG
    state, (sprint,) = talk(env, ["K7P-M3Q-XAF"], state)
    assert state.run.survey == SLUG and state.run.letter == OPEN
    assert "ResponseExpired" in [type(e).__name__ for e in sprint.effects]


@pytest.mark.parametrize("typed", ["REGISTER k7p m3q xaf", "REGISTER K7P-M3Q-XAF",
                                   "Register:K7P-M3Q-XAF"])
def test_the_keyword_and_the_code_alone_say_nothing_of_the_language(env, typed):
    """Only words beside the code tell a language: "REGISTER" and the code are read by
    nobody's detector (one that calls any text Polish here, as langdetect may a single word)."""
    polish = make_env(letter_code=lambda code: LetterCodeStatus("open", code),
                      registration=lambda: None)
    polish.detect = lambda text, offered: "pl" if text.strip() else None
    state, (sprint,) = talk(polish, [typed])
    assert state.run.letter == OPEN and state.contact.language in (None, "en")
    assert said(sprint)[0].startswith("Hello from Waltham Forest Council.")
