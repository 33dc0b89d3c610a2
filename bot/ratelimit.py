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

An opt-out (a keyword, or plain words) is never held back. docs/operations.md gives the reasoning.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from itertools import pairwise

from sqlalchemy import bindparam, func, select
from sqlalchemy.orm import Session

from bot import channels
from bot.answers import fold
from bot.runtime import Runtime
from store.models import Message

LOOP_SECONDS = 2.0  # faster than anyone reads a question and answers it
REPEAT_WITHIN = timedelta(hours=1)  # a bot answering slowly, the same words each time
# Channels another bot can talk on (bot/channels.py); on the others only the ceiling applies.
LOOP_CHANNELS = frozenset(c.name for c in channels.CHANNELS if c.loop_guard)
UNANSWERED = "unanswered"  # the status of an inbound message held back


# The person's latest messages, both ways, newest first (built once: see bot/contacts.py).
_LATEST = (select(Message.id, Message.direction, Message.created_at,
                  func.coalesce(Message.sent_at, Message.created_at), Message.body,
                  Message.status, Message.reply_to_id)
           .where(Message.contact_id == bindparam("contact"),
                  Message.id <= bindparam("upto"))
           .order_by(Message.id.desc()).limit(bindparam("window")))


def held_back(rt: Runtime, session: Session, channel: str, contact_id: int, inbound_id: int,
              text: str, now: datetime) -> bool:
    """Whether this message (already stored as `inbound_id`) should go unanswered.

    One look at the person's latest messages, both ways, settles it almost always; the
    separate counts below are for floods too long for that look."""
    if is_stop(rt, text):
        return False
    limit, ceiling = rt.settings.loop_limit, rt.settings.rate_limit_per_minute
    window = (limit + 2) * 4
    rows = session.execute(_LATEST, {"contact": contact_id, "upto": inbound_id,
                                      "window": window}).all()
    whole = len(rows) < window  # their whole history
    minute_ago = now - timedelta(minutes=1)
    if whole or rows[-1].created_at <= minute_ago:
        recent = sum(1 for r in rows if r.direction == "in" and r.created_at > minute_ago)
    else:
        recent = session.scalar(select(func.count()).select_from(Message).where(
            Message.direction == "in", Message.contact_id == contact_id,
            Message.created_at > minute_ago))
    if recent > ceiling:
        return True
    if channel not in LOOP_CHANNELS:
        return False
    arrivals = [r for r in rows if r.direction == "in"][:limit + 2]
    if len(arrivals) <= limit + 1:
        return not whole and _looping(rt, session, contact_id, inbound_id, now)
    said = [(r.id, r[3], r.body, r.reply_to_id) for r in rows
            if r.direction == "out" and arrivals[-1].id < r.id < inbound_id]
    return _quick(arrivals, said) or _repeating(arrivals[:-1], said, now)


def _looping(rt: Runtime, session: Session, contact_id: int, inbound_id: int,
             now: datetime) -> bool:
    """Whether this message ends a run of LOOP_LIMIT + 1 that came too fast or said the
    same thing over and over (LOOP_SECONDS, REPEAT_WITHIN), looked up on their own."""
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
    """An opt-out, as a keyword or in plain words, in any language."""
    return (fold(text) in rt.catalogs.words("keywords/stop", rt.catalogs.languages, fold)
            or rt.opt_out.matches(text))
