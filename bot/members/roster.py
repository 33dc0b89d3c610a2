"""The members' roster: contacts with a role, imported from the coordinator's CSV or .xlsx.

The file's rows are checked first (bot/members/roster_file.py: name, phone, Telegram chat,
language, channel, and no one listed twice) and nothing is imported from a file with a
problem; importing again updates the member a row numbers (M007), else the one with its
phone or Telegram chat, else the one of its name, rather than adding them twice. A member is
a `Member` row on a contact, whose addresses are the contact's own: someone who already
answered the residents' survey keeps one identity. The engine's look-ups (`lookups`) say
whether the person writing is a member and which session their latest reminder was about.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement, String, cast, func, select, update
from sqlalchemy.orm import Session

from bot import addresses, channels
from bot.answers import fold
from bot.members.linking import merge
from bot.members.roster_file import NEW, RosterError, Row
from bot.optouts import cancel
from bot.outbox import enqueue
from bot.quiet import QuietHours
from bot.state import Invitation, Membership, Reply
from store.models import Address, AssemblySession, Contact, Member, Message, Rsvp
from translations.catalog import Catalogs

WELCOME_KEY = "member-welcome:"  # the outbox key of a member's welcome: member-welcome:<member>
REMINDER_KEY = "remind:"  # the outbox key of every reminder: remind:<member>:<session>:…
REMOVED = "removed"  # a removed session's notice (remind:<member>:<session>:removed:…)


@dataclass
class Imported:
    added: list[Member] = field(default_factory=list)
    updated: list[Member] = field(default_factory=list)
    # Members who had linked Telegram and chosen it, whom the file moves to another channel
    moved_off_telegram: list[Member] = field(default_factory=list)
    # Members the file gives a new phone number or chat (what was queued follows it)
    readdressed: list[Member] = field(default_factory=list)


def import_rows(session: Session, rows: list[Row], now: datetime) -> Imported:
    """Add or update each member: the one the row names by number, else the one its phone
    or Telegram chat belongs to, else the one of that name (so a corrected number updates
    the member rather than adding them twice). RosterError for rows that cannot be matched
    to one person."""
    plans, problems, claimed = [], [], {}
    for row in rows:
        try:
            target, others = _match(session, row)
        except RosterError as exc:
            problems += [f"line {row.line}: {p}" for p in exc.problems]
            continue
        if target is not None and claimed.setdefault(target.id, row.line) != row.line:
            problems.append(f"line {row.line}: {pseudonym(target)} {target.name} is on line "
                            f"{claimed[target.id]} too")
        plans.append((row, target, others))
    if problems:
        raise RosterError(problems)
    done = Imported()
    for row, target, others in plans:
        contact_id = target.contact_id if target is not None else next(iter(others), None)
        for other in others if target is not None else ():
            merge(session, other, contact_id)  # a resident the roster says is this member
        before = target.channel if target is not None else None
        member, new, readdressed = _member(session, row, contact_id, now)
        (done.added if new else done.updated).append(member)
        if readdressed and not new:
            done.readdressed.append(member)
        if before == "telegram" != row.channel and not row.chat and _linked(session,
                                                                             contact_id):
            done.moved_off_telegram.append(member)
    return done


def _match(session: Session, row: Row) -> tuple[Member | None, list[int]]:
    """The member a row is about (None: a new one) and the other contacts its addresses
    belong to (merged into the member's)."""
    contacts = sorted({a.contact_id for a in _known(session, row)})
    members = [m for m in map(lambda c: member_of(session, c), contacts) if m is not None]
    if row.member is not None:
        target = session.get(Member, row.member)
        if target is None:
            raise RosterError([f"there is no member M{row.member:03d} (outreach members list "
                               "shows them)"])
    elif members:
        target = members[0]
    elif row.new:
        target = None
    else:
        named = called(session, row.name)
        if len(named) > 1:
            raise RosterError([f"{len(named)} members are called '{row.name}': add a member "
                               f"column with their number ({', '.join(map(pseudonym, named))})"])
        target = named[0] if named else None
        other = target and _other_address(session, target, row)
        if other:
            who = pseudonym(target)
            raise RosterError([
                f"{row.name} is already {who} with another number (…{other[-4:]}): to correct "
                f"{who}'s number give the member column {who}; if this is someone else, add "
                f"them with member column {NEW} (or distinguish the name)"])
    if target is None and len(contacts) > 1:
        raise RosterError(["the phone and the Telegram chat belong to two different people "
                           "already"])
    taken = [m for m in members if target is not None and m.id != target.id]
    if taken:
        raise RosterError([f"its phone or Telegram chat is {pseudonym(taken[0])} "
                           f"{taken[0].name}'s already"])
    return target, [c for c in contacts if target is None or c != target.contact_id]


def called(session: Session, name: str) -> list[Member]:
    """The members of that name, whatever its case or accents (Ayse Yilmaz is Ayşe Yılmaz)."""
    return [m for m in session.scalars(select(Member).order_by(Member.id))
            if fold(m.name) == fold(name)]


def _other_address(session: Session, member: Member, row: Row) -> str | None:
    """The member's number (or chat) where the row gives another: a row matched by name
    alone never changes it (it may be someone else of that name)."""
    for scheme, value in _wanted(row):
        found = session.scalar(select(Address.value).where(
            Address.contact_id == member.contact_id, Address.scheme == scheme,
            Address.status == "active", Address.value != value).limit(1))
        if found is not None:
            return found
    return None


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
            now: datetime) -> tuple[Member, bool, bool]:
    """The row's member, added or updated; and whether the row gave them a new number or
    chat, which then replaces the one they had there (what was queued for it follows)."""
    if contact_id is None:
        contact = Contact(created_at=now)
        session.add(contact)
        session.flush()
        contact_id = contact.id
    contact = session.get(Contact, contact_id)
    readdressed = False
    for scheme, value in _wanted(row):
        address = session.scalar(select(Address).where(Address.scheme == scheme,
                                                       Address.value == value))
        if address is None:
            address = Address(contact_id=contact_id, scheme=scheme, value=value,
                              created_at=now)
            session.add(address)
            session.flush()
        if address.status == "active":
            readdressed |= _replace(session, address, now)
    if row.language:
        contact.language = row.language
    member = session.scalar(select(Member).where(Member.contact_id == contact_id))
    new = member is None
    if new:
        member = Member(contact_id=contact_id, token=secrets.token_urlsafe(18), created_at=now)
        session.add(member)
    elif readdressed:  # the old number's calendar link goes with it
        member.token = secrets.token_urlsafe(18)
    member.name, member.channel, member.notes, member.updated_at = (
        row.name, row.channel, row.notes, now)
    session.flush()
    return member, new, readdressed


def _replace(session: Session, address: Address, now: datetime) -> bool:
    """Send what was queued for the contact's other addresses of that scheme to `address`,
    and let those go: a message from an old number is then from someone unknown, never from
    the member, and the number may be someone else's later. Whether there were any."""
    old = session.scalars(select(Address).where(
        Address.contact_id == address.contact_id, Address.scheme == address.scheme,
        Address.id != address.id)).all()
    for gone in old:
        session.execute(update(Message).where(
            Message.contact_id == address.contact_id, Message.direction == "out",
            Message.status == "queued",
            Message.address == addresses.provider_address(gone.scheme, gone.value))
            .values(address=addresses.provider_address(address.scheme, address.value),
                    updated_at=now))
        session.delete(gone)
    session.flush()
    return bool(old)


def address_of(session: Session, member: Member) -> Address | None:
    """Where the member's messages go: their address on their channel, if still usable."""
    scheme = channels.scheme_of(member.channel)
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


def welcome(session: Session, member: Member, catalogs: Catalogs, base_url: str, org: str,
            quiet: QuietHours, now: datetime) -> bool:
    """Queue the member's welcome, signed with the council's name (OUTREACH_ORG_NAME), with
    their calendar link (once: its outbox key)."""
    address = address_of(session, member)
    if address is None:
        return False
    text = catalogs.bot(member.contact.language, "member-welcome", org=org,
                        link=calendar_url(base_url, member))
    return enqueue(session, channels.channel_of(address.scheme),
                   addresses.provider_address(address.scheme, address.value), Reply(text),
                   now, contact_id=member.contact_id, key=f"{WELCOME_KEY}{member.id}",
                   quiet=quiet) is not None


def rewelcome(session: Session, member: Member, catalogs: Catalogs, base_url: str, org: str,
              quiet: QuietHours, now: datetime, again: bool) -> bool:
    """An updated member's welcome: one still queued is written anew (in their language, to
    their channel); `again` (a new number, so a new calendar link): a new one goes even if
    one went. Whether a new one was queued (not one written anew)."""
    before = Message.idempotency_key == f"{WELCOME_KEY}{member.id}"
    if not cancel(session, now, before, reason="rewritten") and not again:
        return False
    retire(session, before)
    return welcome(session, member, catalogs, base_url, org, quiet, now) and again


def retire(session: Session, where: ColumnElement[bool]) -> None:
    """Give the matching outbox rows a key nothing looks up (`retired:<id>:…`): a member or
    session that gets a removed one's number, or a welcome written anew, is not taken as
    sent already, and an RSVP never finds a removed session or member."""
    session.execute(update(Message).where(where).values(
        idempotency_key=func.substr("retired:" + cast(Message.id, String) + ":"
                                    + Message.idempotency_key, 1, 128))
        .execution_options(synchronize_session=False))


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
    latest reminder was about first; never a removed one (its reminders' keys are retired and
    its notice is no invitation, so a session given its number later is never confirmed by a
    YES to the old one)."""
    if contact_id is None:
        return ()
    keys = session.scalars(
        select(Message.idempotency_key).where(
            Message.contact_id == contact_id, Message.direction == "out",
            Message.status.not_in(("queued", "cancelled")),
            Message.idempotency_key.startswith(REMINDER_KEY, autoescape=True),
            Message.idempotency_key.not_like(f"%:{REMOVED}:%"))
        .order_by(Message.created_at.desc(), Message.id.desc())).all()
    answered = dict(session.execute(select(Rsvp.session_id, Rsvp.answer).join(
        Member, Member.id == Rsvp.member_id).join(
        AssemblySession, AssemblySession.id == Rsvp.session_id).where(
        Member.contact_id == contact_id, Rsvp.for_starts == AssemblySession.starts_at)).all())
    found = []
    for session_id in dict.fromkeys(int(key.split(":")[2]) for key in keys):
        day = session.get(AssemblySession, session_id)
        if day is not None and day.starts_at > now:
            local = day.starts_at.astimezone(tz).date()
            told = {datetime.strptime(key.rsplit(":", 1)[1], "%Y%m%dT%H%MZ").replace(
                tzinfo=UTC).astimezone(tz).date() for key in keys
                if int(key.split(":")[2]) == session_id}
            was = max((d for d in told if d != local), default=None)
            found.append(Invitation(day.id, day.starts_at.isoformat(), local.isoformat(),
                                    answered.get(day.id, ""),
                                    was.isoformat() if was else ""))
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
