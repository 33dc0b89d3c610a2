"""The alerts queue as the safeguarding and wellbeing leads' page shows it.

The queue and its acknowledgement are bot/alerts.py's (`waiting`, `acknowledge`, the same
ones `outreach alerts` uses): the page shows waiting alerts in that order — most urgent
first, then the one waiting longest — with how long each has waited and whether it is
overdue (ALERT_OVERDUE_URGENT, ALERT_OVERDUE_CONCERN), and the acknowledged ones newest
first, with who acknowledged them, when and their note. An alert's own page (`detail`)
shows the conversation as `outreach alerts show` does (`alerts.conversation`: never an
anonymous survey's answers). No phone number or chat id. A resident stays anonymous; an
assembly member's wellbeing alert names the member (staff/members.py), so that the lead
knows whom to call.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from bot import alerts
from bot.config import Settings
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
    where: str | None  # survey / question; None: not shown (alerts.answering)
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
    waited: str = ""  # how long it has waited (until acknowledged): "3 h 20 min"
    overdue: bool = False  # waiting longer than ALERT_OVERDUE_URGENT / _CONCERN allow
    urgent: bool = False  # in danger now or at risk: a reply may go at once, at night too


@dataclass(frozen=True)
class Queue:
    waiting: list[AlertView]
    acknowledged: list[AlertView]


@dataclass(frozen=True)
class Line:
    """One line of an alert's conversation as the page shows it: `who` is them, us (the
    bot), lead (a lead's reply) or hidden (`count` survey messages not shown)."""

    who: str
    text: str = ""
    at: str = ""
    due: str | None = None  # queued, not sent yet: when it goes
    count: int = 0


@dataclass(frozen=True)
class Detail:
    alert: AlertView
    conversation: list[Line]
    unreadable: str | None = None  # why there is no conversation to show
    unreachable: str | None = None  # why no reply can reach them (no form is offered)
    reads: str | None = None  # the language they read, when not English (replies go as written)


def queue(session: Session, settings: Settings, now: datetime) -> Queue:
    """Waiting alerts, then the acknowledged."""
    everything = alerts.waiting(session, everything=True)
    acked = sorted((a for a in everything if a.acked_at is not None),
                   key=lambda a: a.acked_at, reverse=True)[:ACKED_SHOWN]
    waiting = [a for a in everything if a.acked_at is None]
    members = member_names(session, [*waiting, *acked])
    return Queue([view(session, a, settings, now, members.get(a.id)) for a in waiting],
                 [view(session, a, settings, now, members.get(a.id)) for a in acked])


def acknowledged(session: Session, alert_id: int) -> bool:
    """Whether alert `alert_id` exists and is acknowledged (any number may be asked)."""
    alert = session.get(Alert, alert_id) if 0 < alert_id < 2**31 else None
    return alert is not None and alert.acked_at is not None


def detail(session: Session, alert_id: int, settings: Settings, now: datetime) -> Detail:
    """One alert and its conversation (alerts.UnknownAlert when there is no such alert)."""
    alert = alerts.get(session, alert_id)
    shown = view(session, alert, settings, now, member_names(session, [alert]).get(alert.id))
    unreachable = alerts.unreachable(session, alert)
    reads = alerts.reads(session, alert)
    reads = language(reads) if reads and reads != "en" else None
    try:
        said = alerts.conversation(session, alert)
    except alerts.CannotDo as exc:
        return Detail(shown, [], str(exc), unreachable, reads)
    zone = settings.timezone
    return Detail(shown, [
        Line("hidden", count=s.count) if isinstance(s, alerts.Hidden) else
        Line("lead" if s.lead else "them" if s.direction == "in" else "us", s.text,
             _local(s.at, zone), _local(s.due, zone) if s.due else None)
        for s in said], unreachable=unreachable, reads=reads)


def overdue_after(alert: Alert, settings: Settings) -> timedelta:
    """How long an alert may wait: urgent ones (at risk, in danger now) less than concerns."""
    return (settings.alert_overdue_urgent if alerts.urgent(alert)
            else settings.alert_overdue_concern)


def view(session: Session, alert: Alert, settings: Settings, now: datetime,
         member: Person | None = None) -> AlertView:
    zone, translating = settings.timezone, settings.translator != "none"
    call = alerts.asked_for_call(alert)
    english = alert.language == "en" or call
    pending = "English translation pending" if translating else alerts.NO_TRANSLATION
    waited = (alert.acked_at or now) - alert.created_at
    return AlertView(
        id=alert.id, severity=alert.severity, urgency=alerts.SEVERITY_NAMES[alert.severity],
        kind=alert.kind, category=alert.category.replace("_", " "),
        raised=_local(alert.created_at, zone), channel=alert.channel,
        channel_name=channel(alert.channel),
        where=alerts.answering(session, alert),
        language=alert.language,
        language_name=language(alert.language),
        text=alert.text, text_en=None if english else alert.text_en,
        translation="" if english else {
            "pending": pending, "failed": "translation failed",
        }.get(alert.translation_status or "", alerts.NO_TRANSLATION),
        acked=_local(alert.acked_at, zone) if alert.acked_at else None,
        acked_by=alert.acked_by, note=alert.ack_note, member=member, call=call,
        under_13=alert.under_13, waited=duration(waited),
        overdue=alert.acked_at is None and waited > overdue_after(alert, settings),
        urgent=alerts.urgent(alert))


def duration(span: timedelta) -> str:
    """A wait as a lead reads it: "40 min", "3 h 5 min", "2 days 4 h"."""
    minutes = max(int(span.total_seconds() // 60), 0)
    days, hours, minutes = minutes // 1440, minutes // 60 % 24, minutes % 60
    if days:
        return f"{days} day{'s' if days > 1 else ''}" + (f" {hours} h" if hours else "")
    return f"{hours} h {minutes} min" if hours else f"{minutes} min"


def _local(when: datetime, zone: ZoneInfo) -> str:
    return when.astimezone(zone).strftime("%a %d %b %Y, %H:%M")
