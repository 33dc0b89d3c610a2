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

from bot.outbox import enqueue
from bot.state import Reply
from store.models import Alert

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


def raise_alert(session: Session, raised: Raised, now: datetime,
                lead: tuple[str, str] | None) -> Alert:
    """Store the alert and queue the lead's notice (no quiet hours: it cannot wait)."""
    english, status = ((raised.text, "done") if raised.language == "en"
                       else (None, "pending"))
    alert = Alert(kind=raised.kind, severity=raised.severity, category=raised.category,
                  text=raised.text, language=raised.language, text_en=english,
                  translation_status=status, channel=raised.channel, survey=raised.survey,
                  question=raised.question, contact_id=raised.contact_id,
                  conversation_id=raised.conversation_id, message_id=raised.message_id,
                  created_at=now)
    session.add(alert)
    session.flush()
    if lead is not None:
        channel, address = lead
        enqueue(session, channel, address, Reply(notice(alert)), now,
                key=f"alert-notice:{alert.id}")
    return alert


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


def acknowledge(session: Session, alert_id: int, by: str, note: str | None,
                now: datetime) -> Alert:
    """Record that a person has dealt with an alert (who, when, what they did)."""
    alert = session.get(Alert, alert_id)
    if alert is None:
        raise UnknownAlert(alert_id)
    alert.acked_at, alert.acked_by, alert.ack_note = now, by, note
    return alert
