"""The assembly days: adding them, listing them, and changing one (a new time re-plans its
reminders and tells the members who had heard of the old time)."""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.members import reminders
from bot.runtime import Runtime
from store.models import AssemblySession

NOTES = ("bring", "access", "travel")


class SessionError(ValueError):
    """A session that cannot be stored as asked."""


class UnreadableTime(SessionError):
    """A session's time that cannot be read as typed: what is wrong, and how to write it."""


# 2027-13-01, 2027-02-31T10:00: ISO 8601's shape, a part out of range
_ISO_SHAPE = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})(?:[T ](\d{1,2}):(\d{2}))?")
# 31/02/2027, 13.03.2027 10:00: British day/month/year
_DMY = re.compile(r"(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})(?:,?[T ]+(\d{1,2})[:.](\d{2}))?")


def read_time(text: str, today: date) -> datetime:
    """A session's time as the coordinator typed it: ISO 8601 with its time (no zone: local
    time, see `local`). UnreadableTime says what is wrong ("31 February 2027 does not
    exist", "there is no month 13") and how to write it; `today` picks the example."""
    typed = text.strip()
    try:
        date.fromisoformat(typed)
    except ValueError:
        pass
    else:  # midnight is never what was meant
        raise UnreadableTime(f"{typed!r} is a date without a time: a session needs its "
                             f"times, e.g. {typed}T10:00")
    try:
        return datetime.fromisoformat(typed)
    except ValueError:
        pass
    iso, dmy = _ISO_SHAPE.match(typed), _DMY.fullmatch(typed)
    parts = ([int(n) if n else None for n in iso.groups()] if iso else
             [int(n) if n else None for n in (*dmy.groups()[2::-1], *dmy.groups()[3:])]
             if dmy else None)
    problem = _impossible(*parts) if parts else None
    if problem:
        raise UnreadableTime(f"{typed!r}: {problem}. {_how(today)}")
    if parts is None:
        raise UnreadableTime(f"{typed!r} is not a date and time. {_how(today)}")
    year, month, day, hour, minute = parts  # a real date, written otherwise: as it should be
    when = f"{hour:02}:{minute:02}" if hour is not None else "10:00"
    raise UnreadableTime(f"{typed!r} is {'day/month/year' if dmy else 'not ISO 8601 as written'}"
                         f": write it as {year:04}-{month:02}-{day:02}T{when} (year-month-day, "
                         f"T, then the 24-hour {'time' if hour is not None else 'start time'})")


def _impossible(year: int, month: int, day: int, hour: int | None,
                minute: int | None) -> str | None:
    """What cannot be in a date and time, or None."""
    if year < 1:
        return f"there is no year {year}"
    if not 1 <= month <= 12:
        return f"there is no month {month}"
    days, name = calendar.monthrange(year, month)[1], calendar.month_name[month]
    if not 1 <= day <= 31:
        return f"there is no day {day} in any month"
    if day > days:
        return f"{day} {name} {year} does not exist ({name} {year} has {days} days)"
    if hour is not None and hour > 23:
        return f"there is no hour {hour} (00 to 23)"
    if minute is not None and minute > 59:
        return f"there is no minute {minute} (00 to 59)"
    return None


def _how(today: date) -> str:
    """How to write a session's time, with the next Saturday as the example."""
    saturday = today + timedelta(days=(5 - today.weekday()) % 7 or 7)
    return (f"Write it as year-month-day, T, then the 24-hour time: {saturday:%Y-%m-%d}T10:00 "
            f"is {saturday:%A} {saturday.day} {saturday:%B %Y} at 10:00")


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
