"""Erasing people: DELETE (a person's answers and identity, keeping only that an erasure
happened) and a screen-out (someone a survey is not for, such as an under-13: what they
said in it is erased and only a count is kept)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, exists, select, update
from sqlalchemy.orm import Session

from store.models import (
    Address,
    Alert,
    ConsentRecord,
    Contact,
    Conversation,
    Engager,
    Erasure,
    Message,
    OptOut,
    Response,
    ScreenOut,
    Survey,
    SurveyVersion,
)


def erase_contact(session: Session, contact: Contact, now: datetime) -> Erasure:
    """Remove a person's responses, consents, opt-outs, conversations and addresses, and
    scrub their messages; an `erasures` row keeps only the counts."""
    responses, messages = _remove_contact(session, contact)
    erasure = Erasure(kind="delete", responses=responses, messages=messages, at=now)
    session.add(erasure)
    return erasure


def _remove_contact(session: Session, contact: Contact) -> tuple[int, int]:
    session.flush()  # pending changes to these rows must not be written after they go
    responses = session.execute(delete(Response).where(Response.contact_id == contact.id))
    scrubbed = session.execute(
        update(Message).where(Message.contact_id == contact.id)
        .values(body="", address="", payload=None, contact_id=None)
    )
    session.execute(delete(ConsentRecord).where(ConsentRecord.contact_id == contact.id))
    session.execute(delete(OptOut).where(OptOut.contact_id == contact.id))
    address_ids = select(Address.id).where(Address.contact_id == contact.id)
    session.execute(delete(Conversation).where(Conversation.address_id.in_(address_ids)))
    session.execute(delete(Address).where(Address.contact_id == contact.id))
    session.execute(delete(Contact).where(Contact.id == contact.id))
    return responses.rowcount, scrubbed.rowcount


def screen_out(session: Session, contact: Contact, survey: str, reason: str,
               since: datetime | None, now: datetime, under_13: bool = True) -> bool:
    """Someone `survey` is not for: count them (the day and the reason, nothing else) and
    erase their response, their consent to it and what they wrote since `since`. Someone we
    hold nothing else about (no other answers or consents, not an engager) is removed
    altogether; True then: the contact is gone.

    A safeguarding alert still open on them is never cut off from the person: its alerts
    say they are under 13 (`under_13`), and the contact, its address and messages stay
    until the last such alert is acknowledged (`release`) or the screened mark expires."""
    session.flush()
    if under_13:
        session.execute(update(Alert).where(Alert.contact_id == contact.id)
                        .values(under_13=True))
    session.add(ScreenOut(survey=survey, reason=reason, day=now.date()))
    versions = select(SurveyVersion.id).join(Survey).where(Survey.slug == survey)
    session.execute(delete(Response).where(Response.contact_id == contact.id,
                                           Response.survey_version_id.in_(versions)))
    session.execute(delete(ConsentRecord).where(ConsentRecord.contact_id == contact.id,
                                                ConsentRecord.survey_version_id.in_(versions)))
    if _open_alert(session, contact.id):
        return False
    if not _holds_more(session, contact):
        _remove_contact(session, contact)
        return True
    if since is not None:
        session.execute(update(Message).where(Message.contact_id == contact.id,
                                              Message.created_at >= since)
                        .values(body="", payload=None))
    return False


def _open_alert(session: Session, contact_id: int) -> bool:
    return bool(session.scalar(select(exists().where(Alert.contact_id == contact_id,
                                                     Alert.acked_at.is_(None)))))


def release(session: Session, contact_id: int | None, expired: bool = False) -> bool:
    """After an under-13's alert is acknowledged (or, `expired`, their screened mark's
    30 days are up): erase what was kept only so that the alert could reach them, once no
    alert on them is open. True when the contact is gone."""
    contact = session.get(Contact, contact_id) if contact_id is not None else None
    if contact is None or _holds_more(session, contact) or (
            not expired and _open_alert(session, contact.id)):
        return False
    _remove_contact(session, contact)
    return True


def _holds_more(session: Session, contact: Contact) -> bool:
    """Whether we keep anything else about the contact: answers, consents, an engager."""
    return bool(session.scalar(select(
        exists().where(Response.contact_id == contact.id)
        | exists().where(ConsentRecord.contact_id == contact.id)
        | exists().where(Engager.contact_id == contact.id))))
