"""DELETE: erase a person's answers and identity, keeping only that an erasure happened."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from store.models import (
    Address,
    ConsentRecord,
    Contact,
    Conversation,
    Erasure,
    Message,
    OptOut,
    Response,
)


def erase_contact(session: Session, contact: Contact, now: datetime) -> Erasure:
    """Remove a person's responses, consents, opt-outs, conversations and addresses, and
    scrub their messages; an `erasures` row keeps only the counts."""
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
    erasure = Erasure(responses=responses.rowcount, messages=scrubbed.rowcount, at=now)
    session.add(erasure)
    return erasure
