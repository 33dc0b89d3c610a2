"""Staff accounts: adding, roles, disabling, passwords (argon2) and API tokens.

Passwords are hashed with argon2id (argon2-cffi's PasswordHasher, memory-hard); a wrong
email costs the same time as a wrong password, so sign-in does not tell which accounts
exist. API tokens are random, shown once, and kept as their SHA-256 (a token is long and
random, so a fast hash is enough; a password is not, so it gets argon2). Each token has a
name and an expiry (`STAFF_TOKEN_DAYS`, at most a year) and can be revoked; a new password
or disabling a user revokes all their tokens and ends their sessions.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from staff import audit, throttle
from store.models import StaffSession, StaffToken, StaffUser

ROLES = ("admin", "analyst", "wellbeing")
MIN_PASSWORD = 12
TOKEN_PREFIX = "oat_"
MAX_TOKEN_DAYS = 365
TOKEN_NAME = 100  # characters
MAX_EMAIL = 255
# A mailbox at a domain with a dot: no spaces, quotes, angle brackets or control characters
# (each label of the domain letters, digits and inner hyphens, in any script).
EMAIL = re.compile(r"[^\s@<>\"(),;:\\\x00-\x1f\x7f]{1,64}@"
                   r"(?:[^\W_](?:(?:[^\W_]|-)*[^\W_])?\.)+[^\W\d_]{2,63}")

hasher = PasswordHasher()
_UNKNOWN = hasher.hash(secrets.token_urlsafe(16))  # verified against for unknown emails


class AccountError(ValueError):
    """A request about accounts that cannot be carried out (unknown user, bad role…).
    `key` names the kind, for a page to show its own words (staff/administration.py)."""

    def __init__(self, message: str, key: str = "refused"):
        super().__init__(message)
        self.key = key


@dataclass(frozen=True)
class Staff:
    """Who is signed in (or holds a token): plain data for views and templates."""

    id: int
    email: str
    role: str


def identity(user: StaffUser) -> Staff:
    return Staff(user.id, user.email, user.role)


def normal_email(email: str) -> str:
    return email.strip().lower()


def is_email(email: str) -> bool:
    """Whether `email` (normalised) can be a staff member's address: one mailbox, one
    domain with a dot, nothing a page or a log could mistake for markup or a new line."""
    return len(email) <= MAX_EMAIL and EMAIL.fullmatch(email) is not None


def _check_email(email: str) -> None:
    if not is_email(email):
        raise AccountError(f"not an email address: {email!r}", key="email")


def find(session: Session, email: str) -> StaffUser | None:
    return session.scalar(select(StaffUser).where(StaffUser.email == normal_email(email)))


def _get(session: Session, email: str) -> StaffUser:
    _check_email(normal_email(email))
    user = find(session, email)
    if user is None:
        raise AccountError(f"no staff user {normal_email(email)}", key="unknown")
    return user


def _check_role(role: str) -> None:
    if role not in ROLES:
        raise AccountError(f"role must be one of {', '.join(ROLES)}, not {role!r}", key="role")


def _check_password(password: str) -> None:
    if len(password) < MIN_PASSWORD:
        raise AccountError(f"the password must be at least {MIN_PASSWORD} characters")


def add(session: Session, email: str, role: str, password: str, now: datetime,
        actor: str) -> StaffUser:
    """A new staff user (the email must be new, the password at least 12 characters)."""
    email = normal_email(email)
    _check_role(role)
    _check_email(email)
    _check_password(password)
    if find(session, email) is not None:
        raise AccountError(f"{email} already exists (change a role with `outreach staff role`)")
    user = StaffUser(email=email, role=role, password_hash=hasher.hash(password),
                     created_at=now)
    session.add(user)
    audit.record(session, audit.USER_ADDED, now, email=email, actor=actor, detail=role)
    return user


def set_role(session: Session, email: str, role: str, now: datetime, actor: str) -> StaffUser:
    """Change a user's role; their sessions end, so the new role applies at once."""
    _check_role(role)
    user = _get(session, email)
    if user.role != role:
        audit.record(session, audit.ROLE_CHANGED, now, email=user.email, actor=actor,
                     detail=f"{user.role} -> {role}")
        user.role = role
        _end_sessions(session, user)
    return user


def set_password(session: Session, email: str, password: str, now: datetime,
                 actor: str) -> StaffUser:
    """A new password (a forgotten one cannot be read back); their sessions end and their
    tokens are revoked."""
    _check_password(password)
    user = _get(session, email)
    user.password_hash = hasher.hash(password)
    audit.record(session, audit.PASSWORD_SET, now, email=user.email, actor=actor)
    _end_sessions(session, user)
    _revoke_all(session, user, now, actor)
    return user


def disable(session: Session, email: str, now: datetime, actor: str) -> StaffUser:
    """Stop a user signing in or using a token; their sessions end and their tokens are
    revoked now (enabling them again brings no token back)."""
    user = _get(session, email)
    if user.disabled_at is None:
        user.disabled_at = now
        audit.record(session, audit.USER_DISABLED, now, email=user.email, actor=actor)
    _end_sessions(session, user)
    _revoke_all(session, user, now, actor)
    return user


def enable(session: Session, email: str, now: datetime, actor: str) -> StaffUser:
    user = _get(session, email)
    if user.disabled_at is not None:
        user.disabled_at = None
        audit.record(session, audit.USER_ENABLED, now, email=user.email, actor=actor)
    return user


def unblock(session: Session, email: str, now: datetime, actor: str) -> StaffUser:
    """Clear the wrong passwords counted against a user's account from every address and
    browser (staff/throttle.py), so that they can sign in at once wherever they are."""
    user = _get(session, email)
    cleared = throttle.unblock(session, user.email)
    audit.record(session, audit.SIGNIN_UNBLOCKED, now, email=user.email, actor=actor,
                 detail=f"{cleared} count(s) cleared")
    return user


def listing(session: Session) -> list[StaffUser]:
    return list(session.scalars(select(StaffUser).order_by(StaffUser.email)))


def _end_sessions(session: Session, user: StaffUser) -> None:
    for row in session.scalars(select(StaffSession).where(StaffSession.user_id == user.id)):
        session.delete(row)


def authenticate(session: Session, email: str, password: str) -> StaffUser | None:
    """The active user with this email and password, or None (in the same time either way)."""
    user = find(session, email)
    try:
        hasher.verify(user.password_hash if user else _UNKNOWN, password)
    except (VerificationError, InvalidHashError):
        return None
    if user is None or user.disabled_at is not None:
        return None
    if hasher.check_needs_rehash(user.password_hash):
        user.password_hash = hasher.hash(password)
    return user


# API tokens --------------------------------------------------------------------------------


def digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def issue_token(session: Session, email: str, now: datetime, actor: str, name: str = "",
                days: int = 90) -> str:
    """A new API token for an active user, working for `days` (1 to 365): returned once,
    stored only as its hash."""
    user = _get(session, email)
    if user.disabled_at is not None:
        raise AccountError(f"{user.email} is disabled")
    if not 1 <= days <= MAX_TOKEN_DAYS:
        raise AccountError(f"a token lasts from 1 to {MAX_TOKEN_DAYS} days, not {days}")
    name = " ".join(name.split())[:TOKEN_NAME]
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    row = StaffToken(token_hash=digest(token), user_id=user.id, name=name, created_at=now,
                     expires_at=now + timedelta(days=days))
    session.add(row)
    session.flush()
    audit.record(session, audit.TOKEN_ISSUED, now, email=user.email, actor=actor,
                 detail=f"token #{row.id} {name!r}, {days} days")
    return token


@dataclass(frozen=True)
class TokenInfo:
    """One token as `outreach staff tokens` lists it: never the secret nor its hash."""

    id: int
    name: str
    created_at: datetime
    expires_at: datetime
    last_used_at: datetime | None
    state: str  # active | expired | revoked


def tokens(session: Session, email: str, now: datetime) -> list[TokenInfo]:
    """A user's tokens, newest first."""
    user = _get(session, email)
    rows = session.scalars(select(StaffToken).where(StaffToken.user_id == user.id)
                           .order_by(StaffToken.id.desc()))
    return [TokenInfo(r.id, r.name, r.created_at, r.expires_at, r.last_used_at,
                      "revoked" if r.revoked_at else "expired" if r.expires_at <= now
                      else "active") for r in rows]


def revoke_token(session: Session, token_id: int, now: datetime, actor: str) -> StaffToken:
    """Stop one token working at once (by its id from `outreach staff tokens`)."""
    row = session.get(StaffToken, token_id)
    if row is None:
        raise AccountError(f"no token #{token_id}")
    if row.revoked_at is None:
        row.revoked_at = now
        audit.record(session, audit.TOKEN_REVOKED, now, email=row.user.email, actor=actor,
                     detail=f"token #{row.id} {row.name!r}")
    return row


def _revoke_all(session: Session, user: StaffUser, now: datetime, actor: str) -> None:
    for row in session.scalars(select(StaffToken).where(StaffToken.user_id == user.id,
                                                        StaffToken.revoked_at.is_(None))):
        row.revoked_at = now
        audit.record(session, audit.TOKEN_REVOKED, now, email=user.email, actor=actor,
                     detail=f"token #{row.id} {row.name!r}")


def check_token(session: Session, authorization: str | None, now: datetime) -> Staff | None:
    """Who an `Authorization: Bearer <token>` header belongs to, or None (no header, a
    malformed, unknown, expired or revoked token, a disabled user). For the API."""
    scheme, _, token = (authorization or "").strip().partition(" ")
    token = token.strip()
    if scheme.lower() != "bearer" or not token.startswith(TOKEN_PREFIX):
        return None
    wanted = digest(token)
    row = session.scalar(select(StaffToken).where(StaffToken.token_hash == wanted))
    if row is None or not hmac.compare_digest(row.token_hash, wanted):
        return None
    if row.revoked_at is not None or row.expires_at <= now or row.user.disabled_at is not None:
        return None
    row.last_used_at = now
    return identity(row.user)
