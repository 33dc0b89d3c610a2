"""Carry a conversation forward: load its state, resume the engine, store what happened.

Every channel calls `handle` with an `Inbound`. In one transaction it logs the message
(a provider id seen before is a retry: its earlier replies are returned and nothing is
stored twice), resumes the engine, carries out the effects, saves the state and its next
wait, and writes each reply as an outbound message row. Only after the commit are replies
handed back to be sent, so an answer is always stored before anyone is answered.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import delete, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from bot import addresses, engine
from bot.answers import normalize
from bot.engine import Env
from bot.outbox import enqueue, insert_for, reply_from_row, reply_payload
from bot.quiet import QuietHours
from bot.runtime import Runtime
from bot.state import (
    AnswerRecorded,
    ConsentGiven,
    ConsentRefused,
    Effect,
    EraseRequested,
    Event,
    LanguageChanged,
    Message,
    OptedIn,
    OptedOut,
    Reply,
    ResponseCompleted,
    ResponseDiscarded,
    ResponseExpired,
    ResponseScreenedOut,
    ResponseStarted,
    Start,
    State,
)
from bot.state import Contact as ContactState
from store.db import transaction
from store.models import (
    Address,
    Answer,
    ConsentRecord,
    Contact,
    Conversation,
    Erasure,
    OptOut,
    Response,
)
from store.models import Message as MessageRow
from surveys import registry

_CONTROL = {c: None for c in range(32) if chr(c) not in "\t\n\r"}
CHANNEL_OF_SCHEME = {"tel": "sms", "whatsapp": "whatsapp", "telegram": "telegram", "web": "web"}


@dataclass(frozen=True)
class Inbound:
    """A message as a channel hands it over."""

    channel: str  # sms | whatsapp | telegram | web
    address: str  # as the provider gives it: +44…, whatsapp:+44…, a chat id
    text: str = ""
    provider_id: str | None = None
    lang_hint: str | None = None
    media: bool = False
    start: Start | None = None


@dataclass
class Handled:
    replies: list[Reply] = field(default_factory=list)
    duplicate: bool = False
    inbound_id: int | None = None
    rate_limited: bool = False  # stored, but over the limit: not passed to the engine


def handle(rt: Runtime, inbound: Inbound, deliver: str = "inline") -> Handled:
    """Process one inbound message. deliver: "inline" (the caller sends the replies in its
    HTTP answer or prints them), "outbox" (the worker sends them) or "provider" (the
    provider already answered: the replies are recorded as not sent)."""
    scheme, value = addresses.normalize(inbound.channel, inbound.address,
                                        rt.settings.default_region)
    now = rt.now()
    with transaction(rt.sessions) as session:
        inbound_id = _log_inbound(session, inbound, addresses.provider_address(scheme, value),
                                  now)
        if inbound_id is None:
            return Handled(_earlier_replies(session, inbound), duplicate=True)
        address = get_address(session, scheme, value, now)
        session.execute(update(MessageRow).where(MessageRow.id == inbound_id)
                        .values(contact_id=address.contact_id))
        conversation = get_conversation(session, address)
        recent = _recent_inbound(session, address.contact_id, now)
        if recent > rt.settings.rate_limit_per_minute and not _is_stop(rt, inbound.text):
            return Handled(_slow_down(session, rt, conversation, recent, now, deliver,
                                      inbound_id), inbound_id=inbound_id, rate_limited=True)
        event = Message(inbound.text, inbound.lang_hint, inbound.media, inbound.start)
        replies = _resume(rt, session, conversation, event, now, deliver, inbound_id)
    return Handled(replies, inbound_id=inbound_id)


def _recent_inbound(session: Session, contact_id: int, now: datetime) -> int:
    """How many messages this person sent in the last minute (this one included)."""
    return session.scalar(select(func.count()).select_from(MessageRow).where(
        MessageRow.direction == "in", MessageRow.contact_id == contact_id,
        MessageRow.created_at > now - timedelta(minutes=1)))


def _is_stop(rt: Runtime, text: str) -> bool:
    """An opt-out keyword in any language: never held back by the rate limit."""
    return normalize(text) in rt.catalogs.words("keywords/stop", rt.catalogs.languages,
                                                normalize)


def _slow_down(session: Session, rt: Runtime, conversation: Conversation, recent: int,
               now: datetime, deliver: str, inbound_id: int) -> list[Reply]:
    """The first message over the limit gets one "slow down"; the rest are only stored."""
    if recent != rt.settings.rate_limit_per_minute + 1:
        return []
    address = conversation.address
    reply = Reply(rt.catalogs.bot(address.contact.language, "slow-down"))
    _queue(session, rt, [reply], CHANNEL_OF_SCHEME[address.scheme],
           addresses.provider_address(address.scheme, address.value), address.contact_id, now,
           deliver, inbound_id)
    return [reply]


def resume_due(rt: Runtime, session: Session, conversation: Conversation, event: Event,
               now: datetime) -> list[Reply]:
    """Resume a conversation for a timer (the scheduler); replies go to the outbox."""
    return _resume(rt, session, conversation, event, now, "scheduled", None)


def _log_inbound(session: Session, inbound: Inbound, address: str, now: datetime) -> int | None:
    """Store the inbound message; None if this provider id was stored before (a retry)."""
    body = inbound.text.translate(_CONTROL)  # PostgreSQL cannot store NUL in text
    values = dict(direction="in", channel=inbound.channel, address=address,
                  body=body, provider_id=inbound.provider_id, status="received",
                  payload={"media": True} if inbound.media else None,
                  created_at=now, updated_at=now)
    stmt = insert_for(session)(MessageRow).values(**values)
    if inbound.provider_id is not None:
        stmt = stmt.on_conflict_do_nothing(index_elements=["channel", "direction", "provider_id"])
    return session.scalar(stmt.returning(MessageRow.id))


def _earlier_replies(session: Session, inbound: Inbound) -> list[Reply]:
    first = session.scalar(select(MessageRow.id).where(
        MessageRow.channel == inbound.channel, MessageRow.direction == "in",
        MessageRow.provider_id == inbound.provider_id))
    rows = session.scalars(select(MessageRow).where(MessageRow.reply_to_id == first)
                           .order_by(MessageRow.id))
    return [reply_from_row(row) for row in rows]


def get_address(session: Session, scheme: str, value: str, now: datetime,
                inbound: bool = True) -> Address:
    """The stored address (and its contact), created on first contact, race-safe.
    `inbound`: they just wrote to us (WhatsApp's 24-hour window opens)."""
    query = select(Address).where(Address.scheme == scheme, Address.value == value)
    address = session.scalar(query)
    if address is None:
        try:
            with session.begin_nested():
                contact = Contact(created_at=now)
                session.add(contact)
                session.flush()
                address = Address(contact_id=contact.id, scheme=scheme, value=value,
                                  created_at=now)
                session.add(address)
        except IntegrityError:  # someone else created it a moment ago
            address = session.scalar(query)
    if inbound:
        address.last_inbound_at = now
    return address


def get_conversation(session: Session, address: Address) -> Conversation:
    """The address's conversation, created if need be, locked for this transaction."""
    query = select(Conversation).where(Conversation.address_id == address.id)
    found = session.scalar(query.with_for_update())
    if found is None:
        try:
            with session.begin_nested():
                session.add(Conversation(address_id=address.id, state={}))
        except IntegrityError:
            pass
        found = session.scalar(query.with_for_update())
    return found


def _resume(rt: Runtime, session: Session, conversation: Conversation, event: Event,
            now: datetime, deliver: str, reply_to: int | None) -> list[Reply]:
    address = conversation.address
    contact = address.contact
    channel = CHANNEL_OF_SCHEME[address.scheme]
    state = State.from_json(conversation.state)
    state.contact = ContactState(contact.language, contact.opted_out_at is not None)
    env = rt.env(session, state.run.survey, state.run.version)
    sprint = engine.resume(state, event, now, env)
    target = addresses.provider_address(address.scheme, address.value)
    erased = _apply(session, conversation, sprint.effects, env, now, channel)
    contact_id = None if erased else contact.id
    if not erased:
        conversation.state = sprint.state.to_json()
        wait = sprint.wait
        conversation.nudge_at = wait.nudge_at if wait and channel != "web" else None
        conversation.expire_at = wait.expire_at if wait else None
    _queue(session, rt, sprint.replies, channel, target, contact_id, now, deliver, reply_to)
    return sprint.replies


def _queue(session: Session, rt: Runtime, replies: list[Reply], channel: str, target: str,
           contact_id: int | None, now: datetime, deliver: str, reply_to: int | None) -> None:
    """Write each reply as an outbound row: sent inline, or queued for the worker."""
    if deliver in ("outbox", "scheduled"):
        quiet = QuietHours.from_settings(rt.settings) if deliver == "scheduled" else None
        for reply in replies:
            enqueue(session, channel, target, reply, now, contact_id=contact_id,
                    reply_to=reply_to, quiet=quiet)
        return
    for reply in replies:
        row = MessageRow(direction="out", channel=channel, address=target,
                         contact_id=contact_id, body=reply.text, payload=reply_payload(reply),
                         reply_to_id=reply_to, created_at=now, updated_at=now)
        if deliver == "inline":
            row.status, row.sent_at, row.attempts = "sent", now, 1
        else:  # "provider": the provider answered this itself (Advanced Opt-Out)
            row.status, row.error_code = "cancelled", "provider-replied"
        session.add(row)


def _apply(session: Session, conversation: Conversation, effects: list[Effect], env: Env,
           now: datetime, channel: str) -> bool:
    """Carry out the engine's effects; True if the contact was erased."""
    contact = conversation.address.contact
    for effect in effects:
        if isinstance(effect, EraseRequested):
            erase_contact(session, contact, now)
            return True
        if isinstance(effect, LanguageChanged):
            contact.language = effect.language
        elif isinstance(effect, ConsentGiven | ConsentRefused):
            version = registry.version_row(session, effect.survey, effect.version)
            session.add(ConsentRecord(contact_id=contact.id, survey_version_id=version.id,
                                      given=isinstance(effect, ConsentGiven),
                                      wording=effect.wording, language=effect.language,
                                      channel=channel, at=now))
        elif isinstance(effect, ResponseStarted):
            version = registry.version_row(session, effect.survey, effect.version)
            response = Response(contact_id=contact.id, survey_version_id=version.id,
                                channel=channel, language=effect.language,
                                engager_code=effect.engager, started_at=now, status="partial")
            session.add(response)
            session.flush()
            conversation.response_id = response.id
        elif isinstance(effect, AnswerRecorded):
            _record_answer(session, conversation.response_id, effect, now)
        elif isinstance(effect, ResponseCompleted):
            response = session.get(Response, conversation.response_id)
            response.status, response.completed_at = "complete", now
            conversation.response_id = None
        elif isinstance(effect, ResponseScreenedOut | ResponseDiscarded):
            if conversation.response_id is not None:
                session.execute(delete(Response).where(Response.id == conversation.response_id))
            conversation.response_id = None
        elif isinstance(effect, ResponseExpired):
            conversation.response_id = None
        elif isinstance(effect, OptedOut | OptedIn):
            out = isinstance(effect, OptedOut)
            contact.opted_out_at = now if out else None
            session.add(OptOut(contact_id=contact.id, channel=channel,
                               action="out" if out else "in", reason="keyword", at=now))
    return False


def _record_answer(session: Session, response_id: int | None, effect: AnswerRecorded,
                   now: datetime) -> None:
    if response_id is None:
        raise RuntimeError("an answer without a response: the conversation state is corrupt")
    answer = session.scalar(select(Answer).where(Answer.response_id == response_id,
                                                 Answer.question_id == effect.question))
    if answer is None:
        answer = Answer(response_id=response_id, question_id=effect.question)
        session.add(answer)
    answer.value, answer.raw_text, answer.answered_at = effect.value, effect.text, now
    answer.text_language = effect.text_language
    if effect.text_language is None:
        answer.translation_en, answer.translation_status = None, None
    elif effect.text_language == "en":
        answer.translation_en, answer.translation_status = effect.value, "done"
    else:
        answer.translation_en, answer.translation_status = None, "pending"


def erase_contact(session: Session, contact: Contact, now: datetime) -> Erasure:
    """DELETE: remove a person's answers and identity; keep only that an erasure happened."""
    session.flush()  # pending changes to these rows must not be written after they go
    responses = session.execute(delete(Response).where(Response.contact_id == contact.id))
    scrubbed = session.execute(
        update(MessageRow).where(MessageRow.contact_id == contact.id)
        .values(body="", address="", payload=None, contact_id=None)
    )
    session.execute(delete(ConsentRecord).where(ConsentRecord.contact_id == contact.id))
    session.execute(delete(OptOut).where(OptOut.contact_id == contact.id))
    address_ids = select(Address.id).where(Address.contact_id == contact.id)
    session.execute(delete(Conversation).where(Conversation.address_id.in_(address_ids)))
    session.execute(delete(Address).where(Address.contact_id == contact.id))
    session.execute(delete(Contact).where(Contact.id == contact.id))
    erasure = Erasure(responses=responses.rowcount, messages=scrubbed.rowcount, at=now)
    session.add(erasure)
    return erasure
