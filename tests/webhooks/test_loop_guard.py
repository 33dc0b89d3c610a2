"""The loop guard, met the way people and bots meet it: through the signed Twilio webhook,
on the injected clock. A person is never told to slow down; a bot answering ours is
stopped after a bounded number of messages; STOP always gets through."""

from __future__ import annotations

import random
from datetime import timedelta

import pytest
from sqlalchemy import select

from store.models import Message
from tests.helpers.twilio import contact_of, incoming, post, said, start_survey

SLOW_DOWN = "You are sending messages very fast. Please wait a minute and try again."


@pytest.fixture
def config(twilio_config):
    return twilio_config


def _inbound(rt) -> list[Message]:
    with rt.sessions() as session:
        return list(session.scalars(select(Message).where(Message.direction == "in")
                                    .order_by(Message.id)))


def _replies_to(rt, message_id: int) -> list[str]:
    with rt.sessions() as session:
        return list(session.scalars(select(Message.body).where(
            Message.reply_to_id == message_id).order_by(Message.id)))


def test_a_person_typing_fast_with_corrections_is_never_told_to_slow_down(app, rt, surveys,
                                                                          clock):
    """40 messages in 2 minutes: quick answers, quick corrections, none under 2 s apart."""
    client, person, gaps = app.test_client(), "+447700900701", random.Random(8)
    start_survey(client, person)
    started = clock()
    for n in range(40):
        clock.advance(timedelta(seconds=gaps.uniform(2.1, 3.8)))
        answer = ["3", "sorry, 4", "2", "no wait 1", "yes", "5"][n % 6]
        replies = said(post(client, incoming(person, answer)))
        assert replies and SLOW_DOWN not in replies, (n, replies)
    assert clock() - started <= timedelta(minutes=2)
    assert all(m.status == "received" for m in _inbound(rt))


def test_a_bot_answering_ours_instantly_is_stopped_and_its_messages_kept(app, rt, surveys,
                                                                         clock):
    client, bot = app.test_client(), "+447700900702"
    answered = 0
    for _ in range(100):  # the other bot answers every reply within 0.3 s, the same text
        clock.advance(timedelta(seconds=0.3))
        replies = said(post(client, incoming(bot, "Thanks! How can I help you today?")))
        if not replies:
            break
        answered += 1
    assert answered <= rt.settings.loop_limit + 2  # its first messages, then "slow down"
    assert replies == []  # it does not answer "slow down" quickly: silence
    stored = _inbound(rt)
    assert len(stored) == answered + 1  # every message is kept
    assert stored[-2].status == stored[-1].status == "unanswered"
    assert _replies_to(rt, stored[-2].id) == [SLOW_DOWN]
    assert _replies_to(rt, stored[-1].id) == []
    clock.advance(timedelta(seconds=30))  # the loop is over: a message is answered again
    assert said(post(client, incoming(bot, "Hello?")))


def test_a_slow_bot_saying_the_same_thing_over_and_over_is_stopped_too(app, rt, surveys,
                                                                      clock):
    """An auto-responder answering after 5 s, always with the same words, and always
    getting the same reprompt: stopped by repetition, not speed."""
    client, bot = app.test_client(), "+447700900705"
    start_survey(client, bot)
    answered = 0
    for _ in range(60):
        clock.advance(timedelta(seconds=5))
        replies = said(post(client, incoming(bot, "I am away until Monday.")))
        if not replies:
            break
        answered += 1
    assert answered <= rt.settings.loop_limit + 2
    assert _inbound(rt)[-1].status == "unanswered"
    clock.advance(timedelta(seconds=5))
    assert said(post(client, incoming(bot, "3")))  # anything else is answered at once


def test_the_same_answer_to_question_after_question_is_never_held(app, rt, surveys, clock):
    """Straight-lining: "1" to every question moves the survey on, so it is no loop."""
    client, person = app.test_client(), "+447700900706"
    start_survey(client, person)
    for n in range(rt.settings.loop_limit + 5):
        clock.advance(timedelta(seconds=4))
        replies = said(post(client, incoming(person, "1")))
        assert replies and SLOW_DOWN not in replies, n
    assert all(m.status == "received" for m in _inbound(rt))


@pytest.mark.parametrize("stop", ["STOP", "please stop texting me"])
def test_stop_gets_through_in_the_middle_of_a_loop(app, rt, surveys, clock, stop):
    client, bot = app.test_client(), "+447700900703"
    for _ in range(rt.settings.loop_limit + 3):
        clock.advance(timedelta(seconds=0.2))
        post(client, incoming(bot, "ok"))
    assert said(post(client, incoming(bot, "ok"))) == []  # held back
    clock.advance(timedelta(seconds=0.2))
    assert said(post(client, incoming(bot, stop))) == [rt.catalogs.bot("en", "stopped")]
    assert _inbound(rt)[-1].status == "received"
    assert contact_of(rt, "tel", bot).opted_out_at is not None


def test_more_than_the_ceiling_in_a_minute_is_held_whatever_the_timing(app, rt, surveys,
                                                                      clock):
    """The backstop: every tenth message comes 2.5 s after our reply (no loop sign), but
    more than RATE_LIMIT_PER_MINUTE in a minute are held all the same."""
    client, sender = app.test_client(), "+447700900704"
    limit = rt.settings.rate_limit_per_minute
    started, replies = clock(), []
    for n in range(limit + 3):
        clock.advance(timedelta(seconds=2.5 if n % 10 == 0 else 0.1))
        replies.append(said(post(client, incoming(sender, f"message {n}"))))
    assert clock() - started < timedelta(minutes=1)
    assert all(replies[:limit])
    assert replies[limit:] == [[SLOW_DOWN], [], []]
