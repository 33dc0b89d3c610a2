"""Carrying conversations forward: flooding, odd input, language of free text."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select

from bot.answers import MAX_TEXT
from bot.conversations import Inbound, handle
from store.models import Answer, Message


def test_a_flood_gets_one_slow_down_and_is_then_stored_but_not_answered(rt, surveys, clock):
    """Issue 8 changed the limit: a message a second, each as soon as the last, is a loop
    after LOOP_LIMIT of them (no person answers that fast); a pause ends it."""
    limit = rt.settings.loop_limit
    replies = []
    for i in range(limit + 5):
        replies.append(handle(rt, Inbound("sms", "+447700900600", f"hello {i}")).replies)
        clock.advance(timedelta(seconds=1))
    assert all(replies[:limit + 1])
    assert [r.text for r in replies[limit + 1]] == [
        "You are sending messages very fast. Please wait a minute and try again."]
    assert replies[limit + 2:] == [[]] * 3
    with rt.sessions() as session:
        inbound = session.scalar(select(func.count()).select_from(Message)
                                 .where(Message.direction == "in"))
    assert inbound == limit + 5  # every message is kept
    clock.advance(timedelta(seconds=5))
    assert handle(rt, Inbound("sms", "+447700900600", "hello again")).replies  # calm again


def test_odd_unicode_is_stored_safely_as_written(rt, surveys):
    for text in ("DEMO", "yes", "1"):
        handle(rt, Inbound("sms", "+447700900601", text))
    odd = "\u202eevil\u202c \u200dزیرو\u200c width 😀\x00 end"
    reply = handle(rt, Inbound("sms", "+447700900601", odd)).replies[0]
    assert reply.question == "trust"
    with rt.sessions() as session:
        answer = session.scalar(select(Answer).where(Answer.question_id == "why_unsafe"))
        logged = session.scalar(select(Message.body).where(Message.direction == "in")
                                .order_by(Message.id.desc()))
    assert answer.value == odd.replace("\x00", "")  # NUL removed; RTL and zero-width kept
    assert "\x00" not in logged


def test_free_text_records_the_language_it_was_written_in(rt, surveys):
    for text in ("DEMO", "yes", "1"):
        handle(rt, Inbound("sms", "+447700900602", text))
    handle(rt, Inbound("sms", "+447700900602",
                       "Poliția nu vine niciodată când o chemăm noaptea în cartierul nostru"))
    with rt.sessions() as session:
        answer = session.scalar(select(Answer).where(Answer.question_id == "why_unsafe"))
    assert (answer.text_language, answer.translation_status) == ("ro", "pending")


def test_the_message_log_keeps_no_more_than_an_answer_would(rt, surveys):
    huge = "x" * 200_000
    handle(rt, Inbound("sms", "+447700900901", huge))
    with rt.sessions() as session:
        body = session.scalar(select(Message.body).where(Message.direction == "in"))
    assert len(body) == MAX_TEXT
