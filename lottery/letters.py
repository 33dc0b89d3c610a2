"""The lottery's printable letters: `letters.html`, one A4 page a letter (lottery/templates/
letter.html), in English with the same short paragraph in each offered language, each code
printed in threes beside its QR code (segno, inline SVG) to the web registration, the text
message to send and the closing date.

The words are msgids here (LETTER) and translated in the catalogues under `msgctxt
"letter/<key>"`; the main letter is in English, the `summary` in every offered language
(right to left where the language is). A QR code costs segno about 7 ms (it tries the
standard's eight masks and keeps the best), so for many letters they are drawn by a pool
of processes, one per CPU, and the page is written a letter at a time.
"""

from __future__ import annotations

import functools
import os
from collections.abc import Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from datetime import date
from multiprocessing import get_context
from pathlib import Path

import segno
from babel.dates import format_date
from jinja2 import Environment, FileSystemLoader, select_autoescape
from markupsafe import Markup, escape

from translations import data
from translations.catalog import Catalogs

TEMPLATES = Path(__file__).resolve().parent / "templates"
ENGLISH = "en"
DATE_LOCALES = {ENGLISH: "en_GB"}  # British English writes "28 February 2027"
POOLED = 400  # codes from which the QR codes are drawn by a pool of processes
# The letter's words (msgids); the catalogues translate them as msgctxt "letter/<key>".
LETTER = {
    "addressee": "The Resident",
    "heading": "You are invited to join {assembly}",
    "chosen": ("Your address is one of {letters} chosen at random, by a public lottery, "
               "from every address in the area."),
    "why": ("{org} is bringing residents together to consider the question \"{question}\": "
            "to hear from experts, talk it through and make recommendations."),
    "who": ("Anyone aged 16 or over who lives at this address can register: one person for "
            "each code below. A second lottery then chooses the members from everyone who "
            "registered, so that together they are like the whole area."),
    "how": ("To register, scan a QR code with your phone's camera, or send the text "
            "message shown from any mobile phone. You can register in English, {languages}."),
    "closes": "Register by {date}.",
    "code": "Registration code",
    "text": "Text {message} to {number}",
    "telegram": "Telegram: {link}",
    "summary": ("You are invited to join a citizens' assembly of residents chosen by lottery. "
                "Anyone aged 16 or over at this address can register before {date}: scan "
                "the QR code or text the code on this letter to {number}. You can register "
                "in this language."),
    "letter": "Letter {number}",
}
TRANSLATED = ("summary",)  # what the letter shows in every offered language


@dataclass(frozen=True)
class Code:
    """One code as printed: K7P-M3Q-XAF, its web registration link, its text message, and
    its Telegram link (t.me/<bot>?start=CODE: the bot reads the code from /start) when the
    bot's username is set, else empty."""

    shown: str
    url: str
    sms: str
    telegram: str = ""

    @property
    def telegram_shown(self) -> str:
        """The Telegram link as printed, without its https://."""
        return self.telegram.removeprefix("https://")


@dataclass(frozen=True)
class Printed:
    """One letter to print: its number, the address lines and postcode, its codes."""

    number: int
    lines: tuple[str, ...]
    postcode: str
    codes: tuple[Code, ...]


@dataclass(frozen=True)
class Words:
    """What every letter of a draw says alike."""

    assembly: str
    org: str
    question: str
    closes: date
    sms_number: str
    letters: int
    languages: tuple[str, ...]  # offered languages, English first


def qr_svg(url: str) -> str:
    """The link as a QR code, an inline SVG sized by the page (level M: a crease or a
    smudge still reads)."""
    return segno.make(url, error="m", micro=False).svg_inline(
        scale=1, border=4, omitsize=True, svgclass="qr", lineclass=None)


def _qr_codes(urls: list[str]) -> Iterator[str]:
    """The QR codes of `urls`, in order: by a pool of processes when there are many."""
    workers = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (
        os.cpu_count() or 1)
    if len(urls) < POOLED or workers < 2:
        yield from map(qr_svg, urls)
        return
    # fork: a child needs nothing but segno, and never touches what it inherits (it ends
    # with os._exit); spawn would re-run the main script of a caller without a main guard
    with ProcessPoolExecutor(workers, mp_context=get_context("fork")) as pool:
        yield from pool.map(qr_svg, urls, chunksize=max(50, len(urls) // (workers * 8)))


def local_date(day: date, lang: str) -> str:
    """A date as the language writes it: 28 February 2027, 28 lutego 2027."""
    return format_date(day, format="long", locale=DATE_LOCALES.get(lang, lang))


class Wording:
    """The letter's words in one language, filled in; English where a translation is
    missing or breaks a placeholder. Values are escaped (the page is HTML)."""

    def __init__(self, catalogs: Catalogs, lang: str, words: Words):
        self.catalogs, self.lang, self.words = catalogs, lang, words
        self.direction = data.direction(lang)
        self.name = data.own_name(lang) or lang

    def __call__(self, key: str, **values: object) -> Markup:
        english = LETTER[key]
        text = self.catalogs.text([self.lang], f"letter/{key}", english)
        values = {k: bdi(v) for k, v in values.items()}
        try:
            return Markup(escape(text)).format(**values)
        except (KeyError, IndexError, ValueError):
            return Markup(escape(english)).format(**values)


def bdi(value: object) -> Markup:
    """A value set apart from the sentence around it, so that it keeps its own order
    inside right-to-left text."""
    return value if isinstance(value, Markup) else Markup("<bdi>{}</bdi>").format(value)


def ltr(value: object) -> Markup:
    """A phone number or a code: left to right in any sentence (+44 stays in front)."""
    return Markup('<bdi dir="ltr">{}</bdi>').format(value)


@functools.cache
def _template():
    env = Environment(loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(),
                      trim_blocks=True, lstrip_blocks=True)
    return env.get_template("letter.html")


def pages(letters: list[Printed], words: Words, catalogs: Catalogs) -> Iterator[str]:
    """letters.html in pieces (a letter at a time), so 10,000 letters never sit in memory
    as one string."""
    english = Wording(catalogs, ENGLISH, words)
    others = [Wording(catalogs, lang, words) for lang in words.languages if lang != ENGLISH]
    dates = {w.lang: local_date(words.closes, w.lang) for w in (english, *others)}
    svgs = _qr_codes([code.url for letter in letters for code in letter.codes])

    def each() -> Iterator[dict]:
        for letter in letters:
            yield {"letter": letter, "qr": [Markup(next(svgs)) for _ in letter.codes]}

    languages = ", ".join(w.name for w in others)
    return _template().generate(
        letters=each(), w=english, others=others, words=words, dates=dates, ltr=ltr,
        languages=languages, title=LETTER["heading"].format(assembly=words.assembly))


def write(path: Path, letters: list[Printed], words: Words, catalogs: Catalogs) -> Path:
    """Write letters.html to `path`."""
    with path.open("w", encoding="utf-8") as out:
        for piece in pages(letters, words, catalogs):
            out.write(piece)
    return path


def offered(catalogs: Catalogs) -> tuple[str, ...]:
    """The languages the letter speaks: English, then each offered language's catalogue."""
    return tuple(lang for lang in catalogs.offered if lang in (*data.codes(), ENGLISH))


def render(letters: Iterable[Printed], words: Words, catalogs: Catalogs) -> str:
    """letters.html as one string (tests, a few letters)."""
    return "".join(pages(list(letters), words, catalogs))
