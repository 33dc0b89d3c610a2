"""The civic lottery: the draw of addresses, the letters and their codes, the registrants,
the targets staff reviewed and each selection run. No I/O here.

Registrants are kept apart from survey answers: what a registrant told us (name, phone,
dates, categories, access needs) lives in the registration's own response, which staff
reads (exports, the pack, the dashboard, the API) never see, and is erased with the
registrant (`outreach purge`, the lottery's keep-until date).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Float, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from store.models.base import Base, JSONType, UTCDateTime, utcnow


class Draw(Base):
    """One `outreach lottery invite`: the published seed, how many addresses the council's
    file held and how many letters went, codes per letter, when registration closes."""

    __tablename__ = "lottery_draws"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    seed: Mapped[str] = mapped_column(Text)
    addresses: Mapped[int] = mapped_column(Integer)
    letters: Mapped[int] = mapped_column(Integer)
    per_household: Mapped[int] = mapped_column(Integer, default=1)
    source_digest: Mapped[str] = mapped_column(String(64))  # SHA-256 of the addresses file
    closes_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Letter(Base):
    """One letter to one address (a household). Only its ward is kept, not the address."""

    __tablename__ = "lottery_letters"
    __table_args__ = (UniqueConstraint("draw_id", "number"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    draw_id: Mapped[int] = mapped_column(ForeignKey("lottery_draws.id", ondelete="CASCADE"),
                                         index=True)
    number: Mapped[int] = mapped_column(Integer)  # printed on the letter
    ward: Mapped[str | None] = mapped_column(Text)


class LetterCode(Base):
    """A registration code on a letter, stored only as a keyed hash (bot/letter_codes.py).
    One registration per code; a letter carries its draw's `per_household` codes."""

    __tablename__ = "lottery_codes"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    letter_id: Mapped[int] = mapped_column(ForeignKey("lottery_letters.id", ondelete="CASCADE"),
                                           index=True)
    code_hash: Mapped[str] = mapped_column(String(64), unique=True)


class Registrant(Base):
    """A resident who registered with a letter's code.

    status: registered | selected | reserve | confirmed | declined | no_answer | dropped |
    not_selected. `run_id` is the selection run that last changed them; `probability` their
    chance of selection where the library gave it; `member_id` the roster row a YES made.
    """

    __tablename__ = "registrants"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code_id: Mapped[int] = mapped_column(ForeignKey("lottery_codes.id", ondelete="CASCADE"),
                                         unique=True)
    letter_id: Mapped[int] = mapped_column(ForeignKey("lottery_letters.id", ondelete="CASCADE"),
                                           index=True)
    contact_id: Mapped[int] = mapped_column(ForeignKey("contacts.id", ondelete="CASCADE"),
                                            index=True)
    response_id: Mapped[int | None] = mapped_column(
        ForeignKey("responses.id", ondelete="SET NULL"), index=True)
    channel: Mapped[str] = mapped_column(String(16))
    language: Mapped[str] = mapped_column(String(16))
    status: Mapped[str] = mapped_column(String(16), default="registered", index=True)
    status_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    run_id: Mapped[int | None] = mapped_column(ForeignKey("lottery_runs.id", ondelete="SET NULL"))
    probability: Mapped[float | None] = mapped_column(Float)
    asked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # asked to confirm (queued)
    confirm_by: Mapped[datetime | None] = mapped_column(UTCDateTime)  # no answer by then: no_answer
    told_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # told kindly: not selected
    member_id: Mapped[int | None] = mapped_column(ForeignKey("members.id", ondelete="SET NULL"))
    registered_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Target(Base):
    """A reviewed target: how many of a category the panel holds (`outreach lottery
    targets --load`). `dimension` is a place dimension (age, gender, ...), `category` one of
    its categories or published groups."""

    __tablename__ = "lottery_targets"
    __table_args__ = (UniqueConstraint("dimension", "category"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    dimension: Mapped[str] = mapped_column(String(32))
    category: Mapped[str] = mapped_column(Text)  # a band may join several: aged_25_29+…
    min: Mapped[int] = mapped_column(Integer)
    max: Mapped[int] = mapped_column(Integer)
    panel: Mapped[int] = mapped_column(Integer)  # the panel size the targets were set for
    loaded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Run(Base):
    """One selection (`select`) or replacement (`replace`): its seed, what was asked, the
    library and its version, and the transparency report's figures (no names)."""

    __tablename__ = "lottery_runs"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))  # select | replace
    seed: Mapped[str] = mapped_column(Text)
    wanted: Mapped[int] = mapped_column(Integer)
    reserves: Mapped[int] = mapped_column(Integer, default=0)
    algorithm: Mapped[str] = mapped_column(String(32))
    library_version: Mapped[str] = mapped_column(String(32))
    report: Mapped[dict[str, Any] | None] = mapped_column(JSONType)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
