"""The worker's sending job: outbox rows (bot/outbox.py) sent through each channel's sender.

A row exists before anything is sent. The worker claims a small batch of due rows (queued,
next attempt passed) by marking them `sending` under a random claim token in a short
transaction — FOR UPDATE SKIP LOCKED on PostgreSQL so that several workers never claim one
row; BEGIN IMMEDIATE on SQLite — then sends outside any transaction and records the outcome.
A claim never outlives the work it covers: a heartbeat renews the batch's lease while it is
being sent, and right before each send the row's lease is renewed and its token checked, so
a row another worker re-claimed is not sent by this one. What a provider answered is held
in memory until the database takes it (an outage is waited out), so a message the provider
accepted is recorded as sent, never sent again. A row left `sending` by a dead worker is
claimed again once its lease (LEASE) ran out unrenewed. Due rows of someone who opted out
are cancelled, not sent (bot/optouts.py). Temporary failures are retried with exponential
backoff (a row queued under quiet hours waits them out again at every retry, and is
never claimed inside them); final ones are marked failed. Messages to one address go out in
the order they were written: none is claimed while an earlier one waits for a retry or is
on its way, and when one fails, the rest of its address's batch is given back untried.
"""

from __future__ import annotations

import logging
import secrets
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache, partial
from typing import Any, TypeVar

from sqlalchemy import and_, bindparam, case, exists, or_, select, update
from sqlalchemy.exc import InterfaceError, OperationalError
from sqlalchemy.orm import Session, aliased

from bot import channels, optouts
from bot.delivery import Outgoing, PermanentFailure, Sender, TemporaryFailure
from bot.outbox import (
    MAX_ATTEMPTS,
    ORPHANED,
    URGENT,
    address_row,
    backoff,
    final_failure,
    keeps_address,
    not_before,
    reply_from_row,
)
from bot.quiet import QuietHours
from bot.runtime import Runtime
from store.db import transaction
from store.models import Message

log = logging.getLogger(__name__)

LEASE = timedelta(minutes=5)  # a claim unrenewed this long is taken as its worker's death
RENEW_EVERY = LEASE / 4
HEARTBEAT_POLL = 0.05  # seconds between the heartbeat's looks at the clock (it writes rarely)
HEARTBEAT_RETRY = timedelta(seconds=5)  # after a failed renewal (the database away)
BATCH = 40  # rows per claim: a small batch is sent long before its lease could run out
LANES = 4  # messages on their way at once per worker: their waits for the provider overlap
RETRY_FIRST, RETRY_LONGEST = 0.5, 10.0  # seconds between tries while the database is away

T = TypeVar("T")


@dataclass(frozen=True)
class Claim:
    """Rows one worker claimed, the token that proves it, and how many due rows it cancelled
    instead (their person had opted out)."""

    token: str
    messages: list[Outgoing]
    now: datetime
    cancelled: int = 0
    quiet: QuietHours | None = None

    def __len__(self) -> int:
        return len(self.messages)

    def __iter__(self) -> Iterator[Outgoing]:
        return iter(self.messages)


def claim(rt: Runtime, now: datetime, limit: int = BATCH,
          channels: tuple[str, ...] | None = None) -> Claim:
    """Mark up to `limit` due rows as sending under a new claim token and return them; due
    rows of someone who opted out are cancelled instead, whichever path queued them."""
    token = secrets.token_hex(16)
    params = {"now": now, "expired": now - LEASE, "limit": limit, "channels": list(channels or ())}
    with transaction(rt.sessions) as session:
        find = _claim_statements(bool(channels), session.get_bind().dialect.name)
        db = session.connection()  # Core throughout: no ORM objects for rows sent at once
        # Rows whose worker died first (their lease ran out), then the queue in its order.
        # Two index-ordered reads that stop at `limit`, where one OR would sort the queue.
        found = db.execute(find.expired, params).all()
        if len(found) < limit:
            found += db.execute(find.queued, {**params, "limit": limit - len(found)}).all()
        if not found:
            return Claim(token, [], now)
        silenced = [row.id for row in found if row.silenced]
        cancelled = optouts.cancel(session, now, Message.id.in_(silenced),
                                   optouts.silenced()) if silenced else 0
        go = [row.id for row in found if not row.silenced]
        if not go:
            return Claim(token, [], now, cancelled)
        rows = db.execute(_CLAIM, {"ids": go, "token": token, "now": now}).all()
        quiet = QuietHours.from_settings(rt.settings)
        if quiet.is_quiet(now):  # a row bound by quiet hours never goes inside them
            rows = _wait_out_quiet(session, rows, quiet, now)
        return Claim(token, [
            Outgoing(r.id, r.channel, r.address, reply_from_row(r), r.idempotency_key,
                     _last_inbound(session, r.channel, r.address))
            for r in sorted(rows, key=lambda r: r.id)], now, cancelled, quiet)


def _wait_out_quiet(session: Session, rows: list, quiet: QuietHours, now: datetime) -> list:
    """Give back the claimed rows that must wait out quiet hours (a retry or a lease run out
    that came due inside them); returns the rest."""
    bound = [r.id for r in rows if not_before(r.payload, now, quiet) > now]
    if bound:
        session.execute(update(Message).where(Message.id.in_(bound)).values(
            status="queued", claim_token=None, next_attempt_at=quiet.next_allowed(now),
            updated_at=now))
    return [r for r in rows if r.id not in bound]


@dataclass(frozen=True)
class _Find:
    expired: Any  # rows left `sending` whose lease ran out
    queued: Any  # queued rows whose time has come, in order


@cache
def _claim_statements(by_channel: bool, dialect: str) -> _Find:
    """The claim's reads, built once (per dialect, with or without a channel filter)."""
    earlier = aliased(Message)
    now, expired = bindparam("now"), bindparam("expired")
    # First in, first out per address: nothing overtakes an earlier message that is
    # waiting (a retry, quiet hours) or on its way, so no question beats its intro. An
    # urgent row (the lead's `alerts reply --now`) does not wait for earlier rows not yet
    # due (a reply held for 08:00, a welcome): among due rows the order stays.
    nothing_earlier = ~exists().where(
        earlier.channel == Message.channel, earlier.address == Message.address,
        earlier.direction == "out", earlier.id < Message.id,
        or_(and_(earlier.status == "queued", earlier.next_attempt_at > now,
                 Message.next_attempt_at > URGENT),
            and_(earlier.status == "sending", earlier.updated_at > expired)))
    where = [Message.direction == "out", nothing_earlier]
    if by_channel:
        where.append(Message.channel.in_(bindparam("channels", expanding=True)))

    def read(*due):
        stmt = (select(Message.id, optouts.silenced().label("silenced"))
                .where(*due, *where).order_by(Message.next_attempt_at, Message.id)
                .limit(bindparam("limit")))
        if dialect == "postgresql":
            stmt = stmt.with_for_update(skip_locked=True, of=Message)
        return stmt  # SQLite: BEGIN IMMEDIATE holds the write lock

    return _Find(
        expired=read(Message.status == "sending", Message.updated_at <= expired),
        queued=read(Message.status == "queued", Message.next_attempt_at <= now))


_CLAIM = (update(Message)
          .where(Message.id.in_(bindparam("ids", expanding=True)), Message.status != "cancelled")
          .values(status="sending", claim_token=bindparam("token"), updated_at=bindparam("now"))
          .returning(Message.id, Message.channel, Message.address, Message.body,
                     Message.payload, Message.idempotency_key))


_WINDOWED = frozenset(c.name for c in channels.CHANNELS if c.reply_window)  # 24-hour window


def _last_inbound(session: Session, channel: str, address: str) -> datetime | None:
    if channel not in _WINDOWED:
        return None
    row = address_row(session, channel, address)
    return row.last_inbound_at if row is not None else None


def send_due(rt: Runtime, senders: Mapping[str, Sender], now: datetime | None = None,
             limit: int = BATCH, pace: Callable[[str], None] | None = None,
             sleep: Callable[[float], object] = time.sleep) -> int:
    """Claim a small batch and send it through `senders` (by channel); returns how many rows
    were handled (sent, failed, given back or cancelled).

    The batch goes out on up to LANES lanes at once, each address's messages on one lane in
    their order. `pace(channel)` is called before each send (the worker's rate limiter). While
    the batch is sent a heartbeat renews its lease; right before each send the row's lease is
    renewed and its token checked, so a row another worker re-claimed, or one cancelled by an
    opt-out, is not sent. Each database step is retried through an outage (`sleep` between
    tries): an outcome the provider gave is held until it is recorded, never sent again."""
    now = now or rt.now()
    batch = claim(rt, now, limit, tuple(senders))
    if not batch:
        return batch.cancelled
    lanes = _lanes(batch.messages, LANES)
    send = partial(_send_lane, rt, senders, batch, now=now, pace=pace, sleep=sleep)
    with _Heartbeat(rt, batch):
        if len(lanes) == 1:
            send(lanes[0])
        else:  # waits for every lane before the heartbeat stops, even if one raised
            with ThreadPoolExecutor(len(lanes), thread_name_prefix="outbox-lane") as pool:
                for lane in [pool.submit(send, lane) for lane in lanes]:
                    lane.result()
    return len(batch) + batch.cancelled


def _lanes(messages: list[Outgoing], count: int) -> list[list[Outgoing]]:
    """The batch dealt onto up to `count` lanes, an address at a time, so that each
    address's messages stay on one lane in their order."""
    lanes: list[list[Outgoing]] = []
    lane_of: dict[tuple[str, str], int] = {}
    for message in messages:
        n = lane_of.setdefault((message.channel, message.address), len(lane_of) % count)
        if n == len(lanes):
            lanes.append([])
        lanes[n].append(message)
    return lanes


def _send_lane(rt: Runtime, senders: Mapping[str, Sender], batch: Claim,
               messages: list[Outgoing], now: datetime, pace: Callable[[str], None] | None,
               sleep: Callable[[float], object]) -> None:
    """Send one lane's messages one after the other: take, send, record (with the next
    row's take in the same transaction)."""
    held_back: dict[tuple[str, str], datetime] = {}  # address -> its retry's time
    ahead: tuple[int, bool] | None = None  # (row, taken) decided with the row before it
    for n, message in enumerate(messages):
        key = (message.channel, message.address)
        if key in held_back:
            _persist(partial(_release, rt, batch, message, held_back[key], now), sleep)
            continue
        if pace is not None:
            pace(message.channel)
        if ahead is not None and ahead[0] == message.id:
            taken = ahead[1]
        else:
            taken = _persist(partial(_take, rt, batch, message), sleep)
        if not taken:
            continue  # re-claimed by another worker, or cancelled: not ours to send
        outcome = _send_one(senders[message.channel], message)
        following = messages[n + 1] if n + 1 < len(messages) else None
        retry_at, ahead = _persist(partial(_record, rt, batch, message, outcome, now,
                                           following, held_back), sleep)
        if retry_at is not None:
            held_back[key] = retry_at


def _persist(step: Callable[[], T], sleep: Callable[[float], object]) -> T:
    """Run a database step until the database answers, waiting longer after each failure."""
    delay = RETRY_FIRST
    while True:
        try:
            return step()
        except (OperationalError, InterfaceError) as exc:
            log.warning("database unavailable (%s); trying again in %.1f s",
                        type(exc.orig).__name__ if exc.orig else type(exc).__name__, delay)
            sleep(delay)
            delay = min(delay * 2, RETRY_LONGEST)


class _Heartbeat:
    """Renews a batch's lease while it is being sent, so that a slow provider never lets the
    lease run out under rows this worker still holds."""

    def __init__(self, rt: Runtime, batch: Claim):
        self.rt, self.token, self.last = rt, batch.token, batch.now
        self._done = threading.Event()
        self._thread = threading.Thread(target=self._run, name="outbox-heartbeat",
                                        daemon=True)

    def __enter__(self) -> _Heartbeat:
        self._thread.start()
        return self

    def __exit__(self, *_exc) -> None:
        self._done.set()
        self._thread.join()

    def _run(self) -> None:
        while not self._done.wait(HEARTBEAT_POLL):
            now = self.rt.now()
            if now - self.last < RENEW_EVERY:
                continue
            try:
                with transaction(self.rt.sessions) as session:
                    session.execute(update(Message).where(
                        Message.claim_token == self.token, Message.status == "sending")
                        .values(updated_at=now))
                self.last = now
            except (OperationalError, InterfaceError):
                log.warning("could not renew the outbox lease; trying again in %s s",
                            HEARTBEAT_RETRY.seconds)
                self.last = now - RENEW_EVERY + HEARTBEAT_RETRY


# Built once, run for every message sent (see bot/contacts.py on why), on the session's
# connection: Core, without the ORM's per-statement work for a row it holds no object of.
_TAKE = (update(Message)
         .where(Message.id == bindparam("row"), Message.claim_token == bindparam("token"),
                Message.status == "sending", ~optouts.silenced())
         .values(attempts=Message.attempts + 1, updated_at=bindparam("now"))
         .returning(Message.id))
_SENT = (update(Message).where(Message.id == bindparam("row"))
         .values(status="sent", provider_id=bindparam("provider_id"),
                 sent_at=bindparam("now"), error_code=None, claim_token=None,
                 updated_at=bindparam("now"),
                 address=case((ORPHANED, ""), else_=Message.address)))


def _take(rt: Runtime, batch: Claim, message: Outgoing) -> bool:
    """Right before sending: renew this row's lease and count the attempt, if it is still
    ours and still to go."""
    with transaction(rt.sessions) as session:
        return _take_in(session, batch, message, rt.now())


def _take_in(session: Session, batch: Claim, message: Outgoing, now: datetime) -> bool:
    taken = session.connection().execute(
        _TAKE, {"row": message.id, "token": batch.token, "now": now}).first()
    if taken is None:  # opted out since the claim: cancel it here (the opt-out does too)
        optouts.cancel(session, now, Message.id == message.id, optouts.silenced())
    return taken is not None


def _release(rt: Runtime, batch: Claim, message: Outgoing, not_before: datetime,
             now: datetime) -> None:
    """Give a claimed message back, untried, to go after the earlier one being retried."""
    with transaction(rt.sessions) as session:
        session.execute(update(Message).where(
            Message.id == message.id, Message.claim_token == batch.token,
            Message.status == "sending").values(
            status="queued", claim_token=None,
            next_attempt_at=not_before, updated_at=now))


def _send_one(sender: Sender, message: Outgoing):
    try:
        return sender.send(message)
    except (TemporaryFailure, PermanentFailure) as failure:
        return failure
    except Exception as exc:  # noqa: BLE001 - a sender bug must not lose the message
        log.exception("sender crashed on message %s", message.id)
        return TemporaryFailure(type(exc).__name__)


def _record(rt: Runtime, batch: Claim, message: Outgoing, outcome, now: datetime,
            following: Outgoing | None = None,
            held_back: Mapping[tuple[str, str], datetime] | None = None,
            ) -> tuple[datetime | None, tuple[int, bool] | None]:
    """Store a send's outcome and, in the same transaction, take the batch's next row if it
    will go next (one transaction a message instead of two). Returns when this one will be
    tried again, if it will, and (next row, taken) when the next row was looked at."""
    with transaction(rt.sessions) as session:
        retry_at = _record_in(session, batch, message, outcome, now)
        waiting = set(held_back or ())  # addresses whose next rows are given back
        if retry_at is not None:
            waiting.add((message.channel, message.address))
        if following is None or (following.channel, following.address) in waiting:
            return retry_at, None
        return retry_at, (following.id, _take_in(session, batch, following, rt.now()))


def _record_in(session: Session, batch: Claim, message: Outgoing, outcome,
               now: datetime) -> datetime | None:
    """Store a send's outcome; returns when it will be tried again, if it will.

    What the provider answered is the truth and is always recorded — a sent message is
    marked sent even if its lease ran out meanwhile, so no one sends it again. A temporary
    failure is left alone if the row is no longer this worker's (re-claimed, cancelled)."""
    if not isinstance(outcome, TemporaryFailure | PermanentFailure):  # sent: one statement
        session.connection().execute(
            _SENT, {"row": message.id, "provider_id": outcome, "now": now})
        return None
    row = session.get(Message, message.id, with_for_update=True)
    if row is None:  # purged meanwhile
        return None
    if isinstance(outcome, TemporaryFailure):
        if row.claim_token != batch.token or row.status != "sending":
            return None
        row.error_code = outcome.code
        if row.attempts >= MAX_ATTEMPTS:
            row.status = "failed"
        else:
            delay = backoff(row.attempts)
            if outcome.retry_after:
                delay = max(delay, timedelta(seconds=outcome.retry_after))
            row.status = "queued"
            row.next_attempt_at = not_before(row.payload, now + delay, batch.quiet)
    else:
        row.status, row.error_code = outcome.status, outcome.code
        final_failure(session, row, outcome, now)
    if row.status == "failed" and not keeps_address(row.contact_id, row.reply_to_id):
        row.address = ""
    row.claim_token, row.updated_at = None, now
    return row.next_attempt_at if row.status == "queued" else None
