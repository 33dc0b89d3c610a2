"""`outreach lottery invite ADDRESSES.csv --letters N --seed S`: the draw of the addresses
that get a letter, their registration codes, and the files to print (docs/lottery.md
"Invitations").

The addresses come from the council's file and are drawn from the public seed
(lottery/addresses.py: anyone can re-run the draw). The codes do not come from the seed,
which is public: each is drawn with `secrets` (bot/letter_codes.py, 43.7 bits), never one
holding a blocklisted word (bot/youth.Blocklist) nor one drawn before, and only its keyed
hash is stored. The two files written, `mail-merge.csv` and `letters.html`, are the only
copies of the codes: they are written first, beside the folder's other files, and take
their names only once the draw is committed.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from pathlib import Path
from zoneinfo import ZoneInfo

import click
from sqlalchemy import insert, select
from sqlalchemy.orm import Session

import assembly
from bot import letter_codes
from bot.outbox import LocalLink, refuse_local_links
from bot.runtime import current
from bot.youth import Blocklist
from lottery import addresses, letters
from lottery.letters import LETTER, Code, Printed, Words
from staff.writers import write_csv
from store.db import transaction
from store.models import Draw, Letter, LetterCode
from surveys import registry
from surveys.model import Questionnaire

MAIL_MERGE, LETTERS = "mail-merge.csv", "letters.html"
REGISTRANTS = "registrants"  # the registration survey's audience
PARTIAL = ".partial"  # a file being written: renamed once the draw is committed


class InviteError(click.ClickException):
    """A draw that cannot be made, said plainly."""


@dataclass(frozen=True)
class Invited:
    """One letter of the draw: its number, its address, its codes (plain: only for the
    files, never stored)."""

    number: int
    address: addresses.Address
    codes: tuple[str, ...]


def fresh_codes(count: int, blocklist: Blocklist, taken: Callable[[list[str]], set[str]],
                choose: Callable[[str], str] = secrets.choice) -> list[str]:
    """`count` new codes: none with a blocklisted word, none twice, none that `taken` says
    a letter already holds (given a batch, it returns those taken)."""
    codes: list[str] = []
    seen: set[str] = set()
    tries = 0
    while len(codes) < count:
        batch = []
        while len(codes) + len(batch) < count:
            tries += 1
            if tries > 100 * count + 1000:
                raise InviteError("could not draw enough codes that are free and clean")
            code = letter_codes.generate(choose)
            if code not in seen and not blocklist.blocks(code):
                seen.add(code)
                batch.append(code)
        clash = taken(batch)
        codes += [code for code in batch if code not in clash]
    return codes


def closing_time(day: date, zone: ZoneInfo) -> datetime:
    """The end of the closing day in local time (23:59:59), as the UTC moment stored."""
    return datetime.combine(day, time(23, 59, 59), tzinfo=zone).astimezone(UTC)


def registration_survey(session: Session) -> Questionnaire:
    """The loaded survey people register with (audience: registrants)."""
    found = [s for s in registry.current(session).values() if s.audience == REGISTRANTS]
    if not found:
        raise InviteError("no registration survey is loaded (a survey with audience: "
                          "registrants): load it with `outreach surveys load` first, since "
                          "the letters link to it")
    if len(found) > 1:
        raise InviteError("more than one registration survey is loaded ("
                          + ", ".join(s.slug for s in found) + "): the letters can link to "
                          "only one")
    return found[0]


def store(session: Session, invited: list[Invited], seed: str, read: addresses.Addresses,
          per_household: int, closes_at: datetime, secret: str, now: datetime) -> Draw:
    """The draw, its letters (number and ward) and its codes' hashes."""
    draw = Draw(seed=seed, addresses=len(read.rows), letters=len(invited),
                per_household=per_household, source_digest=read.digest, closes_at=closes_at,
                created_at=now)
    session.add(draw)
    session.flush()
    # Core inserts, many rows a statement: 30,000 ORM objects would take seconds
    ids = session.scalars(
        insert(Letter).returning(Letter.id, sort_by_parameter_order=True),
        [{"draw_id": draw.id, "number": i.number, "ward": i.address.ward} for i in invited]
    ).all()
    session.execute(insert(LetterCode), [
        {"letter_id": letter_id, "code_hash": letter_codes.digest(secret, code)}
        for letter_id, i in zip(ids, invited, strict=True) for code in i.codes])
    return draw


def taken_in(session: Session, secret: str) -> Callable[[list[str]], set[str]]:
    """The codes of a batch that a letter of an earlier draw already holds."""
    def taken(batch: list[str]) -> set[str]:
        hashes = {letter_codes.digest(secret, code): code for code in batch}
        found: set[str] = set()
        keys = list(hashes)
        for start in range(0, len(keys), 500):
            found |= set(session.scalars(select(LetterCode.code_hash).where(
                LetterCode.code_hash.in_(keys[start:start + 500]))))
        return {hashes[h] for h in found}
    return taken


def printed(invited: Iterable[Invited], base_url: str, slug: str, keyword: str | None,
            telegram_bot: str | None = None) -> list[Printed]:
    """What each letter prints: its codes shown in threes, their links and text messages,
    and their Telegram links when the bot's username is given (as bot/youth.py builds an
    engager's: t.me/<bot>?start=CODE)."""
    bot = (telegram_bot or "").strip().removeprefix("@")

    def code(plain: str) -> Code:
        shown = letter_codes.shown(plain)
        return Code(shown, f"{base_url}/s/{slug}?code={plain}",
                    f"{keyword} {shown}" if keyword else shown,
                    f"https://t.me/{bot}?start={plain}" if bot else "")

    return [Printed(i.number, i.address.lines, i.address.postcode,
                    tuple(code(c) for c in i.codes)) for i in invited]


def write_mail_merge(path: Path, columns: tuple[str, ...], invited: list[Invited],
                     pages: list[Printed], sms_number: str, per_household: int) -> Path:
    """mail-merge.csv: a row a letter (number, address lines, postcode, ward, and each code
    with its link and text message), for Excel (UTF-8 with a BOM, no cell a formula)."""
    telegram = ("telegram",) if any(c.telegram for p in pages for c in p.codes) else ()
    code_columns = [f"{what}_{n}" for n in range(1, per_household + 1)
                    for what in ("code", "web", "sms", *telegram)]
    header = ("letter", *columns, "postcode", "ward", *code_columns)

    def rows():
        for i, page in zip(invited, pages, strict=True):
            row = {"letter": i.number, "postcode": i.address.postcode, "ward": i.address.ward}
            row.update(zip(columns, i.address.lines, strict=True))
            for n, code in enumerate(page.codes, start=1):
                row[f"code_{n}"], row[f"web_{n}"] = code.shown, code.url
                row[f"sms_{n}"] = LETTER["text"].format(message=code.sms, number=sms_number)
                if telegram:
                    row[f"telegram_{n}"] = code.telegram
            yield row

    with path.open("w", encoding="utf-8", newline="") as out:
        write_csv(header, rows(), out)
    return path


def _settings(rt, closes: datetime | None, allow_local: bool) -> tuple[
        assembly.Assembly, date, str]:
    """The assembly, the closing day and the number to text, checked; InviteError saying
    what to set when one is missing, or when the links would point at this machine."""
    settings = rt.settings
    if not allow_local:
        try:
            refuse_local_links(f"{settings.public_base_url}/s/", "writing the letters")
        except LocalLink as exc:
            raise InviteError(f"{exc}; --allow-local writes them for a rehearsal") from None
    try:
        held = assembly.load(settings.assembly_file)
    except assembly.AssemblyError as exc:
        raise InviteError(str(exc)) from None
    day = closes.date() if closes is not None else held.lottery.closes
    if day is None:
        raise InviteError("no closing date: give --closes YYYY-MM-DD or set `closes:` in "
                          f"the lottery: section of {settings.assembly_file}")
    if day < rt.now().astimezone(settings.timezone).date():
        raise InviteError(f"registration would close on {day}, which has passed")
    if not held.lottery.sms_number:
        raise InviteError(f"no number to text: set `sms_number:` in the lottery: section of "
                          f"{settings.assembly_file}")
    return held, day, held.lottery.sms_number


@click.command("invite")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--letters", "count", type=click.IntRange(min=1), required=True,
              help="how many letters (addresses) to draw")
@click.option("--seed", required=True, help="the public seed the draw is made from")
@click.option("--closes", type=click.DateTime(formats=["%Y-%m-%d"]),
              help="registration closes at the end of this day (default: the assembly "
                   "file's lottery: closes)")
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), default=Path("."),
              show_default=True, help="the folder mail-merge.csv and letters.html go in")
@click.option("--no-letters", is_flag=True,
              help="write mail-merge.csv only, not letters.html (a print house makes the "
                   "letters and their QR codes from its columns; letters.html's QR codes "
                   "take a few milliseconds of CPU each)")
@click.option("--allow-local", is_flag=True,
              help="write links to a local PUBLIC_BASE_URL (a rehearsal: never print them)")
def invite(path: Path, count: int, seed: str, closes: datetime | None, out: Path,
           no_letters: bool, allow_local: bool) -> None:
    """Draw COUNT addresses from the council's file by the public seed, give each letter
    its codes (only their hashes are stored), and write mail-merge.csv and letters.html
    (A4) to print (--no-letters: mail-merge.csv only). A file with any bad row draws
    nothing."""
    rt = current()
    settings = rt.settings
    held, day, sms_number = _settings(rt, closes, allow_local)
    now = rt.now()
    targets = [out / MAIL_MERGE] + ([] if no_letters else [out / LETTERS])
    if there := [str(t) for t in targets if t.exists()]:
        raise InviteError(f"{', '.join(there)} exists: choose another --out (the files of "
                          "an earlier draw hold codes kept nowhere else)")
    try:
        read = addresses.read_file(path, addresses.wards_of(held.place))
    except addresses.AddressError as exc:
        for problem in exc.problems:
            click.echo(f"{path}:{problem.removeprefix('line ')}", err=True)
        click.echo(f"{path}: nothing drawn", err=True)
        raise SystemExit(1) from None
    try:
        chosen = addresses.draw(read.rows, seed, count)
    except ValueError as exc:
        raise InviteError(str(exc)) from None
    per = held.lottery.per_household
    with rt.sessions() as session:  # read only: no write lock while the files are written
        survey = registration_survey(session)
        codes = fresh_codes(count * per, Blocklist.load(), taken_in(session, settings.secret_key))
    invited = [Invited(n, a, tuple(codes[(n - 1) * per:n * per]))
               for n, a in enumerate(chosen, start=1)]
    pages = printed(invited, settings.public_base_url, survey.slug, survey.keyword,
                    settings.telegram_bot_username)
    words = Words(held.name, settings.org_name, held.question, day, sms_number, count,
                  letters.offered(rt.catalogs))
    out.mkdir(parents=True, exist_ok=True)
    partial = [t.with_name(t.name + PARTIAL) for t in targets]
    try:
        write_mail_merge(partial[0], read.columns, invited, pages, sms_number, per)
        if not no_letters:
            letters.write(partial[1], pages, words, rt.catalogs)
        with transaction(rt.sessions) as session:
            draw = store(session, invited, seed, read, per,
                         closing_time(day, settings.timezone), settings.secret_key, now)
            draw_id = draw.id
        for written, target in zip(partial, targets, strict=True):
            written.replace(target)
    finally:
        for written in partial:
            written.unlink(missing_ok=True)
    click.echo(f"draw {draw_id}: {count:,} letters to {count:,} of {len(read.rows):,} "
               f"addresses, {count * per:,} codes ({per} a letter); registration closes "
               f"{day.isoformat()}")
    if read.repeated:
        click.echo(f"note: {read.repeated:,} row(s) repeated an address and counted once")
    if read.ignored:
        click.echo(f"note: columns not used: {', '.join(read.ignored)}")
    for target in targets:
        click.echo(str(target))
