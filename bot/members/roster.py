"""The members' roster: contacts with a role, imported from the coordinator's CSV.

`import_csv` checks every row first (name, phone, Telegram chat, language, channel, and no
one listed twice) and imports nothing from a file with a problem; importing again updates
the members it finds by phone or Telegram chat rather than adding them twice. A member is
a `Member` row on a contact, whose addresses are the contact's own: someone who already
answered the residents' survey keeps one identity. The engine's look-ups (`lookups`) say
whether the person writing is a member and which session their latest reminder was about.
"""

from __future__ import annotations

import csv
import io
import re
import secrets
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot import addresses
from bot.contacts import CHANNEL_OF_SCHEME
from bot.outbox import enqueue
from bot.quiet import QuietHours
from bot.state import Invitation, Membership, Reply
from store.models import Address, AssemblySession, Contact, Member, Message
from translations.catalog import Catalogs, language_names

COLUMNS = ("name", "phone", "telegram_chat_id", "language", "channel", "notes")
CHANNELS = ("sms", "whatsapp", "telegram")
WELCOME_KEY = "member-welcome:"  # the outbox key of a member's welcome: member-welcome:<member>
REMINDER_KEY = "remind:"  # the outbox key of every reminder: remind:<member>:<session>:…
TELEGRAM_CHAT = re.compile(r"-?\d{1,20}")


@dataclass(frozen=True)
class Row:
    """One member as the file gives them, checked: addresses normalised (scheme, value)."""

    line: int
    name: str
    channel: str
    language: str | None
    notes: str | None
    phone: str | None  # E.164
    chat: str | None


@dataclass
class Imported:
    added: list[Member] = field(default_factory=list)
    updated: list[Member] = field(default_factory=list)
    # Members who had linked Telegram and chosen it, whom the file moves to another channel
    moved_off_telegram: list[Member] = field(default_factory=list)


class RosterError(ValueError):
    """A file that cannot be imported: one `line N: reason` per problem."""

    def __init__(self, problems: list[str]):
        super().__init__("\n".join(problems))
        self.problems = problems


def read_csv(text: str, languages: Iterable[str], region: str = "GB",
             linked: Callable[[str], bool] = lambda phone: False) -> list[Row]:
    """The file's rows, checked; RosterError listing every bad row by its line number.
    `linked(phone)`: whether that member linked a Telegram chat (its id may be left out)."""
    reader = csv.DictReader(io.StringIO(text))
    # "Name", "Telegram chat id": headers as spreadsheets write them
    header = [re.sub(r"[\s_]+", "_", c.strip().lower()) for c in reader.fieldnames or []]
    unknown = [c for c in header if c not in COLUMNS]
    if "name" not in header or not {"phone", "telegram_chat_id"} & set(header) or unknown:
        raise RosterError([f"line 1: the columns must be {', '.join(COLUMNS)}"
                           + (f" (unknown: {', '.join(unknown)})" if unknown else "")])
    reader.fieldnames = header
    rows, problems, seen = [], [], {}
    for raw in reader:
        line = reader.line_num
        if not any((v or "").strip() for v in raw.values() if isinstance(v, str)):
            continue  # a blank line
        row, found = _row(line, raw, tuple(languages), region, linked)
        for key in filter(None, (row.phone, row.chat) if row else ()):
            if key in seen:
                found.append(f"duplicate of line {seen[key]} (the same "
                             f"{'phone' if key == row.phone else 'Telegram chat'})")
            seen.setdefault(key, line)
        problems += [f"line {line}: {p}" for p in found]
        if row is not None:
            rows.append(row)
    if problems:
        raise RosterError(problems)
    return rows


def _row(line: int, raw: dict[str, Any], languages: tuple[str, ...], region: str,
         linked: Callable[[str], bool]) -> tuple[Row | None, list[str]]:
    def get(name: str) -> str:
        value = raw.get(name)
        return value.strip() if isinstance(value, str) else ""

    found = []
    name, phone, chat = get("name"), get("phone"), get("telegram_chat_id")
    channel = get("channel").lower() or ("sms" if phone else "telegram" if chat else "")
    language = _language(get("language"), languages)
    if not name:
        found.append("the name is missing")
    if channel not in CHANNELS:
        found.append(f"unknown channel '{channel}' (sms, whatsapp or telegram)"
                     if channel else "no phone number or Telegram chat")
    if language is not None and language not in languages:
        found.append(f"unknown language '{language}' ({', '.join(languages)})")
    if phone:
        try:
            phone = addresses.e164(phone, region)
        except addresses.InvalidAddress:
            found.append(f"bad phone number '{phone}'")
    if chat and not TELEGRAM_CHAT.fullmatch(chat):
        found.append(f"bad Telegram chat id '{chat}' (a number)")
    if channel in ("sms", "whatsapp") and not phone:
        found.append(f"channel {channel} needs a phone number")
    if channel == "telegram" and not chat and not (phone and linked(phone)):
        found.append("channel telegram needs a telegram_chat_id (or the member links "
                     "Telegram with a code: members link-code)")
    row = Row(line, name, channel, language, get("notes") or None, phone or None, chat or None)
    return (None if found else row), found


def _language(given: str, languages: tuple[str, ...]) -> str | None:
    """A language code, or its name as people write it ("Polish", "polski", "Türkçe")."""
    folded = given.strip().casefold()
    for lang in languages:
        if folded in {name.casefold() for name in language_names(lang, "en", lang)}:
            return lang
    return folded or None


def import_rows(session: Session, rows: list[Row], now: datetime) -> Imported:
    """Add or update each member (found by phone or Telegram chat); RosterError if a row's
    phone and chat already belong to two different people."""
    plans, problems = [], []
    for row in rows:
        contacts = {a.contact_id for a in _known(session, row)}
        contact_id = next(iter(contacts), None)
        if len(contacts) > 1:
            problems.append(f"line {row.line}: the phone and the Telegram chat belong to two "
                            "different people already")
        plans.append((row, contact_id))
    if problems:
        raise RosterError(problems)
    done = Imported()
    for row, contact_id in plans:
        before = session.scalar(select(Member.channel).where(Member.contact_id == contact_id))
        member, new = _member(session, row, contact_id, now)
        (done.added if new else done.updated).append(member)
        if before == "telegram" != row.channel and not row.chat and _linked(session,
                                                                             contact_id):
            done.moved_off_telegram.append(member)
    return done


def _linked(session: Session, contact_id: int | None) -> bool:
    """Whether the contact has a usable Telegram chat (linked with a code, or imported)."""
    return contact_id is not None and session.scalar(select(Address.id).where(
        Address.contact_id == contact_id, Address.scheme == "telegram",
        Address.status == "active").limit(1)) is not None


def linked_phone(session: Session) -> Callable[[str], bool]:
    """`read_csv`'s look-up: whether the person with this E.164 number has a Telegram chat."""
    def linked(phone: str) -> bool:
        contact_id = session.scalar(select(Address.contact_id).where(
            Address.scheme == "tel", Address.value == phone))
        return _linked(session, contact_id)
    return linked


def _wanted(row: Row) -> list[tuple[str, str]]:
    """The (scheme, value) addresses a row gives: the phone for SMS (and WhatsApp when
    that is the channel), the Telegram chat."""
    wanted = []
    if row.phone:
        wanted.append(("tel", row.phone))
        if row.channel == "whatsapp":
            wanted.append(("whatsapp", row.phone))
    if row.chat:
        wanted.append(("telegram", row.chat))
    return wanted


def _known(session: Session, row: Row) -> list[Address]:
    found = []
    for scheme, value in _wanted(row):
        address = session.scalar(select(Address).where(Address.scheme == scheme,
                                                       Address.value == value))
        if address is not None:
            found.append(address)
    return found


def _member(session: Session, row: Row, contact_id: int | None,
            now: datetime) -> tuple[Member, bool]:
    if contact_id is None:
        contact = Contact(created_at=now)
        session.add(contact)
        session.flush()
        contact_id = contact.id
    contact = session.get(Contact, contact_id)
    for scheme, value in _wanted(row):
        if session.scalar(select(Address.id).where(Address.scheme == scheme,
                                                   Address.value == value)) is None:
            session.add(Address(contact_id=contact_id, scheme=scheme, value=value,
                                created_at=now))
    if row.language:
        contact.language = row.language
    member = session.scalar(select(Member).where(Member.contact_id == contact_id))
    new = member is None
    if new:
        member = Member(contact_id=contact_id, token=secrets.token_urlsafe(18), created_at=now)
        session.add(member)
    member.name, member.channel, member.notes, member.updated_at = (
        row.name, row.channel, row.notes, now)
    session.flush()
    return member, new


def address_of(session: Session, member: Member) -> Address | None:
    """Where the member's messages go: their address on their channel, if still usable."""
    scheme = addresses.SCHEMES[member.channel]
    return session.scalar(select(Address).where(
        Address.contact_id == member.contact_id, Address.scheme == scheme,
        Address.status == "active").order_by(Address.id))


def pseudonym(member: Member) -> str:
    """How staff see a member: their number (M007), never a phone number or chat id."""
    return f"M{member.id:03d}"


def member_of(session: Session, contact_id: int | None) -> Member | None:
    """The member behind a contact (an alert's, a message's), if any."""
    if contact_id is None:
        return None
    return session.scalar(select(Member).where(Member.contact_id == contact_id))


def calendar_url(base_url: str, member: Member) -> str:
    return f"{base_url}/m/{member.token}.ics"


def welcome(session: Session, member: Member, catalogs: Catalogs, base_url: str,
            quiet: QuietHours, now: datetime) -> bool:
    """Queue the member's welcome with their calendar link (once: its outbox key)."""
    address = address_of(session, member)
    if address is None:
        return False
    text = catalogs.bot(member.contact.language, "member-welcome",
                        link=calendar_url(base_url, member))
    return enqueue(session, CHANNEL_OF_SCHEME[address.scheme],
                   addresses.provider_address(address.scheme, address.value), Reply(text),
                   now, contact_id=member.contact_id, key=f"{WELCOME_KEY}{member.id}",
                   quiet=quiet) is not None


# The engine's look-ups -------------------------------------------------------------------


def membership(session: Session, contact_id: int | None) -> Membership | None:
    if contact_id is None:
        return None
    found = session.execute(select(Member.id, Member.channel).where(
        Member.contact_id == contact_id)).first()
    return Membership(*found) if found is not None else None


def invitations(session: Session, contact_id: int | None, now: datetime,
                tz: ZoneInfo) -> tuple[Invitation, ...]:
    """The sessions the member's reminders told them of that have not begun, the one their
    latest reminder was about first."""
    if contact_id is None:
        return ()
    keys = session.scalars(
        select(Message.idempotency_key).where(
            Message.contact_id == contact_id, Message.direction == "out",
            Message.status.not_in(("queued", "cancelled")),
            Message.idempotency_key.startswith(REMINDER_KEY, autoescape=True))
        .order_by(Message.created_at.desc(), Message.id.desc())).all()
    found = []
    for session_id in dict.fromkeys(int(key.split(":")[2]) for key in keys):
        day = session.get(AssemblySession, session_id)
        if day is not None and day.starts_at > now:
            found.append(Invitation(day.id, day.starts_at.isoformat(),
                                    day.starts_at.astimezone(tz).date().isoformat()))
    return tuple(found)


def lookups(session: Session, contact_id: int | None, now: datetime,
            tz: ZoneInfo) -> dict[str, Any]:
    """The engine's Env look-ups for one message, each run only if the engine asks."""
    return {"member": lambda: membership(session, contact_id),
            "invitations": lambda: invitations(session, contact_id, now, tz)}


def by_token(session: Session, token: str) -> Member | None:
    """The member whose calendar link carries `token`."""
    if not token or len(token) > 64:
        return None
    return session.scalar(select(Member).where(Member.token == token))
