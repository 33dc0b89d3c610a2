"""The engine on its own: plain-data state, effects, waits, languages, starts."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest

from bot import engine
from bot.state import (
    AnswerRecorded,
    Concern,
    ConsentGiven,
    ConsentRefused,
    Expired,
    Incoming,
    LanguageChanged,
    Person,
    ReminderDue,
    ResponseCompleted,
    ResponseScreenedOut,
    ResponseStarted,
    Run,
    Start,
    State,
)
from tests.helpers.surveys import make_env
from translations import data as language_files
from translations.catalog import language_names
from translations.detect import KIND as DETECT

NOW = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)
DEMO_ANSWERS = ["DEMO", "yes", "2", "It is dark", "2", "1,2", "no", "7"]


@pytest.fixture(scope="module")
def env():
    return make_env()


def talk(env, messages, state=None, roundtrip=False, **kwargs):
    """Send messages one by one; returns (state, all sprints)."""
    state = state or State()
    sprints = []
    for i, text in enumerate(messages):
        sprint = engine.resume(state, Incoming(text, **kwargs), NOW + timedelta(minutes=i), env)
        sprints.append(sprint)
        state = sprint.state
        if roundtrip:
            state = State.from_json(json.loads(json.dumps(state.to_json())))
    return state, sprints


def kinds(sprints):
    return [type(e).__name__ for s in sprints for e in s.effects]


def test_state_round_trips_through_json_at_every_step(env):
    plain_state, plain = talk(env, DEMO_ANSWERS)
    json_state, via_json = talk(env, DEMO_ANSWERS, roundtrip=True)
    assert [s.replies for s in plain] == [s.replies for s in via_json]
    assert [s.effects for s in plain] == [s.effects for s in via_json]
    assert json_state == plain_state
    assert plain_state.run.step == "done"


def test_resume_does_not_modify_its_input(env):
    state = State()
    before = json.dumps(state.to_json())
    engine.resume(state, Incoming("DEMO"), NOW, env)
    assert json.dumps(state.to_json()) == before


def test_a_full_demo_run_records_each_answer_once(env):
    _, sprints = talk(env, DEMO_ANSWERS)
    answers = [e for s in sprints for e in s.effects if isinstance(e, AnswerRecorded)]
    assert [(a.question, a.value) for a in answers] == [
        ("feel_safe", 2), ("why_unsafe", "It is dark"), ("trust", "a_little"),
        ("safer", ["lighting", "patrols"]), ("contact", "no"), ("years", 7)]
    assert answers[1].text_language == "en"
    assert kinds(sprints).count("ResponseCompleted") == 1


def test_invalid_answer_records_nothing_and_asks_again(env):
    state, _ = talk(env, ["DEMO", "yes"])
    sprint = engine.resume(state, Incoming("very"), NOW, env)
    assert sprint.effects == []
    assert sprint.replies[0].hint == "Please reply with a number from 1 to 5."
    assert sprint.replies[0].question == "feel_safe"
    assert sprint.state.run.question == "feel_safe"


def test_refusing_consent_records_only_the_refusal(env):
    _, sprints = talk(env, ["DEMO", "no"])
    effects = [e for s in sprints for e in s.effects]
    assert [type(e) for e in effects] == [LanguageChanged, ConsentRefused]
    assert effects[1].wording == "We keep your answers anonymous. Reply YES to take part."


def test_consent_then_response_started(env):
    _, sprints = talk(env, ["DEMO", "Yes please"])
    assert [type(e) for e in sprints[1].effects] == [ConsentGiven, ResponseStarted]


class TestWaits:
    def test_a_question_waits_with_a_nudge_and_an_expiry(self, env):
        state, sprints = talk(env, ["DEMO", "yes"])
        wait = sprints[-1].wait
        assert wait.nudge_at == NOW + timedelta(minutes=1) + env.nudge_after
        assert wait.expire_at == NOW + timedelta(minutes=1) + env.expire_after

    def test_one_nudge_only_and_the_expiry_stays(self, env):
        state, sprints = talk(env, ["DEMO", "yes"])
        expiry = sprints[-1].wait.expire_at
        nudged = engine.resume(state, ReminderDue(), NOW + timedelta(days=1), env)
        assert nudged.replies[0].hint == "You are part way through our survey. Reply to carry on:"
        assert nudged.wait.nudge_at is None and nudged.wait.expire_at == expiry
        again = engine.resume(nudged.state, ReminderDue(), NOW + timedelta(days=2), env)
        assert again.replies == []

    def test_expiry_keeps_the_partial_response_and_ends_quietly(self, env):
        state, _ = talk(env, ["DEMO", "yes", "4"])
        sprint = engine.resume(state, Expired(), NOW + timedelta(days=4), env)
        assert sprint.replies == [] and sprint.wait is None
        assert [type(e).__name__ for e in sprint.effects] == ["ResponseExpired"]
        assert sprint.state.run.step == "idle"

    def test_nothing_waits_after_the_end_or_an_opt_out(self, env):
        _, done = talk(env, DEMO_ANSWERS)
        assert done[-1].wait is None
        _, stopped = talk(env, ["DEMO", "yes", "STOP"])
        assert stopped[-1].wait is None


def consent_of(env, slug, lang) -> State:
    survey = env.surveys[slug]
    return State(Person(lang), Run(survey=slug, version=survey.version, step="consent"))


def _requests() -> dict[str, list[str]]:
    """Per offered language: how detect.yaml says people ask for it, and its names."""
    data = language_files.sections(DETECT)
    asked = {lang: list(section.get("requests") or []) + list(section.get("alone") or [])
             for lang, section in data.items()}
    for lang in asked:
        asked[lang] += sorted(language_names(lang, "en"))
    return asked


REQUESTS = _requests()


class TestLanguage:
    @pytest.mark.parametrize("first", ["yes", "ok", "no", "tak", "1", "👍", "hi", "Salut"])
    def test_short_first_messages_keep_the_survey_language(self, env, first):
        _, sprints = talk(env, [first])
        assert sprints[0].effects == [LanguageChanged("en")]

    def test_a_long_first_message_in_romanian_starts_in_romanian(self, env):
        text = "Bună ziua, aș dori să răspund la sondajul despre siguranța din cartierul meu"
        state, sprints = talk(env, [text])
        assert state.contact.language == "ro"
        survey = env.surveys["neighbourhood-policing"]
        intro = env.catalogs.text(["ro"], "neighbourhood-policing/intro", survey.intro)
        assert sprints[0].replies[0].text == intro != survey.intro

    def test_short_replies_never_switch_the_language(self, env):
        state, _ = talk(env, ["Dzień dobry, chciałbym wziąć udział w ankiecie o bezpieczeństwie"])
        assert state.contact.language == "pl"
        for reply in ("yes", "ok", "no", "1"):
            state, sprints = talk(env, [reply], state=state)
            assert state.contact.language == "pl"
            assert not any(isinstance(e, LanguageChanged) for e in sprints[0].effects)

    @pytest.mark.parametrize(("first", "hint", "expected"), [
        ("Dzień dobry", "en", "pl"),  # what the person writes beats a phone set to English
        ("Merhaba", None, "tr"),
        ("Hi", "pl", "pl"),  # nothing to go on in the text: the hint
        ("mujhe urdu mein baat karni hai", "en", "ur"),
    ])
    def test_a_confident_guess_from_the_first_message_comes_first(self, env, first, hint,
                                                                 expected):
        state, _ = talk(env, [first], lang_hint=hint)
        assert state.contact.language == expected

    @pytest.mark.parametrize(("first", "matched", "hint", "expected"), [
        ("chlopak mamy mnie bije", "pl", "en", "pl"),  # the words matched beat the phone
        ("my friend said her dad hits her", "en", "pl", "en"),  # and the guess (Turkish)
        ("iubitul mamei ma bate", "xx", "tr", "ro"),  # a confident guess beats the phone
        ("xyz xyz", "xx", "tr", "tr"),  # a language not offered: the hint
        ("xyz", None, None, "en"),  # nothing to go on: the survey's language
    ])
    def test_a_first_message_of_concern_is_signposted_in_its_language(self, env, first,
                                                                     matched, hint, expected):
        concern = Concern(2, "abuse_at_home", matched)
        state, sprints = talk(env, [first], lang_hint=hint, concern=concern)
        assert state.contact.language == expected
        assert sprints[0].replies[0].text == env.catalogs.bot(expected, "signpost",
                                                              org=env.org)

    def test_the_channel_hint_is_used_when_offered(self, env):
        state, _ = talk(env, ["/start"], lang_hint="tr")
        assert state.contact.language == "tr"
        state, _ = talk(env, ["hello"], lang_hint="xx")
        assert state.contact.language == "en"

    def test_lang_offers_each_language_in_its_own_name(self, env):
        state, sprints = talk(env, ["DEMO", "yes", "LANG"])
        # demo offers English only; the residents' survey offers six.
        assert [o.label for o in sprints[-1].replies[0].options] == ["English"]
        state, sprints = talk(env, ["SAFETY", "LANG"])
        labels = [o.label for o in sprints[-1].replies[0].options]
        assert labels == ["English", "Română", "اردو", "Български", "Polski", "Türkçe"]
        state, sprints = talk(env, ["4"], state=state)
        assert state.contact.language == "bg"
        assert sprints[0].effects == [LanguageChanged("bg")]

    @pytest.mark.parametrize(("lang", "asked"), [
        (lang, asked) for lang, phrases in REQUESTS.items() for asked in phrases])
    def test_a_language_asked_for_at_the_consent_switches_to_it(self, env, lang, asked):
        """As people ask on their first message (detect.yaml's requests and names), or by
        the language's name, in every offered language: asked from another language."""
        before = "pl" if lang == "en" else "en"
        state = consent_of(env, "youth-voice", before)
        sprint = engine.resume(state, Incoming(asked), NOW, env)
        assert sprint.state.contact.language == lang, asked
        assert sprint.effects == [LanguageChanged(lang)]
        survey = env.surveys["youth-voice"]
        assert sprint.replies[-1].text == env.catalogs.text(
            [lang, "en"], "youth-voice/consent", survey.consent)
        assert sprint.state.run.step == "consent"

    @pytest.mark.parametrize("text", ["nie rozumiem", "Nu inteleg", "na bulgarski"])
    def test_a_request_that_starts_like_no_is_not_a_refusal(self, env, text):
        sprint = engine.resume(consent_of(env, "youth-voice", "en"), Incoming(text), NOW, env)
        assert not any(isinstance(e, ConsentRefused) for e in sprint.effects)
        assert sprint.state.run.step == "consent" and sprint.state.contact.language != "en"

    def test_a_language_asked_for_where_a_choice_is_asked_switches_and_asks_again(self, env):
        state, _ = talk(env, ["YOUTH", "yes"])
        state, sprints = talk(env, ["Türkçe lütfen"], state=state)
        assert state.contact.language == "tr" and state.run.question == "age_band"
        assert [type(e) for e in sprints[0].effects] == [LanguageChanged]
        assert sprints[0].replies[-1].question == "age_band"

    def test_a_language_named_in_a_free_text_answer_is_the_answer(self, env):
        state, _ = talk(env, ["DEMO", "yes", "2"])
        assert state.run.question == "why_unsafe"
        state, sprints = talk(env, ["po polsku"], state=state)
        assert state.contact.language == "en"
        assert sprints[0].effects[0] == AnswerRecorded("why_unsafe", "po polsku", "po polsku",
                                                       "pl")

    def test_urdu_digits_answer_a_scale(self, env):
        state, _ = talk(env, ["DEMO", "yes"])
        state, sprints = talk(env, ["۴"], state=state)
        assert sprints[0].effects[0] == AnswerRecorded("feel_safe", 4, "۴", None)


class TestStarts:
    def test_youth_keyword_with_an_engager_code(self):
        env = make_env(engager_code=lambda code: code == "K7P2QX")
        state, sprints = talk(env, ["YOUTH K7P2QX"])
        assert state.run.survey == "youth-voice" and state.run.engager == "K7P2QX"

    def test_telegram_start_with_a_code_starts_the_youth_survey(self):
        env = make_env(engager_code=lambda code: code == "K7P2QX")
        state, _ = talk(env, ["/start K7P2QX"], start=Start(engager="K7P2QX"))
        assert state.run.survey == "youth-voice" and state.run.engager == "K7P2QX"

    def test_a_keyword_inside_a_sentence_is_an_answer_not_a_start(self, env):
        state, _ = talk(env, ["DEMO", "yes", "1"])
        state, sprints = talk(env, ["Youth clubs closed"], state=state)
        assert state.run.survey == "demo"
        assert sprints[0].effects[0] == AnswerRecorded("why_unsafe", "Youth clubs closed",
                                                       "Youth clubs closed", "en")

    def test_a_survey_keyword_alone_answers_a_free_text_question(self, env):
        state, _ = talk(env, ["DEMO", "yes", "1"])
        state, sprints = talk(env, ["Safety"], state=state)
        assert state.run.survey == "demo" and state.run.question == "trust"
        assert sprints[0].effects[0].value == "Safety"

    def test_a_survey_keyword_alone_elsewhere_switches_survey(self, env):
        state, _ = talk(env, ["DEMO", "yes", "4"])
        state, sprints = talk(env, ["SAFETY"], state=state)
        assert state.run.survey == "neighbourhood-policing" and state.run.step == "consent"
        assert [type(e).__name__ for e in sprints[0].effects] == ["ResponseExpired"]

    def test_under_13s_are_thanked_and_nothing_is_kept(self, env):
        state, sprints = talk(env, ["YOUTH", "yes", "1"])
        # Since the survey's start, everything said is erased (bot/erasure.py).
        assert sprints[-1].effects[-1] == ResponseScreenedOut(
            "youth-voice", "age_band=under_13", NOW.isoformat())
        assert state.run.step == "screened"
        survey = env.surveys["youth-voice"]
        assert sprints[-1].replies[-1].text == survey.screen_out
        assert not any(isinstance(e, ResponseCompleted) for e in sprints[-1].effects)

    def test_the_members_check_in_has_no_consent_step(self, env):
        state, sprints = talk(env, ["hi"], start=Start(survey="wellbeing-check-in"))
        assert [type(e) for e in sprints[0].effects] == [LanguageChanged, ResponseStarted]
        assert state.run.question == "wellbeing"
