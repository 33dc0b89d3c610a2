"""A guard against runaway loops (another bot answering ours), never against people.

Two signs, either of which holds a message back (it is stored, marked `unanswered`, and not
passed to the engine; the conversation module answers the first one of a run with "slow
down"):

- **a loop** (messaging channels): this message and the `LOOP_LIMIT` before it each came
  within `LOOP_SECONDS` of the last thing said in the conversation (our reply, or their
  previous message). A bot answers in well under a second, indefinitely; a person reads
  the question first, so eleven such messages in a row never come from one.
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
    """Whether this message and the `LOOP_LIMIT` before it each came within LOOP_SECONDS
    of the last message in the conversation, either way."""
    limit = rt.settings.loop_limit
    earlier = session.execute(
        select(Message.id, Message.created_at).where(
            Message.direction == "in", Message.contact_id == contact_id,
            Message.id < inbound_id).order_by(Message.id.desc()).limit(limit + 1)).all()
    if len(earlier) <= limit:
        return False
    said = session.execute(
        select(Message.id, func.coalesce(Message.sent_at, Message.created_at)).where(
            Message.direction == "out", Message.contact_id == contact_id,
            Message.id > earlier[-1].id, Message.id < inbound_id)).all()
    arrivals = [(inbound_id, now), *earlier]
    for (later_id, later_at), (before_id, before_at) in pairwise(arrivals):
        last = max([before_at, *(at for id_, at in said if before_id < id_ < later_id)])
        if (later_at - last).total_seconds() > LOOP_SECONDS:
            return False
    return True


def is_stop(rt: Runtime, text: str) -> bool:
    """An opt-out keyword in any language."""
    return fold(text) in rt.catalogs.words("keywords/stop", rt.catalogs.languages, fold)
