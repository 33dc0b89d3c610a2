"""The outbox: outbound message rows, sent by the worker through each channel's sender.

A row exists before anything is sent. The worker claims due rows (queued, next attempt
passed) by marking them `sending` in a short transaction — FOR UPDATE SKIP LOCKED on
PostgreSQL so that several workers never claim one row; UPDATE … RETURNING inside
BEGIN IMMEDIATE on SQLite — then sends outside any transaction and records the outcome.
Temporary failures are retried with exponential backoff; final ones are marked failed.
A row left `sending` by a crashed worker is claimed again after LEASE.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol

from sqlalchemy import and_, or_, select, update

from outreach.bot.conversations import reply_from_row
from outreach.bot.state import Reply
from outreach.runtime import Runtime
from outreach.store.db import transaction
from outreach.store.models import Message

log = logging.getLogger(__name__)

LEASE = timedelta(minutes=5)
MAX_ATTEMPTS = 8
BASE_DELAY = timedelta(seconds=30)
MAX_DELAY = timedelta(hours=2)


@dataclass(frozen=True)
class Outgoing:
    """What a sender needs: the row id (idempotency), channel, address and the reply."""

    id: int
    channel: str
    address: str
    reply: Reply
    idempotency_key: str | None = None


class TemporaryFailure(Exception):
    """Try again later (provider down, 5xx, 429, timeout)."""

    def __init__(self, code: str, retry_after: float | None = None):
        super().__init__(code)
        self.code, self.retry_after = code, retry_after


class PermanentFailure(Exception):
    """Never retry (invalid number, opted out, blocked). `opt_out` marks the person."""

    def __init__(self, code: str, opt_out: bool = False, invalid_address: bool = False,
                 status: str = "failed"):
        super().__init__(code)
        self.code, self.opt_out, self.invalid_address, self.status = (
            code, opt_out, invalid_address, status)


class Sender(Protocol):
    def send(self, message: Outgoing) -> str | None:
        """Send one message; return the provider's id, or raise a *Failure."""


class ConsoleSender:
    """No credentials: log the message instead of sending it (development, previews)."""

    def __init__(self, channel: str):
        self.channel = channel

    def send(self, message: Outgoing) -> str:
        log.info("console %s -> %s: %s", self.channel, message.address, message.reply.text)
        return f"console-{message.id}"


def backoff(attempts: int) -> timedelta:
    return min(BASE_DELAY * (2 ** max(attempts - 1, 0)), MAX_DELAY)


def claim(rt: Runtime, now: datetime, limit: int = 50,
          channels: tuple[str, ...] | None = None) -> list[Outgoing]:
    """Mark up to `limit` due rows as sending (this worker's) and return them."""
    due = and_(
        Message.direction == "out",
        or_(and_(Message.status == "queued", Message.next_attempt_at <= now),
            and_(Message.status == "sending", Message.updated_at <= now - LEASE)),
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
        return [Outgoing(r.id, r.channel, r.address, reply_from_row(r), r.idempotency_key)
                for r in sorted(rows, key=lambda r: r.id)]


def send_due(rt: Runtime, senders: Mapping[str, Sender], now: datetime | None = None,
             limit: int = 50, on_final: Callable[[Outgoing, PermanentFailure], None] | None = None
             ) -> int:
    """Send what is due through `senders` (by channel); returns how many were handled."""
    now = now or rt.now()
    batch = claim(rt, now, limit, tuple(senders))
    for message in batch:
        outcome = _send_one(senders[message.channel], message)
        _record(rt, message, outcome, now)
        if isinstance(outcome, PermanentFailure) and on_final is not None:
            on_final(message, outcome)
    return len(batch)


def _send_one(sender: Sender, message: Outgoing):
    try:
        return sender.send(message)
    except (TemporaryFailure, PermanentFailure) as failure:
        return failure
    except Exception as exc:  # noqa: BLE001 - a sender bug must not lose the message
        log.exception("sender crashed on message %s", message.id)
        return TemporaryFailure(type(exc).__name__)


def _record(rt: Runtime, message: Outgoing, outcome, now: datetime) -> None:
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
        else:
            row.status, row.provider_id, row.sent_at = "sent", outcome, now
            row.error_code = None
        row.updated_at = now
