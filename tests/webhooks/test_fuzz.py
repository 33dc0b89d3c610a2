"""Property-based fuzzing of the three webhooks on both databases: whatever an
authenticated caller sends, the answer is never a 5xx.

Requests are built by Hypothesis from strategies that mix what the providers really send
with junk: Twilio forms signed correctly, Telegram updates with the secret, web form GETs
and POSTs in a real session (with its CSRF token, or a wrong one). One app and database
serve every example of a test, on purpose: state piles up as it would in production (the
same addresses come back, duplicates arrive). The property is a function inside the test,
so pytest's fixtures are built once per test and Hypothesis never sees them. The clock
moves a few seconds per example, and examples are derandomized so a run is repeatable.
"""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from store.models import Message
from tests.helpers import telegram as tg
from tests.helpers import twilio as tw
from tests.helpers.db import count

FUZZ = settings(deadline=None, database=None, derandomize=True,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
KEYWORDS = ["STOP", "stop", "START", "YES", "no", "HELP", "LANG", "pl", "SKIP", "RESTART",
            "DELETE", "SAFETY", "YOUTH K7P2QX", "1", "5", "1,3", "1 and 3", "0", "99", "-1",
            "1e999", "١", "ok", "Tak", "Evet", ""]
JSON = st.recursive(st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False)
                    | st.text(max_size=20),
                    lambda inner: st.lists(inner, max_size=3)
                    | st.dictionaries(st.text(max_size=8), inner, max_size=3), max_leaves=8)
TEXT = st.one_of(st.sampled_from(KEYWORDS), st.text(max_size=40),
                 st.text(alphabet="0123456789, ", max_size=12),
                 st.integers(0, 6000).map(lambda n: "x" * n))


@pytest.fixture
def config(sms_and_telegram_config):
    return sms_and_telegram_config


def _maybe(strategy):
    return st.none() | strategy


# Twilio ------------------------------------------------------------------------------------

NUMBERS = st.sampled_from(["+447700900901", "+447700900902", "07700 900903",
                           "whatsapp:+447700900904", "+40712345678", "+923001234567"])
SIDS = st.one_of(st.integers(0, 50).map(lambda n: f"SM{n:032x}"), st.text(max_size=70),
                 st.text(alphabet="SMab0123456789", min_size=60, max_size=70))
TWILIO_FORM = st.fixed_dictionaries({
    "Body": TEXT,
    "From": st.one_of(NUMBERS, NUMBERS, NUMBERS, st.text(max_size=20)),
}, optional={
    "MessageSid": SIDS,
    "NumMedia": st.one_of(st.sampled_from(["0", "1", "3"]), st.text(max_size=4)),
    "OptOutType": st.one_of(st.sampled_from(["STOP", "START", "HELP"]), st.text(max_size=8)),
    "MediaContentType0": st.text(max_size=20),
    "To": st.text(max_size=20),
    "SmsStatus": st.text(max_size=10),
})
SENT = st.sampled_from([f"SM{n:032x}" for n in range(3)])  # the replies that were "sent"
STATUS_FORM = st.fixed_dictionaries({
    "MessageSid": st.one_of(SENT, SENT, SIDS),
    "MessageStatus": st.one_of(st.sampled_from(["queued", "sent", "delivered", "undelivered",
                                                "failed", "read"]), st.text(max_size=20)),
}, optional={
    "ErrorCode": st.one_of(st.sampled_from(["21610", "30003", "21211", "63016"]),
                           st.text(max_size=40), st.text("0123456789", min_size=30)),
    "To": st.one_of(NUMBERS, st.text(max_size=20)),
    "From": st.one_of(NUMBERS, st.text(max_size=20)),
})


def test_fuzz_twilio_messages(app, rt, surveys, clock):
    client = app.test_client()

    @settings(FUZZ, max_examples=150)
    @given(form=TWILIO_FORM)
    def check(form):
        clock.advance(timedelta(seconds=7))
        response = tw.post(client, form)
        assert response.status_code in (200, 400), (form, response.status_code)

    check()
    assert count(rt, Message, Message.direction == "in") > 20  # answers got through too


def test_fuzz_twilio_status_callbacks(app, rt, surveys, clock):
    client = app.test_client()
    for n in range(3):  # messages to report on: their sids are among those fuzzed
        tw.said(tw.post(client, tw.incoming(f"+44770090091{n}", "Hi", sid=f"SM{n:032x}")))
    with rt.sessions.begin() as session:  # as if the worker had sent the replies via Twilio
        for n, reply in enumerate(session.scalars(select(Message).where(
                Message.direction == "out").order_by(Message.id).limit(3))):
            reply.provider_id = f"SM{n:032x}"

    @settings(FUZZ, max_examples=80)
    @given(form=STATUS_FORM)
    def check(form):
        response = tw.post(client, form, "/webhooks/twilio/status")
        assert response.status_code in (200, 400), (form, response.status_code)

    check()


# Telegram ----------------------------------------------------------------------------------

IDS = st.one_of(st.sampled_from([1001, 1002, 424242]), st.integers(), JSON)
CHAT = st.one_of(
    st.fixed_dictionaries({"id": IDS, "type": st.sampled_from(["private", "group"])},
                          optional={"first_name": st.text(max_size=10)}),
    st.none(), JSON)
USER = st.one_of(st.fixed_dictionaries(
    {"id": IDS, "is_bot": st.booleans(), "first_name": st.text(max_size=10)},
    optional={"language_code": st.one_of(st.sampled_from(["en", "pl", "ro", "ur", "tr", "xx"]),
                                         JSON)}), JSON)
PHOTO = st.just([{"file_id": "a", "file_unique_id": "b", "width": 1, "height": 1}])
MESSAGE = st.one_of(st.fixed_dictionaries(
    {"message_id": st.one_of(st.integers(1, 10**6), JSON),
     "date": st.one_of(st.just(1772445600), JSON), "chat": CHAT},
    optional={"from": USER,
              "text": st.one_of(TEXT, TEXT.map(lambda t: "/start " + t),
                                st.sampled_from(["/start", "/stop", "/help"]), JSON),
              "caption": st.one_of(TEXT, JSON), "photo": st.one_of(PHOTO, JSON),
              "sticker": JSON}), JSON)
UPDATE = st.fixed_dictionaries(
    {"update_id": st.one_of(st.integers(1, 10**9), st.integers(), JSON)},
    optional={"message": MESSAGE, "edited_message": MESSAGE, "channel_post": MESSAGE})
BODIES = st.one_of(
    UPDATE.map(json.dumps), UPDATE.map(json.dumps).map(lambda s: s.replace('"', "'", 1)),
    JSON.map(json.dumps), st.binary(max_size=64),
    st.integers(1, 20_000).map(lambda n: "[" * n + "]" * n),
    st.integers(1, 20_000).map(lambda n: '{"a":' * n + "1" + "}" * n),
    st.text(max_size=10).map(lambda t: json.dumps(tg.update("Hi")).replace('"Hi"',
                                                                         json.dumps(t))),
    st.just('{"update_id": 1, "message": {"text": "\\ud800", "chat": {"id": 1001, '
            '"type": "private"}, "message_id": 1, "date": 1772445600}}'))


def test_fuzz_telegram_updates(app, rt, surveys, clock):
    client = app.test_client()

    @settings(FUZZ, max_examples=150)
    @given(body=BODIES)
    def check(body):
        clock.advance(timedelta(seconds=7))
        response = tg.post(client, body)
        assert response.status_code == 200, (body[:300], response.status_code)

    check()
    assert count(rt, Message, Message.direction == "in") > 10  # answers got through too


# The web form ------------------------------------------------------------------------------

ODD = st.one_of(st.text(max_size=30), st.sampled_from(
    ["\u202eevil\u202c", "\u200d", "😀" * 50, "\x00", "a\r\nb", "<script>", "{{ 7*7 }}",
     "%s%n", "../../etc", "en", "pl", "ur", "xx", "K7P2QX"]),
    st.integers(0, 100_000).map(lambda n: "y" * n))


# What an HTTP header can carry at all (a client cannot send a line break in one).
HEADER_TEXT = st.text(st.characters(blacklist_characters="\r\n"), max_size=30)
SLUGS = st.sampled_from(["demo", "neighbourhood-policing", "youth-voice"])


def test_fuzz_web_form(app, rt, surveys, clock):
    client = app.test_client()

    @settings(FUZZ, max_examples=60)
    @given(slug=st.tuples(st.integers(0, 3), SLUGS, ODD).map(  # three in four are real
               lambda drawn: drawn[1] if drawn[0] < 3 else drawn[2]),
           lang=_maybe(ODD), ref=_maybe(ODD), accept=_maybe(HEADER_TEXT),
           answers=st.lists(st.one_of(TEXT, ODD), max_size=3),
           csrf_ok=st.sampled_from([True, True, True, False]),
           step_ok=st.sampled_from([True, True, True, False]),
           extra=st.dictionaries(st.text(min_size=1, max_size=10), ODD, max_size=3),
           skip=st.booleans())
    def check(slug, lang, ref, accept, answers, csrf_ok, step_ok, extra, skip):
        clock.advance(timedelta(seconds=7))
        args = {k: v for k, v in (("lang", lang), ("ref", ref)) if v is not None}
        headers = {"Accept-Language": accept} if accept is not None else {}
        path = "/s/" + slug.replace("/", "%2F").replace("?", "%3F").replace("#", "%23")
        shown = client.get(path, query_string=args, headers=headers)
        assert shown.status_code < 500, (slug, args, accept, shown.status_code)
        with client.session_transaction() as session:
            csrf, step = session.get("web_csrf", ""), session.get("web_step", "")
        form = {**extra, "csrf": csrf if csrf_ok else "wrong", "answer": answers,
                "step": str(step) if step_ok else "junk"}
        if skip:
            form["skip"] = "1"
        posted = client.post(path, data=form)
        assert posted.status_code < 500, (slug, form, posted.status_code)

    check()
    assert count(rt, Message, Message.channel == "web", Message.direction == "in") > 10
