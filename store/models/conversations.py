"""Conversations and messages: the engine's saved state per address, and every message in
and out (outbound rows are the outbox). No I/O here.

Provider ids are unique so that a provider's retry can never be stored twice.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import (
    BigInteger,
    Boolean,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    false,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from store.models.base import Base, JSONType, UTCDateTime, utcnow

if TYPE_CHECKING:
    from store.models.people import Address


class Conversation(Base):
    """The engine's state for one address, and when it next wants to be resumed."""

    __tablename__ = "conversations"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    address_id: Mapped[int] = mapped_column(ForeignKey("addresses.id", ondelete="CASCADE"),
                                            unique=True)
    state: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)
    response_id: Mapped[int | None] = mapped_column(ForeignKey("responses.id",
                                                               ondelete="SET NULL"))
    nudge_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    expire_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    address: Mapped[Address] = relationship()


class Message(Base):
    """Every message in and out. Outbound rows are the outbox: a row exists before sending.

    status, inbound: received, or unanswered (held back by the loop guard). Outbound:
    queued -> sending -> sent -> delivered, or undelivered / failed (with error_code), or
    held (cannot be sent as it is), or cancelled (the person opted out before it went).
    """

    __tablename__ = "messages"
    __table_args__ = (
        UniqueConstraint("channel", "direction", "provider_id"),
        Index("ix_messages_due", "status", "next_attempt_at", "id"),  # the claim's order
        Index("ix_messages_contact_recent", "contact_id", "direction", "created_at"),
        Index("ix_messages_address_status", "channel", "address", "status"),
    )

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"),
                                     primary_key=True)
    direction: Mapped[str] = mapped_column(String(3))  # in | out
    channel: Mapped[str] = mapped_column(String(16))  # sms | whatsapp | telegram | web
    address: Mapped[str] = mapped_column(String(255))
    contact_id: Mapped[int | None] = mapped_column(ForeignKey("contacts.id", ondelete="SET NULL"))
    body: Mapped[str] = mapped_column(Text, default="")
    payload: Mapped[dict[str, Any] | None] = mapped_column(JSONType)
    provider_id: Mapped[str | None] = mapped_column(String(64))
    idempotency_key: Mapped[str | None] = mapped_column(String(128), unique=True)
    reply_to_id: Mapped[int | None] = mapped_column(ForeignKey("messages.id",
                                                               ondelete="SET NULL"), index=True)
    status: Mapped[str] = mapped_column(String(16))
    error_code: Mapped[str | None] = mapped_column(String(32))
    # The worker's claim on a `sending` row: checked before each send, so that a row
    # re-claimed by another worker is never sent by the first.
    claim_token: Mapped[str | None] = mapped_column(String(32))
    # A reply to someone who had opted out when they wrote (the STOP's confirmation, HELP):
    # it goes although they opted out; nothing else queued for them does.
    despite_opt_out: Mapped[bool] = mapped_column(Boolean, default=False,
                                                  server_default=false())
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
