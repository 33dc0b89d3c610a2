"""Slowing down repeated wrong passwords, without ever locking a real user out.

Wrong passwords are counted in `signin_limits`, one row per key:

- `address:IP`: tries from one address for any accounts (a password list), PER_ADDRESS;
- `account:EMAIL`: tries at one account from browsers that never signed in to it,
  PER_ACCOUNT;
- `device:ID`: tries from one browser that did sign in to the account before (its device
  cookie, staff/guard.py; a stolen laptop), PER_DEVICE.

A known browser is counted only against its own device key: nobody else's guesses, from
the same address or any other, hold it back, so the owner always gets in. Past a limit
nothing is locked; each further try waits, 15 s doubling with each wrong password up to
5 minutes (429 with `Retry-After`). A count starts again 15 minutes after its last try,
and a right password starts the account's and the device's again.

A try is counted *before* its password is checked, in a transaction of its own that holds
the keys' rows (`SELECT … FOR UPDATE` on PostgreSQL; on SQLite every transaction begins
`BEGIN IMMEDIATE`, store/db.py): concurrent guesses queue on the row, and the one after the
limit finds the wait its predecessor set. A try that must wait is not counted and costs no
password hash.
"""

from __future__ import annotations

import math
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from store.models import SigninLimit

PER_ADDRESS = 20
PER_ACCOUNT = 5
PER_DEVICE = 5
FIRST_WAIT = timedelta(seconds=15)
LONGEST_WAIT = timedelta(minutes=5)
WINDOW = timedelta(minutes=15)  # a count starts again this long after its last try

Keys = list[tuple[str, int]]


def keys(email: str, address: str | None, device: str | None) -> Keys:
    """The (key, limit) pairs a sign-in for `email` is counted against."""
    if device is not None:
        return [(f"device:{device}", PER_DEVICE)]
    found = [(f"account:{email}", PER_ACCOUNT)]
    if address:
        found.append((f"address:{address}", PER_ADDRESS))
    return sorted(found)  # always locked in the same order: no deadlock


def wait_after(failures: int, limit: int) -> timedelta | None:
    """How long the next try waits after `failures` tries against `limit`."""
    if failures < limit:
        return None
    return min(FIRST_WAIT * 2 ** min(failures - limit, 16), LONGEST_WAIT)


def attempt(session: Session, limits: Keys, now: datetime) -> int | None:
    """Count one try against each key and return None; or, when a key must still wait,
    count nothing and return the seconds to wait. Call it in a transaction of its own."""
    rows = [_locked(session, key, now) for key, _ in limits]
    until = max((r.blocked_until for r in rows if r.blocked_until and r.blocked_until > now),
                default=None)
    if until is not None:
        return max(1, math.ceil((until - now).total_seconds()))
    for row, (_, limit) in zip(rows, limits, strict=True):
        row.failures = 1 if now - row.last_failed_at >= WINDOW else row.failures + 1
        row.last_failed_at = now
        wait = wait_after(row.failures, limit)
        row.blocked_until = now + wait if wait else None
    return None


def succeeded(session: Session, limits: Keys) -> None:
    """A right password: the account's and the device's counts start again; the address
    gets its try back (colleagues behind one proxy all sign in from one address)."""
    for key, limit in limits:
        row = session.get(SigninLimit, key)
        if row is None:
            continue
        if not key.startswith("address:"):
            session.delete(row)
            continue
        row.failures = max(0, row.failures - 1)
        if row.failures < limit:
            row.blocked_until = None


def _locked(session: Session, key: str, now: datetime) -> SigninLimit:
    """The key's row, made if new, locked until the transaction ends."""
    insert = {"postgresql": postgresql.insert, "sqlite": sqlite.insert}.get(
        session.get_bind().dialect.name)
    if insert is None:  # another database: no race-free insert here, but still counted
        if session.get(SigninLimit, key) is None:
            session.add(SigninLimit(key=key, failures=0, last_failed_at=now))
            session.flush()
    else:
        session.execute(insert(SigninLimit).values(key=key, failures=0, last_failed_at=now)
                        .on_conflict_do_nothing(index_elements=["key"]))
    return session.scalars(select(SigninLimit).where(SigninLimit.key == key)
                           .with_for_update().execution_options(populate_existing=True)).one()
