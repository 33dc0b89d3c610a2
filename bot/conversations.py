"""Carry a conversation forward: load its state, resume the engine, store what happened.

Every channel calls `handle` with an `Inbound`. In one transaction it logs the message
(a provider id seen before is a retry: its earlier replies are returned and nothing is
stored twice), resumes the engine, carries out the effects, saves the state and its next
wait, and writes each reply as an outbound message row. Only after the commit are replies
handed back to be sent, so an answer is always stored before anyone is answered.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime

from sqlalchemy import bindparam, select, update
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from bot import (
    addresses,
    channels,
    effects,
    engine,
    plaintext,
    ratelimit,
    registrants,
    screened,
    selection,
    youth,
)
from bot.contacts import find_conversation, get_address, get_conversation
from bot.members import linking, roster
from bot.messages import Delivery, Inbound, earlier_replies, log_inbound, record_replies
from bot.quiet import QuietHours
from bot.runtime import Runtime
from bot.spool import Spool, unreachable
from bot.state import Concern, Event, Incoming, OptedIn, OptedOut, Person, Reply, State
from store.db import transaction
from store.models import Conversation, Message


@dataclass
class Handled:
    replies: list[Reply] = field(default_factory=list)
    duplicate: bool = False
    inbound_id: int | None = None
    rate_limited: bool = False  # stored, but held back by the loop guard: not answered


def handle(rt: Runtime, inbound: Inbound, deliver: Delivery = Delivery.INLINE,
           guard: bool = True) -> Handled:
    """Process one inbound message; `deliver` says how its replies reach the person.
    `guard=False` skips the loop guard (the operator's own `outreach chat`)."""
    scheme, value = addresses.parse(inbound.channel, inbound.address,
                                    rt.settings.default_region)
    concern = _concern(rt, inbound.text)  # before the lock: it needs none
    now = rt.now()
    with transaction(rt.sessions) as session:
        conversation = find_conversation(session, scheme, value, now)
        mark = None
        if conversation is None:  # someone new, or someone screened out lately
            mark = screened.recall(session, rt.settings.secret_key, scheme, value, now)
            if mark is not None and concern is None:
                return _thank_again(rt, session, inbound, (scheme, value), mark, now, deliver)
        known = conversation.address.contact_id if conversation is not None else None
        inbound_id = log_inbound(session, inbound, addresses.provider_address(scheme, value),
                                 now, known)
        if inbound_id is None:
            return Handled(earlier_replies(session, inbound), duplicate=True)
        if conversation is None:  # someone new, or no conversation yet (never for a retry)
            address = get_address(session, scheme, value, now)
            session.execute(update(Message).where(Message.id == inbound_id)
                            .values(contact_id=address.contact_id))
            conversation = get_conversation(session, address)
            if mark is not None:  # a disclosure: kept for the lead, and still screened out
                conversation.state = mark.state().to_json()
                address.contact.language = address.contact.language or mark.language
        address = conversation.address
        if guard and ratelimit.held_back(rt, session, inbound.channel, address.contact_id,
                                         inbound_id, inbound.text, now):
            return Handled(_slow_down(session, rt, conversation, now, deliver, inbound_id),
                           inbound_id=inbound_id, rate_limited=True)
        event = Incoming(inbound.text, inbound.lang_hint, inbound.media, inbound.start,
                         concern, inbound.link)
        replies = _resume(rt, session, conversation, event, now, deliver, inbound_id)
    return Handled(replies, inbound_id=inbound_id)


def preview(rt: Runtime, inbound: Inbound) -> tuple[list[Reply], str | None]:
    """What a first message from someone new would be answered with, and in which
    language, worked out from the survey definitions alone: nothing is stored (the web
    form's first page, before the visitor has sent anything)."""
    event = Incoming(inbound.text, inbound.lang_hint, inbound.media, inbound.start)
    slug = inbound.start.survey if inbound.start else None
    with rt.sessions() as session:  # read only: rolled back on leaving
        env = rt.env(session, slug, **youth.lookups(session, None),
                     **_lottery(rt, session, None, rt.now()))
        sprint = engine.resume(State.from_json({}), event, rt.now(), env)
    return sprint.replies, sprint.state.contact.language


def handle_or_keep(rt: Runtime, inbound: Inbound,
                   deliver: Delivery = Delivery.INLINE) -> Handled | None:
    """`handle` a verified message, or, when the database cannot be reached, keep it in the
    spool for the worker to replay and return None: the caller answers that it was received.
    A person with a message in the spool has their next ones kept behind it, in order."""
    kept = Spool.of(rt.settings)
    if kept.holds(inbound):
        kept.keep(inbound, deliver)
        return None
    try:
        return handle(rt, inbound, deliver)
    except SQLAlchemyError as exc:
        if not unreachable(exc):
            raise
    kept.keep(inbound, deliver)
    return None


def _thank_again(rt: Runtime, session: Session, inbound: Inbound, address: tuple[str, str],
                 mark: screened.Mark, now: datetime, deliver: Delivery) -> Handled:
    """Someone screened out lately (an under-13) writing again: the engine thanks them
    again, and nothing about them is stored. The message is logged without its words or
    address (so a provider's retry is still known), the reply loses its address once sent,
    and the engine's effects (STOP, DELETE) have nothing to act on: we hold nothing."""
    inbound_id = log_inbound(session, replace(inbound, text="", media=False), "", now)
    if inbound_id is None:
        return Handled(earlier_replies(session, inbound), duplicate=True)
    event = Incoming(inbound.text, inbound.lang_hint, inbound.media, inbound.start)
    sprint = engine.resume(mark.state(), event, now, rt.env(session, mark.survey))
    scheme, value = address
    for effect in sprint.effects:  # STOP holds for the screened period; START lifts it
        if isinstance(effect, OptedOut | OptedIn):
            screened.stop(session, rt.settings.secret_key, scheme, value,
                          isinstance(effect, OptedOut))
    channel = channels.channel_of(scheme)
    replies = (plaintext.fit_sms(sprint.replies) if channels.get(channel).sms_parts
               else sprint.replies)
    record_replies(session, replies, channel, addresses.provider_address(scheme, value), None,
                   now, deliver, inbound_id)
    return Handled(replies, inbound_id=inbound_id)


def _concern(rt: Runtime, text: str) -> Concern | None:
    """Whether the words suggest someone is at risk (bot/safeguarding)."""
    found = rt.safeguarding.check(text) if text else None
    return Concern(int(found.severity), found.category, found.language) if found else None


def resume_due(rt: Runtime, session: Session, conversation: Conversation, event: Event,
               now: datetime) -> list[Reply]:
    """Resume a conversation for a timer (the scheduler); replies go to the outbox."""
    return _resume(rt, session, conversation, event, now, Delivery.SCHEDULED, None)


def _slow_down(session: Session, rt: Runtime, conversation: Conversation, now: datetime,
               deliver: Delivery, inbound_id: int) -> list[Reply]:
    """The first message held back gets one "slow down"; the rest are only stored."""
    address = conversation.address
    previous = session.scalar(select(Message.status).where(
        Message.direction == "in", Message.contact_id == address.contact_id,
        Message.id < inbound_id).order_by(Message.id.desc()).limit(1))
    session.execute(update(Message).where(Message.id == inbound_id)
                    .values(status=ratelimit.UNANSWERED))
    if previous == ratelimit.UNANSWERED:
        return []
    reply = Reply(rt.catalogs.bot(address.contact.language, "slow-down"))
    record_replies(session, [reply], channels.channel_of(address.scheme),
                   addresses.provider_address(address.scheme, address.value),
                   address.contact_id, now, deliver, inbound_id)
    return [reply]


# The new state and next wait, written as one statement built once (not through the ORM's
# unit of work: this runs for every message).
_SAVE = (update(Conversation).where(Conversation.id == bindparam("row"))
         .values(state=bindparam("state"), nudge_at=bindparam("nudge_at"),
                 expire_at=bindparam("expire_at")))


def _lottery(rt: Runtime, session: Session, contact_id: int | None, now: datetime) -> dict:
    """The lottery's look-ups (bot/registrants.py) for one message."""
    settings = rt.settings
    return registrants.lookups(session, contact_id, settings.secret_key, now,
                               settings.timezone, settings.default_region)


def _resume(rt: Runtime, session: Session, conversation: Conversation, event: Event,
            now: datetime, deliver: Delivery, reply_to: int | None) -> list[Reply]:
    address = conversation.address
    contact = address.contact
    channel = channels.channel_of(address.scheme)
    state = State.from_json(conversation.state)
    state.contact = Person(contact.language, contact.opted_out_at is not None)
    env = rt.env(session, state.run.survey, state.run.version,
                 **youth.lookups(session, contact.id),
                 **roster.lookups(session, contact.id, now, rt.settings.timezone),
                 **linking.lookups(session, now),
                 **selection.lookups(session, contact.id, now, rt.settings.timezone),
                 **_lottery(rt, session, contact.id, now))
    sprint = engine.resume(state, event, now, env)
    target = addresses.provider_address(address.scheme, address.value)
    erased = effects.apply(session, conversation, sprint.effects, channel, now, reply_to,
                           rt.leads, rt.settings.secret_key, rt.settings.staff_url)
    if not erased:
        wait = sprint.wait
        session.execute(_SAVE, {
            "row": conversation.id, "state": sprint.state.to_json(),
            "nudge_at": wait.nudge_at if wait and channels.get(channel).pushed else None,
            "expire_at": wait.expire_at if wait else None},
            execution_options={"synchronize_session": False})
    quiet = QuietHours.from_settings(rt.settings) if deliver is Delivery.SCHEDULED else None
    replies = (plaintext.fit_sms(sprint.replies) if channels.get(channel).sms_parts
               else sprint.replies)
    # address.contact_id, not contact.id: linking a member's chat merges its contact away
    record_replies(session, replies, channel, target, None if erased else address.contact_id,
                   now, deliver, reply_to, quiet)
    return replies
