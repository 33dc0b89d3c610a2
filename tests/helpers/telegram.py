"""Talking to the Telegram webhook as the Bot API does: an update, a POST with the secret,
the keyboard of a sent message, and a Person who writes and reads what the worker delivers."""

from __future__ import annotations

import itertools
from datetime import timedelta

from bot import sending
from tests.helpers.providers import TELEGRAM_SECRET as SECRET
from webhooks.telegram import SECRET_HEADER

CHAT = "1001"

INTRO = ("Hello from Waltham Forest Council and local police. This short survey helps the "
         "Citizens' Assembly on neighbourhood policing. Reply LANG for another language.")
CONSENT = ("Your answers are kept apart from your number and reported only as totals. Questions "
           "about you are optional. Reply STOP to stop. Reply YES to take part.")
YOUTH_INTRO = ("Hi! Waltham Forest Council and local police want your views for the Citizens' "
               "Assembly on policing. Just a few quick questions. Reply LANG for another language.")

update_ids = itertools.count(700_000_001)  # a test may post an update of its own
_message_ids = itertools.count(1)


def update(text: str | None = None, chat: str = CHAT, lang: str | None = "en",
           chat_type: str = "private", **content) -> dict:
    """A Bot API update carrying a new message (text, or other content such as a sticker)."""
    chat_id = int(chat)
    sender = {"id": chat_id if chat_id > 0 else 424242, "is_bot": False, "first_name": "Sam"}
    if lang is not None:
        sender["language_code"] = lang
    chat_obj = {"id": chat_id, "type": chat_type}
    chat_obj.update({"first_name": "Sam"} if chat_type == "private" else {"title": "Friends"})
    message = {"message_id": next(_message_ids), "date": 1772445600, "chat": chat_obj,
               "from": sender, **content}
    if text is not None:
        message["text"] = text
    return {"update_id": next(update_ids), "message": message}


def post(client, body, secret: str | None = SECRET, **kwargs):
    headers = {} if secret is None else {SECRET_HEADER: secret}
    if isinstance(body, dict):
        kwargs["json"] = body
    else:
        kwargs.update(data=body, content_type="application/json")
    return client.post("/webhooks/telegram", headers=headers, **kwargs)


def keyboard(sent: dict) -> list[list[str]] | None:
    markup = sent["reply_markup"]
    if "keyboard" not in markup:
        return None
    assert markup["one_time_keyboard"] is True and markup["resize_keyboard"] is True
    return [[button["text"] for button in row] for row in markup["keyboard"]]


class Person:
    """Someone writing to the bot on Telegram; the worker delivers through `senders`."""

    def __init__(self, client, rt, senders, clock, api, chat: str = CHAT, lang: str = "en"):
        self.client, self.rt, self.senders, self.clock, self.api = (
            client, rt, senders, clock, api)
        self.chat, self.lang = chat, lang

    def post(self, text: str | None = None, **content) -> dict:
        """Send one message (the webhook only); return the update that was posted."""
        self.clock.advance(timedelta(seconds=15))
        body = update(text, chat=self.chat, lang=self.lang, **content)
        response = post(self.client, body)
        assert response.status_code == 200
        assert response.get_json() == {}
        return body

    def deliver(self) -> int:
        """Worker rounds until nothing more is due."""
        total = 0
        while handled := sending.send_due(self.rt, self.senders, self.clock()):
            total += handled
        return total

    def send(self, text: str | None = None, **content) -> list[dict]:
        """Send one message, let the worker run, and return what reached this chat."""
        before = len(self.api.sent_to(self.chat))
        self.post(text, **content)
        self.deliver()
        return self.api.sent_to(self.chat)[before:]

    def tap(self, label: str) -> list[dict]:
        """Tap a button of the last message's keyboard (Telegram sends its label)."""
        last = self.api.sent_to(self.chat)[-1]
        assert label in [b for row in keyboard(last) or [] for b in row], keyboard(last)
        return self.send(label)
