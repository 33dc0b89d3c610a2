"""Resume conversations whose wait has come due: the engine's timers, carried out.

The engine returns a wait (nudge at, expire at); `_resume` stores it on the conversation.
Here the worker finds the due ones and resumes each with `ReminderDue` or `Expired`. On
PostgreSQL several workers share the work (FOR UPDATE SKIP LOCKED); on SQLite one
transaction at a time holds the write lock anyway.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import or_, select

from bot.conversations import resume_due
from bot.runtime import Runtime
from bot.state import Expired, ReminderDue
from store.db import transaction
from store.models import Conversation

BATCH = 100


def run_due(rt: Runtime, now: datetime, batch: int = BATCH) -> int:
    """Resume every conversation whose nudge or expiry is due; returns how many."""
    done, seen = 0, set()
    while True:
        with transaction(rt.sessions) as session:
            due = session.scalars(
                select(Conversation)
                .where(or_(Conversation.nudge_at <= now, Conversation.expire_at <= now))
                .order_by(Conversation.id)
                .limit(batch)
                .with_for_update(skip_locked=True)
            ).all()
            due = [c for c in due if c.id not in seen]  # never loop on one that stays due
            seen.update(c.id for c in due)
            for conversation in due:
                expired = conversation.expire_at is not None and conversation.expire_at <= now
                resume_due(rt, session, conversation, Expired() if expired else ReminderDue(),
                           now)
        done += len(due)
        if len(due) < batch:
            return done
