"""The civic lottery's registrants as stored: what a typed letter code is (the engine's
`letter_code` look-up), making the registrant when a registration completes, and what the
lottery later needs of one (their name and phone number, from the registration's answers).

A code is found by its keyed hash (bot/letter_codes.digest with SECRET_KEY), never stored
or logged as typed. One registrant per code: the unique `code_id` makes a second
registration with the same code (a race, a reuse) end with no second row.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bot import addresses, letter_codes
from bot.lottery_state import LetterCodeStatus
from bot.outbox import prebuilt_insert
from store.models import Address, Answer, Response, SurveyVersion
from store.models.lottery import Draw, Letter, LetterCode, Registrant
from surveys.model import Questionnaire

log = logging.getLogger(__name__)


def status(session: Session, secret: str, code: str, contact_id: int | None,
           now: datetime, tz: ZoneInfo) -> LetterCodeStatus:
    """What `code` is for the person writing (`contact_id`; None before anything is
    stored): unknown, closed (with its local date), registered (they already are),
    used, full (the household's places are taken) or open."""
    found = session.execute(
        select(LetterCode.id, Letter.id, Draw.closes_at, Draw.per_household)
        .join(Letter, Letter.id == LetterCode.letter_id).join(Draw, Draw.id == Letter.draw_id)
        .where(LetterCode.code_hash == letter_codes.digest(secret, code))).first()
    if found is None:
        return LetterCodeStatus("unknown", code)
    code_id, letter_id, closes_at, per_household = found
    if closes_at is not None and closes_at <= now:
        return LetterCodeStatus("closed", code, closes_at.astimezone(tz).date().isoformat())
    closes = closes_at.astimezone(tz).date().isoformat() if closes_at is not None else None
    used_by = session.scalar(select(Registrant.contact_id).where(Registrant.code_id == code_id))
    if contact_id is not None and (used_by == contact_id or session.scalar(
            select(Registrant.id).where(Registrant.contact_id == contact_id).limit(1))):
        return LetterCodeStatus("registered", code, closes)
    if used_by is not None:
        return LetterCodeStatus("used", code, closes)
    taken = session.scalar(select(func.count()).select_from(Registrant)
                           .where(Registrant.letter_id == letter_id)) or 0
    if taken >= max(per_household or 1, 1):
        return LetterCodeStatus("full", code, closes)
    return LetterCodeStatus("open", code, closes)


def lookups(session: Session, contact_id: int | None, secret: str, now: datetime,
            tz: ZoneInfo, region: str) -> dict[str, Any]:
    """The engine's Env look-ups for the lottery, each run only if the engine asks."""
    return {"letter_code": lambda code: status(session, secret, code, contact_id, now, tz),
            "registration": lambda: registration(session, contact_id, tz),
            "phone_region": region}


def registration(session: Session, contact_id: int | None,
                 tz: ZoneInfo) -> tuple[str, str] | None:
    """For a registrant writing again: their status and the local date (ISO) their letters'
    registration closes ("" when none is set); None when the person writing is no
    registrant."""
    if contact_id is None:
        return None
    found = session.execute(
        select(Registrant.status, Draw.closes_at).join(Letter, Letter.draw_id == Draw.id)
        .join(Registrant, Registrant.letter_id == Letter.id)
        .where(Registrant.contact_id == contact_id).order_by(Registrant.id.desc())
        .limit(1)).first()
    if found is None:
        return None
    status, closes_at = found
    return status, closes_at.astimezone(tz).date().isoformat() if closes_at else ""


def register(session: Session, secret: str, code: str, contact_id: int,
             response_id: int | None, channel: str, language: str, now: datetime,
             phone: str | None = None) -> Registrant | None:
    """Make the registrant for a completed registration with `code`; None (and nothing
    made) when the code is unknown or another registration took it meanwhile. `phone`
    (E.164, the number they gave): on the web it becomes their contact's `tel` address,
    so that SMS can reach them."""
    code_id, letter_id = session.execute(
        select(LetterCode.id, LetterCode.letter_id)
        .where(LetterCode.code_hash == letter_codes.digest(secret, code))).first() or (None,
                                                                                        None)
    if code_id is None:
        log.warning("a registration completed with a code no letter holds: no registrant made")
        return None
    made = session.execute(prebuilt_insert(session, _insert), dict(
        code_id=code_id, letter_id=letter_id, contact_id=contact_id, response_id=response_id,
        channel=channel, language=language, status="registered", status_at=now,
        registered_at=now)).scalar()
    if made is None:
        log.warning("a letter's code was used by two registrations at once: the later one "
                    "made no registrant (its answers are kept as a response)")
        return None
    if channel == "web" and phone:
        _reachable(session, contact_id, phone, now)
    return session.get(Registrant, made)


def _insert(insert):
    """INSERT … ON CONFLICT (code_id) DO NOTHING RETURNING id: one registrant per code,
    race or not (the id is None when the code was taken)."""
    table = Registrant.__table__
    return (insert(table).on_conflict_do_nothing(index_elements=["code_id"])
            .returning(table.c.id))


def _reachable(session: Session, contact_id: int, phone: str, now: datetime) -> None:
    """A web registrant's phone number becomes a `tel` address of their contact — unless
    the number is already another contact's (someone who texted us from it): then it stays
    theirs, nothing is merged, and the registrant is reached through the number in their
    registration (`details`)."""
    owner = session.scalar(select(Address.contact_id).where(Address.scheme == "tel",
                                                            Address.value == phone))
    if owner is None:
        session.add(Address(contact_id=contact_id, scheme="tel", value=phone, created_at=now))
    elif owner != contact_id:
        log.info("a web registrant's phone number is another contact's address: left there")


@dataclass(frozen=True)
class Details:
    """What the lottery needs of a registrant to reach and enrol them: the name and phone
    number they gave (E.164, None when unreadable), language and channel."""

    registrant: int
    contact_id: int
    name: str | None
    phone: str | None
    language: str
    channel: str


def details(session: Session, registrant_id: int, region: str = "GB") -> Details | None:
    """A registrant's name and phone from their registration's answers (the questions
    with `role: name` and `role: phone`), with their language and channel."""
    row = session.get(Registrant, registrant_id)
    if row is None:
        return None
    answers: dict[str, Any] = {}
    if row.response_id is not None:
        definition = session.scalar(select(SurveyVersion.definition).join(
            Response, Response.survey_version_id == SurveyVersion.id)
            .where(Response.id == row.response_id))
        survey = Questionnaire.from_definition(definition)
        wanted = {q.role: q.id for q in survey.questions if q.role in ("name", "phone")}
        given = dict(session.execute(select(Answer.question_id, Answer.value).where(
            Answer.response_id == row.response_id,
            Answer.question_id.in_(list(wanted.values())))).all())
        answers = {role: given.get(qid) for role, qid in wanted.items()}
    return Details(row.id, row.contact_id, answers.get("name"),
                   _phone(answers.get("phone"), region), row.language, row.channel)


def _phone(value: Any, region: str) -> str | None:
    try:
        return addresses.whole_number(str(value), region) if value else None
    except addresses.InvalidAddress:
        return None
