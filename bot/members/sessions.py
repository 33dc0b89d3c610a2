"""The assembly days: adding them, listing them, and changing one (a new time re-plans its
reminders and tells the members who had heard of the old time)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.members import reminders
from bot.runtime import Runtime
from store.models import AssemblySession

NOTES = ("bring", "access", "travel")


class SessionError(ValueError):
    """A session that cannot be stored as asked."""


def local(moment: datetime, tz: ZoneInfo) -> datetime:
    """A time as the coordinator typed it: no zone means local time (OUTREACH_TIMEZONE).
    SessionError for a local time the clocks skip (01:30 when they go forward at 01:00):
    zoneinfo would quietly store it an hour off what was typed; and for one that happens
    twice (01:30 when they go back at 02:00), which needs its offset."""
    if moment.tzinfo is not None:
        return moment
    placed = moment.replace(tzinfo=tz)
    stored = placed.astimezone(UTC).astimezone(tz)
    if stored.replace(tzinfo=None) != moment:
        raise SessionError(
            f"{moment:%H:%M} on {moment:%a %d %B %Y} does not exist in {tz.key}: the "
            f"clocks go forward an hour that night. Did you mean {stored:%H:%M}?")
    if placed.utcoffset() != moment.replace(tzinfo=tz, fold=1).utcoffset():
        first, second = (_offset(moment.replace(tzinfo=tz, fold=f)) for f in (0, 1))
        raise SessionError(
            f"{moment:%H:%M} on {moment:%a %d %B %Y} happens twice in {tz.key}: the clocks go "
            f"back an hour that night. Say which with its offset: {moment:%Y-%m-%dT%H:%M}"
            f"{first} (the first) or {moment:%Y-%m-%dT%H:%M}{second} (the second)")
    return stored


def _offset(moment: datetime) -> str:
    """A moment's UTC offset as ISO 8601 writes it (+01:00)."""
    return moment.isoformat()[-6:]


@dataclass(frozen=True)
class Details:
    """What a session says: its name, time, venue and notes (None: leave as it is)."""

    name: str | None = None
    starts: datetime | None = None
    ends: datetime | None = None
    venue: str | None = None
    bring: str | None = None
    access: str | None = None
    travel: str | None = None


def add(session: Session, details: Details, now: datetime) -> AssemblySession:
    if not (details.name and details.starts and details.ends and details.venue):
        raise SessionError("a session needs a name, a start, an end and a venue")
    day = AssemblySession(name=details.name.strip(), starts_at=details.starts,
                          ends_at=details.ends, venue=details.venue.strip(), created_at=now,
                          updated_at=now, **{n: _text(getattr(details, n)) for n in NOTES})
    _check(day)
    _not_twice(session, day, "added")
    session.add(day)
    session.flush()
    return day


def same_as(session: Session, day: AssemblySession) -> AssemblySession | None:
    """The stored session with this one's name, times and venue (case and spacing aside)."""
    found = session.scalars(select(AssemblySession).where(
        AssemblySession.starts_at == day.starts_at, AssemblySession.ends_at == day.ends_at))
    return next((other for other in found if other is not day and _key(other.name) ==
                 _key(day.name) and _key(other.venue) == _key(day.venue)), None)


def _key(text: str) -> str:
    return " ".join(text.casefold().split())


def _not_twice(session: Session, day: AssemblySession, done: str) -> None:
    """SessionError when another session is this one: every member would get every
    reminder twice."""
    same = same_as(session, day)
    if same is not None:
        raise SessionError(f"session #{same.id} is already {same.name!r} at these times at "
                           f"{same.venue!r}: nothing {done} (outreach sessions list shows "
                           f"them; outreach sessions edit {same.id} changes that one)")


def edit(rt: Runtime, session: Session, session_id: int, details: Details,
         now: datetime) -> tuple[AssemblySession, int]:
    """Change a session; a new start re-plans its reminders (see reminders.moved). Returns
    the session and how many members were told of its new time."""
    day = session.get(AssemblySession, session_id)
    if day is None:
        raise SessionError(f"there is no session #{session_id}")
    old_starts = day.starts_at
    for name in ("name", "venue"):
        if getattr(details, name):
            setattr(day, name, getattr(details, name).strip())
    for name in NOTES:
        if getattr(details, name) is not None:
            setattr(day, name, _text(getattr(details, name)))
    if details.starts is not None:
        length = day.ends_at - day.starts_at
        day.starts_at = details.starts
        day.ends_at = details.ends or details.starts + length
    elif details.ends is not None:
        day.ends_at = details.ends
    _check(day)
    _not_twice(session, day, "changed")
    day.updated_at = now
    session.flush()
    told = reminders.moved(rt, session, day, old_starts, now) if day.starts_at != old_starts else 0
    return day, told


def listing(session: Session) -> list[AssemblySession]:
    return list(session.scalars(select(AssemblySession).order_by(AssemblySession.starts_at,
                                                                 AssemblySession.id)))


def _check(day: AssemblySession) -> None:
    if day.ends_at <= day.starts_at:
        raise SessionError("a session must end after it starts")


def _text(value: str | None) -> str | None:
    return value.strip() or None if value is not None else None
