"""Opting out and back in: one path for the STOP keyword and the providers' signals (Twilio's
21610, a Telegram bot blocked).

Opting out marks the person on every channel and cancels everything waiting for them, on
every channel. The worker re-checks when it claims rows and again right before each send
(`silenced`), so nothing queued by any path reaches someone who opted out — except a reply
to what they wrote while opted out (the confirmation of their STOP, an answer to HELP),
which is written after the opt-out and marked `despite_opt_out`. Opting back in sends
nothing that was cancelled.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ColumnElement, and_, exists, select, update
from sqlalchemy.orm import Session

from store.models import Contact, Message, OptOut

PENDING = ("queued", "sending")  # not yet with a provider


def opt_out(session: Session, contact: Contact, channel: str, reason: str,
            now: datetime) -> None:
    """Opt a person out on every channel and cancel everything waiting for them."""
    if contact.opted_out_at is None:
        contact.opted_out_at = now
        session.add(OptOut(contact_id=contact.id, channel=channel, action="out",
                           reason=reason, at=now))
    cancel(session, now, Message.contact_id == contact.id)


def opt_in(session: Session, contact: Contact, channel: str, reason: str,
           now: datetime) -> None:
    """Opt a person back in (what was cancelled stays cancelled)."""
    contact.opted_out_at = None
    session.add(OptOut(contact_id=contact.id, channel=channel, action="in", reason=reason,
                       at=now))


def is_opted_out(session: Session, contact_id: int | None) -> bool:
    """Whether this person is opted out now (in this transaction)."""
    return contact_id is not None and session.scalar(
        select(Contact.opted_out_at).where(Contact.id == contact_id)) is not None


def silenced() -> ColumnElement[bool]:
    """Outbound rows that must not go: their person opted out (and the row is not a reply to
    what they wrote since)."""
    return and_(~Message.despite_opt_out, exists().where(
        Contact.id == Message.contact_id, Contact.opted_out_at.is_not(None)))


def cancel(session: Session, now: datetime, *where: ColumnElement[bool],
           reason: str = "opted-out") -> int:
    """Cancel the pending outbound rows matching `where` (`reason`: their error code);
    returns how many."""
    result = session.execute(
        update(Message).where(Message.direction == "out", Message.status.in_(PENDING), *where)
        .values(status="cancelled", error_code=reason, claim_token=None, updated_at=now)
        .execution_options(synchronize_session=False))
    return result.rowcount
