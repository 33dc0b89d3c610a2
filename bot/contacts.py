"""People and their addresses as stored: find or create them, race-safe, and their
conversation, locked for the transaction that carries it forward."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import bindparam, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, contains_eager

from bot import channels
from store.models import Address, Contact, Conversation

# Schemes whose provider lets us write only within a window after the person's last message.
_WINDOWED = frozenset(c.scheme for c in channels.CHANNELS if c.reply_window)


def get_address(session: Session, scheme: str, value: str, now: datetime,
                inbound: bool = True) -> Address:
    """The stored address (and its contact), created on first contact, race-safe.
    `inbound`: they just wrote to us (on WhatsApp, its 24-hour window opens)."""
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
    if inbound and scheme in _WINDOWED:
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


# Built once: constructing a statement costs more than running it on the message path.
_FIND = (select(Conversation).join(Conversation.address).join(Address.contact)
         .options(contains_eager(Conversation.address).contains_eager(Address.contact))
         .where(Address.scheme == bindparam("scheme"), Address.value == bindparam("value"))
         .with_for_update(of=Conversation))


def find_conversation(session: Session, scheme: str, value: str,
                      now: datetime) -> Conversation | None:
    """Someone who wrote to us before: their conversation with its address and contact, in
    one statement, the conversation locked for this transaction. None for someone new."""
    found = session.scalar(_FIND, {"scheme": scheme, "value": value})
    if found is not None and scheme in _WINDOWED:
        found.address.last_inbound_at = now  # WhatsApp's 24-hour window opens again
    return found
