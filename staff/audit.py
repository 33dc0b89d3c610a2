"""The audit log: sign-ins, failures, throttling, role changes, tokens, acknowledgements,
exports.

Rows are only ever added, with one exception that keeps a flood from hiding the rest:
failed and throttled sign-ins are tallied, one row per kind, minute and address (browsers
unknown to the account) or device (a known browser) with a `count`. The admins' page reads
the log a page at a time, filtered by kind, person and dates (`search`), and downloads it
as CSV, streamed a chunk at a time (`every`).
"""

from __future__ import annotations

import getpass
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, tzinfo

from sqlalchemy import Select, case, func, or_, select, update
from sqlalchemy.orm import Session

from store.db import transaction
from store.models import AuditEvent

SIGNIN, SIGNIN_FAILED, SIGNIN_THROTTLED, SIGNOUT = (
    "signin", "signin_failed", "signin_throttled", "signout")
USER_ADDED, ROLE_CHANGED, USER_DISABLED, USER_ENABLED, TOKEN_ISSUED, TOKEN_REVOKED = (
    "user_added", "role_changed", "user_disabled", "user_enabled", "token_issued",
    "token_revoked")
ALERT_ACKED, ALERT_REPLIED, PASSWORD_SET = "alert_acknowledged", "alert_replied", "password_set"
QUOTE_REVIEWED = "quote_reviewed"
EXPORTED, PACK_MADE, PURGED = "exported", "evidence_pack", "purged"
AUDIT_EXPORTED, SIGNIN_UNBLOCKED = "audit_exported", "signin_unblocked"
KINDS = (SIGNIN, SIGNIN_FAILED, SIGNIN_THROTTLED, SIGNIN_UNBLOCKED, SIGNOUT, USER_ADDED,
         ROLE_CHANGED,
         USER_DISABLED, USER_ENABLED, PASSWORD_SET, TOKEN_ISSUED, TOKEN_REVOKED, ALERT_ACKED,
         ALERT_REPLIED, QUOTE_REVIEWED, EXPORTED, PACK_MADE, PURGED, AUDIT_EXPORTED)
PAGE = 100
SEVERAL = "several accounts"


def record(session: Session, event: str, now: datetime, *, email: str | None = None,
           actor: str | None = None, address: str | None = None, device: str | None = None,
           detail: str | None = None) -> None:
    """Add one event to the log (in the caller's transaction)."""
    session.add(AuditEvent(at=now, event=event, email=email and email[:255],
                           actor=actor and actor[:255], address=address and address[:64],
                           device=device, detail=detail))


def cli_actor() -> str:
    """Who ran a command: `cli:<the machine's user>` (the CLI has no staff sign-in)."""
    return f"cli:{getpass.getuser()}"


def record_now(sessions, event: str, now: datetime, **fields) -> None:
    """Add one event in a transaction of its own (after a command's work is done)."""
    with transaction(sessions) as session:
        record(session, event, now, **fields)


def tally(session: Session, event: str, now: datetime, *, email: str | None,
          address: str | None, device: str | None = None) -> None:
    """Count one failed or throttled sign-in in its row for this kind and minute (made if
    new): the device's row from a browser known to the account, else the address's. The
    row names the account while every attempt in it named the same one, else says
    "several accounts"."""
    minute = now.replace(second=0, microsecond=0)
    email = email and email[:255]
    same_address = (AuditEvent.address.is_(None) if address is None
                    else AuditEvent.address == address[:64])
    same_device = AuditEvent.device.is_(None) if device is None else AuditEvent.device == device
    same_email = AuditEvent.email.is_(None) if email is None else AuditEvent.email == email
    # One row only: two first tries of a minute at once can each insert one (PostgreSQL), and
    # an update of both would count the next try twice.
    first = (select(func.min(AuditEvent.id))
             .where(AuditEvent.event == event, AuditEvent.at == minute,
                    *([same_address] if device is None else []), same_device)
             .scalar_subquery())
    changed = session.execute(
        update(AuditEvent)
        .where(AuditEvent.id == first)
        .values(count=AuditEvent.count + 1,
                email=case((same_email, AuditEvent.email), else_=None),
                detail=case((same_email, AuditEvent.detail), else_=SEVERAL))
        .execution_options(synchronize_session=False))
    if not changed.rowcount:
        record(session, event, minute, email=email, address=address, device=device)


@dataclass(frozen=True)
class Entry:
    """One line of the log as the admin's page shows it (`count` attempts when tallied)."""

    at: datetime
    event: str
    email: str | None
    actor: str | None
    address: str | None
    detail: str | None
    count: int


@dataclass(frozen=True)
class Filters:
    """What the page was asked for: a kind, a person (part of the account's or the
    actor's email), local days from and to (inclusive), and a page from 1."""

    kind: str = ""
    person: str = ""
    since: date | None = None
    until: date | None = None
    page: int = 1

    def where(self, zone: tzinfo) -> list:
        found = []
        if self.kind:
            found.append(AuditEvent.event == self.kind)
        if self.person:
            found.append(or_(AuditEvent.email.contains(self.person, autoescape=True),
                             AuditEvent.actor.contains(self.person, autoescape=True)))
        if self.since:
            found.append(AuditEvent.at >= datetime.combine(self.since, time(), zone))
        if self.until:
            found.append(AuditEvent.at < datetime.combine(self.until + timedelta(days=1),
                                                          time(), zone))
        return found


def _query(filters: Filters, zone: tzinfo) -> Select:
    return (select(AuditEvent).where(*filters.where(zone))
            .order_by(AuditEvent.at.desc(), AuditEvent.id.desc()))


def _entry(r: AuditEvent) -> Entry:
    return Entry(r.at, r.event, r.email, r.actor, r.address, r.detail, r.count)


def search(session: Session, filters: Filters, zone: tzinfo) -> tuple[list[Entry], bool]:
    """The page of events `filters` asks for, newest first, and whether a later page
    follows."""
    rows = list(session.scalars(_query(filters, zone).offset((filters.page - 1) * PAGE)
                                .limit(PAGE + 1)))
    return [_entry(r) for r in rows[:PAGE]], len(rows) > PAGE


def counted(session: Session, filters: Filters, zone: tzinfo) -> int:
    """How many events `filters` finds, on every page."""
    return session.scalar(select(func.count()).select_from(AuditEvent)
                          .where(*filters.where(zone)))


def every(sessions, filters: Filters, zone: tzinfo, chunk: int = 500) -> Iterator[Entry]:
    """Every event `filters` finds, newest first, read `chunk` rows at a time (a session
    of its own, held while the caller reads: a download streams without the whole log in
    memory)."""
    with sessions() as session:
        rows = session.scalars(_query(filters, zone).execution_options(yield_per=chunk))
        for row in rows:
            yield _entry(row)
