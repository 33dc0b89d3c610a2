"""Assembly members, the assembly's sessions, members' RSVPs and wellbeing check-ins."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from store.models.base import Base, UTCDateTime, utcnow

if TYPE_CHECKING:
    from store.models.people import Contact


class Member(Base):
    """An assembly member: a contact with a role (not a second address book).

    `channel` is how reminders and check-ins reach them (sms, whatsapp or telegram, one of
    the contact's addresses); `token` is the secret in their calendar link (/m/<token>.ics).
    `link_code` is a one-time code, sent by SMS, that links a Telegram chat to them until
    `link_code_expires_at` (bot/members/linking.py).
    """

    __tablename__ = "members"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    contact_id: Mapped[int] = mapped_column(
        ForeignKey("contacts.id", ondelete="CASCADE"), unique=True)
    name: Mapped[str] = mapped_column(Text)
    channel: Mapped[str] = mapped_column(String(16))
    notes: Mapped[str | None] = mapped_column(Text)
    token: Mapped[str] = mapped_column(String(64), unique=True)
    link_code: Mapped[str | None] = mapped_column(String(16), unique=True)
    link_code_expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    contact: Mapped[Contact] = relationship()


class AssemblySession(Base):
    """An assembly day: when (UTC; shown in OUTREACH_TIMEZONE), where, and the notes the
    reminders carry (what to bring, access, travel)."""

    __tablename__ = "assembly_sessions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(Text)
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime)
    venue: Mapped[str] = mapped_column(Text)
    bring: Mapped[str | None] = mapped_column(Text)
    access: Mapped[str | None] = mapped_column(Text)
    travel: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


class Rsvp(Base):
    """A member's YES or NO to a session. `for_starts` is the session's start when they
    answered: after the session moves, the answer no longer counts."""

    __tablename__ = "rsvps"
    __table_args__ = (UniqueConstraint("member_id", "session_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id", ondelete="CASCADE"))
    session_id: Mapped[int] = mapped_column(
        ForeignKey("assembly_sessions.id", ondelete="CASCADE"), index=True)
    answer: Mapped[str] = mapped_column(String(8))  # yes | no
    for_starts: Mapped[datetime] = mapped_column(UTCDateTime)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class CheckIn(Base):
    """A wellbeing check-in started for a member after a weekend (`week`: the weekend's ISO
    week, 2026-W12). Unique, so that however many workers run, it starts once."""

    __tablename__ = "check_ins"
    __table_args__ = (UniqueConstraint("member_id", "week"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id", ondelete="CASCADE"))
    week: Mapped[str] = mapped_column(String(10))
    started_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
