"""Staff accounts and what guards them: users, signed-in sessions, API tokens, the audit
log, sign-in throttling, and staff decisions on quotes for the evidence pack."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from store.models.base import Base, UTCDateTime, utcnow


class StaffUser(Base):
    """A member of staff who signs in to the staff area: admin, analyst or wellbeing.

    `email` is kept in lower case; `password_hash` is argon2 (staff/passwords.py). A
    disabled user keeps their row (the audit log names them) but cannot sign in or use a token.
    """

    __tablename__ = "staff_users"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    email: Mapped[str] = mapped_column(String(255), unique=True)
    password_hash: Mapped[str] = mapped_column(Text)
    role: Mapped[str] = mapped_column(String(16))  # admin | analyst | wellbeing
    disabled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class StaffSession(Base):
    """A signed-in browser. The cookie holds a random token; only its SHA-256 is kept, so a
    copy of the database signs nobody in. Signing out deletes the row."""

    __tablename__ = "staff_sessions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("staff_users.id", ondelete="CASCADE"),
                                         index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    seen_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    user: Mapped[StaffUser] = relationship()


class StaffToken(Base):
    """An API token (issue 13's API): shown once when made, kept only as its SHA-256. It
    works until `expires_at`, or until revoked (by hand, a password reset or disabling)."""

    __tablename__ = "staff_tokens"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("staff_users.id", ondelete="CASCADE"),
                                         index=True)
    name: Mapped[str] = mapped_column(String(100), default="", server_default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    user: Mapped[StaffUser] = relationship()


class QuoteReview(Base):
    """A member of staff's decision on one quote the evidence pack would use (the answer it
    comes from): approved or excluded, and why. The pack quotes only approved answers."""

    __tablename__ = "quote_reviews"

    answer_id: Mapped[int] = mapped_column(ForeignKey("answers.id", ondelete="CASCADE"),
                                           primary_key=True)
    decision: Mapped[str] = mapped_column(String(16))  # approved | excluded
    reason: Mapped[str] = mapped_column(Text)
    reviewer: Mapped[str] = mapped_column(String(255))
    decided_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class AuditEvent(Base):
    """What staff did and what was tried: sign-ins, failures, throttling, role changes,
    acknowledgements, exports. `email` is the account concerned, `actor` who acted (the
    same person, an admin, or `cli:<user>`), `address` the browser's IP address, `device`
    the id of a browser that signed in to this account before (throttling spares it).
    Failed and throttled sign-ins are tallied: one row per kind, minute and address (an
    unknown browser) or device (a known one), `count` attempts (so a flood cannot push the
    rest off the page)."""

    __tablename__ = "audit_events"
    __table_args__ = (
        Index("ix_audit_events_email", "event", "email", "at"),
        Index("ix_audit_events_address", "event", "address", "at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    event: Mapped[str] = mapped_column(String(32))
    email: Mapped[str | None] = mapped_column(String(255))
    actor: Mapped[str | None] = mapped_column(String(255))
    address: Mapped[str | None] = mapped_column(String(64))
    device: Mapped[str | None] = mapped_column(String(32))
    detail: Mapped[str | None] = mapped_column(Text)
    count: Mapped[int] = mapped_column(Integer, default=1, server_default="1")


class SigninLimit(Base):
    """Wrong passwords counted against one key (`address:IP`, `account:ACCOUNT`,
    `pair:ACCOUNT:IP` or `device:ACCOUNT:ID`, ACCOUNT a digest of the email;
    staff/throttle.py): how many since the count last restarted, when the last one came,
    and until when the next try must wait. Updated under a row lock, so concurrent guesses
    cannot slip past the limit; a row whose count has lapsed is deleted."""

    __tablename__ = "signin_limits"

    key: Mapped[str] = mapped_column(String(300), primary_key=True)
    failures: Mapped[int] = mapped_column(Integer, default=0)
    last_failed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    blocked_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
