"""Twilio: the signed webhook, status callbacks and the sender.

Requests are signed with twilio's own RequestValidator; the sender is the real `twilio`
client talking to the local fake API (tests/fakes/twilio_api.py). Nothing is patched.
"""

from __future__ import annotations

import json
import socket
import threading
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import yaml
from sqlalchemy import select
from twilio.request_validator import RequestValidator

from app import create_app
from bot import broadcast, scheduler
from bot.config import Settings
from bot.conversations import Inbound, handle
from bot.delivery import Outgoing, PermanentFailure, TemporaryFailure
from bot.messages import Delivery
from bot.outbox import backoff
from bot.sending import send_due
from bot.state import Option, Reply
from store.db import transaction
from store.models import (
    Address,
    Answer,
    ConsentRecord,
    Contact,
    Message,
    OptOut,
    Response,
)
from tests.helpers.db import count
from tests.helpers.providers import SMS_FROM, WHATSAPP_FROM
from tests.helpers.providers import TWILIO_ACCOUNT as ACCOUNT
from tests.helpers.providers import TWILIO_TOKEN as TOKEN
from tests.helpers.twilio import (
    BASE,
    FIRST_QUESTION,
    contact_of,
    incoming,
    new_sid,
    outbound,
    post,
    said,
    start_survey,
)
from translations import segments
from webhooks.senders import build
from webhooks.twilio import TwilioSender

TRANSCRIPTS = Path(__file__).resolve().parents[1] / "transcripts"
TEMPLATE = "HX" + "ab" * 16
STATUS_URL = BASE + "/webhooks/twilio/status"
SECOND_QUESTION = ("How safe do you feel in your local area after dark? "
                   "1 = very unsafe, 5 = very safe")
MEDIA_REPLY = "Sorry, we can only read text. Please reply in words."
FAST = 0.2  # seconds: the client's timeout in these tests, so a hang costs little


@pytest.fixture
def config(twilio_config):
    return twilio_config


@pytest.fixture
def settings(twilio_api, tmp_path) -> Settings:
    """Settings for the sender alone (no database needed)."""
    return Settings.from_env({
        "SECRET_KEY": "test-secret", "INSTANCE_PATH": str(tmp_path), "PUBLIC_BASE_URL": BASE,
        "TWILIO_ACCOUNT_SID": ACCOUNT, "TWILIO_AUTH_TOKEN": TOKEN, "TWILIO_SMS_FROM": SMS_FROM,
        "TWILIO_WHATSAPP_FROM": WHATSAPP_FROM, "TWILIO_API_BASE_URL": twilio_api.url,
    }, dotenv=False)


@pytest.fixture
def senders(rt, clock):
    """The worker's senders as `outreach worker` builds them, on the test clock."""
    built = build(rt.settings)
    built["sms"].timeout, built["sms"].clock = FAST, clock
    return built


# Helpers ---------------------------------------------------------------------------------


def status_callback(client, message: Message, status: str, error_code: str = ""):
    form = {"MessageSid": message.provider_id, "MessageStatus": status, "AccountSid": ACCOUNT,
            "To": message.address, "From": SMS_FROM, "ApiVersion": "2010-04-01"}
    if message.channel == "whatsapp":
        form["From"] = f"whatsapp:{WHATSAPP_FROM}"
    if error_code:
        form["ErrorCode"] = error_code
    response = post(client, form, "/webhooks/twilio/status")
    assert response.status_code == 200
    return response


def answers(rt) -> dict[str, object]:
    with rt.sessions() as session:
        return {a.question_id: a.value for a in session.scalars(select(Answer))}


# Signatures ------------------------------------------------------------------------------


def _signed_with(token: str | None = None, url: str | None = None, tamper: bool = False):
    def headers(form: dict[str, str], path: str) -> dict[str, str]:
        signature = RequestValidator(token or TOKEN).compute_signature(url or BASE + path, form)
        if tamper:
            form["Body"] = "5"  # changed after signing
        return {"X-Twilio-Signature": signature}
    return headers


FORGERIES = {
    "missing": lambda form, path: {},
    "empty": lambda form, path: {"X-Twilio-Signature": ""},
    "garbage": lambda form, path: {"X-Twilio-Signature": "bm90IGEgc2lnbmF0dXJl"},
    "wrong token": _signed_with(token="someone-elses-token"),
    "request.url, not PUBLIC_BASE_URL": _signed_with(url="http://localhost/webhooks/twilio"),
    "http, not https": _signed_with(url="http://outreach.example.org/webhooks/twilio"),
    "another path": _signed_with(url=BASE + "/webhooks/twilio/other"),
    "body changed": _signed_with(tamper=True),
}


@pytest.mark.parametrize("forgery", FORGERIES.values(), ids=FORGERIES.keys())
def test_unsigned_or_forged_messages_are_refused_and_nothing_is_stored(app, rt, surveys,
                                                                       forgery):
    form = incoming("+447700900001", "Hi")
    headers = forgery(form, "/webhooks/twilio")
    response = app.test_client().post("/webhooks/twilio", data=form, headers=headers)
    assert response.status_code == 403
    assert [count(rt, model) for model in (Message, Contact, Address)] == [0, 0, 0]


def test_without_an_auth_token_every_request_is_refused(config, clock, surveys):
    app = create_app({**config, "TWILIO_AUTH_TOKEN": ""}, clock=clock)
    try:
        client = app.test_client()
        assert post(client, incoming("+447700900001", "Hi")).status_code == 403
        status = {"MessageSid": new_sid(), "MessageStatus": "delivered", "To": "+447700900001"}
        assert post(client, status, "/webhooks/twilio/status").status_code == 403
        assert count(app.extensions["outreach"], Message) == 0
    finally:
        app.extensions["outreach"].engine.dispose()


def test_the_query_string_is_part_of_the_signed_url(app, rt, surveys):
    form = incoming("+447700900002", "Hi")
    client = app.test_client()
    path = "/webhooks/twilio?source=poster"
    unsigned_query = post(client, form, path, signed_url=BASE + "/webhooks/twilio")
    assert unsigned_query.status_code == 403
    assert len(said(post(client, form, path))) == 2
    assert count(rt, Message, Message.direction == "in") == 1


def test_behind_a_proxy_the_public_url_is_what_counts(app, rt, surveys):
    form = incoming("+447700900004", "Hi")
    signature = RequestValidator(TOKEN).compute_signature(BASE + "/webhooks/twilio", form)
    response = app.test_client().post(
        "/webhooks/twilio", data=form, base_url="http://10.0.0.7:8000",
        headers={"X-Twilio-Signature": signature, "X-Forwarded-Proto": "https",
                 "X-Forwarded-Host": "outreach.example.org"})
    assert len(said(response)) == 2
    assert count(rt, Message, Message.direction == "in") == 1


def test_a_forged_status_callback_changes_nothing(app, rt, surveys, senders, clock):
    handle(rt, Inbound("sms", "+447700900003", "Hi"), deliver=Delivery.OUTBOX)
    send_due(rt, senders, clock())
    sent = outbound(rt)[0]
    form = {"MessageSid": sent.provider_id, "MessageStatus": "undelivered",
            "ErrorCode": "21610", "To": sent.address, "From": SMS_FROM}
    forged = post(app.test_client(), form, "/webhooks/twilio/status", token="not-our-token")
    assert forged.status_code == 403
    assert outbound(rt)[0].status == "sent"
    assert contact_of(rt, "tel", "+447700900003").opted_out_at is None


# Incoming messages -----------------------------------------------------------------------

JOURNEYS = [("residents-en", "sms"), ("residents-en", "whatsapp"), ("residents-ur", "sms"),
            ("residents-bg", "whatsapp")]


@pytest.mark.parametrize("transcript, channel", JOURNEYS, ids=["-".join(j) for j in JOURNEYS])
def test_a_resident_completes_the_survey_through_the_webhook(app, rt, surveys, clock,
                                                             transcript, channel):
    script = yaml.safe_load((TRANSCRIPTS / f"{transcript}.yaml").read_text(encoding="utf-8"))
    number = str(script["from"])
    sender = number if channel == "sms" else f"whatsapp:{number}"
    client = app.test_client()
    for step in script["steps"]:
        assert said(post(client, incoming(sender, step["send"]))) == step["replies"], step
        clock.advance(timedelta(minutes=1))

    [expected] = script["final"]["responses"]
    assert answers(rt) == expected["answers"]
    assert count(rt, Answer) == len(expected["answers"])
    with rt.sessions() as session:
        [response] = session.scalars(select(Response)).all()
        assert (response.status, response.channel, response.language) == (
            "complete", channel, expected["language"])
        address = session.scalar(select(Address))
        assert (address.scheme, address.value) == (
            {"sms": "tel", "whatsapp": "whatsapp"}[channel], number)
    replies = sum(len(step["replies"]) for step in script["steps"])
    assert count(rt, Message, Message.direction == "in") == len(script["steps"])
    assert count(rt, Message, Message.direction == "out", Message.status == "sent",
                 Message.address == sender) == replies


def test_a_retried_message_sid_gets_the_same_answer_and_is_stored_once(app, rt, surveys):
    client = app.test_client()
    start_survey(client, "+447700900010")
    form = incoming("+447700900010", "4")
    first = post(client, form)
    replies_before = count(rt, Message, Message.direction == "out")
    again = post(client, form)
    assert said(again) == said(first) == [SECOND_QUESTION]
    assert again.data == first.data
    assert count(rt, Message, Message.direction == "in") == 3
    assert count(rt, Message, Message.direction == "out") == replies_before
    assert answers(rt) == {"safe_day": 4}


def test_concurrent_copies_of_one_message_are_stored_once(app, rt, surveys):
    start_survey(app.test_client(), "+447700900011")
    form = incoming("+447700900011", "2")
    copies = 6
    ready = threading.Barrier(copies)
    results = []

    def deliver() -> None:
        client = app.test_client()
        ready.wait()
        results.append(post(client, form))

    threads = [threading.Thread(target=deliver) for _ in range(copies)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(results) == copies
    assert {r.data for r in results} == {results[0].data}
    assert said(results[0]) == [SECOND_QUESTION]
    assert count(rt, Message, Message.provider_id == form["MessageSid"]) == 1
    with rt.sessions() as session:
        first = session.scalar(select(Message.id).where(
            Message.provider_id == form["MessageSid"]))
    assert count(rt, Message, Message.reply_to_id == first) == 1
    assert answers(rt) == {"safe_day": 2}


MEDIA = {
    "picture": {"NumMedia": "1", "MediaContentType0": "image/jpeg",
                "MediaUrl0": "https://api.twilio.com/2010-04-01/Accounts/AC/Messages/MM/Media/ME"},
    "voice note": {"NumMedia": "1", "MediaContentType0": "audio/ogg",
                   "MediaUrl0": "https://api.twilio.com/2010-04-01/Accounts/AC/Messages/MM/Media/ME"},
}


@pytest.mark.parametrize("channel", ["sms", "whatsapp"])
@pytest.mark.parametrize("media", MEDIA.values(), ids=MEDIA.keys())
def test_a_picture_or_voice_note_is_not_an_answer(app, rt, surveys, media, channel):
    sender = "+447700900020" if channel == "sms" else "whatsapp:+447700900020"
    client = app.test_client()
    start_survey(client, sender)
    form = incoming(sender, "", **media)
    assert said(post(client, form)) == [MEDIA_REPLY, FIRST_QUESTION]
    assert answers(rt) == {}
    with rt.sessions() as session:
        stored = session.scalar(select(Message).where(
            Message.provider_id == form["MessageSid"]))
        assert (stored.body, stored.payload) == ("", {"media": True})


def test_a_picture_with_a_caption_is_read_as_text(app, rt, surveys):
    client = app.test_client()
    start_survey(client, "+447700900021")
    form = incoming("+447700900021", "5", **MEDIA["picture"])
    assert said(post(client, form)) == [SECOND_QUESTION]
    assert answers(rt) == {"safe_day": 5}


def test_advanced_opt_out_keywords_are_recorded_and_answered_by_twilio_alone(app, rt,
                                                                             surveys):
    client = app.test_client()
    start_survey(client, "+447700900030")
    stop = incoming("+447700900030", "Stop", OptOutType="STOP")
    assert said(post(client, stop)) == []
    assert said(post(client, stop)) == []  # Twilio's retry
    contact = contact_of(rt, "tel", "+447700900030")
    assert contact.opted_out_at is not None
    with rt.sessions() as session:
        history = [(o.action, o.channel, o.reason) for o in session.scalars(select(OptOut))]
        stop_row = session.scalar(select(Message).where(
            Message.provider_id == stop["MessageSid"]))
        unsent = session.scalars(select(Message).where(Message.reply_to_id == stop_row.id))
        assert [(m.status, m.error_code, m.sent_at) for m in unsent] == [
            ("cancelled", "provider-replied", None)]
    assert history == [("out", "sms", "keyword")]
    assert count(rt, Message, Message.direction == "in") == 3

    assert said(post(client, incoming("+447700900030", "HELP", OptOutType="HELP"))) == []
    assert said(post(client, incoming("+447700900030", "START", OptOutType="START"))) == []
    assert contact_of(rt, "tel", "+447700900030").opted_out_at is None
    # Back in: the next message is answered by us again, from where they were.
    assert said(post(client, incoming("+447700900030", "3"))) == [SECOND_QUESTION]


# A first message in a language, and how a phone types an opt-out at the consent that follows.
GREETING = {"en": "Hello", "ro": "Bună ziua", "ur": "السلام علیکم", "bg": "Здравейте",
            "pl": "Dzień dobry", "tr": "Merhaba"}


@pytest.mark.parametrize(("first", "words", "lang"), [
    ("bg", "ne mi pishete poveche", "bg"),   # not the consent's "ne" (no)
    ("bg", "spri", "bg"),
    ("en", "prosze przestac pisac", "pl"),   # Polish words after an English start
    ("en", "Proszę przestać pisać", "pl"),
    ("tr", "beni rahatsiz etmeyin", "tr"),
    ("en", "beni rahatsız etmeyin", "tr"),
    ("en", "STPO", "en"),
    ("pl", "stopp", "pl"),                   # a slip of STOP keeps their language
    ("ro", "Stopp!", "ro"),
    ("en", "KONIEC", "pl"),                  # Polish's own STOP
])
def test_plain_words_and_slips_opt_out_at_the_consent_confirmed_in_their_language(
        app, rt, surveys, first, words, lang):
    client, sender = app.test_client(), "+447700900031"
    assert len(said(post(client, incoming(sender, GREETING[first])))) == 2
    assert said(post(client, incoming(sender, words))) == [rt.catalogs.bot(lang, "stopped")]
    contact = contact_of(rt, "tel", sender)
    assert contact.opted_out_at is not None and contact.language == lang
    assert count(rt, ConsentRecord) == 0  # an opt-out, not a "no" to the consent
    assert said(post(client, incoming(sender, "3"))) == []  # then silence


@pytest.mark.parametrize("lang", list(GREETING))
@pytest.mark.parametrize("stop", ["STOP", "own"])
def test_stop_at_the_consent_in_each_language_is_confirmed_in_it(app, rt, surveys, lang, stop):
    own = {"en": "unsubscribe", "ro": "OPREȘTE", "ur": "بند", "bg": "СТОП", "pl": "wypisz",
           "tr": "İPTAL"}
    client, sender = app.test_client(), "+447700900032"
    said(post(client, incoming(sender, GREETING[lang])))
    assert contact_of(rt, "tel", sender).language == lang
    text = own[lang] if stop == "own" else stop
    assert said(post(client, incoming(sender, text))) == [rt.catalogs.bot(lang, "stopped")]
    assert contact_of(rt, "tel", sender).opted_out_at is not None


@pytest.mark.parametrize("text", ["top", "step", "police stop and search me"])
def test_words_near_stop_or_about_police_stopping_people_do_not_opt_out(app, rt, surveys,
                                                                        text):
    client, sender = app.test_client(), "+447700900033"
    said(post(client, incoming(sender, "Hello")))
    again = said(post(client, incoming(sender, text)))
    assert again[-1] == said(post(client, incoming(sender, "hmm")))[-1]  # the consent again
    assert contact_of(rt, "tel", sender).opted_out_at is None


@pytest.mark.parametrize(("lang", "yes_word"), [
    ("en", "ok"), ("en", "sure"), ("ro", "bine"), ("ro", "da"), ("ur", "ji"), ("bg", "да"),
    ("pl", "dobrze"), ("pl", "tak"), ("tr", "tamam"), ("tr", "evet")])
def test_after_stop_a_yes_word_gets_silence_and_only_start_or_yes_opts_back_in(
        app, rt, surveys, lang, yes_word):
    client, sender = app.test_client(), "+447700900034"
    said(post(client, incoming(sender, GREETING[lang])))
    said(post(client, incoming(sender, "STOP")))
    assert said(post(client, incoming(sender, yes_word))) == []  # STOP means silence
    assert contact_of(rt, "tel", sender).opted_out_at is not None
    assert said(post(client, incoming(sender, "HELP")))  # HELP still answers
    welcome = said(post(client, incoming(sender, "YES")))  # Twilio's own rejoin word
    assert welcome[0] == rt.catalogs.bot(lang, "started")
    assert contact_of(rt, "tel", sender).opted_out_at is None


@pytest.mark.parametrize(("first", "words", "lang"), [
    ("en", "stop the messages", "en"), ("en", "Stop sending these messages", "en"),
    ("en", "I don't want any more messages", "en"), ("en", "remove me from your list", "en"),
    ("en", "wrong number, stop", "en"),
    ("ro", "gata cu mesajele", "ro"), ("ro", "nu mai vreau sa primesc mesaje", "ro"),
    ("ur", "band kar do", "ur"), ("ur", "plz band kar do", "ur"),
    ("ur", "message bhejna band karo", "ur"), ("ur", "mujhe tang na karo", "ur"),
    ("bg", "ne mi pi6ete poveche", "bg"), ("bg", "stiga", "bg"), ("bg", "стига", "bg"),
    ("bg", "стига с тези съобщения", "bg"), ("bg", "ne iskam saobshteniya", "bg"),
    ("bg", "ne iskam poveche saobshtenia", "bg"),
    ("pl", "przestańcie mi pisać", "pl"), ("pl", "Przestańcie mi wysyłać wiadomości", "pl"),
    ("pl", "proszę mi nie pisać", "pl"), ("pl", "nie piszcie już do mnie", "pl"),
    ("pl", "dajcie mi spokój", "pl"), ("pl", "prosze o wypisanie", "pl"),
    ("tr", "rahatsız etmeyin", "tr"), ("tr", "bana bir daha yazmayın", "tr"),
    ("tr", "artık yazmayın", "tr"), ("tr", "listeden çıkarın beni", "tr"),
    ("tr", "mesaj gelmesin", "tr"),
    ("ro", "Nu, stop", "ro"), ("pl", "Nie, stop", "pl"),  # at the consent: not a "no"
    # English anyone uses: confirmed in their own language, which stays theirs
    ("ro", "Stop please", "ro"), ("pl", "stop pls", "pl"), ("bg", "remove me", "bg"),
    ("tr", "Leave me alone", "tr"), ("ur", "Stop please", "ur"),
    ("en", "przestańcie mi pisać", "pl"),  # Polish words after an English start: Polish
])
def test_common_ways_of_asking_to_stop_opt_out_in_the_persons_language(
        app, rt, surveys, first, words, lang):
    client, sender = app.test_client(), "+447700900035"
    said(post(client, incoming(sender, GREETING[first])))
    assert said(post(client, incoming(sender, words))) == [rt.catalogs.bot(lang, "stopped")]
    contact = contact_of(rt, "tel", sender)
    assert contact.opted_out_at is not None and contact.language == lang
    assert count(rt, ConsentRecord) == 0


def test_nu_stop_at_a_yes_no_question_opts_out_and_records_no_answer(app, rt, surveys):
    client, sender = app.test_client(), "+447700900036"
    start_survey(client, sender)
    for text in ["1", "1", "1", "3"]:  # to the yes/no question about contact with police
        said(post(client, incoming(sender, text)))
    before = answers(rt)
    assert "contact" not in before
    assert said(post(client, incoming(sender, "No, stop"))) == [rt.catalogs.bot("en", "stopped")]
    assert answers(rt) == before


@pytest.mark.parametrize("sender", ["VODAFONE", "12", "whatsapp:not-a-number", ""])
def test_a_sender_that_is_not_a_phone_number_is_acknowledged_and_not_stored(app, rt,
                                                                            surveys, sender):
    assert said(post(app.test_client(), incoming(sender, "Hi"))) == []
    assert [count(rt, model) for model in (Message, Contact, Address)] == [0, 0, 0]


# Status callbacks ------------------------------------------------------------------------


@pytest.mark.parametrize("channel", ["sms", "whatsapp"])
def test_delivery_statuses_only_move_forward(app, rt, surveys, senders, clock, channel):
    sender = "+447700900040" if channel == "sms" else "whatsapp:+447700900040"
    handle(rt, Inbound(channel, sender, "Hi"), deliver=Delivery.OUTBOX)
    assert send_due(rt, senders, clock()) == 2
    client = app.test_client()
    message = outbound(rt)[0]
    seen = []
    for status in ("queued", "sent", "delivered", "sent", "read"):
        status_callback(client, message, status)
        seen.append(outbound(rt)[0].status)
    assert seen == ["sent", "sent", "delivered", "delivered", "read"]
    assert outbound(rt)[1].status == "sent"


def test_a_status_for_an_unknown_message_is_acknowledged(app, rt):
    form = {"MessageSid": new_sid(), "MessageStatus": "delivered", "To": "+447700900041",
            "From": SMS_FROM}
    response = post(app.test_client(), form, "/webhooks/twilio/status")
    assert (response.status_code, response.data) == (200, b"")
    assert count(rt, Message) == 0


def test_21610_opts_the_person_out_on_every_channel(app, rt, surveys, senders, clock,
                                                    twilio_api):
    handle(rt, Inbound("sms", "+447700900050", "Hi"), deliver=Delivery.OUTBOX)
    send_due(rt, senders, clock())
    contact = contact_of(rt, "tel", "+447700900050")
    with transaction(rt.sessions) as session:  # the same person, also on WhatsApp
        session.add(Address(contact_id=contact.id, scheme="whatsapp", value="+447700900050"))
        for channel, address in (("sms", "+447700900050"), ("whatsapp", "whatsapp:+447700900050")):
            session.add(Message(direction="out", channel=channel, address=address,
                                contact_id=contact.id, body="A reminder", status="queued",
                                next_attempt_at=clock(), created_at=clock(),
                                updated_at=clock()))
    status_callback(app.test_client(), outbound(rt)[0], "undelivered", "21610")

    assert contact_of(rt, "tel", "+447700900050").opted_out_at == clock()
    assert [(m.channel, m.status, m.error_code) for m in outbound(rt)] == [
        ("sms", "undelivered", "21610"), ("sms", "sent", None),
        ("sms", "cancelled", "opted-out"), ("whatsapp", "cancelled", "opted-out")]
    with rt.sessions() as session:
        assert [(o.action, o.reason) for o in session.scalars(select(OptOut))] == [
            ("out", "21610")]
    clock.advance(timedelta(hours=1))
    assert send_due(rt, senders, clock()) == 0
    assert len(twilio_api.messages) == 2


def test_a_21610_arriving_while_the_worker_sends_stops_the_rest_of_its_batch(
        app, rt, surveys, senders, clock, twilio_api):
    handle(rt, Inbound("sms", "+447700900052", "Hi"), deliver=Delivery.OUTBOX)
    send_due(rt, senders, clock())
    intro = outbound(rt)[0]
    contact = contact_of(rt, "tel", "+447700900052")
    with transaction(rt.sessions) as session:
        for body in ("A reminder", "Another reminder"):
            session.add(Message(direction="out", channel="sms", address="+447700900052",
                                contact_id=contact.id, body=body, status="queued",
                                next_attempt_at=clock(), created_at=clock(),
                                updated_at=clock()))

    class CallbackArrivesMidBatch:
        """Twilio's sender; the intro's 21610 report comes in during the first send."""

        def send(self, message):
            sid = senders["sms"].send(message)
            if len(twilio_api.messages) == 3:
                status_callback(app.test_client(), intro, "undelivered", "21610")
            return sid

    assert send_due(rt, {"sms": CallbackArrivesMidBatch()}, clock()) == 2
    assert twilio_api.bodies[2:] == ["A reminder"]  # the other was cancelled, not sent
    assert [(m.body, m.status, m.error_code) for m in outbound(rt)][2:] == [
        ("A reminder", "sent", None), ("Another reminder", "cancelled", "opted-out")]


def test_21211_marks_the_number_invalid_and_is_not_retried(app, rt, surveys, senders,
                                                           clock, twilio_api):
    handle(rt, Inbound("sms", "+447700900060", "Hi"), deliver=Delivery.OUTBOX)
    send_due(rt, senders, clock())
    status_callback(app.test_client(), outbound(rt)[0], "undelivered", "21211")
    with rt.sessions() as session:
        address = session.scalar(select(Address).where(Address.value == "+447700900060"))
        assert address.status == "invalid"
    first = outbound(rt)[0]
    assert (first.status, first.error_code, first.attempts) == ("undelivered", "21211", 1)
    clock.advance(timedelta(hours=3))
    assert send_due(rt, senders, clock()) == 0
    assert len(twilio_api.messages) == 2


def test_30003_is_sent_again_after_a_backoff(app, rt, surveys, senders, clock, twilio_api):
    handle(rt, Inbound("sms", "+447700900070", "Hi"), deliver=Delivery.OUTBOX)
    send_due(rt, senders, clock())
    first_sid = outbound(rt)[0].provider_id
    status_callback(app.test_client(), outbound(rt)[0], "undelivered", "30003")
    queued = outbound(rt)[0]
    assert (queued.status, queued.error_code) == ("queued", "30003")
    assert queued.next_attempt_at == clock() + backoff(1)
    assert send_due(rt, senders, clock()) == 0  # not before the backoff
    clock.advance(backoff(1))
    assert send_due(rt, senders, clock()) == 1
    again = outbound(rt)[0]
    assert (again.status, again.attempts) == ("sent", 2)
    assert again.provider_id == twilio_api.messages[-1]["sid"] != first_sid
    assert twilio_api.bodies == [queued.body, outbound(rt)[1].body, queued.body]


# STOP means silence, whatever was queued ---------------------------------------------------

LATE = datetime(2026, 6, 1, 21, 30, tzinfo=UTC)  # 22:30 in London (BST): quiet hours
MORNING = datetime(2026, 6, 2, 7, 0, tzinfo=UTC)  # 08:00 in London: quiet hours end


def test_stop_cancels_an_invitation_waiting_out_quiet_hours(app, rt, surveys, senders,
                                                            clock, twilio_api):
    clock.set(LATE)
    plan = broadcast.run(rt, "neighbourhood-policing", "sms",
                         [broadcast.Recipient("+447700900110")])
    assert list(plan.sent) == ["+447700900110"]
    clock.advance(timedelta(minutes=15))
    stopped = said(post(app.test_client(), incoming("+447700900110", "STOP")))
    assert stopped == [rt.catalogs.bot("en", "stopped")]
    clock.set(MORNING)
    send_due(rt, senders, clock())
    assert twilio_api.messages == []
    assert [(m.status, m.error_code) for m in outbound(rt)] == [
        ("cancelled", "opted-out"), ("cancelled", "opted-out"), ("sent", None)]


# Residents' first words and their answer to the consent, by SMS.
DECLINED = {"+447700900120": ("Hello", "no"),
            "+447700900121": ("Bună ziua, vreau să răspund", "nu"),
            "+447700900122": ("Здравейте, искам да попълня анкетата", "ne iskam"),
            "+447700900123": ("Dzień dobry", "nie, dziękuję"),
            "+447700900127": ("السلام علیکم", "nahi"),
            "+447700900128": ("Merhaba", "hayır")}
STOPPED = {"+447700900124": ("Merhaba", "beni rahatsız etmeyin")}
OTHERS = ("+447700900125", "+447700900126")


def test_who_said_no_to_the_consent_or_opted_out_is_left_out_of_broadcasts_and_counted(
        app, rt, surveys, clock, senders):
    client = app.test_client()
    said(post(client, incoming("+447700900126", "Hi")))  # never answered: the survey expires
    clock.advance(rt.settings.expire_after + timedelta(days=1))
    scheduler.run_due(rt, clock())
    for sender, (hello, answer) in {**DECLINED, **STOPPED, OTHERS[0]: ("Hi", "no")}.items():
        said(post(client, incoming(sender, hello)))
        said(post(client, incoming(sender, answer)))
    # +…125 said no, then came back and said yes: their last answer counts.
    said(post(client, incoming("+447700900125", "hello again")))
    said(post(client, incoming("+447700900125", "yes")))
    said(post(client, incoming("+447700900125", "1")))  # part way through now
    cli = app.test_cli_runner()
    args = ["broadcast", "--survey", "neighbourhood-policing", "--audience", "everyone"]
    dry = cli.invoke(args=[*args, "--dry-run"])
    assert dry.exit_code == 0, dry.output
    lines = dry.output.splitlines()
    assert "would send\t+********0126\ten" in lines  # masked, as the logs do
    assert [line for line in lines if line.startswith("would send")] == [
        "would send\t+********0126\ten"]
    assert "left out\t6\tsaid no to the consent" in lines
    assert "left out\t1\topted out" in lines
    assert "left out\t1\tpart way through a survey" in lines
    assert not any(number[1:] in dry.output for number in [*DECLINED, *STOPPED, *OTHERS])
    before = {m.id for m in outbound(rt)}
    real = cli.invoke(args=args)
    assert real.exit_code == 0, real.output
    assert "left out\t6\tsaid no to the consent" in real.output.splitlines()
    assert not any(number[1:] in real.output for number in [*DECLINED, *STOPPED, *OTHERS])
    queued = {m.address for m in outbound(rt) if m.id not in before}
    assert queued == {"+447700900126"}


@pytest.mark.parametrize(("stop_on", "invite_on"), [("whatsapp", "sms"), ("sms", "whatsapp")])
def test_stop_or_a_consent_no_on_one_of_sms_and_whatsapp_holds_on_the_other(
        app, rt, surveys, clock, tmp_path, stop_on, invite_on):
    client = app.test_client()
    prefix = {"sms": "", "whatsapp": "whatsapp:"}
    stopper, decliner, both = "+447400123010", "+447400123011", "+447400123012"
    said(post(client, incoming(prefix[invite_on] + both, "Hi")))  # known on both channels
    said(post(client, incoming(prefix[stop_on] + both, "Hi")))
    said(post(client, incoming(prefix[stop_on] + both, "STOP")))
    said(post(client, incoming(prefix[stop_on] + stopper, "STOP")))  # never on the other
    said(post(client, incoming(prefix[stop_on] + decliner, "Hi")))
    said(post(client, incoming(prefix[stop_on] + decliner, "no")))
    scheme = {"sms": "tel", "whatsapp": "whatsapp"}[invite_on]
    assert contact_of(rt, scheme, both).opted_out_at is not None  # every path, not only here
    people = tmp_path / "people.txt"
    people.write_text("\n".join([stopper, decliner, both, "+447400123013"]))
    result = app.test_cli_runner().invoke(args=[
        "broadcast", "--survey", "neighbourhood-policing", "--to", str(people),
        "--channel", invite_on])
    lines = result.output.splitlines()
    assert "left out\t2\topted out" in lines
    assert "left out\t1\tsaid no to the consent" in lines
    assert [line for line in lines if line.startswith("queued")] == [
        "queued\t+********3013\ten"]
    # START on one channel opts back in there only (Twilio keeps an SMS STOP until START).
    said(post(client, incoming(prefix[invite_on] + both, "START")))
    assert contact_of(rt, scheme, both).opted_out_at is None


def test_stop_cancels_a_nudge_waiting_out_quiet_hours(app, rt, surveys, senders, clock,
                                                      twilio_api):
    clock.set(LATE - rt.settings.nudge_after)
    client = app.test_client()
    start_survey(client, "+447700900111")
    clock.set(LATE)
    assert scheduler.run_due(rt, clock()) == 1
    [nudge] = [m for m in outbound(rt) if m.status == "queued"]
    assert nudge.next_attempt_at == MORNING
    clock.advance(timedelta(minutes=15))
    assert said(post(client, incoming("+447700900111", "STOP"))) == [
        rt.catalogs.bot("en", "stopped")]
    clock.set(MORNING)
    send_due(rt, senders, clock())
    assert twilio_api.messages == []
    assert [(m.status, m.error_code) for m in outbound(rt) if m.id == nudge.id] == [
        ("cancelled", "opted-out")]


# The worker and the sender ---------------------------------------------------------------


def test_the_worker_rides_out_500s_429s_and_timeouts_and_sends_each_message_once(
        rt, surveys, senders, clock, twilio_api):
    assert senders["sms"] is senders["whatsapp"]
    assert isinstance(senders["sms"], TwilioSender)
    handle(rt, Inbound("sms", "+447700900080", "Hi"), deliver=Delivery.OUTBOX)
    handle(rt, Inbound("whatsapp", "whatsapp:+447700900081", "Hi"), deliver=Delivery.OUTBOX)
    queued = outbound(rt)
    assert [m.status for m in queued] == ["queued"] * 4
    rounds = [(lambda: twilio_api.fail_next(2, status=500, code=20500), "20500"),
              (lambda: twilio_api.fail_next(2, status=429, code=20429), "20429"),
              (lambda: twilio_api.hang_next(2), "timeout")]
    for attempt, (fail, code) in enumerate(rounds, start=1):
        fail()
        assert send_due(rt, senders, clock()) == 4
        retry_at = clock() + backoff(attempt)
        # Each person's first message fails; their second waits behind it, untried.
        assert [(m.status, m.attempts, m.error_code, m.next_attempt_at) for m in outbound(rt)] \
            == [("queued", attempt, code, retry_at), ("queued", 0, None, retry_at)] * 2
        assert send_due(rt, senders, clock()) == 0  # nothing is due before its backoff
        clock.advance(backoff(attempt))
    assert twilio_api.messages == []
    assert len(twilio_api.requests) == 6

    assert send_due(rt, senders, clock()) == 4
    sent = outbound(rt)
    assert [(m.status, m.attempts, m.error_code) for m in sent] == [
        ("sent", 4, None), ("sent", 1, None)] * 2
    arrived = {m["sid"]: (m["to"], m["from"], m["body"]) for m in twilio_api.messages}
    assert [arrived[m.provider_id] for m in sent] == [
        (m.address, SMS_FROM if m.channel == "sms" else f"whatsapp:{WHATSAPP_FROM}", m.body)
        for m in queued]
    for person in {m.address for m in queued}:  # two people's may interleave, each in order
        assert [m["body"] for m in twilio_api.messages if m["to"] == person] == [
            m.body for m in queued if m.address == person]
    assert {m["status_callback"] for m in twilio_api.messages} == {STATUS_URL}
    assert {r.auth for r in twilio_api.requests} == {(ACCOUNT, TOKEN)}
    clock.advance(timedelta(hours=3))
    assert send_due(rt, senders, clock()) == 0
    assert len(twilio_api.messages) == 4


def _nudge_after_a_day(rt, client, clock, number: str) -> Message:
    """A WhatsApp resident starts and goes quiet; 25 hours later the nudge is queued."""
    start_survey(client, f"whatsapp:{number}")
    clock.advance(timedelta(hours=25))
    assert scheduler.run_due(rt, clock()) == 1
    [nudge] = [m for m in outbound(rt) if m.status == "queued"]
    return nudge


def test_whatsapp_outside_24_hours_sends_the_approved_template(app, rt, surveys, clock,
                                                               twilio_api):
    nudge = _nudge_after_a_day(rt, app.test_client(), clock, "+447700900090")
    sender = TwilioSender(replace(rt.settings, twilio_whatsapp_template_sid=TEMPLATE), clock)
    assert send_due(rt, {"whatsapp": sender}, clock()) == 1
    [request] = twilio_api.requests
    assert "Body" not in request.form
    assert (request.form["ContentSid"], json.loads(request.form["ContentVariables"])) == (
        TEMPLATE, {"1": "Waltham Forest Council"})
    assert (request.form["To"], request.form["From"]) == (
        "whatsapp:+447700900090", f"whatsapp:{WHATSAPP_FROM}")
    row = next(m for m in outbound(rt) if m.id == nudge.id)
    assert (row.status, row.provider_id) == ("sent", twilio_api.messages[0]["sid"])


def test_whatsapp_outside_24_hours_without_a_template_is_held(app, rt, surveys, clock,
                                                              senders, twilio_api):
    nudge = _nudge_after_a_day(rt, app.test_client(), clock, "+447700900091")
    assert send_due(rt, senders, clock()) == 1
    row = next(m for m in outbound(rt) if m.id == nudge.id)
    assert (row.status, row.error_code, row.body) == ("held", "outside-24h-window", nudge.body)
    assert twilio_api.requests == []


def test_whatsapp_63016_from_twilio_falls_back_to_the_template(settings, clock, twilio_api):
    sender = TwilioSender(replace(settings, twilio_whatsapp_template_sid=TEMPLATE), clock)
    twilio_api.fail_next(status=400, code=63016)
    message = Outgoing(7, "whatsapp", "whatsapp:+447700900092", Reply("Hello again"),
                       last_inbound_at=clock() - timedelta(hours=2))
    assert sender.send(message) == twilio_api.messages[0]["sid"]
    assert [(r.form.get("Body"), r.form.get("ContentSid"), r.status)
            for r in twilio_api.requests] == [("Hello again", None, 400), (None, TEMPLATE, 201)]


def test_whatsapp_inside_24_hours_sends_the_text(settings, clock, twilio_api):
    sender = TwilioSender(settings, clock)
    message = Outgoing(8, "whatsapp", "whatsapp:+447700900093",
                       Reply("Pick one"), last_inbound_at=clock() - timedelta(hours=23))
    sid = sender.send(message)
    assert [(m["sid"], m["body"], m["to"]) for m in twilio_api.messages] == [
        (sid, "Pick one", "whatsapp:+447700900093")]


def test_the_sender_renders_choices_as_numbered_lines(settings, twilio_api):
    reply = Reply("How often?", (Option("weekly", "Weekly"), Option("never", "Never")),
                  note="Reply SKIP to skip this question.")
    TwilioSender(settings).send(Outgoing(9, "sms", "+447700900094", reply))
    assert twilio_api.bodies == [
        "How often?\nReply SKIP to skip this question.\n1 Weekly\n2 Never"]


@pytest.mark.parametrize("setting", ["TWILIO_SMS_FROM", "TWILIO_WHATSAPP_FROM"])
def test_a_messaging_service_sends_instead_of_a_number(settings, clock, twilio_api, setting):
    service = "MG" + "cd" * 16
    field = setting.lower()
    sender = TwilioSender(replace(settings, **{field: service}), clock)
    channel, to = (("sms", "+447700900095") if setting == "TWILIO_SMS_FROM"
                   else ("whatsapp", "whatsapp:+447700900095"))
    sender.send(Outgoing(10, channel, to, Reply("Hi"), last_inbound_at=clock()))
    [request] = twilio_api.requests
    assert (request.form.get("MessagingServiceSid"), request.form.get("From")) == (service, None)
    assert twilio_api.messages[0]["status"] == "accepted"


FAILURES = [
    # (HTTP status, Twilio code) -> what the outbox is told
    (500, 20500, TemporaryFailure("20500")),
    (503, 20503, TemporaryFailure("20503")),
    (429, 20429, TemporaryFailure("20429")),
    (400, 30003, TemporaryFailure("30003")),
    (400, 30005, TemporaryFailure("30005")),
    (400, 30008, TemporaryFailure("30008")),
    (401, 20003, TemporaryFailure("20003")),  # our token is wrong, not the message
    (400, 21610, PermanentFailure("21610", opt_out=True)),
    (400, 21211, PermanentFailure("21211", invalid_address=True)),
    (400, 21614, PermanentFailure("21614", invalid_address=True)),
    (400, 30006, PermanentFailure("30006", invalid_address=True)),
    (400, 21602, PermanentFailure("21602")),
    (404, 20404, PermanentFailure("20404")),
]


def _described(failure: Exception) -> tuple:
    if isinstance(failure, TemporaryFailure):
        return ("temporary", failure.code, failure.retry_after)
    return ("permanent", failure.code, failure.opt_out, failure.invalid_address, failure.status)


@pytest.mark.parametrize("status, code, expected", FAILURES,
                         ids=[f"{s}-{c}" for s, c, _ in FAILURES])
def test_twilio_errors_are_sorted_into_retry_or_final(settings, twilio_api, status, code,
                                                      expected):
    twilio_api.fail_next(status=status, code=code)
    with pytest.raises((TemporaryFailure, PermanentFailure)) as raised:
        TwilioSender(settings).send(Outgoing(11, "sms", "+447700900096", Reply("Hi")))
    assert _described(raised.value) == _described(expected)
    assert twilio_api.messages == []


def test_a_hung_twilio_is_a_timeout_to_retry(settings, twilio_api):
    sender = TwilioSender(settings)
    assert sender.timeout == 10  # the default: never wait for ever
    sender.timeout = FAST
    twilio_api.hang_next()
    with pytest.raises(TemporaryFailure) as raised:
        sender.send(Outgoing(12, "sms", "+447700900097", Reply("Hi")))
    assert raised.value.code == "timeout"
    assert sender.send(Outgoing(12, "sms", "+447700900097", Reply("Hi"))) \
        == twilio_api.messages[0]["sid"]


def test_an_unreachable_twilio_is_a_connection_error_to_retry(settings):
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    sender = TwilioSender(replace(settings, twilio_api_base_url=f"http://127.0.0.1:{port}"))
    with pytest.raises(TemporaryFailure) as raised:
        sender.send(Outgoing(13, "sms", "+447700900098", Reply("Hi")))
    assert raised.value.code == "connection-error"


def test_an_oversized_body_is_refused_with_413_and_nothing_stored(app, rt):
    response = post(app.test_client(), incoming("+447700900099", "x" * 300_000))
    assert response.status_code == 413
    assert count(rt, Message) == 0


def test_a_question_asked_again_in_polish_goes_as_two_texts_of_at_most_three_parts(
        app, rt, surveys, clock):
    """The hint and the question together would cost more than 3 SMS parts in Polish."""
    client, sender = app.test_client(), "+447700900919"
    first = said(post(client, incoming(sender, "Dzień dobry, chcę wypełnić ankietę o policji")))
    clock.advance(timedelta(seconds=30))
    again = said(post(client, incoming(sender, "może")))  # neither yes nor no: asked again
    assert again == [rt.catalogs.bot("pl", "consent-hint"), first[-1]]
    assert all(segments.count(text) <= 3 for text in again)
    assert segments.count("\n".join(again)) > 3  # as one text it would have cost more
