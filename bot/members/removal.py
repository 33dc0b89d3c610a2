"""Taking a member off the roster and a session off the calendar (`outreach members remove`,
`outreach sessions remove`): what was queued about them is cancelled, and the members who
had heard of a removed session are told it will not take place.

The removed rows' outbox keys are retired (`retired:<message id>:…`, roster.retire):
SQLite may give a new member or session the removed one's number, and its welcome or
reminders must not look sent already, nor a YES confirm it. A removed member's contact
stays, with any survey answers they gave as a resident (DELETE, from them, erases those).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from bot import selection
from bot.members import reminders, schedule
from bot.members.roster import REMINDER_KEY, REMOVED, WELCOME_KEY, retire
from bot.optouts import cancel
from bot.quiet import QuietHours
from bot.runtime import Runtime
from store.models import AssemblySession, Member, Message, Rsvp

HEARD = ("sending", "sent", "delivered")  # with the provider, or through


def remove_member(session: Session, member: Member, now: datetime) -> int:
    """Cancel what is queued for the member (reminders, welcome, link codes) and take them
    off the roster (their RSVPs and check-ins go too; a member the lottery found is marked
    dropped, for `outreach lottery replace`); how many messages were cancelled."""
    about = or_(Message.idempotency_key.startswith(f"{REMINDER_KEY}{member.id}:",
                                                   autoescape=True),
                Message.idempotency_key.startswith(f"link-code:{member.id}:",
                                                   autoescape=True),
                Message.idempotency_key == f"{WELCOME_KEY}{member.id}")
    cancelled = cancel(session, now, about, reason="member-removed")
    retire(session, about)
    selection.member_removed(session, member.id, now)  # from the lottery: a place to fill
    session.delete(member)
    session.flush()
    return cancelled


@dataclass(frozen=True)
class Removed:
    """What removing a session did: queued reminders cancelled, members to be told it will
    not take place, and when those notices go (after quiet hours; None: no one is told)."""

    cancelled: int
    told: int
    at: datetime | None


def remove_session(rt: Runtime, session: Session, day: AssemblySession,
                   now: datetime) -> Removed:
    """Cancel the session's queued reminders, tell the members who could have it in mind
    or in their calendar (a reminder went, they answered, or their welcome with the
    calendar link went) that it will not take place, at the time they last heard, and
    delete it. A session that has already ended is removed without telling anyone."""
    rows = [row for row in session.scalars(select(Message).where(
        Message.idempotency_key.startswith(REMINDER_KEY, autoescape=True)))
        if int(row.idempotency_key.split(":")[2]) == day.id]
    heard: dict[int, datetime] = {}  # member: the time they last heard, as they heard it
    for row in sorted(rows, key=lambda row: (row.created_at, row.id)):
        _, member, _, what, when = row.idempotency_key.split(":", 4)
        if row.status in HEARD and what != REMOVED:
            heard[int(member)] = datetime.strptime(when, "%Y%m%dT%H%MZ").replace(tzinfo=UTC)
    for member_id in [*session.scalars(select(Rsvp.member_id).where(
            Rsvp.session_id == day.id)), *_welcomed(session)]:
        heard.setdefault(member_id, day.starts_at)  # their calendar shows it as it is
    ids = Message.id.in_([row.id for row in rows])
    cancelled = cancel(session, now, ids, reason="session-removed")
    retire(session, ids)
    quiet = QuietHours.from_settings(rt.settings)
    told = 0
    for member in session.scalars(select(Member).where(Member.id.in_(heard))):
        if member.contact.opted_out_at is None and day.ends_at > now:
            as_heard = AssemblySession(name=day.name, starts_at=heard[member.id],
                                       ends_at=day.ends_at, venue=day.venue)
            reply = reminders.reminder(rt.catalogs, member.contact.language,
                                      "reminder/removed", as_heard, quiet.tz)
            told += reminders.send_to(session, member, reply,
                                     schedule.reminder_key(member.id, day, REMOVED), quiet,
                                     now)
    session.delete(day)
    session.flush()
    return Removed(cancelled, told, quiet.next_allowed(now) if told else None)


def _welcomed(session: Session) -> list[int]:
    """The members whose welcome (with their calendar link) went."""
    keys = session.scalars(select(Message.idempotency_key).where(
        Message.idempotency_key.startswith(WELCOME_KEY, autoescape=True),
        Message.status.in_(HEARD)))
    return [int(key.removeprefix(WELCOME_KEY)) for key in keys]
