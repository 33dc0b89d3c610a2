"""The audit log: sign-ins, failures, throttling, role changes, acknowledgements, exports.

Rows are only ever added. Throttling reads the failures back (staff/throttle.py), so the
log is also the memory of who tried what, shared by every web worker.
"""

from __future__ import annotations

import getpass
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from store.db import transaction
from store.models import AuditEvent

SIGNIN, SIGNIN_FAILED, SIGNIN_THROTTLED, SIGNOUT = (
    "signin", "signin_failed", "signin_throttled", "signout")
USER_ADDED, ROLE_CHANGED, USER_DISABLED, USER_ENABLED, TOKEN_ISSUED, TOKEN_REVOKED = (
    "user_added", "role_changed", "user_disabled", "user_enabled", "token_issued",
    "token_revoked")
ALERT_ACKED, PASSWORD_SET = "alert_acknowledged", "password_set"
EXPORTED, PACK_MADE, PURGED = "exported", "evidence_pack", "purged"


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


def count(session: Session, event: str, since: datetime, *where) -> tuple[int, datetime | None]:
    """How many `event`s matching `where` happened since `since`, and the oldest of them."""
    row = session.execute(select(func.count(), func.min(AuditEvent.at)).where(
        AuditEvent.event == event, AuditEvent.at > since, *where)).one()
    return row[0], row[1]


@dataclass(frozen=True)
class Entry:
    """One line of the log as the admin's page shows it."""

    at: datetime
    event: str
    email: str | None
    actor: str | None
    address: str | None
    detail: str | None


def recent(session: Session, limit: int = 200) -> list[Entry]:
    """The newest events first."""
    rows = session.scalars(select(AuditEvent).order_by(AuditEvent.at.desc(),
                                                       AuditEvent.id.desc()).limit(limit))
    return [Entry(r.at, r.event, r.email, r.actor, r.address, r.detail) for r in rows]
