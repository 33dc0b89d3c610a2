"""The council's addresses file, read and checked, and the draw of the addresses that get a
letter. Pure: nothing is stored here (lottery/invite.py stores the draw).

The file is CSV as a spreadsheet saves it (UTF-8 with or without a BOM, or Windows-1252;
separated by commas or semicolons): one address a row, its lines in any columns named like
`address_1`, `address line 2`, `line3` (kept, in order, for the mail merge), then any
`town`, `post town`, `city` or `locality` column (kept after them: a letter needs its post
town), a `postcode` and a `ward`. Headers are matched whatever their case. Each ward must
be one of the place's (the assembly file's place: its ward categories' labels or ids,
whatever the case, spaces or punctuation) and is kept as the place labels it. Every bad row
is reported by its line number, an unknown ward with the nearest known one; a file with any
is not drawn from.

The draw (docs/lottery.md "Invitations"), so that anyone holding the file and the published
seed can check it in any language or a spreadsheet:
1. each address's key is its lines and postcode, each trimmed, upper-cased, with every run
   of characters that are not letters or digits made one space, the postcode then without
   spaces, joined with " | ": `FLAT 2 | 14 HIGH STREET | E17 4AB`;
2. rows with the same key are one address (one letter an address);
3. each key's rank is HMAC-SHA-256 keyed with the seed (UTF-8) over the key (UTF-8), in
   lower-case hex; the addresses sorted by it, lowest first; the first N get the letters,
   numbered 1 to N in that order.
The seed is public and the file fixed before it is chosen (its SHA-256 is kept with the
draw), so the council cannot steer who is invited, and a keyed hash of the whole address
makes every address equally likely, whatever the ward or street.
"""

from __future__ import annotations

import csv
import difflib
import hashlib
import hmac
import io
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from assembly.place import Place
from bot.members.roster_file import SAVE_AS, RosterError, _not_mac

POSTCODE, WARD = "postcode", "ward"
# "address_1", "Address line 2", "addr3", "line1", "address": a line of the address.
ADDRESS_LINE = re.compile(r"(?:address|addr|add)(?:_?line)?_?\d*|line_?\d+")
# "Town", "Post Town", "post_town", "City", "Locality": the last lines of the address.
TOWN_LINE = re.compile(r"(?:post_?)?town|city|locality")
_NOT_WORD = re.compile(r"[^0-9A-Z]+")
SEPARATOR = " | "


@dataclass(frozen=True)
class Address:
    """One address as the file gives it: its line, its address lines (by the file's own
    column names, in order), postcode and ward, and the key the draw ranks."""

    line: int
    lines: tuple[str, ...]
    postcode: str
    ward: str
    key: str


@dataclass(frozen=True)
class Addresses:
    """The file's distinct addresses, its address columns (as its header names them), how
    many rows were the same address again, and the file's SHA-256."""

    rows: list[Address]
    columns: tuple[str, ...]
    repeated: int
    digest: str
    ignored: tuple[str, ...] = ()  # columns neither address, postcode nor ward


class AddressError(ValueError):
    """A file that cannot be drawn from: one `line N: reason` per problem."""

    def __init__(self, problems: list[str]):
        super().__init__("\n".join(problems))
        self.problems = problems


def normalised(text: str) -> str:
    """A part of the key: upper case, letters and digits, one space between words."""
    text = unicodedata.normalize("NFKC", text).upper()
    return _NOT_WORD.sub(" ", text).strip()


def key(lines: tuple[str, ...] | list[str], postcode: str) -> str:
    """The address's key (step 1 of the draw): `FLAT 2 | 14 HIGH STREET | E17 4AB` reads
    FLAT 2 | 14 HIGH STREET | E174AB."""
    parts = [normalised(line) for line in lines]
    return SEPARATOR.join([*(p for p in parts if p), normalised(postcode).replace(" ", "")])


def rank(seed: str, address_key: str) -> str:
    """The address's place in the draw (step 3): HMAC-SHA-256(seed, key), hex."""
    return hmac.new(seed.encode("utf-8"), address_key.encode("utf-8"),
                    hashlib.sha256).hexdigest()


def draw(addresses: list[Address], seed: str, letters: int) -> list[Address]:
    """The `letters` addresses the seed chooses, in letter-number order; ValueError when
    the file holds fewer addresses than letters, or the seed is empty."""
    if not seed.strip():
        raise ValueError("the seed is empty: choose one in public (for example, numbers "
                         "drawn at a council meeting) and publish it")
    if letters < 1:
        raise ValueError("--letters must be at least 1")
    if letters > len(addresses):
        raise ValueError(f"{letters} letters asked for, but the file holds only "
                         f"{len(addresses)} distinct addresses: ask for at most "
                         f"{len(addresses)}")
    ranked = sorted(addresses, key=lambda a: rank(seed, a.key))
    return ranked[:letters]


@dataclass(frozen=True)
class Wards:
    """The place's wards as a file may spell them (see `_folded`) -> the place's label."""

    place: str
    names: dict[str, str]

    def label(self, ward: str) -> str | None:
        """The place's label for a ward as the file spells it; None if it is none of them."""
        return self.names.get(_folded(ward))

    def unknown(self, ward: str) -> str:
        """Why a ward is refused, with the nearest of the place's (difflib)."""
        by_case = {label.casefold(): label for label in self.names.values()}
        [near] = difflib.get_close_matches(ward.casefold(), sorted(by_case), n=1, cutoff=0)
        return f"'{ward}' is not a ward of {self.place}: the nearest is '{by_case[near]}'"


def wards_of(place: Place) -> Wards | None:
    """The place's wards (each category's id and label) from its ward tables; None when it
    has none (then no ward is checked)."""
    names: dict[str, str] = {}
    for table in place.tables_for(WARD):
        for category in table.categories:
            for name in (category.id, category.label):
                names.setdefault(_folded(name), category.label)
    return Wards(place.name, names) if names else None


def _folded(ward: str) -> str:
    """A ward's name with case, spaces and punctuation forgiven: `St. James` is STJAMES,
    `st_james` too."""
    return normalised(ward.replace("_", " ")).replace(" ", "")


def read_file(path: Path, wards: Wards | None = None) -> Addresses:
    """The addresses in `path`, checked (each ward against `wards`, from `wards_of`, when
    given); AddressError listing every bad row by line."""
    text, digest = decoded(path)
    return read_csv(text, digest, wards)


def decoded(path: Path) -> tuple[str, str]:
    """A spreadsheet's CSV file as text (UTF-8 with or without a BOM, or Windows-1252) and
    its SHA-256; AddressError for a workbook, or text that cannot be read."""
    data = path.read_bytes()
    if data.startswith(b"PK\x03\x04"):
        raise AddressError([f"line 1: this is a workbook, not CSV: {SAVE_AS}"])
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        try:
            text = data.decode("cp1252")  # Excel's "CSV (Comma delimited)" on Windows
        except UnicodeDecodeError:
            raise AddressError([f"line 1: not text that can be read: {SAVE_AS}"]) from None
        try:
            _not_mac(text)
        except RosterError as exc:  # letters from a Mac's "CSV (Macintosh)"
            raise AddressError(exc.problems) from None
    return text, hashlib.sha256(data).hexdigest()


def read_csv(text: str, digest: str = "", wards: Wards | None = None) -> Addresses:
    """The addresses in CSV text (see read_file)."""
    return _read_table(cells(text), digest, wards)


def cells(text: str) -> list[tuple[int, list[str]]]:
    """CSV text's rows with their line numbers, separated by commas or semicolons (";" from
    Excel in much of Europe: whichever the first line that is not a `#` note holds more
    of); AddressError for a line that cannot be read."""
    first = next((line for line in text.splitlines() if not line.lstrip().startswith("#")),
                 "")
    delimiter = max(",;", key=first.count)
    reader = csv.reader(io.StringIO(text, newline=None), delimiter=delimiter)
    table: list[tuple[int, list[str]]] = []
    try:
        for row in reader:
            table.append((reader.line_num, row))
    except csv.Error:
        raise AddressError([f"line {reader.line_num}: this line cannot be read (a cell too "
                            f"long, or a stray quote): {SAVE_AS}"]) from None
    return table


def _header(cell: str) -> str:
    return re.sub(r"[\s_\-]+", "_", cell.strip().lower())


def _read_table(table: list[tuple[int, list[str]]], digest: str, wards: Wards | None
                ) -> Addresses:
    if not table:
        raise AddressError(["line 1: the file is empty"])
    names = [cell.strip() for cell in table[0][1]]
    header = [_header(cell) for cell in names]
    address = [i for i, name in enumerate(header) if ADDRESS_LINE.fullmatch(name)]
    town = [i for i, name in enumerate(header) if TOWN_LINE.fullmatch(name)]
    missing = [what for what, found in (("address lines (address_1, address_2, ...)",
                                         address), (POSTCODE, POSTCODE in header),
                                        (WARD, WARD in header)) if not found]
    if missing:
        raise AddressError([f"line 1: the columns must include {', '.join(missing)} (found: "
                            f"{', '.join(n for n in names if n) or 'none'})"])
    postcode, ward = header.index(POSTCODE), header.index(WARD)
    ignored = tuple(names[i] for i, name in enumerate(header)
                    if name and i not in address + town and i not in (postcode, ward))
    rows: list[Address] = []
    seen: dict[str, Address] = {}
    problems: list[str] = []
    repeated = 0
    for line, cells in table[1:]:
        cells = [c.strip() for c in cells] + [""] * (len(header) - len(cells))
        if not any(cells):
            continue  # a blank line
        found = []
        lines = tuple(cells[i] for i in address + town)
        if not any(cells[i] for i in address):
            found.append("the address is missing")
        if not cells[postcode]:
            found.append("the postcode is missing")
        named = cells[ward]
        if not named:
            found.append("the ward is missing")
        elif wards is not None:
            named = wards.label(named) or ""
            if not named:
                found.append(wards.unknown(cells[ward]))
        if any("\ufffd" in c for c in cells):
            found.append(f"letters were lost (shown as \ufffd): {SAVE_AS}")
        if found:
            problems += [f"line {line}: {p}" for p in found]
            continue
        row = Address(line, lines, cells[postcode], named, key(lines, cells[postcode]))
        first = seen.get(row.key)
        if first is None:
            seen[row.key] = row
            rows.append(row)
        elif first.ward.casefold() != row.ward.casefold():
            problems.append(f"line {line}: the same address as line {first.line}, but in "
                            f"ward '{row.ward}', not '{first.ward}'")
        else:
            repeated += 1
    if problems:
        raise AddressError(problems)
    if not rows:
        raise AddressError(["line 2: the file holds no addresses"])
    return Addresses(rows, tuple(names[i] for i in address + town), repeated, digest, ignored)
