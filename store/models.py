"""SQLAlchemy 2 models: who we talk to, what they said, what we sent. No I/O here.

Times are stored in UTC (`UTCDateTime` gives back aware datetimes on SQLite as well).
Provider ids are unique so that a provider's retry can never be stored twice.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
    false,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

JSONType = JSON().with_variant(JSONB(), "postgresql")

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class UTCDateTime(TypeDecorator):
    """A timezone-aware UTC datetime on every backend."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime: use an aware UTC time")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def utcnow() -> datetime:
    return datetime.now(UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


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
