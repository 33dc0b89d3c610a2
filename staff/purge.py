"""`outreach purge [--before DATE]`: erase what residents said and were sent before a date,
and the civic lottery's registrants once the lottery's keep-until date has passed.

In one transaction, older than DATE:
- responses (begun before it and with no answer or completion since), with their answers
  and the answers' English translations, and the conversations still on those responses
  (a conversation's state holds the answers of the survey it is in);
- consents, unless a response kept is given under them;
- messages in and out, except those still waiting in the outbox (queued, sending);
- registrants registered before DATE whose part in the lottery is over (FINAL: declined,
  no answer, dropped out, and not selected once the worker has told them so), with their
  registration responses and their codes (a code whose registrant is erased reads as
  unknown, never as free to register again). Those on the panel or who may still be
  (selected, confirmed, reserve, registered: a selection or replacement may still draw
  them) stay, with their registration responses, whatever DATE: a purge while the
  lottery is under way must not empty its pool or its panel;
- people left with nothing: a contact from before DATE with no response, consent or
  message left and no other record pointing at them (an engager, an alert, anything a
  later table adds) loses their addresses, conversation and opt-in history too. Someone
  who opted out keeps their contact and address, so that STOP still holds.
Once the lottery's `keep_until` day has passed (`lottery_over`), with or without a date:
every registrant who is not a confirmed member, with their registration response; the
letters and codes of every draw whose registration has closed (a confirmed member's
registrant row and registration response go with their letter: the roster row stays); and
the registrants' contacts left with nothing, their messages and consents with them.
Kept: safeguarding alerts (the lead's records, with their own retention:
docs/safeguarding.md), screen-out counts, erasure records, the draws' published figures
(seed, counts), targets and selection runs. One `erasures` row (kind `purge`) keeps the
counts, nothing else.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import asdict, dataclass
from datetime import datetime

from sqlalchemy import delete, exists, func, or_, select, true
from sqlalchemy.orm import Session

from store.models import (
    Address,
    Answer,
    Base,
    ConsentRecord,
    Contact,
    Conversation,
    Draw,
    Erasure,
    Letter,
    LetterCode,
    Message,
    OptOut,
    Registrant,
    Response,
)

# Registrant.status once a registrant's part in the lottery is over: nothing can draw them.
FINAL = ("not_selected", "declined", "no_answer", "dropped")
WAITING = ("queued", "sending")  # outbox rows not yet handed to a provider
_THEIR_OWN = {"addresses", "opt_outs"}  # rows that go with a contact who holds nothing else
_BATCH = 500  # ids per IN (...) when erasing registrants


@dataclass(frozen=True)
class Purged:
    """How much a purge erased."""

    responses: int
    answers: int
    translations: int
    conversations: int
    consents: int
    messages: int
    registrants: int
    letters: int
    contacts: int
    registrants_by_status: dict[str, int]  # the registrants erased, by Registrant.status


def purge(session: Session, before: datetime | None, now: datetime, *,
          lottery_over: bool = False, closes: datetime | None = None) -> Purged:
    """Erase what is older than `before` (None: nothing by age) and, when `lottery_over`
    (its keep-until day has passed), the lottery's registrants and closed draws' letters
    (`closes`: when registration closes for a draw without its own time). See the
    module's docstring. Records the counts; the caller commits, or rolls back for a dry run."""
    session.flush()
    by_status, registered, contacts_of = _registrants(session, before, lottery_over, now,
                                                      closes)
    old = _old_responses(before, registered)
    answers = session.scalar(select(func.count()).where(Answer.response_id.in_(old)))
    translations = session.scalar(select(func.count()).where(
        Answer.response_id.in_(old), Answer.translation_provider.is_not(None),
        Answer.translation_status == "done"))
    conversations = session.execute(
        delete(Conversation).where(Conversation.response_id.in_(old))).rowcount
    session.execute(delete(Answer).where(Answer.response_id.in_(old)))
    responses = session.execute(delete(Response).where(Response.id.in_(old))).rowcount
    consents = messages = 0
    if before is not None:
        consents = session.execute(delete(ConsentRecord).where(
            ConsentRecord.at < before, _no_response_under())).rowcount
        messages = session.execute(delete(Message).where(
            Message.created_at < before, Message.status.not_in(WAITING))).rowcount
    letters = _closed_letters(session, now, closes) if lottery_over else 0
    contacts = gone = 0
    if before is not None:
        contacts, gone = _people_left_with_nothing(session, Contact.created_at < before)
    if contacts_of:  # registrants' contacts, whenever made, once nothing else is theirs
        consents += session.execute(delete(ConsentRecord).where(
            ConsentRecord.contact_id.in_(contacts_of), _no_response_under())).rowcount
        messages += session.execute(delete(Message).where(
            Message.contact_id.in_(_idle(Contact.id.in_(contacts_of), but=Message)),
            Message.status.not_in(WAITING))).rowcount
        more, more_gone = _people_left_with_nothing(session, Contact.id.in_(contacts_of))
        contacts, gone = contacts + more, gone + more_gone
    purged = Purged(responses, answers, translations, conversations + gone, consents,
                    messages, sum(by_status.values()), letters, contacts, by_status)
    session.add(Erasure(kind="purge", responses=responses, messages=messages,
                        counts={"before": before.isoformat() if before else None,
                                "lottery_over": lottery_over, **asdict(purged)}, at=now))
    return purged


def _no_response_under():
    return ~exists().where(Response.contact_id == ConsentRecord.contact_id,
                           Response.survey_version_id == ConsentRecord.survey_version_id)


def _registrants(session: Session, before: datetime | None, lottery_over: bool,
                 now: datetime, closes: datetime | None
                 ) -> tuple[dict[str, int], list[int], list[int]]:
    """Erase the registrants that go (registered before `before` and in a FINAL status,
    the not selected once told; once the lottery is over, all but the confirmed whose
    draw is still open) and their codes: (how many by status, their registration
    responses' ids, their contacts' ids)."""
    going = []
    if before is not None:
        going.append((Registrant.registered_at < before) & Registrant.status.in_(FINAL)
                     & ((Registrant.status != "not_selected") | Registrant.told_at.is_not(None)))
    if lottery_over:
        going.append(Registrant.status != "confirmed")
        going.append(Registrant.letter_id.in_(select(Letter.id).where(
            Letter.draw_id.in_(_closed_draws(now, closes)))))
    if not going:
        return {}, [], []
    rows = session.execute(select(Registrant.id, Registrant.response_id, Registrant.contact_id,
                                  Registrant.code_id, Registrant.status)
                           .where(or_(*going))).all()
    ids, codes = [r.id for r in rows], [r.code_id for r in rows]
    for start in range(0, len(ids), _BATCH):
        session.execute(delete(Registrant).where(Registrant.id.in_(ids[start:start + _BATCH])))
        session.execute(delete(LetterCode).where(LetterCode.id.in_(codes[start:start + _BATCH])))
    by_status = dict(sorted(Counter(r.status for r in rows).items()))
    return (by_status, [r.response_id for r in rows if r.response_id is not None],
            sorted({r.contact_id for r in rows}))


def _closed_draws(now: datetime, closes: datetime | None):
    """Draws whose registration has closed by `now` (their own time, else `closes`)."""
    fallback = true() if closes is not None and closes <= now else Draw.id.is_(None)
    return select(Draw.id).where(or_(Draw.closes_at <= now,
                                     Draw.closes_at.is_(None) & fallback))


def _closed_letters(session: Session, now: datetime, closes: datetime | None) -> int:
    """Erase the codes and letters (their wards) of the draws closed by `now`."""
    letters = select(Letter.id).where(Letter.draw_id.in_(_closed_draws(now, closes)))
    session.execute(delete(LetterCode).where(LetterCode.letter_id.in_(letters)))
    return session.execute(delete(Letter).where(Letter.id.in_(
        letters.scalar_subquery()))).rowcount


def _old_responses(before: datetime | None, registered: list[int]):
    """Ids of responses begun before `before` with nothing (answer, completion) since,
    unless a registrant still holds it (the registrants that go are gone by now), and the
    erased registrants' registration responses."""
    mine = Response.id.in_(registered) if registered else None
    if before is None:
        return select(Response.id).where(mine if mine is not None else Response.id.is_(None)
                                         ).scalar_subquery()
    answered_since = exists().where(Answer.response_id == Response.id,
                                    Answer.answered_at >= before)
    still_registered = exists().where(Registrant.response_id == Response.id)
    aged = (Response.started_at < before) & or_(
        Response.completed_at.is_(None), Response.completed_at < before) & ~answered_since \
        & ~still_registered  # a kept registrant's answers are what the lottery draws on
    return select(Response.id).where(aged if mine is None else or_(aged, mine)
                                     ).scalar_subquery()


def _idle(which, but=None):
    """Contacts matching `which`, not opted out, that nothing points at any more (their
    own addresses and opt-in history aside; `but`: another table not counted)."""
    contacts = Contact.__table__
    skip = _THEIR_OWN | ({but.__tablename__} if but is not None else set())
    pointing = [fk.parent for table in Base.metadata.sorted_tables
                if table.name not in skip
                for fk in table.foreign_keys if fk.column is contacts.c.id]
    return select(Contact.id).where(
        which, Contact.opted_out_at.is_(None),
        *(~exists().where(column == Contact.id) for column in pointing)).scalar_subquery()


def _people_left_with_nothing(session: Session, which) -> tuple[int, int]:
    """Remove contacts matching `which` that nothing else points at any more; returns
    (contacts removed, their conversations removed)."""
    idle = _idle(which)
    addresses = select(Address.id).where(Address.contact_id.in_(idle)).scalar_subquery()
    conversations = session.execute(
        delete(Conversation).where(Conversation.address_id.in_(addresses))).rowcount
    session.execute(delete(Address).where(Address.contact_id.in_(idle)))
    session.execute(delete(OptOut).where(OptOut.contact_id.in_(idle)))
    removed = session.execute(delete(Contact).where(Contact.id.in_(idle))).rowcount
    return removed, conversations
