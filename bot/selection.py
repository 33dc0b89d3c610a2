"""The civic lottery's confirmation, the bot's side: asking the people the lottery selected
whether they take part, what their YES or NO does, and the kind word to those not selected.

The worker (`send_due`, each round) asks every `selected` registrant not yet asked, once
(the outbox key `lottery-ask:<registrant>`), in their language, on the channel they
registered on (a web registrant by SMS, on the phone number they gave), outside quiet hours,
with the assembly's dates (its sessions; none yet: no one is asked, and the log says why)
and the day to answer by (`lottery.confirm_days` of the assembly file, to the end of that
local day). Still silent after it: `no_answer`. Everyone set to `not_selected`
(`outreach lottery close`) is told once, kindly, and nothing more is sent to them, nor to
those who said NO or never answered: a broadcast leaves them out (`left_alone`).

A YES (bot/engine/confirming.py, the effect `LotteryAnswered`) makes the registrant a member
through the roster (bot/members/roster.py), with the name their registration gave (the
registration survey's question with `role: name`), their channel and language: no one
types them again. What staff need to plan goes into the member's notes (which `outreach
members list` shows): the registration's answers to its questions with `role: access`
(access needs) and `role: availability` (the weekends they can come to). Someone who said
they can come to only some weekends is asked about those (`selection/ask-some`), never to
confirm days they already said they cannot do. The worker then sends them the members'
welcome with their calendar link, and the reminders follow as for any member. A NO marks
them `declined`. Removing such a member later (`outreach members remove`, `outreach lottery
drop-out`) marks them `dropped`: `outreach lottery replace` fills those places.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import String, cast, exists, select, update
from sqlalchemy.orm import Session

import assembly
from bot import addresses, channels
from bot.engine.confirming import FINISHED, dates_text, deadline, full_date, weekends_text
from bot.lottery_state import Selected
from bot.members import roster
from bot.members.roster_file import RosterError, Row
from bot.outbox import LocalLink, enqueue
from bot.quiet import QuietHours
from bot.runtime import Runtime
from bot.state import Option, Reply
from store.db import transaction
from store.models import (
    Address,
    Answer,
    AssemblySession,
    Contact,
    Member,
    Message,
    Registrant,
    Response,
)
from surveys import registry
from surveys.model import Question, Questionnaire

log = logging.getLogger(__name__)

ASK_KEY = "lottery-ask:"  # the outbox key of the question: lottery-ask:<registrant>
TOLD_KEY = "lottery-told:"  # of the kind word to someone not selected
WAITING = "selected"  # selected, asked (or about to be), no answer yet
# Nothing more is ever sent to them: not selected, said NO, or never answered.
LEFT_ALONE = ("not_selected", "declined", "no_answer")
NAME_ROLE = "name"  # the registration survey's question whose answer is the member's name
ACCESS_ROLE = "access"  # … whose answer is their access needs (into the member's notes)
AVAILABILITY_ROLE = "availability"  # … the weekends they can come to (a multi question)


# Words ------------------------------------------------------------------------------------


def _days(session: Session, now: datetime, tz: ZoneInfo) -> list[date]:
    """The local days of the assembly's sessions still to begin."""
    starts = session.scalars(select(AssemblySession.starts_at).where(
        AssemblySession.starts_at > now).order_by(AssemblySession.starts_at))
    return sorted({moment.astimezone(tz).date() for moment in starts})


def _answer_by(confirm_by: datetime, tz: ZoneInfo) -> date:
    """The day named in the question: `confirm_by` is the end of it (local midnight)."""
    return (confirm_by.astimezone(tz) - timedelta(seconds=1)).date()


def _lang(session: Session, row: Registrant) -> str | None:
    """Their language now (LANG may have changed it), else the one they registered in."""
    contact = session.get(Contact, row.contact_id)
    return (contact.language if contact is not None else None) or row.language


def _yes_no(rt: Runtime, lang: str | None) -> tuple[Option, Option]:
    return (Option("yes", rt.catalogs.bot(lang, "yes")),
            Option("no", rt.catalogs.bot(lang, "no")))


# The engine's look-up ---------------------------------------------------------------------


def selected(session: Session, contact_id: int | None, now: datetime,
             tz: ZoneInfo) -> Selected | None:
    """The person writing as a registrant the lottery selected who was asked and has not
    answered: their registrant id, the assembly's days, the day to answer by and the
    weekends they said they can come to (if not all). Else, as a registrant the lottery has
    finished with (FINISHED): their id and status only."""
    if contact_id is None:
        return None
    row = session.scalar(select(Registrant).where(
        Registrant.contact_id == contact_id, Registrant.status == WAITING,
        Registrant.asked_at.is_not(None)).order_by(Registrant.id.desc()).limit(1))
    if row is None:
        done = session.scalar(select(Registrant).where(
            Registrant.contact_id == contact_id, Registrant.status.in_(FINISHED)).order_by(
            Registrant.id.desc()).limit(1))
        return Selected(done.id, done.status) if done is not None else None
    by = _answer_by(row.confirm_by, tz).isoformat() if row.confirm_by else ""
    return Selected(row.id, row.status,
                    tuple(day.isoformat() for day in _days(session, now, tz)), by,
                    weekends=some_weekends(session, row))


def lookups(session: Session, contact_id: int | None, now: datetime,
            tz: ZoneInfo) -> dict[str, Any]:
    """The engine's Env look-up for one message, run only if the engine asks."""
    return {"selected": lambda: selected(session, contact_id, now, tz)}


# A YES or a NO ----------------------------------------------------------------------------


def answered(session: Session, registrant_id: int, contact_id: int, yes: bool,
             now: datetime) -> Member | None:
    """A selected registrant's answer: YES makes them a member (the one made, returned),
    NO marks them declined. An answer from another contact, or after the worker marked
    them no_answer, changes nothing."""
    row = session.get(Registrant, registrant_id, with_for_update=True)
    if row is None or row.contact_id != contact_id or row.status != WAITING:
        return None
    row.status, row.status_at = ("confirmed" if yes else "declined"), now
    if not yes:
        return None
    member = _make_member(session, row, now)
    row.member_id = member.id if member is not None else None
    return member


def address_of(session: Session, row: Registrant) -> Address | None:
    """Where a registrant's messages go: their address on the channel they registered on;
    a web registrant's phone number (SMS)."""
    pushed = row.channel in channels.BY_NAME and channels.get(row.channel).pushed
    scheme = channels.scheme_of(row.channel if pushed else "sms")
    return session.scalar(select(Address).where(
        Address.contact_id == row.contact_id, Address.scheme == scheme,
        Address.status == "active").order_by(Address.id))


def answer_of(session: Session, row: Registrant, role: str
              ) -> tuple[Questionnaire, Question, Any] | None:
    """Their registration's answer to its question with `role` (the survey, the question
    and the value as stored); None if it has no such question or they did not answer it."""
    response = session.get(Response, row.response_id) if row.response_id else None
    if response is None:
        return None
    version = response.survey_version
    survey = registry.get(session, version.survey.slug, version.version)
    question = next(iter(survey.with_role(role)), None) if survey else None
    if question is None:
        return None
    value = session.scalar(select(Answer.value).where(
        Answer.response_id == response.id, Answer.question_id == question.id))
    return None if value is None or value == [] else (survey, question, value)


def name_of(session: Session, row: Registrant) -> str | None:
    """The name their registration gave: the answer to its question with `role: name`."""
    found = answer_of(session, row, NAME_ROLE)
    return str(found[2]).strip() or None if found is not None else None


def weekends_of(session: Session, row: Registrant) -> tuple[tuple[str, str], ...] | None:
    """The weekends their registration said they can come to (its question with `role:
    availability`), in the survey's order, each as (catalogue context, text as written in
    the survey); None if it has no such question or they did not answer it."""
    found = answer_of(session, row, AVAILABILITY_ROLE)
    if found is None:
        return None
    survey, question, value = found
    chosen = set(value) if isinstance(value, list) else {value}
    return tuple((f"{survey.slug}/{question.id}/{c.id}", c.text)
                 for c in question.choices if c.id in chosen)


def some_weekends(session: Session, row: Registrant) -> tuple[tuple[str, str], ...]:
    """The weekends they can come to when not every one the registration offered; ()."""
    weekends = weekends_of(session, row)
    found = answer_of(session, row, AVAILABILITY_ROLE) if weekends else None
    return weekends if found and len(weekends) < len(found[1].choices) else ()


def notes_of(session: Session, row: Registrant) -> str:
    """What staff need to plan, for the member's notes (in English, as staff read them):
    where the member came from, their access needs and the weekends they can come to."""
    notes = [f"From the lottery (R{row.id:04d})."]
    access = answer_of(session, row, ACCESS_ROLE)
    if access is not None and str(access[2]).strip():
        notes.append(f"Access needs: {str(access[2]).strip().rstrip('.')}.")
    weekends = weekends_of(session, row)
    if weekends:
        notes.append(f"Can come: {', '.join(text for _, text in weekends)}.")
    return " ".join(notes)


def _make_member(session: Session, row: Registrant, now: datetime) -> Member | None:
    """The registrant as a member, through the roster as an imported row would be."""
    address = address_of(session, row)
    if address is None:
        log.warning("registrant R%04d said YES but has no address left: add them with "
                    "`outreach members import`", row.id)
        return None
    channel = channels.channel_of(address.scheme)
    name = name_of(session, row)
    if name is None:
        log.warning("registrant R%04d: their registration has no answer to a question with "
                    "role: name; the member is called R%04d", row.id, row.id)
    phone = address.value if channels.get(channel).phone else None
    chat = address.value if not channels.get(channel).phone else None
    member_row = Row(line=0, name=name or f"R{row.id:04d}", channel=channel,
                     language=_lang(session, row), notes=notes_of(session, row), phone=phone,
                     chat=chat, new=True)
    try:
        done = roster.import_rows(session, [member_row], now)
    except RosterError:  # its phone is another person's contact already
        log.warning("registrant R%04d said YES but could not be added to the roster (their "
                    "number belongs to another contact): add them with `outreach members "
                    "import`", row.id)
        return None
    return (done.added + done.updated)[0]


# Leaving the panel, and leaving people alone ----------------------------------------------


def member_removed(session: Session, member_id: int, now: datetime) -> int:
    """A member who came from the lottery was taken off the roster: their registrant is
    dropped (their place is to be filled). How many registrants that was (0 or 1)."""
    return session.execute(update(Registrant).where(
        Registrant.member_id == member_id, Registrant.status == "confirmed").values(
        status="dropped", status_at=now).execution_options(synchronize_session=False)
    ).rowcount


def left_alone(session: Session, contact_ids: Iterable[int]) -> bool:
    """Whether one of these contacts is a registrant nothing more is sent to (not
    selected, said NO, never answered): a broadcast leaves them out."""
    ids = [i for i in contact_ids if i is not None]
    return bool(ids) and bool(session.scalar(select(exists().where(
        Registrant.contact_id.in_(ids), Registrant.status.in_(LEFT_ALONE)))))


# The worker's job -------------------------------------------------------------------------


_said: dict[str, object] = {}  # what the job last logged per subject: said once, not a round


def _say_once(subject: str, value: object, message: str, *args: object) -> None:
    if _said.get(subject) != value:
        _said[subject] = value
        log.warning(message, *args)


def waiting_for_dates(session: Session, now: datetime) -> int:
    """How many selected registrants wait to be asked because no session is set yet."""
    if session.scalar(select(exists().where(AssemblySession.starts_at > now))):
        return 0
    return len(session.scalars(select(Registrant.id).where(
        Registrant.status == WAITING, Registrant.asked_at.is_(None))).all())


def send_due(rt: Runtime, now: datetime) -> int:
    """One worker round: mark who is silent past their day no_answer; outside quiet
    hours, ask the selected not yet asked, tell the not selected not yet told, and
    welcome new members from the lottery. How many were changed or sent to."""
    quiet = QuietHours.from_settings(rt.settings)
    calm = not quiet.is_quiet(now)
    welcome_key = roster.WELCOME_KEY + cast(Registrant.member_id, String)
    with rt.sessions() as session:
        silent = session.scalars(select(Registrant.id).where(
            Registrant.status == WAITING, Registrant.confirm_by <= now)).all()
        ask = session.scalars(select(Registrant.id).where(
            Registrant.status == WAITING, Registrant.asked_at.is_(None))).all() if calm else []
        tell = session.scalars(select(Registrant.id).where(
            Registrant.status == "not_selected", Registrant.told_at.is_(None))).all() \
            if calm else []
        welcome = session.scalars(select(Registrant.member_id).where(
            Registrant.status == "confirmed", Registrant.member_id.is_not(None),
            ~exists().where(Message.idempotency_key == welcome_key))).all() if calm else []
        days = _days(session, now, quiet.tz) if ask else []
    if ask and not days:
        _say_once("no-dates", len(ask), "%d selected registrant(s) wait to be asked: the "
                  "assembly has no sessions yet (outreach sessions add)", len(ask))
        ask = []
    if not (silent or ask or tell or welcome):
        return 0
    lottery = assembly.load(rt.settings.assembly_file).lottery
    done = 0
    with transaction(rt.sessions) as session:
        for registrant_id in silent:
            row = session.get(Registrant, registrant_id, with_for_update=True)
            if row is not None and row.status == WAITING:
                row.status, row.status_at = "no_answer", now
                done += 1
        for registrant_id in ask:
            done += _ask(rt, session, registrant_id, days, lottery.confirm_days, quiet, now)
        for registrant_id in tell:
            done += _tell(rt, session, registrant_id, lottery.keep_until, quiet, now)
        for member_id in welcome:
            done += _welcome(rt, session, member_id, quiet, now)
    return done


def _queue(session: Session, row: Registrant, reply: Reply, key: str, quiet: QuietHours,
           now: datetime) -> bool:
    """Queue `reply` to the registrant under `key` (once); False if they have no address."""
    address = address_of(session, row)
    if address is None:
        _say_once(f"no-address:{row.id}", True, "registrant R%04d has no address to write to",
                  row.id)
        return False
    enqueue(session, channels.channel_of(address.scheme),
            addresses.provider_address(address.scheme, address.value), reply, now,
            contact_id=row.contact_id, key=key, quiet=quiet)
    return True


def _ask(rt: Runtime, session: Session, registrant_id: int, days: list[date],
         confirm_days: int, quiet: QuietHours, now: datetime) -> int:
    row = session.get(Registrant, registrant_id, with_for_update=True)
    if row is None or row.status != WAITING or row.asked_at is not None:
        return 0  # answered or asked by another worker since
    tz, lang = quiet.tz, _lang(session, row)
    by = now.astimezone(tz).date() + timedelta(days=confirm_days)
    some = some_weekends(session, row)
    if some:  # only the weekends they said they can come to
        text = rt.catalogs.bot(lang, "selection/ask-some", org=rt.settings.org_name,
                               dates=weekends_text(rt.catalogs, some, lang), by=deadline(by, lang))
    else:
        text = rt.catalogs.bot(lang, "selection/ask", org=rt.settings.org_name,
                               dates=dates_text(days, lang), by=deadline(by, lang))
    if not _queue(session, row, Reply(text, _yes_no(rt, lang), style="keys"),
                  f"{ASK_KEY}{row.id}", quiet, now):
        return 0
    row.asked_at = now
    row.confirm_by = datetime.combine(by + timedelta(days=1), time(0), tzinfo=tz).astimezone(UTC)
    return 1


def _tell(rt: Runtime, session: Session, registrant_id: int, keep_until: date | None,
          quiet: QuietHours, now: datetime) -> int:
    row = session.get(Registrant, registrant_id, with_for_update=True)
    if row is None or row.status != "not_selected" or row.told_at is not None:
        return 0
    lang = _lang(session, row)
    text = (rt.catalogs.bot(lang, "selection/not-selected", org=rt.settings.org_name,
                            date=full_date(keep_until, lang)) if keep_until else
            rt.catalogs.bot(lang, "selection/not-selected-no-date", org=rt.settings.org_name))
    row.told_at = now  # told, or nowhere to tell them: either way never again
    return int(_queue(session, row, Reply(text), f"{TOLD_KEY}{row.id}", quiet, now))


def _welcome(rt: Runtime, session: Session, member_id: int, quiet: QuietHours,
             now: datetime) -> int:
    """The members' welcome with the calendar link, as `members import` sends it."""
    member = session.get(Member, member_id)
    if member is None:
        return 0
    try:
        return int(roster.welcome(session, member, rt.catalogs, rt.settings.public_base_url,
                                  rt.settings.org_name, quiet, now))
    except LocalLink as exc:
        _say_once("local-link", True, "new members from the lottery wait for their welcome: "
                  "%s", exc)
        return 0
