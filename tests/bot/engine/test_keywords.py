"""Keywords that change the conversation: RESTART asks first, HELP's contact, one LANG
order, and what START after a finished survey says."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from bot import engine
from bot.state import Incoming, OptedIn, Person, ResponseDiscarded, ResponseStarted, State
from tests.helpers.surveys import make_env
from translations.catalog import Catalogs

NOW = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)
RESIDENT_LANGUAGES = ["English", "Română", "اردو", "Български", "Polski", "Türkçe"]


@pytest.fixture(scope="module")
def env():
    return make_env()


def talk(env, messages, state=None):
    state = state or State()
    sprints = []
    for i, text in enumerate(messages):
        sprint = engine.resume(state, Incoming(text), NOW + timedelta(minutes=i), env)
        sprints.append(sprint)
        state = sprint.state
    return state, sprints


def texts(sprint) -> list[str]:
    return [reply.text for reply in sprint.replies]


class TestRestartAsksFirst:
    def test_with_answers_given_restart_asks_and_changes_nothing_yet(self, env):
        state, sprints = talk(env, ["DEMO", "yes", "4", "RESTART"])
        assert texts(sprints[-1]) == [env.catalogs.bot("en", "restart-confirm")]
        assert sprints[-1].effects == []
        assert state.run.answers == {"feel_safe": 4}

    def test_yes_restarts_and_discards_the_answers(self, env):
        state, sprints = talk(env, ["DEMO", "yes", "4", "RESTART", "yes"])
        assert [type(e) for e in sprints[-1].effects] == [ResponseDiscarded, ResponseStarted]
        assert texts(sprints[-1]) == ["Starting again.",
                                      "How safe do you feel? 1 = very unsafe, 5 = very safe"]
        assert state.run.answers == {} and state.run.question == "feel_safe"

    @pytest.mark.parametrize("answer", ["no", "maybe later"])
    def test_no_or_anything_else_carries_on_with_the_question_asked_again(self, env, answer):
        state, sprints = talk(env, ["DEMO", "yes", "4", "RESTART", answer])
        assert sprints[-1].effects == []
        assert texts(sprints[-1]) == ["OK, your answers are kept. Carrying on.",
                                      "How much do you trust local police?"]
        assert state.run.answers == {"feel_safe": 4} and state.run.interrupt is None

    def test_with_nothing_to_lose_restart_happens_at_once(self, env):
        _, sprints = talk(env, ["DEMO", "yes", "RESTART"])
        assert texts(sprints[-1])[0] == "Starting again."


class TestHelpContact:
    def test_the_configured_contact_is_given(self):
        env = make_env(help_contact="020 7946 0123")
        _, [sprint] = talk(env, ["HELP"])
        assert texts(sprint)[0].endswith(" Contact: 020 7946 0123")

    def test_the_contact_is_translated_where_a_catalogue_has_it(self):
        shipped = make_env().catalogs
        entries = {lang: dict(found) for lang, found in shipped.entries.items()}
        entries["ur"][("bot/help-contact-value", "Mon-Fri 9-5: 020 7946 0123")] = \
            "پیر تا جمعہ 9 سے 5: 020 7946 0123"
        env = replace(make_env(help_contact="Mon-Fri 9-5: 020 7946 0123"),
                      catalogs=Catalogs(entries))
        state = State(Person("ur"))
        _, [sprint] = talk(env, ["HELP"], state)
        assert texts(sprint)[0].endswith(" رابطہ: پیر تا جمعہ 9 سے 5: 020 7946 0123")
        _, [sprint] = talk(env, ["HELP"], State(Person("pl")))
        assert texts(sprint)[0].endswith(" Kontakt: Mon-Fri 9-5: 020 7946 0123")

    def test_without_a_contact_help_names_the_org_and_invents_nothing(self):
        env = make_env(org="Waltham Forest Council")
        _, [sprint] = talk(env, ["HELP"])
        assert texts(sprint)[0].endswith(" For help, contact Waltham Forest Council.")
        assert "engagement team" not in texts(sprint)[0]


class TestHelpInItsLanguage:
    @pytest.mark.parametrize(("theirs", "word", "answered"), [
        (None, "AJUTOR", "ro"), (None, "pomoc", "pl"), (None, "HELP", "en"),
        ("pl", "HELP", "pl"), ("pl", "info", "pl"),  # in every list: theirs stays
        ("tr", "madad", "ur"),  # another language's own word: that one, as STOP does
    ])
    def test_help_answers_in_the_language_it_was_asked_in(self, env, theirs, word, answered):
        state, [sprint] = talk(env, [word], State(Person(theirs)))
        assert state.contact.language == answered
        assert texts(sprint)[0].startswith(env.catalogs.bot(answered, "help", org=env.org))

    def test_while_opted_out_too(self, env):
        opted_out = State(Person("en", opted_out=True))
        state, [sprint] = talk(env, ["yardim"], opted_out)
        assert state.contact.language == "tr" and state.contact.opted_out
        assert texts(sprint)[0].startswith(env.catalogs.bot("tr", "help", org=env.org))


class TestOneLanguageOrder:
    def test_lang_lists_the_survey_order_before_a_survey_and_after_a_refusal(self, env):
        orders = []
        for messages in (["LANG"], ["SAFETY", "LANG"], ["SAFETY", "no", "LANG"]):
            _, sprints = talk(env, messages)
            orders.append([o.label for o in sprints[-1].replies[0].options])
        assert orders == [RESIDENT_LANGUAGES] * 3


class TestChoosingALanguageByName:
    """The LANG menu takes a language's number, its own name, or its name in English or in
    the language the person is reading: a resident may not know how Urdu writes "Urdu"."""

    @pytest.mark.parametrize(("typed", "chosen"), [
        ("Turkish", "tr"), ("urdu", "ur"), ("Türkçe", "tr"), ("6", "tr"), ("Romanian", "ro"),
        ("bulgarian", "bg"),
    ])
    def test_in_english(self, env, typed, chosen):
        state, _ = talk(env, ["SAFETY", "LANG", typed])
        assert state.contact.language == chosen

    def test_in_the_language_being_read(self, env):
        state, _ = talk(env, ["Dzień dobry", "JĘZYK", "turecki"])  # Polish for Turkish
        assert state.contact.language == "tr"

    def test_anything_else_is_asked_again(self, env):
        state, sprints = talk(env, ["SAFETY", "LANG", "Klingon"])
        assert state.run.interrupt == "language"
        assert texts(sprints[-1])[0] == env.catalogs.bot("en", "language-hint")


class TestStartAgain:
    def test_start_after_a_finished_survey_says_it_is_done(self, env):
        state, _ = talk(env, ["DEMO", "yes", "4", "1", "1", "no", "7", "STOP"])
        assert state.run.step == "done"
        _, [sprint] = talk(env, ["START"], state)
        assert sprint.effects == [OptedIn()]
        assert texts(sprint) == [env.catalogs.bot("en", "started-done")]
        assert "carry on" not in texts(sprint)[0]

    def test_start_part_way_through_carries_on(self, env):
        state, _ = talk(env, ["DEMO", "yes", "STOP"])
        _, [sprint] = talk(env, ["START"], state)
        assert texts(sprint) == ["Welcome back. You can carry on where you left off.",
                                 "How safe do you feel? 1 = very unsafe, 5 = very safe"]

    def test_start_after_a_refusal_says_a_message_starts_the_survey(self, env):
        state, _ = talk(env, ["SAFETY", "no", "STOP"])
        _, [sprint] = talk(env, ["START"], state)
        assert texts(sprint) == [env.catalogs.bot("en", "started-new")]
        state, sprints = talk(env, ["START", "hello"], state)
        assert sprints[-1].state.run.step == "consent"
