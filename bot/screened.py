"""Addresses a survey screened out lately (an under-13), remembered only as a keyed hash.

A screen-out keeps nothing about the person but a count (bot/erasure.py). Without more,
their next message ("hello?") would look like a stranger's first: it would start the
residents' survey and store their number again. So the address is remembered for
SCREENED_FOR (30 days) as HMAC-SHA256 keyed with SECRET_KEY — not the number, and no way
back to it without the key — with the survey and their language. Whatever it writes
meanwhile is thanked again by the engine (step "screened") and stored as nothing
(bot/conversations.py); a disclosure is the exception: it is kept for the safeguarding lead.
The worker deletes the rows whose time is up. docs/storage.md weighs the trade-off.
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from bot import erasure
from bot.runtime import Runtime
from bot.state import Person, Run, State
from store.db import transaction
from store.models import Address, Alert, ScreenedAddress

SCREENED_FOR = timedelta(days=30)


@dataclass(frozen=True)
class Mark:
    """What is remembered of a screened-out address: the survey and their language."""

    survey: str
    language: str | None = None
    stopped: bool = False  # they sent STOP: silence until the mark expires (or START)

    def state(self) -> State:
        """The conversation as the engine sees it: screened out of `survey`."""
        return State(Person(self.language, opted_out=self.stopped),
                     Run(survey=self.survey, step="screened"))


def digest(secret: str, scheme: str, value: str) -> str:
    """The keyed hash an address is remembered by (hex, 64 characters)."""
    message = f"screened\0{scheme}\0{value}".encode()
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def remember(session: Session, secret: str, scheme: str, value: str, survey: str,
             language: str | None, now: datetime) -> None:
    """Remember the address (as its hash) for SCREENED_FOR from now."""
    session.merge(ScreenedAddress(digest=digest(secret, scheme, value), survey=survey,
                                  language=language, until=now + SCREENED_FOR))


def recall(session: Session, secret: str, scheme: str, value: str,
           now: datetime) -> Mark | None:
    """The mark of an address screened out less than SCREENED_FOR ago, or None."""
    row = session.get(ScreenedAddress, digest(secret, scheme, value))
    if row is None or row.until <= now:
        return None
    return Mark(row.survey, row.language, row.stopped)


def stop(session: Session, secret: str, scheme: str, value: str, stopped: bool) -> None:
    """STOP (True) or START (False) from a screened address: a flag on its mark."""
    row = session.get(ScreenedAddress, digest(secret, scheme, value))
    if row is not None:
        row.stopped = stopped


def forget_expired(rt: Runtime, now: datetime) -> int:
    """Delete the marks whose time is up (the worker, each round); returns how many."""
    with rt.sessions() as session:
        due = session.scalar(select(ScreenedAddress.digest)
                             .where(ScreenedAddress.until <= now).limit(1))
    if due is None:
        return 0
    with transaction(rt.sessions) as session:
        expired = set(session.scalars(select(ScreenedAddress.digest)
                                      .where(ScreenedAddress.until <= now)))
        held = session.execute(select(Address.contact_id, Address.scheme, Address.value)
                               .join(Alert, Alert.contact_id == Address.contact_id)
                               .where(Alert.under_13, Alert.acked_at.is_(None))).all()
        for contact_id, scheme, value in held:  # kept for an alert: its time is up too
            if digest(rt.settings.secret_key, scheme, value) in expired:
                erasure.release(session, contact_id, expired=True)
        return session.execute(delete(ScreenedAddress)
                               .where(ScreenedAddress.until <= now)).rowcount
