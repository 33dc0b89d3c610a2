"""A guard against floods: how many messages a person sent in the last minute.

Over the limit, a message is stored but not passed to the engine (the conversation module
answers the first one with "slow down"). An opt-out keyword is never held back.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bot.answers import fold
from bot.runtime import Runtime
from store.models import Message


def over_limit(rt: Runtime, session: Session, contact_id: int, text: str,
               now: datetime) -> int | None:
    """How many messages this person sent in the last minute (this one included) when
    that is over the limit and the message is not STOP; else None."""
    recent = session.scalar(select(func.count()).select_from(Message).where(
        Message.direction == "in", Message.contact_id == contact_id,
        Message.created_at > now - timedelta(minutes=1)))
    if recent <= rt.settings.rate_limit_per_minute or is_stop(rt, text):
        return None
    return recent


def is_stop(rt: Runtime, text: str) -> bool:
    """An opt-out keyword in any language."""
    return fold(text) in rt.catalogs.words("keywords/stop", rt.catalogs.languages, fold)
