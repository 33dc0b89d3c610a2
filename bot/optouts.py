"""Opting out and back in: one path for the STOP keyword and the providers' signals (Twilio's
21610, a Telegram bot blocked).

Opting out marks the person on every channel and cancels everything waiting for them, on
every channel. SMS and WhatsApp from one phone number are two contacts (the providers do not
say they are one person), so opting out on either marks the other too (`same_number`): STOP
on WhatsApp silences SMS to that number. Opting back in is per channel (START on WhatsApp
does not lift an SMS STOP, which Twilio also keeps until START comes by SMS). The worker
re-checks when it claims rows and again right before each send (`silenced`), so nothing queued
by any path reaches someone who opted out — except a reply to what they wrote while opted
out (the confirmation of their STOP, an answer to HELP), which is written after the opt-out
and marked `despite_opt_out`. Opting back in sends nothing that was cancelled.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ColumnElement, and_, exists, select, update
from sqlalchemy.orm import Session

from bot import channels
from store.models import Address, Contact, Message, OptOut

PENDING = ("queued", "sending")  # not yet with a provider
PHONE_SCHEMES = channels.PHONE_SCHEMES  # one phone number, reached by SMS and by WhatsApp
SAME_NUMBER = "same number"  # the reason recorded for the other channel's contact


def same_number(session: Session, scheme: str, value: str) -> list[Contact]:
    """The contacts at this address: for a phone number, on SMS and WhatsApp alike."""
    schemes = PHONE_SCHEMES if scheme in PHONE_SCHEMES else (scheme,)
    return list(dict.fromkeys(session.scalars(select(Contact).join(Address).where(
        Address.scheme.in_(schemes), Address.value == value).order_by(Contact.id))))


def _sharing_a_number(session: Session, contact: Contact) -> list[Contact]:
    """This person and whoever writes from one of their phone numbers on another channel."""
    numbers = select(Address.value).where(Address.contact_id == contact.id,
                                          Address.scheme.in_(PHONE_SCHEMES))
    others = session.scalars(select(Contact).join(Address).where(
        Address.scheme.in_(PHONE_SCHEMES), Address.value.in_(numbers),
        Contact.id != contact.id).order_by(Contact.id))
    return list(dict.fromkeys([contact, *others]))


def opt_out(session: Session, contact: Contact, channel: str, reason: str,
            now: datetime) -> None:
    """Opt a person out on every channel (their number's other channel too) and cancel
    everything waiting for them."""
    people = _sharing_a_number(session, contact)
    for person in people:
        if person.opted_out_at is None:
            person.opted_out_at = now
            session.add(OptOut(contact_id=person.id, channel=channel, action="out",
                               reason=reason if person is contact else SAME_NUMBER, at=now))
    cancel(session, now, Message.contact_id.in_([person.id for person in people]))


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
