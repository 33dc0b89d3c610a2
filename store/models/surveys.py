"""Surveys and what people answered: each survey's versions, responses and answers, and
the screened-out who are kept as counts only. No I/O here."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import Boolean, Date, ForeignKey, Integer, String, Text, UniqueConstraint, false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from store.models.base import Base, JSONType, UTCDateTime, utcnow


class Survey(Base):
    __tablename__ = "surveys"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    slug: Mapped[str] = mapped_column(String(64), unique=True)
    title: Mapped[str] = mapped_column(Text)
    audience: Mapped[str] = mapped_column(String(16))
    keyword: Mapped[str | None] = mapped_column(String(32))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    versions: Mapped[list[SurveyVersion]] = relationship(
        back_populates="survey", order_by="SurveyVersion.version"
    )


class SurveyVersion(Base):
    """One version of a survey's definition. A version with answers is never changed."""

    __tablename__ = "survey_versions"
    __table_args__ = (UniqueConstraint("survey_id", "version"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    survey_id: Mapped[int] = mapped_column(ForeignKey("surveys.id"))
    version: Mapped[int] = mapped_column(Integer)
    definition: Mapped[dict[str, Any]] = mapped_column(JSONType)
    checksum: Mapped[str] = mapped_column(String(64))
    source: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    survey: Mapped[Survey] = relationship(back_populates="versions")


class Response(Base):
    """One person's answers to one survey version. status: partial | complete."""

    __tablename__ = "responses"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    contact_id: Mapped[int] = mapped_column(ForeignKey("contacts.id", ondelete="CASCADE"),
                                            index=True)
    survey_version_id: Mapped[int] = mapped_column(ForeignKey("survey_versions.id"), index=True)
    channel: Mapped[str] = mapped_column(String(16))
    language: Mapped[str] = mapped_column(String(16))
    status: Mapped[str] = mapped_column(String(16), default="partial")
    engager_code: Mapped[str | None] = mapped_column(String(16), index=True)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    answers: Mapped[list[Answer]] = relationship(
        back_populates="response", cascade="all, delete-orphan", passive_deletes=True
    )
    survey_version: Mapped[SurveyVersion] = relationship()


class Answer(Base):
    """One answer: the value as stored (choice id, number, yes/no, text) and what was typed."""

    __tablename__ = "answers"
    __table_args__ = (UniqueConstraint("response_id", "question_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    response_id: Mapped[int] = mapped_column(ForeignKey("responses.id", ondelete="CASCADE"))
    question_id: Mapped[str] = mapped_column(String(64))
    value: Mapped[Any] = mapped_column(JSONType)
    raw_text: Mapped[str] = mapped_column(Text)
    text_language: Mapped[str | None] = mapped_column(String(16))
    translation_en: Mapped[str | None] = mapped_column(Text)
    translation_status: Mapped[str | None] = mapped_column(String(16))  # pending|done|failed
    # Which service made `translation_en` (libretranslate, google) and when; none for an
    # answer written in English (nothing was translated).
    translation_provider: Mapped[str | None] = mapped_column(String(32))
    translated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    answered_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    response: Mapped[Response] = relationship(back_populates="answers")


class ScreenOut(Base):
    """Someone a survey is not for (an under-13 in the youth survey): a count, nothing else.

    No contact, no time finer than the day, no words: their answers and messages are erased.
    """

    __tablename__ = "screen_outs"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    survey: Mapped[str] = mapped_column(String(64))
    reason: Mapped[str] = mapped_column(String(64))
    day: Mapped[date] = mapped_column(Date)


class ScreenedAddress(Base):
    """An address a survey screened out lately (an under-13), as a keyed hash only: what it
    writes before `until` is thanked again and stored as nothing (bot/screened.py). The
    hash (HMAC-SHA256 with SECRET_KEY) cannot be turned back into the number; the row is
    deleted when `until` passes."""

    __tablename__ = "screened_addresses"

    digest: Mapped[str] = mapped_column(String(64), primary_key=True)
    survey: Mapped[str] = mapped_column(String(64))
    language: Mapped[str | None] = mapped_column(String(16))
    until: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    # They sent STOP: silence until `until` (START lifts it). A flag, no personal data.
    stopped: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
