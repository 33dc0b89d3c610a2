"""The message log: each inbound message stored once, and each reply stored as an outbound
row — sent inline, queued for the worker, or recorded as answered by the provider.

A provider id seen before is a retry: `log_inbound` stores nothing and `earlier_replies`
gives back what the first delivery was answered with.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import Enum

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from bot.answers import MAX_TEXT
from bot.outbox import (
    enqueue,
    keeps_address,
    prebuilt_insert,
    refuse_local_links,
    reply_from_row,
    reply_payload,
)
from bot.quiet import QuietHours
from bot.state import Reply, Start
from store.models import Message

_CONTROL = {c: None for c in range(32) if chr(c) not in "\t\n\r"}


@dataclass(frozen=True)
class Inbound:
    """A message as a channel hands it over."""

    channel: str  # sms | whatsapp | telegram | web
    address: str  # as the provider gives it: +44…, whatsapp:+44…, a chat id
    text: str = ""
    provider_id: str | None = None
    lang_hint: str | None = None
    media: bool = False
    start: Start | None = None
    link: str | None = None  # Telegram's LINK CODE (bot/members/linking.py)


class Delivery(Enum):
    """How the replies to a message reach the person."""

    INLINE = "inline"  # the caller hands them to the provider in its HTTP answer (TwiML)
    SHOWN = "shown"  # the caller shows them to whoever asked (the web form, `outreach chat`)
    OUTBOX = "outbox"  # the worker sends them
    PROVIDER = "provider"  # the provider already answered (Twilio's Advanced Opt-Out)
    SCHEDULED = "scheduled"  # a timer's replies: the worker sends them outside quiet hours


def _log_statement(insert):
    """INSERT … ON CONFLICT (provider id) DO NOTHING RETURNING id: a retry stores nothing."""
    table = Message.__table__
    return (insert(table)
            .on_conflict_do_nothing(index_elements=["channel", "direction", "provider_id"])
            .returning(table.c.id))


def log_inbound(session: Session, inbound: Inbound, address: str, now: datetime,
                contact_id: int | None = None) -> int | None:
    """Store the inbound message; None if this provider id was stored before (a retry;
    without a provider id nothing can conflict)."""
    # PostgreSQL cannot store NUL in text; the log keeps no more than an answer would.
    body = inbound.text.translate(_CONTROL)[:MAX_TEXT]
    return session.scalar(prebuilt_insert(session, _log_statement), dict(
        direction="in", channel=inbound.channel, address=address, body=body,
        provider_id=inbound.provider_id, status="received",
        payload={"media": True} if inbound.media else None, contact_id=contact_id,
        despite_opt_out=False, attempts=0, created_at=now, updated_at=now))


def earlier_replies(session: Session, inbound: Inbound) -> list[Reply]:
    """The replies a message with this provider id got the first time."""
    first = session.scalar(select(Message.id).where(
        Message.channel == inbound.channel, Message.direction == "in",
        Message.provider_id == inbound.provider_id))
    rows = session.scalars(select(Message).where(Message.reply_to_id == first)
                           .order_by(Message.id))
    return [reply_from_row(row) for row in rows]


def record_replies(session: Session, replies: list[Reply], channel: str, target: str,
                   contact_id: int | None, now: datetime, delivery: Delivery,
                   reply_to: int | None, quiet: QuietHours | None = None) -> None:
    """Write each reply as an outbound row: sent inline or shown, or queued for the worker
    (due after `quiet` hours, if given). A link to this machine never goes to a person's
    phone (LocalLink); it may be shown to whoever asked on this machine."""
    if delivery in (Delivery.OUTBOX, Delivery.SCHEDULED):
        for reply in replies:
            enqueue(session, channel, target, reply, now, contact_id=contact_id,
                    reply_to=reply_to, quiet=quiet)
        return
    if not replies:
        return
    if delivery is Delivery.INLINE:  # to a person's phone, as a queued message would go
        for reply in replies:
            refuse_local_links(reply.text)
    sent = delivery in (Delivery.INLINE, Delivery.SHOWN)  # else the provider answered itself
    if not keeps_address(contact_id, reply_to):  # final already: no address to keep
        target = ""
    session.execute(insert(Message.__table__), [dict(
        direction="out", channel=channel, address=target, contact_id=contact_id,
        body=reply.text, payload=reply_payload(reply), reply_to_id=reply_to,
        status="sent" if sent else "cancelled", sent_at=now if sent else None,
        attempts=1 if sent else 0, error_code=None if sent else "provider-replied",
        despite_opt_out=False, created_at=now, updated_at=now) for reply in replies])
