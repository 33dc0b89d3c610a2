"""Members' YES / NO per session, and the list staff work from: who said NO, and who has
not answered once the session is close (`rsvp_chase_days` before it). A NO stops that
session's reminders for the member (what was queued is cancelled, the plan skips the rest);
a later YES brings the reminders still to come back."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from bot.members.roster import REMINDER_KEY
from bot.optouts import PENDING
from bot.outbox import prebuilt_insert
from store.models import AssemblySession, Member, Message, Rsvp


def record(session: Session, member_id: int, session_id: int, answer: str,
           starts: datetime, now: datetime) -> None:
    """Store a member's answer for a session (a later answer replaces an earlier one)."""
    session.execute(prebuilt_insert(session, _upsert), dict(
        member_id=member_id, session_id=session_id, answer=answer, for_starts=starts, at=now))
    if answer == "no":  # a reminder about it still waiting (quiet hours, a retry) stays unsent
        session.execute(update(Message).where(
            Message.direction == "out", Message.status.in_(PENDING),
            Message.idempotency_key.startswith(f"{REMINDER_KEY}{member_id}:{session_id}:",
                                               autoescape=True))
            .values(status="cancelled", error_code="said-no", claim_token=None, updated_at=now)
            .execution_options(synchronize_session=False))


def declined(session: Session) -> set[tuple[int, int]]:
    """(member, session) pairs whose latest answer is NO for the session's current time."""
    return set(session.execute(select(Rsvp.member_id, Rsvp.session_id).join(
        AssemblySession, AssemblySession.id == Rsvp.session_id).where(
        Rsvp.answer == "no", Rsvp.for_starts == AssemblySession.starts_at)).all())


def _upsert(insert):
    stmt = insert(Rsvp.__table__)
    return stmt.on_conflict_do_update(
        index_elements=["member_id", "session_id"],
        set_={name: stmt.excluded[name] for name in ("answer", "for_starts", "at")})


@dataclass(frozen=True)
class Attendance:
    """One session's answers: who is coming, who is not, who has not answered (an answer
    given before the session moved counts as none)."""

    day: AssemblySession
    yes: list[Member]
    no: list[Member]
    unanswered: list[Member]
    chase: bool  # close enough that staff should chase the unanswered


def attendance(session: Session, now: datetime, chase_days: int,
               session_id: int | None = None) -> list[Attendance]:
    """Each session (or one) with its members' answers, in date order."""
    days = select(AssemblySession).order_by(AssemblySession.starts_at, AssemblySession.id)
    if session_id is not None:
        days = days.where(AssemblySession.id == session_id)
    members = list(session.scalars(select(Member).order_by(Member.id)))
    found = []
    for day in session.scalars(days):
        answers = {r.member_id: r.answer for r in session.scalars(
            select(Rsvp).where(Rsvp.session_id == day.id, Rsvp.for_starts == day.starts_at))}
        found.append(Attendance(
            day, [m for m in members if answers.get(m.id) == "yes"],
            [m for m in members if answers.get(m.id) == "no"],
            [m for m in members if m.id not in answers and m.created_at < day.starts_at],
            now >= day.starts_at - timedelta(days=chase_days)))
    return found
