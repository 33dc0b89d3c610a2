"""Taking a member off the roster and a session off the calendar (`outreach members remove`,
`outreach sessions remove`): what was queued about them is cancelled, and the members who
had heard of a removed session are told it will not take place.

The removed rows' outbox keys are retired (`retired:<message id>:…`, roster.retire):
SQLite may give a new member or session the removed one's number, and its welcome or
reminders must not look sent already, nor a YES confirm it. A removed member's contact
stays, with any survey answers they gave as a resident (DELETE, from them, erases those).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from bot.members import schedule
from bot.members.roster import REMINDER_KEY, REMOVED, WELCOME_KEY, retire
from bot.optouts import cancel
from bot.quiet import QuietHours
from bot.runtime import Runtime
from store.models import AssemblySession, Member, Message, Rsvp

HEARD = ("sending", "sent", "delivered")  # with the provider, or through


def remove_member(session: Session, member: Member, now: datetime) -> int:
    """Cancel what is queued for the member (reminders, welcome, link codes) and take them
    off the roster (their RSVPs and check-ins go too); how many messages were cancelled."""
    about = or_(Message.idempotency_key.startswith(f"{REMINDER_KEY}{member.id}:",
                                                   autoescape=True),
                Message.idempotency_key.startswith(f"link-code:{member.id}:",
                                                   autoescape=True),
                Message.idempotency_key == f"{WELCOME_KEY}{member.id}")
    cancelled = cancel(session, now, about, reason="member-removed")
    retire(session, about)
    session.delete(member)
    session.flush()
    return cancelled


def remove_session(rt: Runtime, session: Session, day: AssemblySession,
                   now: datetime) -> tuple[int, int]:
    """Cancel the session's queued reminders, tell the members who had heard of it (a
    reminder went, or they answered it) that it will not take place, and delete it.
    Returns (messages cancelled, members told)."""
    rows = [row for row in session.scalars(select(Message).where(
        Message.idempotency_key.startswith(REMINDER_KEY, autoescape=True)))
        if int(row.idempotency_key.split(":")[2]) == day.id]
    heard = {int(row.idempotency_key.split(":")[1]) for row in rows if row.status in HEARD
             and row.idempotency_key.split(":")[3] != REMOVED}
    heard |= set(session.scalars(select(Rsvp.member_id).where(Rsvp.session_id == day.id)))
    ids = Message.id.in_([row.id for row in rows])
    cancelled = cancel(session, now, ids, reason="session-removed")
    retire(session, ids)
    quiet = QuietHours.from_settings(rt.settings)
    told = 0
    for member in session.scalars(select(Member).where(Member.id.in_(heard))):
        if member.contact.opted_out_at is None:
            reply = schedule.reminder(rt.catalogs, member.contact.language,
                                      "reminder/removed", day, quiet.tz)
            told += schedule.send_to(session, member, reply,
                                     schedule.reminder_key(member.id, day, REMOVED), quiet,
                                     now)
    session.delete(day)
    session.flush()
    return cancelled, told
