"""The alerts queue as the safeguarding and wellbeing leads' page shows it.

The queue and its acknowledgement are bot/alerts.py's (`waiting`, `acknowledge`, the same
ones `outreach alerts` uses): the page shows waiting alerts in that order — most urgent
first, then the one waiting longest — and the acknowledged ones newest first, with who
acknowledged them, when and their note. No phone number or chat id: an alert links to a
conversation, which the page does not show. A resident stays anonymous; an assembly member's
wellbeing alert names the member (staff/members.py), so that the lead knows whom to call.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from bot import alerts
from staff.counts import channel, language
from staff.members import Person, member_names
from store.models import Alert

ACKED_SHOWN = 50


@dataclass(frozen=True)
class AlertView:
    id: int
    severity: int
    urgency: str  # "in danger now", "at risk", "concern"
    kind: str
    category: str
    raised: str  # local time
    channel: str
    channel_name: str  # as staff call it: SMS, Web form
    where: str  # survey / question
    language: str | None
    language_name: str
    text: str
    text_en: str | None
    translation: str  # what to say when there is no English yet
    acked: str | None
    acked_by: str | None
    note: str | None
    member: Person | None = None  # an assembly member's wellbeing alert: who, to call them
    call: bool = False  # a member's CALL: a request to be called, no words to translate
    under_13: bool = False  # they said they are under 13 (kept until acknowledged)


@dataclass(frozen=True)
class Queue:
    waiting: list[AlertView]
    acknowledged: list[AlertView]


def queue(session: Session, zone: ZoneInfo, translating: bool = True) -> Queue:
    """Waiting alerts, then the acknowledged; `translating`: whether a translator is set up
    (without one, a pending English translation never comes, and the page says so)."""
    everything = alerts.waiting(session, everything=True)
    acked = sorted((a for a in everything if a.acked_at is not None),
                   key=lambda a: a.acked_at, reverse=True)[:ACKED_SHOWN]
    waiting = [a for a in everything if a.acked_at is None]
    members = member_names(session, [*waiting, *acked])
    return Queue([view(a, zone, members.get(a.id), translating) for a in waiting],
                 [view(a, zone, members.get(a.id), translating) for a in acked])


def view(alert: Alert, zone: ZoneInfo, member: Person | None = None,
         translating: bool = True) -> AlertView:
    call = alerts.asked_for_call(alert)
    english = alert.language == "en" or call
    pending = ("English translation pending" if translating else
               "not translated: no translator is set up (TRANSLATOR, docs/translations.md)")
    return AlertView(
        id=alert.id, severity=alert.severity, urgency=alerts.SEVERITY_NAMES[alert.severity],
        kind=alert.kind, category=alert.category.replace("_", " "),
        raised=_local(alert.created_at, zone), channel=alert.channel,
        channel_name=channel(alert.channel),
        where=" / ".join(p for p in (alert.survey, alert.question) if p) or "-",
        language=alert.language,
        language_name=language(alert.language),
        text=alert.text, text_en=None if english else alert.text_en,
        translation="" if english else {
            "pending": pending, "failed": "translation failed",
        }.get(alert.translation_status or "", "no translation"),
        acked=_local(alert.acked_at, zone) if alert.acked_at else None,
        acked_by=alert.acked_by, note=alert.ack_note, member=member, call=call,
        under_13=alert.under_13)


def _local(when: datetime, zone: ZoneInfo) -> str:
    return when.astimezone(zone).strftime("%a %d %b %Y, %H:%M")
