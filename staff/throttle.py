"""Slowing down repeated wrong passwords, without ever locking a real user out.

Wrong passwords are counted in `signin_limits`, one row per key:

- `address:IP`: tries from one address for any accounts, known or not (a password list),
  PER_ADDRESS;
- `pair:ACCOUNT:IP`: tries at one staff account from one address, from browsers that never
  signed in to it, PER_ACCOUNT;
- `account:ACCOUNT`: the same tries from every address together, ACCOUNT_CEILING (many
  more than PER_ACCOUNT: guessing spread over many addresses); each address adds at most
  PER_ACCOUNT to it, so one address polling slowly for hours never reaches it;
- `device:ACCOUNT:ID`: tries from one browser that did sign in to the account before (its
  device cookie, staff/guard.py; a stolen laptop), PER_DEVICE.

ACCOUNT is a digest of the account's email (a key stays short, whatever the email). Tries
at an email that is no staff user are counted under their address and their pair, as a
staff user's are, so that the answers (429 after PER_ACCOUNT) never tell whether an email
is a staff account; they make no `account:` row, so a flood of made-up emails makes at most
PER_ADDRESS rows an address (the address's own limit stops the rest before any row).

A known browser is counted only against its own device key: nobody else's guesses, from
the same address or any other, hold it back. A new browser is held back by guesses at the
account from its own address (PER_ACCOUNT), or by a great many from everywhere
(ACCOUNT_CEILING); an attacker elsewhere cannot reach the first. Past a limit nothing is
locked; each further try waits, 15 s doubling with each wrong password up to 5 minutes
(429 with `Retry-After`). A count starts again 15 minutes after its last try (its row is
then deleted, a few at each try), a right password starts the account's again, and an
admin can clear an account's counts (`unblock`: `outreach staff unblock EMAIL`, or the
Users page).

A try is counted *before* its password is checked, in a transaction of its own that holds
the keys' rows (`SELECT … FOR UPDATE` on PostgreSQL; on SQLite every transaction begins
`BEGIN IMMEDIATE`, store/db.py): concurrent guesses queue on the row, and the one after the
limit finds the wait its predecessor set. A try that must wait is not counted, makes no
row and costs no password hash.
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Iterable
from datetime import datetime, timedelta

from sqlalchemy import delete, or_, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from store.models import SigninLimit

PER_ADDRESS = 20
PER_ACCOUNT = 5
ACCOUNT_CEILING = 50
PER_DEVICE = 5
FIRST_WAIT = timedelta(seconds=15)
LONGEST_WAIT = timedelta(minutes=5)
WINDOW = timedelta(minutes=15)  # a count starts again this long after its last try
FORGET_AT_ONCE = 50  # stale rows deleted at each try
LONGEST_ADDRESS = 64  # characters of an address kept in a key (an IPv6 address is 45)

Keys = list[tuple[str, int]]


def _account(email: str) -> str:
    return hashlib.sha256(email.encode()).hexdigest()[:32]


def _address(address: str) -> str:
    if len(address) <= LONGEST_ADDRESS:
        return address
    return "sha256-" + hashlib.sha256(address.encode()).hexdigest()


def keys(email: str, address: str | None, device: str | None, staff: bool = True) -> Keys:
    """The (key, limit) pairs a sign-in for `email` is counted against; `staff` says
    whether the email is a staff user's."""
    account = _account(email)
    if device is not None and staff:
        return [(f"device:{account}:{device}", PER_DEVICE)]
    found = []
    if address:
        found.append((f"address:{_address(address)}", PER_ADDRESS))
    if staff:
        found.append((f"account:{account}", ACCOUNT_CEILING if address else PER_ACCOUNT))
    if address:  # a made-up email too, so that 429 after 5 never tells a real one apart
        found.append((f"pair:{account}:{_address(address)}", PER_ACCOUNT))
    return sorted(found)  # always locked in the same order: no deadlock


def wait_after(failures: int, limit: int) -> timedelta | None:
    """How long the next try waits after `failures` tries against `limit`."""
    if failures < limit:
        return None
    return min(FIRST_WAIT * 2 ** min(failures - limit, 16), LONGEST_WAIT)


def _wait(rows: Iterable[SigninLimit], now: datetime) -> int | None:
    until = max((r.blocked_until for r in rows if r.blocked_until and r.blocked_until > now),
                default=None)
    return None if until is None else max(1, math.ceil((until - now).total_seconds()))


def attempt(session: Session, limits: Keys, now: datetime) -> int | None:
    """Count one try against each key and return None; or, when a key must still wait,
    count nothing (and make no row) and return the seconds to wait. Call it in a
    transaction of its own."""
    _forget(session, now)
    names = [key for key, _ in limits]
    wait = _wait(session.scalars(select(SigninLimit).where(SigninLimit.key.in_(names))
                                 .order_by(SigninLimit.key).with_for_update()
                                 .execution_options(populate_existing=True)), now)
    if wait is not None:
        return wait
    rows = [_locked(session, key, now) for key in names]
    wait = _wait(rows, now)  # a concurrent try may have set it since
    if wait is not None:
        return wait
    pairs = [_counted(row, now) for row in rows if row.key.startswith("pair:")]
    for row, (key, limit) in zip(rows, limits, strict=True):
        if key.startswith("account:") and any(n > PER_ACCOUNT for n in pairs):
            continue  # one address adds at most PER_ACCOUNT to the account-wide ceiling
        if not key.startswith("pair:"):
            _counted(row, now)
        wait = wait_after(row.failures, limit)
        row.blocked_until = now + wait if wait else None
    return None


def _counted(row: SigninLimit, now: datetime) -> int:
    """Count one more try on `row` (afresh once its window has passed); its count."""
    row.failures = 1 if now - row.last_failed_at >= WINDOW else row.failures + 1
    row.last_failed_at = now
    return row.failures


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


def unblock(session: Session, email: str) -> int:
    """Clear every count against `email`'s account (from all addresses and browsers); how
    many there were. Addresses' own counts are left."""
    account = _account(email)
    return session.execute(delete(SigninLimit).where(or_(
        SigninLimit.key == f"account:{account}",
        SigninLimit.key.startswith(f"pair:{account}:", autoescape=True),
        SigninLimit.key.startswith(f"device:{account}:", autoescape=True)))
        .execution_options(synchronize_session=False)).rowcount


def _forget(session: Session, now: datetime) -> None:
    """Delete a few rows whose count has lapsed (skipping any another try holds)."""
    stale = (select(SigninLimit.key)
             .where(SigninLimit.last_failed_at < now - WINDOW,
                    or_(SigninLimit.blocked_until.is_(None), SigninLimit.blocked_until <= now))
             .limit(FORGET_AT_ONCE).with_for_update(skip_locked=True))
    session.execute(delete(SigninLimit).where(SigninLimit.key.in_(stale))
                    .execution_options(synchronize_session=False))


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
