"""Free-text answers get their English translation in the worker, through the real
deep-translator client pointed at a local fake; failures leave them pending, never lost."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from app import create_app
from bot.conversations import Inbound, handle
from bot.translating import PAUSE, PendingTranslations
from store.models import Answer
from tests.fakes.google_translate import FakeGoogleTranslate
from tests.fakes.libretranslate import FakeLibreTranslate
from tests.helpers.surveys import load_surveys
from translations import translate

ROMANIAN = "Poliția nu vine niciodată când o chemăm noaptea în cartierul nostru"
ENGLISH = "The police never come when we call them at night in our neighbourhood"


@pytest.fixture
def google():
    with FakeGoogleTranslate({ROMANIAN: ENGLISH}) as fake:
        yield fake


@pytest.fixture
def config(config, google):
    return {**config, "TRANSLATOR": "google", "GOOGLE_TRANSLATE_URL": google.url}


def answer_in_romanian(rt):
    for text in ("DEMO", "yes", "1", ROMANIAN):
        handle(rt, Inbound("sms", "+447700900800", text))


def stored(rt):
    with rt.sessions() as session:
        answer = session.scalar(select(Answer).where(Answer.question_id == "why_unsafe"))
        return answer.raw_text, answer.translation_status, answer.translation_en


def test_a_pending_answer_is_translated_and_kept_as_written(rt, surveys, google, clock):
    answer_in_romanian(rt)
    assert stored(rt) == (ROMANIAN, "pending", None)
    translator = translate.build("google", google.url)
    try:
        job = PendingTranslations(rt, translator)
        assert job.run(clock()) == 1
    finally:
        translator.close()
    assert stored(rt) == (ROMANIAN, "done", ENGLISH)
    assert google.requests == [{"sl": "ro", "tl": "en", "q": ROMANIAN}]


@pytest.mark.parametrize("failure", [429, 500, "hang"])
def test_a_failing_service_leaves_the_answer_pending_and_pauses(rt, surveys, google, clock,
                                                                failure):
    answer_in_romanian(rt)
    google.failures.append(failure)
    # a short timeout only where the service hangs: on a loaded machine, 0.5 s could end a
    # request before it reached the fake, which then counted none (CI, 1 run in ~10)
    translator = translate.GoogleTranslate(google.url, timeout=0.5 if failure == "hang" else 10)
    try:
        job = PendingTranslations(rt, translator)
        assert job.run(clock()) == 0
        assert stored(rt) == (ROMANIAN, "pending", None)
        assert job.run(clock() + timedelta(minutes=1)) == 0  # paused: no request
        assert len(google.requests) == 1
        assert job.run(clock() + PAUSE) == 1
    finally:
        translator.close()
    assert stored(rt) == (ROMANIAN, "done", ENGLISH)


def test_a_language_google_does_not_know_is_marked_failed(rt, surveys, google, clock):
    answer_in_romanian(rt)
    with rt.sessions.begin() as session:
        session.scalar(select(Answer).where(Answer.question_id == "why_unsafe")) \
            .text_language = "xx"
    translator = translate.GoogleTranslate(google.url)
    try:
        assert PendingTranslations(rt, translator).run(clock()) == 1
    finally:
        translator.close()
    assert stored(rt) == (ROMANIAN, "failed", None)
    assert google.requests == []


def test_with_no_translator_answers_stay_pending(rt, surveys, clock):
    answer_in_romanian(rt)
    assert PendingTranslations(rt, None).run(clock()) == 0
    assert stored(rt)[1] == "pending"


def test_by_default_nothing_leaves_the_server(config, google, clock, monkeypatch):
    """`make run` with no TRANSLATOR set: the worker builds no translator and sends no
    resident's words anywhere, even with a translation service's address configured."""
    monkeypatch.delenv("TRANSLATOR", raising=False)
    defaults = {key: value for key, value in config.items() if key != "TRANSLATOR"}
    app = create_app(defaults, clock=clock)
    rt = app.extensions["outreach"]
    try:
        assert rt.settings.translator == "none"
        assert translate.build(rt.settings.translator) is None
        load_surveys(rt)
        answer_in_romanian(rt)
        result = app.test_cli_runner().invoke(args=["worker", "--once"])
        assert result.exit_code == 0, result.output
        assert "translated 0 answer(s)" in result.output
        assert stored(rt) == (ROMANIAN, "pending", None)
        assert google.requests == []
    finally:
        rt.engine.dispose()


# A self-hosted LibreTranslate: the words stay on the council's own server -------------------


@pytest.fixture
def libre():
    with FakeLibreTranslate({ROMANIAN: ENGLISH}) as fake:
        yield fake


def test_libretranslate_translates_through_the_worker(config, libre, clock, monkeypatch):
    """TRANSLATOR=libretranslate with LIBRETRANSLATE_URL: `outreach worker` posts the text
    to that server (in the body, never the URL) and stores the English."""
    settings = {**config, "TRANSLATOR": "libretranslate", "LIBRETRANSLATE_URL": libre.url}
    app = create_app(settings, clock=clock)
    rt = app.extensions["outreach"]
    try:
        load_surveys(rt)
        answer_in_romanian(rt)
        result = app.test_cli_runner().invoke(args=["worker", "--once"])
        assert "translated 1 answer(s)" in result.output, result.output
        assert stored(rt) == (ROMANIAN, "done", ENGLISH)
        assert libre.requests == [{"q": ROMANIAN, "source": "ro", "target": "en",
                                   "format": "text"}]
        assert libre.query_strings == [""]
    finally:
        rt.engine.dispose()


@pytest.mark.parametrize("failure", [429, 500, "hang"])
def test_a_failing_libretranslate_leaves_the_answer_pending(rt, surveys, libre, clock,
                                                            failure):
    answer_in_romanian(rt)
    libre.failures.append(failure)
    client = translate.LibreTranslate(libre.url, timeout=0.5)  # "hang" waits this long
    job = PendingTranslations(rt, client)
    assert job.run(clock()) == 0
    assert stored(rt) == (ROMANIAN, "pending", None)
    client.timeout = 10  # the retry is answered at once; a busy CI machine may take > 0.5 s
    assert job.run(clock() + PAUSE) == 1
    assert stored(rt) == (ROMANIAN, "done", ENGLISH)


def test_a_language_the_server_lacks_is_marked_failed(rt, surveys, clock):
    with FakeLibreTranslate(languages=("en", "pl")) as libre:
        answer_in_romanian(rt)
        assert PendingTranslations(rt, translate.LibreTranslate(libre.url)).run(clock()) == 1
    assert stored(rt) == (ROMANIAN, "failed", None)


def test_an_unreachable_libretranslate_leaves_the_answer_pending(rt, surveys, clock):
    with FakeLibreTranslate() as libre:
        url = libre.url
    answer_in_romanian(rt)  # the server has gone away
    assert PendingTranslations(rt, translate.LibreTranslate(url, timeout=1)).run(clock()) == 0
    assert stored(rt)[1] == "pending"


# Cache and provenance ----------------------------------------------------------------------


def test_the_same_words_are_translated_once_and_each_records_provider_and_time(
        rt, surveys, libre, clock):
    """Three residents write the same sentence, one of them after the first round: the
    service hears it once; every answer records the service and when."""
    for number in ("+447700900801", "+447700900802"):
        for text in ("DEMO", "yes", "1", ROMANIAN):
            handle(rt, Inbound("sms", number, text))
    job = PendingTranslations(rt, translate.LibreTranslate(libre.url))
    assert job.run(clock()) == 2
    clock.advance(timedelta(minutes=1))
    answer_in_romanian(rt)
    assert job.run(clock()) == 1
    assert len(libre.requests) == 1
    with rt.sessions() as session:
        rows = session.execute(select(Answer.translation_en, Answer.translation_provider,
                                      Answer.translated_at, Answer.raw_text)
                               .where(Answer.question_id == "why_unsafe")
                               .order_by(Answer.id)).all()
    assert [(r[0], r[1], r[3]) for r in rows] == [(ENGLISH, "libretranslate", ROMANIAN)] * 3
    assert [r[2] for r in rows] == [clock() - timedelta(minutes=1)] * 2 + [clock()]


def test_a_failure_records_who_refused_and_keeps_the_original(rt, surveys, clock):
    with FakeLibreTranslate(languages=("en", "pl")) as libre:
        answer_in_romanian(rt)
        PendingTranslations(rt, translate.LibreTranslate(libre.url)).run(clock())
    with rt.sessions() as session:
        answer = session.scalar(select(Answer).where(Answer.question_id == "why_unsafe"))
    assert (answer.raw_text, answer.translation_status, answer.translation_provider,
            answer.translated_at) == (ROMANIAN, "failed", "libretranslate", clock())


def test_an_answer_written_in_english_names_no_provider(rt, surveys, clock):
    for text in ("DEMO", "yes", "1", "Nobody comes when we call the police at night"):
        handle(rt, Inbound("sms", "+447700900803", text))
    with rt.sessions() as session:
        answer = session.scalar(select(Answer).where(Answer.question_id == "why_unsafe"))
    assert (answer.translation_status, answer.translation_provider) == ("done", None)
