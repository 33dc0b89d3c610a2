"""Who we talk to: a contact, their addresses, and what they agreed to or asked for
(consent, opting out, erasure). No I/O here."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Boolean, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from store.models.base import Base, JSONType, UTCDateTime, utcnow


class Contact(Base):
    """A person, whichever channels they reach us on."""

    __tablename__ = "contacts"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    language: Mapped[str | None] = mapped_column(String(16))
    opted_out_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    addresses: Mapped[list[Address]] = relationship(back_populates="contact")


class Address(Base):
    """One way to reach a contact: scheme tel / whatsapp / telegram / web, value normalised."""

    __tablename__ = "addresses"
    __table_args__ = (UniqueConstraint("scheme", "value"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    contact_id: Mapped[int] = mapped_column(ForeignKey("contacts.id", ondelete="CASCADE"),
                                            index=True)
    scheme: Mapped[str] = mapped_column(String(16))
    value: Mapped[str] = mapped_column(String(255))
    # active | invalid (the provider refused it) | replaced (a member linked another)
    status: Mapped[str] = mapped_column(String(16), default="active")
    last_inbound_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    contact: Mapped[Contact] = relationship(back_populates="addresses")


class ConsentRecord(Base):
    """Consent given or refused: when, to which wording, in which language."""

    __tablename__ = "consents"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    contact_id: Mapped[int] = mapped_column(ForeignKey("contacts.id", ondelete="CASCADE"),
                                            index=True)
    survey_version_id: Mapped[int] = mapped_column(ForeignKey("survey_versions.id"))
    given: Mapped[bool] = mapped_column(Boolean)
    wording: Mapped[str] = mapped_column(Text)
    language: Mapped[str] = mapped_column(String(16))
    channel: Mapped[str] = mapped_column(String(16))
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class OptOut(Base):
    """The history of opting out and back in, per contact and channel."""

    __tablename__ = "opt_outs"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    contact_id: Mapped[int] = mapped_column(ForeignKey("contacts.id", ondelete="CASCADE"),
                                            index=True)
    channel: Mapped[str] = mapped_column(String(16))
    action: Mapped[str] = mapped_column(String(8))  # out | in
    reason: Mapped[str] = mapped_column(String(32))  # keyword | 21610 | blocked | staff
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Erasure(Base):
    """That an erasure happened (no identity kept): accountability for DELETE and purges.

    kind: delete (a resident's DELETE; NULL on rows older than the column) or purge
    (`outreach purge`, which keeps its other counts in `counts`).
    """

    __tablename__ = "erasures"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str | None] = mapped_column(String(16))
    responses: Mapped[int] = mapped_column(Integer)
    messages: Mapped[int] = mapped_column(Integer)
    counts: Mapped[dict[str, Any] | None] = mapped_column(JSONType)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
