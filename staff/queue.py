"""The alerts queue as the wellbeing lead's page shows it, and members' check-ins.

The queue and its acknowledgement are bot/alerts.py's (`waiting`, `acknowledge`, the same
ones `outreach alerts` uses): the page shows waiting alerts in that order — most urgent
first, then the one waiting longest — and the acknowledged ones newest first, with who
acknowledged them, when and their note. No phone number or chat id: an alert links to a
conversation, which the page does not show.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot import alerts
from staff import charts
from staff.counts import language
from store.models import Alert, Answer, Response, Survey, SurveyVersion

ACKED_SHOWN = 50
CHECK_IN = "wellbeing-check-in"  # the members' check-in survey (surveys/wellbeing-check-in.yaml)


@dataclass(frozen=True)
class AlertView:
    id: int
    severity: int
    urgency: str  # "in danger now", "at risk", "concern"
    kind: str
    category: str
    raised: str  # local time
    channel: str
    where: str  # survey / question
    language: str | None
    language_name: str
    text: str
    text_en: str | None
    translation: str  # what to say when there is no English yet
    acked: str | None
    acked_by: str | None
    note: str | None


@dataclass(frozen=True)
class Queue:
    waiting: list[AlertView]
    acknowledged: list[AlertView]


def queue(session: Session, zone: ZoneInfo) -> Queue:
    everything = alerts.waiting(session, everything=True)
    acked = sorted((a for a in everything if a.acked_at is not None),
                   key=lambda a: a.acked_at, reverse=True)[:ACKED_SHOWN]
    return Queue([view(a, zone) for a in everything if a.acked_at is None],
                 [view(a, zone) for a in acked])


def view(alert: Alert, zone: ZoneInfo) -> AlertView:
    english = alert.language == "en"
    return AlertView(
        id=alert.id, severity=alert.severity, urgency=alerts.SEVERITY_NAMES[alert.severity],
        kind=alert.kind, category=alert.category.replace("_", " "),
        raised=_local(alert.created_at, zone), channel=alert.channel,
        where=" / ".join(p for p in (alert.survey, alert.question) if p) or "-",
        language=alert.language,
        language_name=language(alert.language),
        text=alert.text, text_en=None if english else alert.text_en,
        translation="" if english else {
            "pending": "English translation pending", "failed": "translation failed",
        }.get(alert.translation_status or "", "no translation"),
        acked=_local(alert.acked_at, zone) if alert.acked_at else None,
        acked_by=alert.acked_by, note=alert.ack_note)


def _local(when: datetime, zone: ZoneInfo) -> str:
    return when.astimezone(zone).strftime("%a %d %b %Y, %H:%M")


@dataclass(frozen=True)
class CheckIns:
    answered: int
    scores: charts.Chart
    score_counts: list[tuple[str, int]]


def check_ins(session: Session) -> CheckIns:
    """How members say they are (the check-in's 1-5 score), as counts."""
    scores = session.scalars(
        select(Answer.value).join(Response).join(SurveyVersion).join(Survey)
        .where(Survey.slug == CHECK_IN, Answer.question_id == "wellbeing")).all()
    counts = Counter(int(s) for s in scores if isinstance(s, int | float))
    items = [(f"{n}", counts.get(n, 0)) for n in range(1, 6)]
    return CheckIns(sum(counts.values()), charts.rows("Check-in scores", items), items)
