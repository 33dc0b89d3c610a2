"""`GET /m/<token>.ics`: a member's personal calendar of the assembly days (RFC 5545).

The token is the member's own secret link (sent in their welcome message); an unknown one
is 404 and says nothing. Times are written in UTC, never as floating local times, so every
calendar app shows them right across the clock changes; a moved session keeps its UID and
gets a higher SEQUENCE, so a subscribed calendar moves the event instead of adding one;
the UID names no host (never 127.0.0.1, whatever PUBLIC_BASE_URL says).
The calendar's name, the titles ("Citizens' Assembly: Day 1") and descriptions are in the
member's language (the reminders' own words for the notes).
"""

from __future__ import annotations

import uuid
from datetime import UTC

from flask import Blueprint, Response, abort
from icalendar import Calendar, Event

from bot.members import reminders, roster, sessions
from bot.runtime import current
from store.models import AssemblySession

bp = Blueprint("calendar", __name__)
UID_NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, "urn:assembly-outreach:sessions")


@bp.get("/m/<token>.ics")
def member_calendar(token: str) -> Response:
    rt = current()
    with rt.sessions() as session:
        member = roster.by_token(session, token)
        if member is None:
            abort(404)
        lang = member.contact.language
        days = sessions.listing(session)
        body = calendar(days,
                        rt.catalogs.bot(lang, "calendar-name", org=rt.settings.org_name),
                        lambda day: reminders.notes(rt.catalogs, lang, day).strip(),
                        lambda day: rt.catalogs.bot(lang, "calendar-event", session=day.name))
    return Response(body, mimetype="text/calendar", headers={
        "Content-Disposition": 'inline; filename="assembly.ics"', "X-Robots-Tag": "noindex"})


def calendar(days: list[AssemblySession], name: str, describe,
             title=lambda day: day.name) -> bytes:
    """The sessions as an iCalendar file named `name` (X-WR-CALNAME, in the member's
    language); `describe(day)`: its notes as text; `title(day)`: the event's name in a
    phone's calendar, e.g. "Citizens' Assembly: Day 1"."""
    cal = Calendar()
    cal.add("prodid", "-//assembly-outreach//members//EN")
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("x-wr-calname", name)
    for day in days:
        event = Event()
        event.add("uid", uid(day))
        event.add("dtstamp", day.updated_at.astimezone(UTC))
        event.add("last-modified", day.updated_at.astimezone(UTC))
        event.add("sequence", int(day.updated_at.timestamp() - day.created_at.timestamp()))
        event.add("dtstart", day.starts_at.astimezone(UTC))
        event.add("dtend", day.ends_at.astimezone(UTC))
        event.add("summary", title(day))
        event.add("location", day.venue)
        if description := describe(day):
            event.add("description", description)
        cal.add_component(event)
    return cal.to_ical()


def uid(day: AssemblySession) -> str:
    """A session's UID: the same on every fetch and whatever PUBLIC_BASE_URL says (a new
    UID would add the day to a subscribed calendar twice), and never a host name such as
    127.0.0.1; a UUID, as RFC 7986 advises, from the session's id and the moment it was
    made, so two councils' "session 1" never meet in one phone."""
    made = day.created_at.astimezone(UTC).strftime("%Y%m%dT%H%M%S.%fZ")
    return str(uuid.uuid5(UID_NAMESPACE, f"assembly-session:{day.id}:{made}"))
