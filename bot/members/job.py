"""The worker's members job: each round, queue the reminders the plan says are due
(cancelling those too late to go) and start the wellbeing check-ins that are
(bot/members/schedule.py says which; running it twice never sends anything twice).
"""

from __future__ import annotations

import logging
from datetime import datetime

from sqlalchemy import update
from sqlalchemy.orm import Session

from bot.contacts import get_conversation
from bot.conversations import resume_due
from bot.members import roster
from bot.members.reminders import reminder, send_to
from bot.members.schedule import CHECK_IN, Item, plan, reminder_key, stale, to_queue
from bot.outbox import insert_for
from bot.quiet import QuietHours
from bot.runtime import Runtime
from bot.state import Incoming, Start, State
from store.db import transaction
from store.models import AssemblySession, CheckIn, Member, Message
from surveys import registry

log = logging.getLogger(__name__)


def send_due(rt: Runtime, now: datetime) -> int:
    """Queue the reminders that are due and start the check-ins that are; returns how many
    messages or check-ins were started (0 when there is nothing to do)."""
    rules, quiet = rt.member_rules, QuietHours.from_settings(rt.settings)
    with rt.sessions() as session:
        late = stale(session, rules, quiet.tz, now)
        due = [i for i in plan(session, rules, quiet, now) if to_queue(i)]
        session.expunge_all()
    if late:
        with transaction(rt.sessions) as session:
            for why, ids in late.items():
                session.execute(update(Message).where(
                    Message.id.in_(ids), Message.status == "queued").values(
                    status="cancelled", error_code=why, updated_at=now))
    if not due:
        return 0
    done = 0
    with transaction(rt.sessions) as session:
        for item in (i for i in due if i.rule is not None):
            done += _remind(rt, session, item, quiet, now)
    for item in (i for i in due if i.what == CHECK_IN):
        with transaction(rt.sessions) as session:
            done += _check_in(rt, session, item, now)
    return done


def _remind(rt: Runtime, session: Session, item: Item, quiet: QuietHours,
            now: datetime) -> int:
    member = session.get(Member, item.member.id)
    day = session.get(AssemblySession, item.day.id)
    if member is None or day is None or reminder_key(member.id, day, item.what) != item.key:
        return 0  # gone or moved since the plan was read: the next round re-plans
    reply = reminder(rt.catalogs, member.contact.language, item.rule.template, day,
                     quiet.tz, item.rule.notes, item.rule.rsvp)
    return send_to(session, member, reply, item.key, quiet, now)


def _check_in(rt: Runtime, session: Session, item: Item, now: datetime) -> int:
    """Start the check-in survey for one member, once (its unique row decides)."""
    slug = rt.member_rules.check_in.survey
    if slug not in registry.current(session):
        log.warning("the check-in survey %s is not loaded: run `outreach surveys load`", slug)
        return 0
    member = session.get(Member, item.member.id)
    address = roster.address_of(session, member) if member is not None else None
    if address is None:
        return 0
    conversation = get_conversation(session, address)
    if State.from_json(conversation.state).run.in_progress:
        return 0  # they began a survey since the plan was read: it waits for them
    stmt = (insert_for(session)(CheckIn).values(member_id=member.id, week=item.week,
                                                started_at=now)
            .on_conflict_do_nothing(index_elements=["member_id", "week"])
            .returning(CheckIn.id))
    if session.scalar(stmt) is None:
        return 0  # another worker started it
    resume_due(rt, session, conversation, Incoming("", start=Start(survey=slug)), now)
    return 1
