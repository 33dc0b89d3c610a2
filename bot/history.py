"""Reading back what is stored about a conversation: who the person behind an address is
now, and what they said at a step and were answered. The web form draws its pages from
these (a page is the replies to one inbound message)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select

from bot import screened
from bot.outbox import reply_from_row
from bot.runtime import Runtime
from bot.state import Reply, State
from store.models import Address, Contact, Conversation, Message


@dataclass(frozen=True)
class ContactSummary:
    """A contact as the channel needs to know them: their language, current survey and the
    answers given in it so far (to count the questions that apply)."""

    language: str | None
    survey: str | None
    answers: dict[str, Any] = field(default_factory=dict)


def contact_summary(rt: Runtime, scheme: str, value: str) -> ContactSummary | None:
    """The contact behind an address, or None (never seen, or erased)."""
    with rt.sessions() as db:
        row = db.execute(
            select(Contact.language, Conversation.state)
            .select_from(Address).join(Contact, Contact.id == Address.contact_id)
            .outerjoin(Conversation, Conversation.address_id == Address.id)
            .where(Address.scheme == scheme, Address.value == value)).first()
    if row is None:
        return None
    run = State.from_json(row.state).run
    return ContactSummary(row.language, run.survey, run.answers)


def screened_out(rt: Runtime, scheme: str, value: str) -> screened.Mark | None:
    """What is remembered of an address screened out lately (an under-13): the survey and
    their language, or None. It is thanked again whatever it sends, and the web form keeps
    its token to be known by and shows its page in their language."""
    with rt.sessions() as db:
        return screened.recall(db, rt.settings.secret_key, scheme, value, rt.now())


def inbound_id(rt: Runtime, channel: str, provider_id: str | None) -> int | None:
    """The stored id of an inbound message, by the provider id it came with."""
    with rt.sessions() as db:
        return db.scalar(select(Message.id).where(
            Message.channel == channel, Message.direction == "in",
            Message.provider_id == provider_id))


def exchange(rt: Runtime, channel: str, message_id: int | None) -> tuple[str, list[Reply]]:
    """What the person sent as this inbound message, and the replies it got."""
    with rt.sessions() as db:
        sent = db.get(Message, message_id) if message_id is not None else None
        if sent is None or sent.channel != channel:
            return "", []
        rows = db.scalars(select(Message).where(Message.reply_to_id == sent.id,
                                                Message.direction == "out")
                          .order_by(Message.id))
        return sent.body, [reply_from_row(row) for row in rows]
