"""Young peer engagers, whose codes carry friends into the youth survey. No I/O here."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from store.models.base import Base, UTCDateTime, utcnow


class Engager(Base):
    """A trained young peer engager: their code carries friends into the youth survey.

    `contact_id` is the engager's own phone or Telegram chat (so the bot knows them when
    they write PROMPTS, LOG or STATS); `pack_week` is the last weekly prompt pack sent.
    """

    __tablename__ = "engagers"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(16), unique=True)
    name: Mapped[str] = mapped_column(Text)
    contact_id: Mapped[int | None] = mapped_column(
        ForeignKey("contacts.id", ondelete="SET NULL"), index=True)
    paused_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    pack_week: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
