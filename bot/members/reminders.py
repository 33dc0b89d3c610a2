"""A member's reminders as sent: the words (a session's time, place and notes, in the
member's language), queued once under their key, and the notice that a session moved.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot import addresses, channels
from bot.members import roster
from bot.members.schedule import MOVED, SESSION_MOVED, Item, reminder_key, stamp
from bot.outbox import enqueue
from bot.quiet import QuietHours
from bot.runtime import Runtime
from bot.state import Option, Reply
from store.models import AssemblySession, Member, Message
from translations.catalog import Catalogs
from translations.weekdays import day_name


def notes(catalogs: Catalogs, lang: str | None, day: AssemblySession) -> str:
    """What to bring, access and travel, each in the member's words' frame ("" if none)."""
    parts = [catalogs.bot(lang, f"reminder/{name}", text=value.strip().rstrip("."))
             for name, value in (("bring", day.bring), ("access", day.access),
                                 ("travel", day.travel)) if value and value.strip()]
    return "".join(f"{part} " for part in parts)


def reminder(catalogs: Catalogs, lang: str | None, template: str, day: AssemblySession,
             tz, with_notes: bool = False, rsvp: bool = False) -> Reply:
    """A reminder as sent: the template filled in with the session, in `lang`."""
    local = day.starts_at.astimezone(tz)
    text = catalogs.bot(lang, template, session=day.name, day=day_name(local.date(), lang),
                        time=local.strftime("%H:%M"), venue=day.venue,
                        notes=notes(catalogs, lang, day) if with_notes else "")
    options = (Option("yes", catalogs.bot(lang, "yes")),
               Option("no", catalogs.bot(lang, "no"))) if rsvp else ()
    return Reply(text, options, style="keys")


def item_text(rt: Runtime, item: Item) -> list[str]:
    """What an item will say (a check-in: nothing until the worker starts it)."""
    lang = item.member.contact.language
    if item.body is not None:
        return [item.body]
    if item.rule is not None:
        return [reminder(rt.catalogs, lang, item.rule.template, item.day,
                         rt.settings.timezone, item.rule.notes, item.rule.rsvp).text]
    return []


def send_to(session: Session, member: Member, reply: Reply, key: str, quiet: QuietHours,
            now: datetime) -> int:
    """Queue `reply` to the member on their channel under `key` (once); 1 if queued."""
    address = roster.address_of(session, member)
    if address is None:
        return 0
    queued = enqueue(session, channels.channel_of(address.scheme),
                     addresses.provider_address(address.scheme, address.value), reply, now,
                     contact_id=member.contact_id, key=key, quiet=quiet)
    return int(queued is not None)


# A session moved ---------------------------------------------------------------------------


def moved(rt: Runtime, session: Session, day: AssemblySession, old_starts: datetime,
          now: datetime) -> int:
    """After a session's time changed: what was still queued for the old time is
    cancelled, and members who had heard of the old time (a reminder went) are told the
    new one, asking YES / NO again: the plan then sends them no confirm for it (one
    question). Returns how many were told."""
    old = f":{stamp(old_starts)}"
    queued = session.scalars(select(Message).where(
        Message.idempotency_key.startswith(roster.REMINDER_KEY, autoescape=True),
        Message.idempotency_key.endswith(old, autoescape=True),
        Message.status == "queued")).all()
    heard = set()
    for row in session.scalars(select(Message).where(
            Message.idempotency_key.endswith(old, autoescape=True))):
        _, member, session_id, *_ = row.idempotency_key.split(":")
        if int(session_id) != day.id:
            continue
        if row in queued:  # never went: the plan sends the new time's reminder instead
            row.status, row.error_code, row.updated_at = "cancelled", SESSION_MOVED, now
        elif row.status != "cancelled":
            heard.add(int(member))
    quiet = QuietHours.from_settings(rt.settings)
    told = 0
    for member in session.scalars(select(Member).where(Member.id.in_(heard))):
        if member.contact.opted_out_at is not None:
            continue
        reply = reminder(rt.catalogs, member.contact.language, "reminder/moved", day,
                         quiet.tz, rsvp=True)
        told += send_to(session, member, reply, reminder_key(member.id, day, MOVED), quiet,
                        now)
    return told
