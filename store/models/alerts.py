"""Alerts: what someone said that a person must act on (safeguarding, low wellbeing)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, Boolean, ForeignKey, Index, Integer, String, Text, false
from sqlalchemy.orm import Mapped, mapped_column

from store.models.base import Base, UTCDateTime, utcnow


class Alert(Base):
    """Something said that a person must act on: a safeguarding disclosure or low wellbeing.

    Written in the transaction that stores the message, so it is never lost. It keeps its
    own copy of the words: a safeguarding record outlives the person's DELETE (the links to
    them are cleared, the record stays for the lead; docs/safeguarding.md says why).
    severity orders the queue: 3 in danger now, 2 at risk, 1 concern.
    """

    __tablename__ = "alerts"
    __table_args__ = (Index("ix_alerts_open", "acked_at", "severity"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))  # safeguarding | wellbeing
    severity: Mapped[int] = mapped_column(Integer)
    category: Mapped[str] = mapped_column(String(32))
    text: Mapped[str] = mapped_column(Text)
    language: Mapped[str | None] = mapped_column(String(16))
    text_en: Mapped[str | None] = mapped_column(Text)
    translation_status: Mapped[str | None] = mapped_column(String(16))  # pending|done|failed
    translation_provider: Mapped[str | None] = mapped_column(String(32))
    translated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    channel: Mapped[str] = mapped_column(String(16))
    survey: Mapped[str | None] = mapped_column(String(64))
    question: Mapped[str | None] = mapped_column(String(64))
    contact_id: Mapped[int | None] = mapped_column(
        ForeignKey("contacts.id", ondelete="SET NULL"), index=True)
    conversation_id: Mapped[int | None] = mapped_column(
        ForeignKey("conversations.id", ondelete="SET NULL"))
    message_id: Mapped[int | None] = mapped_column(
        BigInteger().with_variant(Integer, "sqlite"),
        ForeignKey("messages.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    acked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    acked_by: Mapped[str | None] = mapped_column(String(255))
    ack_note: Mapped[str | None] = mapped_column(Text)
    # The person said they are under 13: the survey screened them out, and only what this
    # alert needs to reach them is kept until it is acknowledged (bot/erasure.py).
    under_13: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
