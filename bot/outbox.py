"""The outbox: outbound message rows, sent by the worker through each channel's sender.

A row exists before anything is sent. The worker claims due rows (queued, next attempt
passed) by marking them `sending` in a short transaction — FOR UPDATE SKIP LOCKED on
PostgreSQL so that several workers never claim one row; UPDATE … RETURNING inside
BEGIN IMMEDIATE on SQLite — then sends outside any transaction and records the outcome.
Temporary failures are retried with exponential backoff; final ones are marked failed.
A row left `sending` by a crashed worker is claimed again after LEASE. Messages to one
address go out in the order they were written: none is claimed while an earlier one waits
for a retry or is on its way, and when one fails, the rest of its address's batch is given
back untried.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import and_, exists, or_, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session, aliased

from bot import addresses
from bot.delivery import Outgoing, PermanentFailure, Sender, TemporaryFailure
from bot.quiet import QuietHours
from bot.runtime import Runtime
from bot.state import Option, Reply
from store.db import transaction
from store.models import Address, Contact, Message, OptOut

log = logging.getLogger(__name__)

LEASE = timedelta(minutes=5)
MAX_ATTEMPTS = 8
BASE_DELAY = timedelta(seconds=30)
MAX_DELAY = timedelta(hours=2)


def insert_for(session: Session):
    """The dialect's INSERT, which has ON CONFLICT DO NOTHING (PostgreSQL and SQLite)."""
    return pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert


def reply_payload(reply: Reply) -> dict[str, Any]:
    """A reply's data beyond its text, for the outbound row (channels render from it)."""
    return {"options": [[o.id, o.label] for o in reply.options], "style": reply.style,
            "multi": reply.multi, "hint": reply.hint, "note": reply.note,
            "question": reply.question}


def reply_from_row(row: Message) -> Reply:
    payload = row.payload or {}
    return Reply(row.body, tuple(Option(i, label) for i, label in payload.get("options", [])),
                 payload.get("style", "list"), payload.get("multi", False),
                 payload.get("hint"), payload.get("note"), payload.get("question"))


def enqueue(session: Session, channel: str, address: str, reply: Reply, now: datetime, *,
            contact_id: int | None = None, key: str | None = None,
            quiet: QuietHours | None = None, reply_to: int | None = None) -> int | None:
    """Queue one message for the worker: the outbox any feature can use.

    `key` makes it idempotent — a key used before queues nothing and returns None, so a
    reminder or broadcast run twice never sends twice. With `quiet`, it is due at the next
    moment outside quiet hours."""
    due = quiet.next_allowed(now) if quiet is not None else now
    stmt = insert_for(session)(Message).values(
        direction="out", channel=channel, address=address, contact_id=contact_id,
        body=reply.text, payload=reply_payload(reply), idempotency_key=key, status="queued",
        reply_to_id=reply_to, next_attempt_at=due, attempts=0, created_at=now, updated_at=now)
    if key is not None:
        stmt = stmt.on_conflict_do_nothing(index_elements=["idempotency_key"])
    return session.scalar(stmt.returning(Message.id))


def backoff(attempts: int) -> timedelta:
    return min(BASE_DELAY * (2 ** max(attempts - 1, 0)), MAX_DELAY)


def claim(rt: Runtime, now: datetime, limit: int = 50,
          channels: tuple[str, ...] | None = None) -> list[Outgoing]:
    """Mark up to `limit` due rows as sending (this worker's) and return them."""
    earlier = aliased(Message)
    due = and_(
        Message.direction == "out",
        or_(and_(Message.status == "queued", Message.next_attempt_at <= now),
            and_(Message.status == "sending", Message.updated_at <= now - LEASE)),
        # First in, first out per address: nothing overtakes an earlier message that is
        # waiting (a retry, quiet hours) or on its way, so no question beats its intro.
        ~exists().where(
            earlier.channel == Message.channel, earlier.address == Message.address,
            earlier.direction == "out", earlier.id < Message.id,
            or_(and_(earlier.status == "queued", earlier.next_attempt_at > now),
                and_(earlier.status == "sending", earlier.updated_at > now - LEASE))),
    )
    if channels:
        due = and_(due, Message.channel.in_(channels))
    with transaction(rt.sessions) as session:
        ids = select(Message.id).where(due).order_by(Message.next_attempt_at, Message.id)
        if session.get_bind().dialect.name == "postgresql":
            ids = list(session.scalars(ids.limit(limit).with_for_update(skip_locked=True)))
        else:
            ids = ids.limit(limit).scalar_subquery()
        rows = session.scalars(
            update(Message).where(Message.id.in_(ids))
            .values(status="sending", attempts=Message.attempts + 1, updated_at=now)
            .returning(Message)
        ).all()
        return [Outgoing(r.id, r.channel, r.address, reply_from_row(r), r.idempotency_key,
                         _last_inbound(session, r.channel, r.address))
                for r in sorted(rows, key=lambda r: r.id)]


def _address_row(session: Session, channel: str, address: str) -> Address | None:
    try:
        scheme, value = addresses.parse(channel, address)
    except addresses.InvalidAddress:
        return None
    return session.scalar(select(Address).where(Address.scheme == scheme,
                                                Address.value == value))


def _last_inbound(session: Session, channel: str, address: str) -> datetime | None:
    if channel != "whatsapp":
        return None
    row = _address_row(session, channel, address)
    return row.last_inbound_at if row is not None else None


def send_due(rt: Runtime, senders: Mapping[str, Sender], now: datetime | None = None,
             limit: int = 50, pace: Callable[[str], None] | None = None) -> int:
    """Send what is due through `senders` (by channel); returns how many were handled.

    `pace(channel)` is called before each send (the worker's rate limiter)."""
    now = now or rt.now()
    batch = claim(rt, now, limit, tuple(senders))
    held_back: dict[tuple[str, str], datetime] = {}  # address -> its retry's time
    for message in batch:
        key = (message.channel, message.address)
        if key in held_back:
            _release(rt, message, held_back[key], now)
            continue
        if pace is not None:
            pace(message.channel)
        outcome = _send_one(senders[message.channel], message)
        retry_at = _record(rt, message, outcome, now)
        if retry_at is not None:
            held_back[key] = retry_at
    return len(batch)


def _release(rt: Runtime, message: Outgoing, not_before: datetime, now: datetime) -> None:
    """Give a claimed message back, untried, to go after the earlier one being retried."""
    with transaction(rt.sessions) as session:
        row = session.get(Message, message.id)
        row.status, row.attempts = "queued", row.attempts - 1
        row.next_attempt_at, row.updated_at = not_before, now


def _send_one(sender: Sender, message: Outgoing):
    try:
        return sender.send(message)
    except (TemporaryFailure, PermanentFailure) as failure:
        return failure
    except Exception as exc:  # noqa: BLE001 - a sender bug must not lose the message
        log.exception("sender crashed on message %s", message.id)
        return TemporaryFailure(type(exc).__name__)


def _record(rt: Runtime, message: Outgoing, outcome, now: datetime) -> datetime | None:
    """Store a send's outcome; returns when it will be tried again, if it will."""
    with transaction(rt.sessions) as session:
        row = session.get(Message, message.id)
        if isinstance(outcome, TemporaryFailure):
            row.error_code = outcome.code
            if row.attempts >= MAX_ATTEMPTS:
                row.status = "failed"
            else:
                delay = backoff(row.attempts)
                if outcome.retry_after:
                    delay = max(delay, timedelta(seconds=outcome.retry_after))
                row.status, row.next_attempt_at = "queued", now + delay
        elif isinstance(outcome, PermanentFailure):
            row.status, row.error_code = outcome.status, outcome.code
            _final_failure(session, row, outcome, now)
        else:
            row.status, row.provider_id, row.sent_at = "sent", outcome, now
            row.error_code = None
        row.updated_at = now
        return row.next_attempt_at if row.status == "queued" else None


def _final_failure(session: Session, row: Message, failure: PermanentFailure,
                   now: datetime) -> None:
    """An opted-out or blocked person is opted out everywhere; a bad number is marked."""
    address = _address_row(session, row.channel, row.address)
    if address is None:
        return
    if failure.opt_out:
        opt_out(session, address.contact, row.channel, failure.code, now)
    if failure.invalid_address:
        address.status = "invalid"


def opt_out(session: Session, contact: Contact, channel: str, reason: str,
            now: datetime) -> None:
    """Mark a person opted out on every channel, and drop what was waiting for them."""
    if contact.opted_out_at is None:
        contact.opted_out_at = now
        session.add(OptOut(contact_id=contact.id, channel=channel, action="out",
                           reason=reason, at=now))
    session.execute(update(Message).where(
        Message.contact_id == contact.id, Message.direction == "out",
        Message.status == "queued").values(status="cancelled", error_code="opted-out",
                                           updated_at=now))


def update_status(rt: Runtime, channel: str, provider_id: str, status: str,
                  error_code: str | None,
                  failure: TemporaryFailure | PermanentFailure | None = None,
                  now: datetime | None = None) -> bool:
    """A delivery report from a provider. Returns False if the message is unknown.

    Statuses only move forward (a late `sent` never overwrites `delivered`). `failure` is
    what the channel made of an undelivered message's error: a final one opts the person
    out or marks the address invalid, a held one waits (nothing is lost), a temporary one
    queues the message again with backoff.
    """
    now = now or rt.now()
    with transaction(rt.sessions) as session:
        row = session.scalar(select(Message).where(
            Message.channel == channel, Message.direction == "out",
            Message.provider_id == provider_id).with_for_update())
        if row is None:
            return False
        if STATUS_ORDER.get(status, 0) < STATUS_ORDER.get(row.status, 0):
            return True
        row.status, row.updated_at = status, now
        row.error_code = error_code or row.error_code
        if isinstance(failure, PermanentFailure):
            if failure.status == "held":
                row.status = "held"
            else:
                _final_failure(session, row, failure, now)
        elif isinstance(failure, TemporaryFailure) and row.attempts < MAX_ATTEMPTS:
            row.status, row.next_attempt_at = "queued", now + backoff(row.attempts)
        return True


STATUS_ORDER = {"queued": 1, "sending": 2, "accepted": 3, "scheduled": 3, "sent": 4,
                "undelivered": 5, "failed": 5, "delivered": 6, "read": 7}
