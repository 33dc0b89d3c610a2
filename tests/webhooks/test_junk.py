"""Authenticated junk gets a clear 2xx/4xx, never a 5xx, and changes nothing.

Telegram resends an update on any answer but 2xx, for a day: with the secret, whatever
cannot be an answer is answered 200 and ignored. Twilio gets 400 for a MessageSid that
cannot be Twilio's (NUL, too long for the column), on both databases.
"""

from __future__ import annotations

import json

import pytest

from store.models import Address, Contact, Message
from tests.helpers import telegram as tg
from tests.helpers import twilio as tw
from tests.helpers.db import count, rows


@pytest.fixture
def config(sms_and_telegram_config):
    return sms_and_telegram_config


def _stored(rt) -> list[int]:
    return [count(rt, model) for model in (Message, Contact, Address)]


def _message(**fields) -> dict:
    """A private-chat message update with `fields` replaced (`...` drops a field)."""
    body = tg.update("Hi")
    body["message"].update(fields)
    body["message"] = {k: v for k, v in body["message"].items() if v is not ...}
    return body


TELEGRAM_JUNK = {
    "text is a number": _message(text=5),
    "text is a list": _message(text=["Hi"]),
    "text is an object": _message(text={"a": 1}),
    "caption is a number": _message(text=..., caption=7, photo=[
        {"file_id": "a", "file_unique_id": "b", "width": 1, "height": 1}]),
    "chat is null": _message(chat=None),
    "chat is missing": _message(chat=...),
    "chat id of 300 digits": _message(chat={"id": int("9" * 300), "type": "private"}),
    "chat id is a string": _message(chat={"id": "abc", "type": "private"}),
    "update_id of 100 digits": {**tg.update("Hi"), "update_id": int("7" * 100)},
    "date is a word": _message(date="yesterday"),
    "message is a number": {"update_id": 42, "message": 5},
    "nested 10,000 deep (lists)": "[" * 10_000 + "]" * 10_000,
    "nested 10,000 deep (objects)": '{"a":' * 10_000 + "1" + "}" * 10_000,
    "an integer of 5,000 digits": '{"update_id": ' + "9" * 5000 + "}",
    "not UTF-8": b"\xff\xfe{\x00",
}


@pytest.mark.parametrize("body", TELEGRAM_JUNK.values(), ids=TELEGRAM_JUNK.keys())
def test_telegram_junk_with_the_secret_is_ignored_with_a_200(app, body):
    rt = app.extensions["outreach"]
    data = body if isinstance(body, str | bytes) else json.dumps(body)
    response = tg.post(app.test_client(), data)
    assert (response.status_code, response.get_json()) == (200, {})
    assert _stored(rt) == [0, 0, 0]


def test_an_odd_language_code_is_no_hint_but_the_message_is_an_answer(app):
    from tests.helpers.surveys import load_surveys
    rt = app.extensions["outreach"]
    load_surveys(rt)
    body = _message(**{"from": {"id": 1001, "is_bot": False, "first_name": "S",
                                "language_code": 5}})
    assert tg.post(app.test_client(), body).status_code == 200
    assert _stored(rt) == [3, 1, 1]  # the message and its two replies (intro, consent)


def test_a_lone_surrogate_in_a_telegram_text_is_stored_as_a_replacement(app):
    from tests.helpers.surveys import load_surveys
    rt = app.extensions["outreach"]
    load_surveys(rt)
    data = json.dumps(tg.update("Hi")).replace('"Hi"', '"Hi \\ud800 there"')
    response = tg.post(app.test_client(), data)
    assert response.status_code == 200
    [inbound] = rows(rt, Message, Message.direction == "in")
    assert inbound.body == "Hi \ufffd there"


@pytest.mark.parametrize("sid", ["SM\x00" + "0" * 31, "SM" + "0" * 63, "SM 1", "SM-1"],
                         ids=["NUL", "65 characters", "a space", "a dash"])
def test_twilio_message_sid_that_cannot_be_twilios_is_a_400(app, rt, surveys, sid):
    client = app.test_client()
    response = tw.post(client, tw.incoming("+447700900801", "Hi", sid=sid))
    assert response.status_code == 400
    assert _stored(rt) == [0, 0, 0]
    status = {"MessageSid": sid, "MessageStatus": "delivered", "To": "+447700900801"}
    assert tw.post(client, status, "/webhooks/twilio/status").status_code == 400


def test_twilio_sid_of_64_characters_is_taken(app, rt, surveys):
    """The longest the column holds still works: the limit is the column's, not a guess."""
    response = tw.post(app.test_client(), tw.incoming("+447700900802", "Hi", sid="SM" + "a" * 62))
    assert len(tw.said(response)) == 2
    assert _stored(rt) == [3, 1, 1]


@pytest.mark.parametrize("field, value", [
    ("MessageStatus", "delivered\x00"), ("MessageStatus", "x" * 17),
    ("ErrorCode", "3" * 40), ("ErrorCode", "30003\x00"),
])
def test_twilio_status_callback_junk_is_acknowledged_and_changes_nothing(app, rt, surveys,
                                                                         field, value):
    client, sid = app.test_client(), tw.new_sid()
    tw.said(tw.post(client, tw.incoming("+447700900803", "Hi")))
    reply = tw.outbound(rt)[0]
    with rt.sessions.begin() as session:  # as if the worker had sent it through Twilio
        session.get(Message, reply.id).provider_id = sid
    form = {"MessageSid": sid, "MessageStatus": "undelivered", "ErrorCode": "30003",
            "To": reply.address, field: value}
    assert tw.post(client, form, "/webhooks/twilio/status").status_code == 200
    assert (tw.outbound(rt)[0].status, tw.outbound(rt)[0].error_code) == ("sent", None)


def test_a_nul_in_a_signed_message_is_cleaned_not_refused(app, rt, surveys):
    """The app refuses NUL anywhere else (app.py); a provider's signed request is answered,
    or it would be retried or dropped, and its text is stored without the NUL."""
    client = app.test_client()
    response = tw.post(client, tw.incoming("+447700900804", "Hi\x00 there"))
    assert len(tw.said(response)) == 2  # the intro and the consent question
    data = json.dumps(tg.update("Hi")).replace('"Hi"', '"Hello\\u0000 you"')
    assert tg.post(client, data).status_code == 200
    bodies = sorted(m.body for m in rows(rt, Message, Message.direction == "in"))
    assert bodies == ["Hello you", "Hi there"]
