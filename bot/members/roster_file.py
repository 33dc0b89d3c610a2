"""The coordinator's roster file read and checked: CSV (as any spreadsheet saves it) or
an .xlsx workbook, into rows, with every problem as `line N: reason`. Pure: nothing is
stored here (bot/members/roster.py imports the rows).
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bot import addresses, channels
from translations.catalog import find_language

COLUMNS = ("name", "phone", "telegram_chat_id", "language", "channel", "notes")
MEMBER_COLUMN = "member"  # optional: the member's number (M010) as `members list` shows it
MEMBER_HEADERS = {"member", "member_id", "member_number", "id"}
NEW = "new"  # in the member column: a new member, though one of that name exists
CHANNELS = tuple(c.name for c in channels.PUSHED)  # members are written to: never a web page
PHONE_CHANNELS = tuple(c.name for c in channels.PUSHED if c.phone)
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
