"""A guard against runaway loops (another bot answering ours), never against people.

Two signs, either of which holds a message back (it is stored, marked `unanswered`, and not
passed to the engine; the conversation module answers the first one of a run with "slow
down"):

- **a loop** (messaging channels): this message and the `LOOP_LIMIT` before it each came
  within `LOOP_SECONDS` of the last thing said in the conversation (our reply, or their
  previous message); or they all said the same thing within an hour and each got the same
  answer. A bot answers in well under a second, indefinitely, often with the same words; a
  person reads the question first, and their answers move the conversation on.
- **a ceiling**: more than `RATE_LIMIT_PER_MINUTE` messages in the last minute, whatever
  their timing: a backstop no person typing reaches.

An opt-out keyword is never held back. docs/operations.md gives the reasoning.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from itertools import pairwise

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bot.answers import fold
from bot.runtime import Runtime
from store.models import Message

LOOP_SECONDS = 2.0  # faster than anyone reads a question and answers it
REPEAT_WITHIN = timedelta(hours=1)  # a bot answering slowly, the same words each time
# Channels another bot can talk on. A web form page is fetched, not pushed: a person may
# click through it quickly, and only the ceiling applies there.
LOOP_CHANNELS = {"sms", "whatsapp", "telegram"}
UNANSWERED = "unanswered"  # the status of an inbound message held back


def held_back(rt: Runtime, session: Session, channel: str, contact_id: int, inbound_id: int,
              text: str, now: datetime) -> bool:
    """Whether this message (already stored as `inbound_id`) should go unanswered."""
    if is_stop(rt, text):
        return False
    recent = session.scalar(select(func.count()).select_from(Message).where(
        Message.direction == "in", Message.contact_id == contact_id,
        Message.created_at > now - timedelta(minutes=1)))
    if recent > rt.settings.rate_limit_per_minute:
        return True
    return channel in LOOP_CHANNELS and _looping(rt, session, contact_id, inbound_id, now)


def _looping(rt: Runtime, session: Session, contact_id: int, inbound_id: int,
             now: datetime) -> bool:
    """Whether this message ends a run of LOOP_LIMIT + 1 that came too fast or said the
    same thing over and over (LOOP_SECONDS, REPEAT_WITHIN)."""
    limit = rt.settings.loop_limit
    arrivals = session.execute(
        select(Message.id, Message.created_at, Message.body, Message.status).where(
            Message.direction == "in", Message.contact_id == contact_id,
            Message.id <= inbound_id).order_by(Message.id.desc()).limit(limit + 2)).all()
    if len(arrivals) <= limit + 1:
        return False
    said = session.execute(
        select(Message.id, func.coalesce(Message.sent_at, Message.created_at), Message.body,
               Message.reply_to_id).where(
            Message.direction == "out", Message.contact_id == contact_id,
            Message.id > arrivals[-1].id, Message.id < inbound_id)).all()
    return _quick(arrivals, said) or _repeating(arrivals[:-1], said, now)


def _quick(arrivals: list, said: list) -> bool:
    """Each message came within LOOP_SECONDS of the last one before it, ours or theirs."""
    for later, before in pairwise(arrivals):
        last = max([before.created_at,
                    *(at for id_, at, _, _ in said if before.id < id_ < later.id)])
        if (later.created_at - last).total_seconds() > LOOP_SECONDS:
            return False
    return True


def _repeating(arrivals: list, said: list, now: datetime) -> bool:
    """The same text again and again within REPEAT_WITHIN, each time answered with the
    same words (held ones aside): a conversation going round, not a person straight-lining
    answers, whose every answer brings a new question."""
    if len({fold(a.body) for a in arrivals}) > 1 or now - arrivals[-1].created_at > REPEAT_WITHIN:
        return False
    answers = {tuple(body for _, _, body, to in said if to == a.id)
               for a in arrivals[1:] if a.status != UNANSWERED}
    return len(answers) == 1


def is_stop(rt: Runtime, text: str) -> bool:
    """An opt-out keyword in any language."""
    return fold(text) in rt.catalogs.words("keywords/stop", rt.catalogs.languages, fold)
