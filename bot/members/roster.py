"""The members' roster: contacts with a role, imported from the coordinator's CSV or .xlsx.

`read_file` checks every row first (name, phone, Telegram chat, language, channel, and no
one listed twice) and imports nothing from a file with a problem; importing again updates
the member a row numbers (M007), else the one with its phone or Telegram chat, else the
one of its name, rather than adding them twice. A member is
a `Member` row on a contact, whose addresses are the contact's own: someone who already
answered the residents' survey keeps one identity. The engine's look-ups (`lookups`) say
whether the person writing is a member and which session their latest reminder was about.
"""

from __future__ import annotations

import csv
import io
import re
import secrets
import zipfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement, String, cast, func, select, update
from sqlalchemy.orm import Session

from bot import addresses, channels
from bot.answers import fold
from bot.members.linking import merge
from bot.optouts import cancel
from bot.outbox import enqueue
from bot.quiet import QuietHours
from bot.state import Invitation, Membership, Reply
from store.models import Address, AssemblySession, Contact, Member, Message, Rsvp
from translations.catalog import Catalogs, find_language

COLUMNS = ("name", "phone", "telegram_chat_id", "language", "channel", "notes")
MEMBER_COLUMN = "member"  # optional: the member's number (M010) as `members list` shows it
MEMBER_HEADERS = {"member", "member_id", "member_number", "id"}
NEW = "new"  # in the member column: a new member, though one of that name exists
CHANNELS = tuple(c.name for c in channels.PUSHED)  # members are written to: never a web page
PHONE_CHANNELS = tuple(c.name for c in channels.PUSHED if c.phone)
WELCOME_KEY = "member-welcome:"  # the outbox key of a member's welcome: member-welcome:<member>
REMINDER_KEY = "remind:"  # the outbox key of every reminder: remind:<member>:<session>:…
REMOVED = "removed"  # a removed session's notice (remind:<member>:<session>:removed:…)
TELEGRAM_CHAT = re.compile(r"-?\d{1,20}")
MEMBER_NUMBER = re.compile(r"[Mm]?0*(\d{1,9})")
FIGURE = re.compile(r"\d+(?:[.,]\d+)?[eE]\+?\d+")  # 7.7009E+09: Excel's scientific format
SAVE_AS = "save it from Excel as 'CSV UTF-8' or as .xlsx, and import that"


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
    member: int | None = None  # the member's number, when the file names it
    new: bool = False  # the member column says `new`: someone else of a member's name


@dataclass
class Imported:
    added: list[Member] = field(default_factory=list)
    updated: list[Member] = field(default_factory=list)
    # Members who had linked Telegram and chosen it, whom the file moves to another channel
    moved_off_telegram: list[Member] = field(default_factory=list)
    # Members the file gives a new phone number or chat (what was queued follows it)
    readdressed: list[Member] = field(default_factory=list)


class RosterError(ValueError):
    """A file that cannot be imported: one `line N: reason` per problem."""

    def __init__(self, problems: list[str]):
        super().__init__("\n".join(problems))
        self.problems = problems


Table = list[tuple[int, list[str]]]  # (line or spreadsheet row, its cells), header first


def read_file(path: Path, languages: Iterable[str], region: str = "GB",
              linked: Callable[[str], bool] = lambda phone: False) -> list[Row]:
    """A roster as a spreadsheet saves it: an .xlsx workbook (its first sheet), or CSV in
    UTF-8 (with or without a BOM), UTF-16 or Windows-1252 (Excel's plain "CSV"), separated
    by commas, semicolons or tabs. RosterError, never a traceback, for a file it cannot read."""
    suffix = path.suffix.lower()
    if suffix in (".xlsx", ".xlsm"):
        return read_table(_workbook(path), languages, region, linked)
    if suffix in (".xls", ".ods", ".numbers"):
        raise RosterError([f"line 1: a {suffix} file cannot be read: {SAVE_AS}"])
    data = path.read_bytes()
    if data.startswith(b"PK\x03\x04"):
        raise RosterError([f"line 1: this is a workbook, not CSV: {SAVE_AS}"])
    try:  # Excel's "Unicode Text" is UTF-16 with a BOM, separated by tabs
        text = data.decode("utf-16" if data[:2] in (b"\xff\xfe", b"\xfe\xff") else "utf-8-sig")
    except UnicodeDecodeError:
        try:
            text = data.decode("cp1252")  # Excel's "CSV (Comma delimited)" on Windows
        except UnicodeDecodeError:
            raise RosterError([f"line 1: not text that can be read: {SAVE_AS}"]) from None
        _not_mac(text)
    return read_csv(text, languages, region, linked)


# Letters a Mac's "CSV (Macintosh)" (Mac Roman) becomes when read as Windows-1252: é as Ž,
# ë as ‘, ñ as –, ú as œ... inside a word, where no name has them.
MAC_ROMAN = re.compile(r"[^\W\d_]+(?:[‘“”–—•ˆ‰‹›˜™†‡ƒ„Œœ]|(?<=[a-zß-ÿ])[ŽŠŸ])\w*")


def _not_mac(text: str) -> None:
    """RosterError if Windows-1252 text reads as a Mac's would: guessing would garble
    names without a word."""
    for line, content in enumerate(text.splitlines(), 1):
        if (found := MAC_ROMAN.search(content)) is not None:
            raise RosterError([f"line {line}: '{found.group()}' looks like letters from a Mac's "
                               f"'CSV (Macintosh)': {SAVE_AS}"])


def _workbook(path: Path) -> Table:
    """The first sheet's rows as text cells, numbered as the spreadsheet numbers them."""
    from openpyxl import load_workbook  # only for .xlsx rosters
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        book = load_workbook(path, read_only=True, data_only=True)
    except (InvalidFileException, zipfile.BadZipFile, KeyError, OSError):
        raise RosterError([f"line 1: not a workbook that can be read: {SAVE_AS}"]) from None
    try:
        return [(n, [_cell(value) for value in row])
                for n, row in enumerate(book.worksheets[0].iter_rows(values_only=True), 1)]
    finally:
        book.close()


def _cell(value: Any) -> str:
    """A cell as text: a number typed as a number (a phone, a chat id) without ".0"."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def read_csv(text: str, languages: Iterable[str], region: str = "GB",
             linked: Callable[[str], bool] = lambda phone: False) -> list[Row]:
    """The file's rows, checked; RosterError listing every bad row by its line number.
    `linked(phone)`: whether that member linked a Telegram chat (its id may be left out)."""
    first = (text.splitlines() or [""])[0]
    delimiter = max(",;\t", key=first.count)  # ";" from Excel in Europe, tabs in its text
    # newline=None: lines may end as Windows, Unix or old Macs end them (CR alone)
    reader = csv.reader(io.StringIO(text, newline=None), delimiter=delimiter)
    table = []
    try:
        for cells in reader:
            table.append((reader.line_num, cells))
    except csv.Error as exc:  # a cell over the csv module's limit, a stray quote
        line = reader.line_num
        raise RosterError([f"line {line}: this line cannot be read (a cell too long, or a "
                           f"stray quote): {SAVE_AS}" if "limit" not in str(exc) else
                           f"line {line}: a cell is too long (over {csv.field_size_limit()} "
                           "characters): shorten it"]) from None
    return read_table(table, languages, region, linked)


def read_table(table: Table, languages: Iterable[str], region: str = "GB",
               linked: Callable[[str], bool] = lambda phone: False) -> list[Row]:
    """Rows as a file or sheet gives them, checked (see read_csv)."""
    cells = table[0][1] if table else []
    # "Name", "Telegram chat id": headers as spreadsheets write them
    header = [re.sub(r"[\s_]+", "_", c.strip().lower()) for c in cells]
    header = [MEMBER_COLUMN if c in MEMBER_HEADERS else c for c in header]
    unknown = [c for c in header if c and c not in (*COLUMNS, MEMBER_COLUMN)]
    if "name" not in header or not {"phone", "telegram_chat_id"} & set(header) or unknown:
        raise RosterError([f"line 1: the columns must be {', '.join(COLUMNS)}, and "
                           f"optionally {MEMBER_COLUMN} (M007)"
                           + (f" (unknown: {', '.join(map(_shown, unknown))})"
                              if unknown else "")])
    rows, problems, seen = [], [], {}
    for line, values in table[1:]:
        raw = dict(zip(header, values, strict=False))
        if not any(v.strip() for v in values):
            continue  # a blank line
        row, found = _row(line, raw, tuple(languages), region, linked)
        for key in filter(None, (row.phone, row.chat, row.member) if row else ()):
            if key in seen:
                what = ("phone" if key == row.phone else "Telegram chat" if key == row.chat
                        else "member")
                found.append(f"duplicate of line {seen[key]} (the same {what})")
            seen.setdefault(key, line)
        problems += [f"line {line}: {p}" for p in found]
        if row is not None:
            rows.append(row)
    if problems:
        raise RosterError(problems)
    return rows


def _shown(cell: str) -> str:
    """A cell fit to echo: a phone number (a file without its header row) masked."""
    return addresses.masked(cell) if sum(c.isdigit() for c in cell) >= 5 else cell


def _row(line: int, raw: dict[str, Any], languages: tuple[str, ...], region: str,
         linked: Callable[[str], bool]) -> tuple[Row | None, list[str]]:
    def get(name: str) -> str:
        value = raw.get(name)
        return value.strip() if isinstance(value, str) else ""

    found = []
    name, phone, chat = get("name"), get("phone"), get("telegram_chat_id")
    channel = get("channel").lower() or ("sms" if phone else "telegram" if chat else "")
    language = _language(get("language"), languages)
    number = MEMBER_NUMBER.fullmatch(get(MEMBER_COLUMN))
    if not name:
        found.append("the name is missing")
    elif "?" in name or "\ufffd" in name:
        found.append(f"the name '{name}' lost letters (shown as ?): {SAVE_AS}")
    new = get(MEMBER_COLUMN).casefold() == NEW
    if get(MEMBER_COLUMN) and number is None and not new:
        found.append(f"bad member number '{get(MEMBER_COLUMN)}' (as members list shows "
                     f"it: M007; or {NEW} for someone new)")
    if channel not in CHANNELS:
        found.append(f"unknown channel '{channel}' (sms, whatsapp or telegram)"
                     if channel else "no phone number or Telegram chat")
    if language is not None and language not in languages:
        found.append(f"unknown language '{language}' ({', '.join(languages)})")
    if phone:
        try:
            phone = _phone(phone, region, channel)
        except addresses.InvalidAddress as exc:
            found.append(str(exc))
    if chat and not TELEGRAM_CHAT.fullmatch(chat):
        found.append(f"bad Telegram chat id '{chat}' (a number)")
    if channel in PHONE_CHANNELS and not phone:
        found.append(f"channel {channel} needs a phone number")
    if channel == "telegram" and not chat and not (phone and linked(phone)):
        found.append("channel telegram needs a telegram_chat_id (or the member links "
                     "Telegram with a code: members link-code)")
    row = Row(line, name, channel, language, get("notes") or None, phone or None, chat or None,
              int(number.group(1)) if number else None, new)
    return (None if found else row), found


def _phone(given: str, region: str, channel: str) -> str:
    """A row's phone number in E.164, or InvalidAddress saying what is wrong with it."""
    if FIGURE.fullmatch(given):
        raise addresses.InvalidAddress("Excel turned this number into a figure: format the "
                                       "column as text")
    if re.search(r"[^\W\d_]", given):
        raise addresses.InvalidAddress("the phone number contains a letter (an O for a 0?)")
    try:
        phone = addresses.whole_number(given, region)
    except addresses.InvalidAddress:
        raise addresses.InvalidAddress(f"bad phone number '{given}' (check for a missing or "
                                       "extra digit)") from None
    if channel in PHONE_CHANNELS and not addresses.mobile(phone):
        raise addresses.InvalidAddress("not a mobile number: texts cannot reach it")
    return phone


def _language(given: str, languages: tuple[str, ...]) -> str | None:
    """A language code, or its name as people write it; what was written if it names none."""
    return find_language(given, languages) or given.strip().casefold() or None


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


WELCOME_KEY = "member-welcome:"


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
