"""What goes to which member, and when: reminders before each session, the wellbeing
check-in after each weekend. `plan` works it out from the rules, the roster, the sessions
and what was already sent; the worker's job (bot/members/job.py) carries out what is due,
and `outreach reminders plan` shows the rest without sending anything: `outlook` is the plan
and the members' messages already in the outbox (welcomes, reminders waiting out quiet
hours or a retry), each when the outbox will send it. Reads only.

Nothing is scheduled ahead: each round the plan is worked out again, so a session moved
or a member added is simply in the next one. Sending is idempotent: a reminder is an outbox
row with a key (`remind:<member>:<session>:<rule>:<session start>`) that can be queued
once, and a check-in starts only by inserting its unique `check_ins` row, so running the
worker twice, restarting it or running two never sends anything twice. Times are local
(zoneinfo) and stored in UTC; a message due in quiet hours waits for the next allowed minute.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot import channels
from bot.members import roster, rsvps
from bot.members.rules import Rule, Rules, check_in_at, send_at, week_of
from bot.optouts import silenced
from bot.outbox import not_before
from bot.quiet import QuietHours
from bot.state import State
from store.models import Address, AssemblySession, CheckIn, Conversation, Member, Message

CHECK_IN = "check-in"
MOVED = "moved"


@dataclass(frozen=True)
class Item:
    """One message in the plan. `at`: when the rules say (UTC); `sends`: when it will
    actually go (not before now, after quiet hours). `state`: due, planned, or why not."""

    what: str  # a reminder rule's id, "moved" or "check-in"
    member: Member
    at: datetime
    sends: datetime
    state: str
    day: AssemblySession | None = None
    week: str | None = None
    key: str | None = None
    rule: Rule | None = None
    body: str | None = None  # a message already in the outbox: its text


def stamp(starts: datetime) -> str:
    return starts.astimezone(UTC).strftime("%Y%m%dT%H%MZ")


def reminder_key(member_id: int, day: AssemblySession, what: str) -> str:
    return f"{roster.REMINDER_KEY}{member_id}:{day.id}:{what}:{stamp(day.starts_at)}"


@dataclass
class _World:
    """What the plan is worked out from, read in a few queries."""

    members: list[Member]
    days: list[AssemblySession]
    reachable: dict[int, Address | None]  # member id -> address on their channel
    sent: dict[str, datetime]  # reminder keys queued so far -> when
    checked_in: set[tuple[int, str]]
    busy: set[int]  # contacts part way through a survey
    declined: set[tuple[int, int]]  # (member, session): said NO to it


def _world(session: Session) -> _World:
    members = list(session.scalars(select(Member).order_by(Member.id)))
    days = list(session.scalars(select(AssemblySession).order_by(AssemblySession.starts_at,
                                                                 AssemblySession.id)))
    sent = dict(session.execute(select(Message.idempotency_key, Message.created_at).where(
        Message.idempotency_key.startswith(roster.REMINDER_KEY, autoescape=True))).all())
    checked_in = set(session.execute(select(CheckIn.member_id, CheckIn.week)).all())
    contacts = [m.contact_id for m in members]
    busy = {contact for contact, state in session.execute(
        select(Address.contact_id, Conversation.state).join(Conversation.address)
        .where(Address.contact_id.in_(contacts))).all()
        if State.from_json(state).run.in_progress}
    usable: dict[tuple[int, str], Address] = {}
    for address in session.scalars(select(Address).where(
            Address.contact_id.in_(contacts), Address.status == "active")
            .order_by(Address.id)):  # one query, not one per member: this runs every round
        usable.setdefault((address.contact_id, address.scheme), address)
    reachable = {m.id: usable.get((m.contact_id, channels.scheme_of(m.channel)))
                 for m in members}
    return _World(members, days, reachable, sent, checked_in, busy, rsvps.declined(session))


def plan(session: Session, rules: Rules, quiet: QuietHours, now: datetime) -> list[Item]:
    """Every message still to go to a member (due now or later), and those held back
    with the reason, in sending order. Reads only."""
    world = _world(session)
    items = []
    for member in world.members:
        why = _unreachable(member, world)
        for day in world.days:
            items += _reminders(member, day, rules, quiet, now, world, why)
        items += _check_ins(member, rules, quiet, now, world, why)
    return sorted(items, key=lambda i: (i.sends, i.member.id, i.what))


def outlook(session: Session, rules: Rules, quiet: QuietHours, now: datetime) -> list[Item]:
    """What the worker will send members from `now` on: the plan, and their messages
    already in the outbox, in sending order (`outreach reminders plan`). Reads only."""
    items = plan(session, rules, quiet, now) + queued(session, rules, quiet, now)
    return sorted(items, key=lambda i: (i.sends, i.member.id, i.what))


def queued(session: Session, rules: Rules, quiet: QuietHours, now: datetime) -> list[Item]:
    """Members' messages waiting in the outbox, each when the outbox will send it (after
    quiet hours for those bound by them); none the worker will cancel (an opt-out, a
    reminder too late by then: see stale)."""
    rows = session.execute(select(Message, Member).join(
        Member, Member.contact_id == Message.contact_id).where(
        Message.direction == "out", Message.status == "queued", ~silenced())
        .order_by(Message.next_attempt_at, Message.id)).all()
    days = {day.id: day for day in session.scalars(select(AssemblySession))}
    items = []
    for row, member in rows:
        sends = not_before(row.payload, max(row.next_attempt_at, now), quiet)
        what, day = _queued_as(row.idempotency_key, days)
        if _too_late(what, day, sends, rules, quiet.tz):
            continue  # cancelled when it comes due (see stale)
        items.append(Item(what, member, row.next_attempt_at, sends,
                          "due" if sends <= now else "queued", day, key=row.idempotency_key,
                          body=row.body))
    return items


MOVED_AWAY = "moved away"  # a reminder about a session since moved or removed


def _queued_as(key: str | None, days: dict[int, AssemblySession]
               ) -> tuple[str, AssemblySession | None]:
    """What an outbox row is to a member, from its key: a reminder (and its session),
    their welcome, or another message (a check-in's question, a reply)."""
    if key and key.startswith(roster.REMINDER_KEY):
        _, _, session_id, what, starts = key.split(":", 4)
        day = days.get(int(session_id))
        if day is None or stamp(day.starts_at) != starts:
            return MOVED_AWAY, None
        return what, day
    if key and key.startswith(roster.WELCOME_KEY):
        return "welcome", None
    return "message", None


SESSION_MOVED, SESSION_BEGUN, TOO_LATE = "session-moved", "session-begun", "too-late"


def past_its_day(rule: Rule | None, starts: datetime, moment: datetime, tz) -> bool:
    """Whether a `same_day` rule's message ("tomorrow", "today") would go at `moment`,
    after its own local day."""
    return rule is not None and rule.same_day and (
        moment.astimezone(tz).date() > send_at(rule, starts, tz).astimezone(tz).date())


def _too_late(what: str, day: AssemblySession | None, moment: datetime, rules: Rules,
              tz) -> str | None:
    """Why a queued message must not go at `moment` (None if it may): a reminder about a
    session moved or gone (session-moved), begun by then (session-begun), or one whose rule
    says `same_day` carried past its own local day by retries or quiet hours (too-late)."""
    if what == MOVED_AWAY:
        return SESSION_MOVED
    if day is None:
        return None
    if day.starts_at <= moment:
        return SESSION_BEGUN
    return TOO_LATE if past_its_day(rules.rule(what), day.starts_at, moment, tz) else None


def stale(session: Session, rules: Rules, tz, now: datetime) -> dict[str, list[int]]:
    """Queued reminders too late to go now (see _too_late: a retry or quiet hours held
    them until then), by the reason: the worker cancels them. Reads only."""
    days = {day.id: day for day in session.scalars(select(AssemblySession))}
    late: dict[str, list[int]] = defaultdict(list)
    for row_id, key in session.execute(select(Message.id, Message.idempotency_key).where(
            Message.status == "queued",
            Message.idempotency_key.startswith(roster.REMINDER_KEY, autoescape=True))):
        why = _too_late(*_queued_as(key, days), now, rules, tz)
        if why is not None:
            late[why].append(row_id)
    return late


def _unreachable(member: Member, world: _World) -> str | None:
    if member.contact.opted_out_at is not None:
        return "skipped: opted out"
    if world.reachable[member.id] is None:
        return f"skipped: no usable {member.channel} address"
    return None


def _reminders(member: Member, day: AssemblySession, rules: Rules, quiet: QuietHours,
               now: datetime, world: _World, why: str | None) -> list[Item]:
    """A session's reminders for one member: those to come, and of those whose time has
    passed only the latest, unless the member has heard about the session (at this time)
    since it was due. Nothing once the session has begun."""
    if day.starts_at <= now:
        return []
    tz = quiet.tz
    prefix = f"{roster.REMINDER_KEY}{member.id}:{day.id}:"
    heard = [at for key, at in world.sent.items()
             if key.startswith(prefix) and key.endswith(stamp(day.starts_at))]
    asked = reminder_key(member.id, day, MOVED) in world.sent  # the change notice asks
    timed = sorted(((send_at(rule, day.starts_at, tz), rule) for rule in rules.reminders
                    if not (asked and rule.rsvp)), key=lambda pair: pair[0])
    passed = [pair for pair in timed if pair[0] <= now]
    items = []
    for at, rule in ([passed[-1]] if passed else []) + [p for p in timed if p[0] > now]:
        key = reminder_key(member.id, day, rule.id)
        if key in world.sent or (at <= now and any(h >= at for h in heard)):
            continue
        sends = quiet.next_allowed(max(at, now))
        if why is not None:
            state = why
        elif (member.id, day.id) in world.declined:
            state = "skipped: said NO"
        elif past_its_day(rule, day.starts_at, sends, tz):
            state = "skipped: its day has passed"  # never "tomorrow" on the day itself
        elif at <= now:
            state = "due" if sends <= now else waiting_until(sends, tz)
        else:
            state = "planned"
        if sends < day.starts_at:  # nothing that would only go once the session has begun
            items.append(Item(rule.id, member, at, sends, state, day, key=key, rule=rule))
    return items


WAITING_UNTIL = "waiting until "


def waiting_until(sends: datetime, tz) -> str:
    """The state of a message due but held by quiet hours."""
    return f"{WAITING_UNTIL}{sends.astimezone(tz):%H:%M}"


def to_queue(item: Item) -> bool:
    """Whether the worker queues `item` now (one held by quiet hours waits in the outbox)."""
    return item.state == "due" or item.state.startswith(WAITING_UNTIL)


def weekends(days: list[AssemblySession], tz) -> list[tuple[str, list[AssemblySession]]]:
    """Sessions grouped by the local week they fall in, in date order."""
    grouped: dict[str, list[AssemblySession]] = defaultdict(list)
    for day in days:
        grouped[week_of(day.starts_at, tz)].append(day)
    return sorted(grouped.items(), key=lambda pair: pair[1][0].starts_at)


def _check_ins(member: Member, rules: Rules, quiet: QuietHours, now: datetime,
               world: _World, why: str | None) -> list[Item]:
    """The check-in after each weekend the member was on the roster for, until the next
    weekend begins (a week, after the last)."""
    items = []
    ends = weekends(world.days, quiet.tz)
    for n, (week, days) in enumerate(ends):
        if (member.id, week) in world.checked_in or member.created_at >= days[0].starts_at:
            continue
        at = check_in_at(rules.check_in, days[-1].starts_at, quiet.tz)
        closes = ends[n + 1][1][0].starts_at if n + 1 < len(ends) else at + timedelta(days=7)
        if now >= closes:
            continue
        if why is not None:
            state = why
        elif at > now:
            state = "planned"
        elif member.contact_id in world.busy:
            state = "waiting: part way through a survey"
        else:
            state = "due"
        sends = quiet.next_allowed(max(at, now))
        if state == "due" and sends > now:
            state = waiting_until(sends, quiet.tz)
        items.append(Item(CHECK_IN, member, at, sends, state, week=week))
    return items
