"""Factories for assembly members and sessions, through the coordinator's own paths."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from sqlalchemy import select

from bot.members import roster, roster_file, sessions
from store.db import transaction
from store.models import AssemblySession, Member

LONDON = ZoneInfo("Europe/London")
HEADER = "name,phone,telegram_chat_id,language,channel,notes"


def import_members(rt, *rows: str) -> list[Member]:
    """Import CSV rows (after the header) as `outreach members import` does."""
    text = "\n".join([HEADER, *rows]) + "\n"
    parsed = roster_file.read_csv(text, ["en", "ro", "ur", "bg", "pl", "tr"])
    with transaction(rt.sessions) as session:
        done = roster.import_rows(session, parsed, rt.now())
        session.expunge_all()
    return done.added + done.updated


def add_session(rt, name: str, starts: str, ends: str | None = None,
                venue: str = "Walthamstow Assembly Hall", **notes) -> AssemblySession:
    """A session at local time `starts` ('2026-03-14T10:00'), six hours long by default."""
    begin = datetime.fromisoformat(starts).replace(tzinfo=LONDON)
    end = datetime.fromisoformat(ends).replace(tzinfo=LONDON) if ends else begin.replace(
        hour=begin.hour + 6)
    with transaction(rt.sessions) as session:
        day = sessions.add(session, sessions.Details(name, begin, end, venue, **notes),
                           rt.now())
        session.expunge(day)
    return day


def member(rt, member_id: int) -> Member:
    with rt.sessions() as session:
        found = session.scalar(select(Member).where(Member.id == member_id))
        _ = found.contact
        session.expunge_all()
    return found


def at(local: str) -> datetime:
    return datetime.fromisoformat(local).replace(tzinfo=LONDON).astimezone(UTC)
