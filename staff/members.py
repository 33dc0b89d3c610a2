"""Assembly members as the staff pages show them, as plain data: RSVPs per session (the
dashboard) and each member's wellbeing check-ins and who to call (the check-ins page).

Built on bot/members' own queries — `rsvps.attendance` (the same lists as `outreach
sessions rsvps`), `checkins.results`, `schedule.weekends` — and bot/alerts' queue. Members
are shown by name and number (M007), as the coordinator's commands show them: never a phone
number or chat id. Counts are exact here: the names are on the page anyway.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot import alerts
from bot.members import checkins, rsvps, schedule, sessions
from bot.members.roster import pseudonym
from bot.members.rules import Rules
from staff.counts import channel
from store.models import Alert, Member


@dataclass(frozen=True)
class Person:
    number: str  # M007
    name: str
    channel: str  # as staff call it: SMS, WhatsApp, Telegram
    opted_out: bool


def person(member: Member) -> Person:
    return Person(pseudonym(member), member.name, channel(member.channel),
                  member.contact.opted_out_at is not None)


def by_contact(session: Session, contact_ids: Iterable[int | None]) -> dict[int, Person]:
    """The members among these contacts, by contact id."""
    wanted = {c for c in contact_ids if c is not None}
    if not wanted:
        return {}
    return {m.contact_id: person(m) for m in session.scalars(
        select(Member).where(Member.contact_id.in_(wanted)))}


# RSVPs (the dashboard) ----------------------------------------------------------------------


@dataclass(frozen=True)
class SessionRsvps:
    id: int
    name: str
    starts: datetime
    ends: datetime
    venue: str
    yes: int
    no: list[Person]
    unanswered: list[Person]
    chase: bool  # close enough to call those who have not answered
    chase_from: datetime
    begun: bool


def session_rsvps(session: Session, now: datetime, chase_days: int) -> list[SessionRsvps]:
    """Each assembly day in date order: how many said yes, who said no, who has not
    answered (rsvps.attendance, as `outreach sessions rsvps`)."""
    return [SessionRsvps(a.day.id, a.day.name, a.day.starts_at, a.day.ends_at, a.day.venue,
                         len(a.yes), [person(m) for m in a.no],
                         [person(m) for m in a.unanswered], a.chase,
                         a.day.starts_at - timedelta(days=chase_days), a.day.starts_at <= now)
            for a in rsvps.attendance(session, now, chase_days)]


# Check-ins (the wellbeing lead's page) ------------------------------------------------------


@dataclass(frozen=True)
class Call:
    alert_id: int
    raised: datetime
    acknowledged: bool


@dataclass(frozen=True)
class CheckInRow:
    person: Person
    score: int | None  # None: not answered
    answered: datetime | None
    low: bool
    calls: list[Call]


@dataclass(frozen=True)
class Weekend:
    week: str
    label: str
    sent: int
    answered: int
    low: int
    rows: list[CheckInRow]  # low scores first (lowest first), then no answer, then the rest


@dataclass(frozen=True)
class Reason:
    alert_id: int
    why: str
    raised: datetime


@dataclass(frozen=True)
class ToCall:
    person: Person
    reasons: list[Reason]  # their waiting alerts, in the queue's order
    latest: int | None  # their latest check-in score, if any
    latest_at: datetime | None


@dataclass(frozen=True)
class CheckIns:
    to_call: list[ToCall]
    weekends: list[Weekend]  # the latest first


WHY = {checkins.CALL: "asked for a call (CALL)", "low_score": "a low check-in score"}


def check_ins(session: Session, rules: Rules, zone: ZoneInfo) -> CheckIns:
    """Who to call (members with a wellbeing alert still waiting, in the queue's order: most
    urgent first, then the longest waiting) and each weekend's check-ins, member by member."""
    found = checkins.results(session, rules.check_in)
    latest = {r.member.contact_id: r for r in found if r.score is not None}  # found is in order
    waiting = [a for a in alerts.waiting(session) if a.kind == "wellbeing"]
    members = by_contact(session, (a.contact_id for a in waiting))
    reasons: dict[int, list[Reason]] = {}
    for a in waiting:
        if a.contact_id in members:
            reasons.setdefault(a.contact_id, []).append(Reason(
                a.id, WHY.get(a.category, f"worrying words ({a.category.replace('_', ' ')})"),
                a.created_at))
    to_call = [ToCall(members[contact], why, *((latest[contact].score, latest[contact].answered)
                                               if contact in latest else (None, None)))
               for contact, why in reasons.items()]
    labels = {week: _label(days, zone)
              for week, days in schedule.weekends(sessions.listing(session), zone)}
    weeks: dict[str, list[checkins.Result]] = {}
    for result in found:
        weeks.setdefault(result.week, []).append(result)
    weekends = [_weekend(week, labels.get(week, week), results)
                for week, results in weeks.items()]
    return CheckIns(to_call, sorted(weekends, key=lambda w: w.week, reverse=True))


def _weekend(week: str, label: str, results: list[checkins.Result]) -> Weekend:
    rows = [CheckInRow(person(r.member), r.score, r.answered, r.low,
                       [Call(a.id, a.created_at, a.acked_at is not None) for a in r.calls])
            for r in results]
    rows.sort(key=lambda r: (0 if r.low else 1 if r.score is None else 2,
                             r.score or 0, r.person.name))
    return Weekend(week, label, len(rows), sum(r.score is not None for r in rows),
                   sum(r.low for r in rows), rows)


def _label(days, zone: ZoneInfo) -> str:
    """'Sat 14 Mar – Sun 15 Mar 2026'."""
    first, last = (d.starts_at.astimezone(zone) for d in (days[0], days[-1]))
    span = f"{last:%a} {last.day} {last:%b %Y}"
    return span if first.date() == last.date() else f"{first:%a} {first.day} {first:%b} – {span}"


def member_names(session: Session, found: Iterable[Alert]) -> dict[int, Person]:
    """The member behind each alert that a member raised, by alert id."""
    found = list(found)
    members = by_contact(session, (a.contact_id for a in found))
    return {a.id: members[a.contact_id] for a in found if a.contact_id in members}
