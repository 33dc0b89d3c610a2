"""Peer engagers: trained young people whose personal code brings friends to the youth survey.

The service behind `outreach engagers …` and the bot's engager features: making codes
(short, unambiguous, unique, never rude in an offered language: `bot/code_blocklist.yaml`,
`translations/<lang>/code_words.yaml`), adding engagers with their own phone or Telegram
chat (so the bot knows them), pausing, what to share (SMS text, Telegram link, web link
and its QR code), an engager's reach as counts, the lookups the engine may make through its
Env, and the weekly prompt packs the worker sends. Nothing here tells an engager who took
part or what anyone answered.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import segno
import yaml
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bot import addresses, channels
from bot.config import Settings
from bot.contacts import get_address
from bot.engine import NEW_CODE_CHARS, is_engager_code
from bot.outbox import enqueue, refuse_local_links
from bot.quiet import QuietHours
from bot.runtime import Runtime
from bot.state import Engaged, Reach, Reply
from store.db import transaction
from store.models import Address, Answer, Contact, Engager, Response, Survey, SurveyVersion
from surveys import registry
from surveys.model import Questionnaire
from translations import data as language_files

CODE_LENGTH = 6
BLOCKLIST = Path(__file__).resolve().parent / "code_blocklist.yaml"  # the rules, the examples
WORDS = "code_words"  # translations/<lang>/code_words.yaml
# Digits read as letters, so that "5H4G" cannot hide a word either.
LOOKALIKES = str.maketrans({"2": "Z", "3": "E", "4": "A", "5": "S", "6": "G", "7": "T",
                            "8": "B", "9": "G"})


class EngagerError(ValueError):
    """A request the engagers service cannot carry out (unknown code, taken chat…)."""


# Codes -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Blocklist:
    """Words no code may contain, in any offered language, with the examples that prove it."""

    words: frozenset[str]
    must_block: tuple[str, ...] = ()
    must_allow: tuple[str, ...] = ()

    @classmethod
    def load(cls, path: Path | str = BLOCKLIST, root: Path | str = language_files.ROOT
             ) -> Blocklist:
        """Every language's words (`<lang>/code_words.yaml` below `root`), the examples
        in `path`."""
        words = {_letters(w) for lang in language_files.sections(WORDS, root).values()
                 for w in lang["words"]}
        data = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
        examples = data.get("examples") or {}
        return cls(frozenset(w for w in words if w), tuple(examples.get("block") or ()),
                   tuple(examples.get("allow") or ()))

    def blocks(self, code: str) -> bool:
        """Whether `code` holds a listed word, as written or with digits read as letters."""
        code = code.upper()
        return any(word in variant for variant in (code, code.translate(LOOKALIKES))
                   for word in self.words)


def _letters(word: str) -> str:
    return re.sub(r"[^A-Z0-9]", "", str(word).upper())


def new_code(taken: Callable[[str], bool], blocklist: Blocklist,
             choose: Callable[[str], str] = secrets.choice) -> str:
    """A fresh code: 6 characters without 0/O, 1/I, S/5, Z/2 or B/8 to mix up, a digit
    among them, no rude word."""
    for _ in range(1000):
        code = "".join(choose(NEW_CODE_CHARS) for _ in range(CODE_LENGTH))
        if is_engager_code(code) and not blocklist.blocks(code) and not taken(code):
            return code
    raise EngagerError("could not find a free code; are the codes nearly used up?")


# Engagers ----------------------------------------------------------------------------------


def add(session: Session, name: str, now: datetime, *, channel: str | None = None,
        address: str | None = None, language: str | None = None, region: str = "GB",
        blocklist: Blocklist | None = None) -> Engager:
    """A new engager with a fresh code; their phone or chat becomes a contact's address, so
    the bot knows them when they write PROMPTS, LOG or STATS."""
    if not name.strip():
        raise EngagerError("the engager needs a name")
    contact_id = None
    if address is not None and channel is not None:
        try:
            scheme, value = addresses.parse(channel, address, region)
        except addresses.InvalidAddress:
            raise EngagerError(f"not a phone number: {addresses.masked(address)}") from None
        if channel == "sms" and not addresses.could_be_mobile(value):
            raise EngagerError(f"{addresses.masked(address)} is too short or too long for a "
                               "mobile number")
        row = get_address(session, scheme, value, now, inbound=False)
        if session.scalar(select(Engager.id).where(Engager.contact_id == row.contact_id)):
            raise EngagerError(f"{addresses.masked(address)} already belongs to an engager")
        if language and row.contact.language is None:
            row.contact.language = language
        contact_id = row.contact_id
    code = new_code(lambda c: session.scalar(select(Engager.id).where(Engager.code == c))
                    is not None, blocklist or Blocklist.load())
    engager = Engager(code=code, name=name.strip(), contact_id=contact_id, created_at=now)
    session.add(engager)
    session.flush()
    return engager


def find(session: Session, code: str) -> Engager:
    engager = session.scalar(select(Engager).where(Engager.code == code.strip().upper()))
    if engager is None:
        raise EngagerError(f"no engager has the code {code!r}")
    return engager


def pause(session: Session, code: str, now: datetime) -> Engager:
    """Stop attributing to the code and sending packs (friends can still take part)."""
    engager = find(session, code)
    engager.paused_at = engager.paused_at or now
    return engager


def resume(session: Session, code: str) -> Engager:
    engager = find(session, code)
    engager.paused_at = None
    return engager


def is_active(session: Session, code: str) -> bool:
    """Whether `code` belongs to an engager who is not paused."""
    return session.scalar(select(Engager.id).where(
        Engager.code == code.upper(), Engager.paused_at.is_(None))) is not None


def engaged(session: Session, contact_id: int | None) -> Engaged | None:
    """The contact as an engager (their code, whether paused), or None."""
    if contact_id is None:
        return None
    row = session.execute(select(Engager.code, Engager.paused_at).where(
        Engager.contact_id == contact_id)).first()
    return Engaged(row.code, row.paused_at is not None) if row is not None else None


def _responses(audience: str, code: str, *where):
    return (select(Response.id).join(SurveyVersion).join(Survey)
            .where(Survey.audience == audience, Response.engager_code == code, *where))


def reach(session: Session, code: str) -> Reach:
    """An engager's reach as counts (exact: staff see these; engagers are told less)."""
    def count(query) -> int:
        return session.scalar(select(func.count()).select_from(query.subquery()))

    logged = _responses("engagers", code, Response.status == "complete")
    people = session.scalars(select(Answer.value).where(
        Answer.response_id.in_(logged), Answer.question_id == "took_part")).all()
    return Reach(
        started=count(_responses("youth", code)),
        finished=count(_responses("youth", code, Response.status == "complete")),
        conversations=count(logged),
        people=sum(int(n) for n in people if isinstance(n, int | float)))


def listing(session: Session) -> list[tuple[Engager, Reach]]:
    """Every engager with their reach, in the order they were added."""
    engagers = session.scalars(select(Engager).order_by(Engager.id)).all()
    return [(engager, reach(session, engager.code)) for engager in engagers]


def lookups(session: Session, contact_id: int | None) -> dict[str, Any]:
    """The engine's Env lookups for one message, each run only if the engine asks."""
    return {"engager_code": lambda code: is_active(session, code),
            "engager": lambda: engaged(session, contact_id),
            "reach": lambda code: reach(session, code)}


# What an engager shares --------------------------------------------------------------------


@dataclass(frozen=True)
class Share:
    sms: str
    telegram: str
    web: str


def share(settings: Settings, survey: Questionnaire, code: str) -> Share:
    """The SMS text, the Telegram deep link and the web link that carry `code`; LocalLink
    if the web link (and so its QR code) would point at this machine."""
    number = settings.twilio_sms_from
    if number and number.startswith("+"):
        sms = f"Text {survey.keyword} {code} to {number}"
    else:
        sms = (f"Text {survey.keyword} {code} to our number (set TWILIO_SMS_FROM to the "
               "phone number to print it here)")
    username = (settings.telegram_bot_username or "").removeprefix("@")
    telegram = (f"https://t.me/{username}?start={code}" if username else
                "set TELEGRAM_BOT_USERNAME to the bot's username to print the Telegram link")
    web = f"{settings.public_base_url}/s/{survey.slug}?ref={code}"
    refuse_local_links(web, "the engager (their web link and QR code)")
    return Share(sms, telegram, web)


def write_qr(url: str, directory: Path, code: str) -> list[Path]:
    """The web link as a QR code, PNG and SVG, for posters and stories."""
    directory.mkdir(parents=True, exist_ok=True)
    qr = segno.make(url, error="m")
    written = []
    for suffix in ("png", "svg"):
        path = directory / f"{code}.{suffix}"
        qr.save(path, scale=10, border=4)
        written.append(path)
    return written


def youth_survey(session: Session) -> Questionnaire | None:
    return next((s for s in registry.current(session).values() if s.audience == "youth"), None)


# Weekly prompt packs -----------------------------------------------------------------------


def send_due_packs(rt: Runtime, now: datetime) -> int:
    """Queue this week's prompt pack for each active engager who has not had it (due
    outside quiet hours; the outbox skips anyone who opted out); returns how many."""
    packs = rt.prompts
    week = packs.week_of(now)
    if not 1 <= week <= packs.weeks:
        return 0
    quiet = QuietHours.from_settings(rt.settings)
    queued = 0
    with transaction(rt.sessions) as session:
        due = session.execute(
            select(Engager, Address, Contact).join(Contact, Contact.id == Engager.contact_id)
            .join(Address, Address.contact_id == Contact.id)
            .where(Engager.paused_at.is_(None), Contact.opted_out_at.is_(None),
                   Address.status == "active", Address.scheme.in_(channels.ENGAGER_SCHEMES),
                   (Engager.pack_week.is_(None)) | (Engager.pack_week < week))
            .order_by(Engager.id, Address.id)).all()
        for engager, address, contact in due:
            if engager.pack_week is not None and engager.pack_week >= week:
                continue  # an engager with two addresses gets the pack once
            text = packs.message(rt.catalogs, contact.language, week)
            enqueue(session, channels.channel_of(address.scheme), address.value, Reply(text),
                    now, contact_id=contact.id, key=f"pack:{engager.code}:{week}", quiet=quiet)
            engager.pack_week = week
            queued += 1
    return queued
