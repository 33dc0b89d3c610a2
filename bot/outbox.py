"""The outbox: outbound message rows, queued by any feature (`enqueue`), and what the
providers report about them afterwards (`update_status`). The worker sends them
(bot/sending.py).

A row exists before anything is sent. Due rows of someone who opted out are cancelled, not
sent (bot/optouts.py). Temporary failures are retried with exponential backoff (a row
queued under quiet hours waits them out again at every retry); final ones are marked
failed, and an opted-out or blocked person is opted out everywhere.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from datetime import UTC, datetime, timedelta
from functools import cache
from typing import Any

from sqlalchemy import and_, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from bot import addresses, optouts
from bot.config import ConfigError, local_host
from bot.delivery import PermanentFailure, TemporaryFailure
from bot.quiet import QuietHours
from bot.runtime import Runtime
from bot.state import Option, Reply
from store.db import transaction
from store.models import Address, Message

MAX_ATTEMPTS = 8
BASE_DELAY = timedelta(seconds=30)
MAX_DELAY = timedelta(hours=2)


def insert_for(session: Session):
    """The dialect's INSERT, which has ON CONFLICT DO NOTHING (PostgreSQL and SQLite)."""
    return pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert


def prebuilt_insert(session: Session, build: Callable[[Callable], Any]):
    """`build(insert)` with the session's dialect's INSERT, built once per dialect: on the
    message path, building a statement costs more than running it."""
    return _prebuilt(build, session.get_bind().dialect.name)


@cache
def _prebuilt(build: Callable[[Callable], Any], dialect: str):
    return build(pg_insert if dialect == "postgresql" else sqlite_insert)


def reply_payload(reply: Reply) -> dict[str, Any]:
    """A reply's data beyond its text, for the outbound row (channels render from it)."""
    return {"options": [[o.id, o.label] for o in reply.options], "style": reply.style,
            "multi": reply.multi, "hint": reply.hint, "note": reply.note,
            "question": reply.question, "how": reply.how}


def not_before(payload: Mapping[str, Any] | None, when: datetime,
               quiet: QuietHours | None) -> datetime:
    """When a row may go at the earliest: one queued under quiet hours (a reminder, a
    check-in, a broadcast: anything scheduled) waits them out again at every retry; a reply
    to what a person just wrote does not (docs/members.md)."""
    if quiet is not None and (payload or {}).get(QUIET_BOUND):
        return quiet.next_allowed(when)
    return when


def reply_from_row(row: Message) -> Reply:
    payload = row.payload or {}
    return Reply(row.body, tuple(Option(i, label) for i, label in payload.get("options", [])),
                 payload.get("style", "list"), payload.get("multi", False),
                 payload.get("hint"), payload.get("note"), payload.get("question"),
                 payload.get("how"))


# A reply to someone erased meanwhile (DELETE's confirmation, an under-13's thank-you, a
# screened-out address thanked again) names no person: it keeps their address only until
# it is final (sent or failed), then the address is blanked. Status callbacks still find it
# by its provider id.
ORPHANED = and_(Message.contact_id.is_(None), Message.reply_to_id.isnot(None))


def keeps_address(contact_id: int | None, reply_to: int | None) -> bool:
    """Whether a final outbound row keeps its address (all but an orphaned reply)."""
    return contact_id is not None or reply_to is None


class LocalLink(ConfigError):
    """A message carrying a link to this machine, which no one it is sent to could open."""


LINK = re.compile(r"https?://[^\s<>\"']+", re.I)


def refuse_local_links(text: str, what: str = "the message") -> None:
    """LocalLink if `text` links to this machine or its local network (localhost,
    127.0.0.1, 192.168.1.20, outreach.local: bot.config.local_host): every path that sends a message
    to a person passes here (PUBLIC_BASE_URL left at its local default would otherwise put
    calendar links, engagers' links and QR codes nobody can open in people's hands)."""
    if "://" not in text:  # the message path: nearly every message has no link at all
        return
    for link in LINK.findall(text):
        if (host := local_host(link)) is not None:
            raise LocalLink(f"{host} is this machine or its local network: no one else can "
                            "open a link to it, so "
                            f"{what} was refused. Links sent to people are built on "
                            "PUBLIC_BASE_URL: set it to the public address people reach this "
                            "service at, such as https://outreach.example.org "
                            "(docs/configuration.md)")


# The payload's mark of a row bound by quiet hours (queued with them): every retry, from
# every path (backoff, a delivery report, a lease run out), waits them out again.
QUIET_BOUND = "quiet"

# Due "since 1970": the worker takes rows by due time, so an urgent row (a safeguarding
# lead's notice) goes before a broadcast queued earlier, without a priority column.
URGENT = datetime(1970, 1, 1, tzinfo=UTC)


def enqueue(session: Session, channel: str, address: str, reply: Reply, now: datetime, *,
            contact_id: int | None = None, key: str | None = None,
            quiet: QuietHours | None = None, reply_to: int | None = None,
            urgent: bool = False) -> int | None:
    """Queue one message for the worker: the outbox any feature can use.

    `key` makes it idempotent — a key used before queues nothing and returns None, so a
    reminder or broadcast run twice never sends twice. With `quiet`, it is due at the next
    moment outside quiet hours. A reply to someone who has opted out (their STOP's
    confirmation, an answer to HELP) is marked to go despite the opt-out; nothing else
    queued for them goes. `urgent` rows go before everything else that is due. A link to
    this machine in the text is refused (LocalLink), whoever queues it."""
    refuse_local_links(reply.text)
    due = URGENT if urgent else quiet.next_allowed(now) if quiet is not None else now
    payload = reply_payload(reply)
    if quiet is not None and not urgent:
        payload[QUIET_BOUND] = True  # its retries wait out quiet hours too
    if contact_id is None:  # every row names its person, so an opt-out can find it
        known = address_row(session, channel, address)
        contact_id = known.contact_id if known is not None else None
    despite = reply_to is not None and optouts.is_opted_out(session, contact_id)
    stmt = insert_for(session)(Message).values(
        direction="out", channel=channel, address=address, contact_id=contact_id,
        body=reply.text, payload=payload, idempotency_key=key, status="queued",
        reply_to_id=reply_to, despite_opt_out=despite, next_attempt_at=due, attempts=0,
        created_at=now, updated_at=now)
    if key is not None:
        stmt = stmt.on_conflict_do_nothing(index_elements=["idempotency_key"])
    return session.scalar(stmt.returning(Message.id))


def backoff(attempts: int) -> timedelta:
    return min(BASE_DELAY * (2 ** max(attempts - 1, 0)), MAX_DELAY)


def address_row(session: Session, channel: str, address: str) -> Address | None:
    try:
        scheme, value = addresses.parse(channel, address)
    except addresses.InvalidAddress:
        return None
    return session.scalar(select(Address).where(Address.scheme == scheme,
                                                Address.value == value))


def final_failure(session: Session, row: Message, failure: PermanentFailure,
                   now: datetime) -> None:
    """An opted-out or blocked person is opted out everywhere; a bad number is marked."""
    address = address_row(session, row.channel, row.address)
    if address is None:
        return
    if failure.opt_out:
        optouts.opt_out(session, address.contact, row.channel, failure.code, now)
    if failure.invalid_address:
        address.status = "invalid"


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
                final_failure(session, row, failure, now)
        elif (isinstance(failure, TemporaryFailure) and row.attempts < MAX_ATTEMPTS
              and row.address):  # a blanked orphaned reply has nowhere to go again
            row.status = "queued"
            row.next_attempt_at = not_before(row.payload, now + backoff(row.attempts),
                                             QuietHours.from_settings(rt.settings))
        return True


STATUS_ORDER = {"queued": 1, "sending": 2, "accepted": 3, "scheduled": 3, "sent": 4,
                "undelivered": 5, "failed": 5, "delivered": 6, "read": 7}
