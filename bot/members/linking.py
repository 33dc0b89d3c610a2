"""Linking a member's Telegram chat with a one-time code sent by SMS (docs/members.md).

A member texts LINK (or the coordinator runs `outreach members link-code M007`) and gets
a code by SMS: 8 characters from the engagers' unambiguous alphabet (29^8, about 5 * 10^11),
live for `VALID` and good once. Sending `LINK CODE` to the Telegram bot, or opening the
`t.me/<bot>?start=link_CODE` link the SMS carries, makes that chat the member's: the chat's
contact (a stranger to us until then, or someone who answered a survey on Telegram) is
merged into the member's, so they keep one identity. Wrong codes are counted per chat by
the engine (five an hour). The engine's look-ups are `link_target` and `new_link_code`.
"""

from __future__ import annotations

import logging
import secrets
from datetime import datetime, timedelta

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from bot import addresses, channels
from bot.engine import NEW_CODE_CHARS, link_code_text
from bot.members.link_codes import normalise
from bot.outbox import enqueue
from bot.state import LinkTarget, Reply
from store.models import Address, Base, Contact, Member
from translations.catalog import Catalogs

log = logging.getLogger(__name__)

CODE_LENGTH = 8
VALID = timedelta(hours=24)


def new_code(session: Session) -> str:
    """A fresh code that no member holds; with a digit, so that it reads as a code."""
    while True:
        code = "".join(secrets.choice(NEW_CODE_CHARS) for _ in range(CODE_LENGTH))
        if any(ch.isdigit() for ch in code) and session.scalar(
                select(Member.id).where(Member.link_code == code)) is None:
            return code


def store(session: Session, member: Member, code: str, now: datetime) -> None:
    """Give the member `code`, live for VALID; an earlier code stops working."""
    member.link_code, member.link_code_expires_at = code, now + VALID


def target(session: Session, typed: str, now: datetime) -> LinkTarget | None:
    """The member whose live code was typed, or None (wrong, used or expired)."""
    code = normalise(typed)
    if len(code) != CODE_LENGTH:
        return None
    member = session.scalar(select(Member).where(Member.link_code == code,
                                                 Member.link_code_expires_at > now))
    if member is None:
        return None
    return LinkTarget(member.id, member.channel, member.contact.language)


def lookups(session: Session, now: datetime) -> dict:
    """The engine's Env look-ups for linking, each run only if the engine asks."""
    return {"link_target": lambda typed: target(session, typed, now),
            "new_link_code": lambda: new_code(session)}


def redeem(session: Session, address: Address, member_id: int, typed: str, here: bool,
           now: datetime) -> bool:
    """Use the code up and make the chat at `address` the member's (merging the chat's
    contact into theirs); `here`: their reminders come to it. False if the code went
    meanwhile (another chat used it a moment ago)."""
    used = session.execute(update(Member).where(
        Member.id == member_id, Member.link_code == normalise(typed),
        Member.link_code_expires_at > now).values(link_code=None, link_code_expires_at=None))
    if used.rowcount != 1:
        log.warning("a link code was used up by another chat at the same moment")
        return False
    member = session.get(Member, member_id)
    if address.contact_id != member.contact_id:
        merge(session, address.contact_id, member.contact_id)
        session.refresh(address)
    if here:
        choose(session, member, address, now)
    return True


def choose(session: Session, member: Member, address: Address, now: datetime) -> None:
    """The member's reminders go to `address` from now on; another chat or number on the
    same channel that they had before is set aside (status `replaced`)."""
    member.channel, member.updated_at = channels.channel_of(address.scheme), now
    session.execute(update(Address).where(
        Address.contact_id == member.contact_id, Address.scheme == address.scheme,
        Address.id != address.id, Address.status == "active").values(status="replaced"))


def merge(session: Session, old: int, into: int) -> None:
    """Everything of contact `old` (addresses, conversations, answers, messages…) becomes
    contact `into`'s; `old` is deleted. The caller makes sure `old` is not a member."""
    session.flush()
    kept, gone = session.get(Contact, into), session.get(Contact, old)
    if kept.language is None:
        kept.language = gone.language
    for table in Base.metadata.sorted_tables:
        if "contact_id" in table.c and table.name != Member.__tablename__:
            session.execute(update(table).where(table.c.contact_id == old)
                            .values(contact_id=into))
    session.expunge(gone)
    session.execute(delete(Contact).where(Contact.id == old))


def send_code(session: Session, member: Member, catalogs: Catalogs, bot_username: str | None,
              now: datetime) -> tuple[str, datetime] | None:
    """A new code for the member, queued to their phone by SMS (`outreach members
    link-code`): the code and when it stops working; None if they have no phone."""
    phone = session.scalar(select(Address).where(
        Address.contact_id == member.contact_id, Address.scheme == "tel",
        Address.status == "active"))
    if phone is None:
        return None
    code = new_code(session)
    store(session, member, code, now)
    enqueue(session, "sms", addresses.provider_address("tel", phone.value),
            Reply(link_code_text(catalogs, member.contact.language, code, bot_username)), now,
            contact_id=member.contact_id, key=f"link-code:{member.id}:{code}")
    return code, now + VALID

