"""Alerts: words a person must act on, kept until someone acknowledges them.

A safeguarding alert is written in the transaction that stores the message that raised it,
so it cannot be lost, and the configured lead (SAFEGUARDING_LEAD) is told at once through
the outbox — that an alert waits and how urgent, never what was said — whatever the hour.
The queue is ordered as a crisis line triages: most urgent first, then oldest first.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot import erasure, optouts
from bot.addresses import provider_address
from bot.contacts import CHANNEL_OF_SCHEME
from bot.outbox import enqueue
from bot.quiet import QuietHours
from bot.state import CALL_REQUESTED, Reply
from store.models import Address, Alert, Conversation, Message

SEVERITY_NAMES = {3: "in danger now", 2: "at risk", 1: "concern"}


@dataclass(frozen=True)
class Raised:
    """What raised an alert, and where: the words as written, their language, the survey
    and question they answered, the conversation, the message."""

    kind: str
    severity: int
    category: str
    text: str
    language: str | None
    channel: str
    survey: str | None = None
    question: str | None = None
    contact_id: int | None = None
    conversation_id: int | None = None
    message_id: int | None = None
    under_13: bool = False  # they were screened out as under 13 (bot/erasure.py)


def raise_alert(session: Session, raised: Raised, now: datetime,
                lead: tuple[str, str] | None) -> Alert:
    """Store the alert and queue the lead's notice: no quiet hours, and ahead of anything
    else waiting in the outbox (a broadcast to thousands must not hold it back)."""
    english, status = ((raised.text, "done") if raised.language == "en"
                       else (None, None) if raised.category == CALL_REQUESTED  # a keyword
                       else (None, "pending"))
    alert = Alert(kind=raised.kind, severity=raised.severity, category=raised.category,
                  text=raised.text, language=raised.language, text_en=english,
                  translation_status=status, channel=raised.channel, survey=raised.survey,
                  question=raised.question, contact_id=raised.contact_id,
                  conversation_id=raised.conversation_id, message_id=raised.message_id,
                  under_13=raised.under_13, created_at=now)
    session.add(alert)
    session.flush()
    if lead is not None:
        channel, address = lead
        enqueue(session, channel, address, Reply(notice(alert)), now,
                key=f"alert-notice:{alert.id}", urgent=True)
    return alert


def asked_for_call(alert: Alert) -> bool:
    """Whether the alert is a member's CALL: a request to be called, not words to read
    (nothing to translate: the keyword in their language)."""
    return alert.category == CALL_REQUESTED


def notice(alert: Alert) -> str:
    """The lead's notice: that an alert waits, never what was said or by whom."""
    return (f"New {alert.kind} alert #{alert.id} ({SEVERITY_NAMES[alert.severity]}). "
            "See it with: outreach alerts list")


def waiting(session: Session, everything: bool = False) -> list[Alert]:
    """Alerts not yet acknowledged (or all), most urgent first, then oldest first."""
    query = select(Alert).order_by(Alert.acked_at.is_not(None), Alert.severity.desc(),
                                   Alert.created_at, Alert.id)
    if not everything:
        query = query.where(Alert.acked_at.is_(None))
    return list(session.scalars(query))


class UnknownAlert(LookupError):
    """No alert has that number."""


class CannotDo(Exception):
    """What the lead asked cannot be done with this alert (and why, in words)."""


def get(session: Session, alert_id: int) -> Alert:
    alert = session.get(Alert, alert_id)
    if alert is None:
        raise UnknownAlert(alert_id)
    return alert


def acknowledge(session: Session, alert_id: int, by: str, note: str | None,
                now: datetime) -> Alert:
    """Record that a person has dealt with an alert (who, when, what they did). Once:
    a safeguarding record is never overwritten."""
    alert = get(session, alert_id)
    if alert.acked_at is not None:
        raise CannotDo(f"alert #{alert_id} was already acknowledged by {alert.acked_by}")
    alert.acked_at, alert.acked_by, alert.ack_note = now, by, note
    if alert.under_13:  # kept only so that this alert could reach them (docs/youth.md)
        session.flush()
        erasure.release(session, alert.contact_id)
    return alert


def erased(alert: Alert) -> str:
    """Why the person behind an alert can no longer be read or written to."""
    return ("the person said they are under 13: what was kept to reach them was erased "
            "when the alert was acknowledged" if alert.under_13 else
            "the person's data was erased (they sent DELETE, or it was kept no longer)")


@dataclass(frozen=True)
class Said:
    """One message of the conversation, as the lead reads it."""

    at: datetime
    direction: str  # in | out
    text: str
    due: datetime | None = None  # a reply still queued: when the worker sends it


def conversation(session: Session, alert: Alert, last: int = 30) -> list[Said]:
    """The person's messages both ways around the alert (the last `last`), oldest first;
    never their number or chat id."""
    if alert.contact_id is None:
        raise CannotDo(f"{erased(alert)}: only the alert is kept")
    rows = session.execute(
        select(Message.created_at, Message.direction, Message.body, Message.status,
               Message.next_attempt_at)
        .where(Message.contact_id == alert.contact_id).order_by(Message.id.desc())
        .limit(last)).all()
    return [Said(at, direction, body,
                 max(due, at) if direction == "out" and status == "queued" else None)
            for at, direction, body, status, due in reversed(rows)]


def reply(session: Session, alert: Alert, text: str, now: datetime,
          quiet: QuietHours | None = None) -> tuple[int, datetime]:
    """A message from the lead to the person, through the outbox on the channel they
    used, without the lead ever seeing their number. Not to someone who sent STOP.
    With `quiet` (QUIET_HOURS) it waits for the end of quiet hours; without, it goes at
    once, ahead of what else waits (a disclosure's reply may not wait for the morning).
    Returns the outbox row and when it is due."""
    if alert.conversation_id is None:
        raise CannotDo(f"{erased(alert)}: there is no one to write to")
    address = session.scalar(select(Address).join(Conversation).where(
        Conversation.id == alert.conversation_id))
    channel = CHANNEL_OF_SCHEME[address.scheme]
    if channel == "web":
        raise CannotDo("they wrote on the web form: there is no way to write back")
    if optouts.is_opted_out(session, address.contact_id):
        raise CannotDo("they sent STOP: nothing more is sent to them")
    due = quiet.next_allowed(now) if quiet is not None else now
    row = enqueue(session, channel, provider_address(address.scheme, address.value),
                  Reply(text), now, contact_id=address.contact_id, quiet=quiet,
                  urgent=quiet is None)
    return row, due
