"""`outreach purge --before DATE`: erase what residents said and were sent before a date.

In one transaction, older than DATE:
- responses (begun before it and with no answer or completion since), with their answers
  and the answers' English translations, and the conversations still on those responses
  (a conversation's state holds the answers of the survey it is in);
- consents, unless a response kept is given under them;
- messages in and out, except those still waiting in the outbox (queued, sending);
- people left with nothing: a contact from before DATE with no response, consent or
  message left and no other record pointing at them (an engager, an alert, anything a
  later table adds) loses their addresses, conversation and opt-in history too. Someone
  who opted out keeps their contact and address, so that STOP still holds.
Kept: safeguarding alerts (the lead's records, with their own retention:
docs/safeguarding.md), screen-out counts, erasure records. One `erasures` row (kind
`purge`) keeps the counts, nothing else.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import datetime

from sqlalchemy import delete, exists, func, or_, select
from sqlalchemy.orm import Session

from store.models import (
    Address,
    Answer,
    Base,
    ConsentRecord,
    Contact,
    Conversation,
    Erasure,
    Message,
    OptOut,
    Response,
)

WAITING = ("queued", "sending")  # outbox rows not yet handed to a provider
_THEIR_OWN = {"addresses", "opt_outs"}  # rows that go with a contact who holds nothing else


@dataclass(frozen=True)
class Purged:
    """How much a purge erased."""

    responses: int
    answers: int
    translations: int
    conversations: int
    consents: int
    messages: int
    contacts: int


def purge(session: Session, before: datetime, now: datetime) -> Purged:
    """Erase what is older than `before` (see the module's docstring) and record the counts.
    The caller commits, or rolls back for a dry run."""
    session.flush()
    old = _old_responses(before)
    answers = session.scalar(select(func.count()).where(Answer.response_id.in_(old)))
    translations = session.scalar(select(func.count()).where(
        Answer.response_id.in_(old), Answer.translation_provider.is_not(None),
        Answer.translation_status == "done"))
    conversations = session.execute(
        delete(Conversation).where(Conversation.response_id.in_(old))).rowcount
    session.execute(delete(Answer).where(Answer.response_id.in_(old)))
    responses = session.execute(delete(Response).where(Response.id.in_(old))).rowcount
    consents = session.execute(delete(ConsentRecord).where(
        ConsentRecord.at < before,
        ~exists().where(Response.contact_id == ConsentRecord.contact_id,
                        Response.survey_version_id == ConsentRecord.survey_version_id))
    ).rowcount
    messages = session.execute(delete(Message).where(
        Message.created_at < before, Message.status.not_in(WAITING))).rowcount
    contacts, gone = _people_left_with_nothing(session, before)
    purged = Purged(responses, answers, translations, conversations + gone, consents,
                    messages, contacts)
    session.add(Erasure(kind="purge", responses=responses, messages=messages,
                        counts={"before": before.isoformat(), **asdict(purged)}, at=now))
    return purged


def _old_responses(before: datetime):
    """Ids of responses begun before `before` with nothing (answer, completion) since."""
    answered_since = exists().where(Answer.response_id == Response.id,
                                    Answer.answered_at >= before)
    return select(Response.id).where(
        Response.started_at < before,
        or_(Response.completed_at.is_(None), Response.completed_at < before),
        ~answered_since).scalar_subquery()


def _people_left_with_nothing(session: Session, before: datetime) -> tuple[int, int]:
    """Remove contacts from before `before` that nothing else points at any more; returns
    (contacts removed, their conversations removed)."""
    contacts = Contact.__table__
    pointing = [fk.parent for table in Base.metadata.sorted_tables
                if table.name not in _THEIR_OWN
                for fk in table.foreign_keys if fk.column is contacts.c.id]
    idle = select(Contact.id).where(
        Contact.created_at < before, Contact.opted_out_at.is_(None),
        *(~exists().where(column == Contact.id) for column in pointing)).scalar_subquery()
    addresses = select(Address.id).where(Address.contact_id.in_(idle)).scalar_subquery()
    conversations = session.execute(
        delete(Conversation).where(Conversation.address_id.in_(addresses))).rowcount
    session.execute(delete(Address).where(Address.contact_id.in_(idle)))
    session.execute(delete(OptOut).where(OptOut.contact_id.in_(idle)))
    removed = session.execute(delete(Contact).where(Contact.id.in_(idle))).rowcount
    return removed, conversations
