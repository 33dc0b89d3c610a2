"""The evidence pack's words in one language: its fixed text (`translations/pack_texts.py`,
translated under `msgctxt "pack/<key>"`), the surveys' own wording (`<slug>/<id>`), dates
(Babel, in the language) and language names. A missing translation falls back to English.

Counts keep one form in every language ("2,585"); the words `bot/suppress.py` and
`staff/heard.py` write in place of a count ("fewer than 5", "not shown", "none", "under 1%",
"at least 12") are translated here as the page is rendered (`count`).
"""

from __future__ import annotations

import functools
import re
from datetime import date, datetime

from babel import Locale, UnknownLocaleError
from babel.dates import format_date
from markupsafe import Markup, escape

from bot import suppress
from translations import data
from translations.catalog import Catalogs
from translations.pack_texts import PACK

ENGLISH = "en"
# Babel's locale for a language's dates: British English writes "21 March 2021".
DATE_LOCALES = {ENGLISH: "en_GB"}
_AT_LEAST = re.compile(r"at least (\d[\d,]*)")


@functools.cache
def shipped() -> Catalogs:
    """The catalogues shipped in translations/ (read once)."""
    return Catalogs.load(data.ROOT)


def offered() -> tuple[str, ...]:
    """The languages a pack can be written in: the offered languages (languages.yaml)."""
    return data.codes()


class Wording:
    """The pack's words in `lang` (an offered language; English by default)."""

    def __init__(self, lang: str = ENGLISH, catalogs: Catalogs | None = None):
        if lang not in offered():
            raise ValueError(f"no evidence pack in {lang!r}: offered are {', '.join(offered())}")
        self.lang = lang
        self.catalogs = catalogs if catalogs is not None else shipped()
        self.direction = data.direction(lang)
        self._counts = {suppress.FEWER: "fewer", suppress.HIDDEN: "not-shown",
                        suppress.NONE: "none", "no": "zero", "under 1%": "under-1",
                        "no figure": "no-figure"}

    @property
    def english(self) -> bool:
        return self.lang == ENGLISH

    def __call__(self, key: str, **values: object) -> str:
        """A fixed text of the pack, filled in (English when the translation breaks a
        placeholder); Markup, with the other values escaped, when a value is Markup (`bdi`)."""
        english = PACK[key]
        text = english if self.english else self.catalogs.text([self.lang], f"pack/{key}",
                                                                english)
        values.setdefault("threshold", suppress.THRESHOLD)
        fill = (lambda t: Markup(escape(t)).format(**values)) if any(
            isinstance(v, Markup) for v in values.values()) else (lambda t: t.format(**values))
        try:
            return fill(text)
        except (KeyError, IndexError, ValueError):
            return fill(english)

    @staticmethod
    def bdi(text: object) -> Markup:
        """Text from a data file set apart from the sentence around it, so English inside a
        right-to-left sentence keeps its own order."""
        return Markup('<bdi dir="auto">{}</bdi>').format(text)

    def channel(self, name: str, label: str) -> str:
        """A channel's label (bot/channels.py), translated where the pack has words for it."""
        key = f"channel/{name}"
        return self(key) if key in PACK else label

    def count(self, text: object) -> str:
        """A count as written ("2,585", "fewer than 5", "none"), in the pack's language."""
        text = str(text)
        if self.english:
            return text
        if text in self._counts:
            return self(self._counts[text])
        found = _AT_LEAST.fullmatch(text)
        return self("at-least", count=found.group(1)) if found else text

    def survey(self, slug: str, key: str, source: str) -> str:
        """A survey's own text (its title, a question, a choice) in the pack's language:
        `key` is the catalogue's "<question-id>[/<choice-id>]" or "title"."""
        if self.english:
            return source
        return self.catalogs.text([self.lang], f"{slug}/{key}", source)

    def language(self, code: str | None, capital: bool = False) -> str:
        """A language's name in the pack's language ('ro' -> 'rumuński' in Polish; with
        `capital`, 'Rumuński', as a row of a table starts)."""
        if capital:
            name = self.language(code)
            return name[:1].upper() + name[1:]
        english = (data.english_name(code) or code) if code else "Unknown"
        if self.english or not code:
            return english
        try:
            return Locale.parse(code).get_display_name(self.lang) or english
        except (UnknownLocaleError, ValueError, TypeError):
            return english

    def date(self, when: date | datetime | None) -> str:
        """A date written out in the pack's language ("21 March 2021", "21 marca 2021")."""
        if when is None:
            return ""
        return format_date(when, format="long", locale=DATE_LOCALES.get(self.lang, self.lang))

    def month(self, text: str) -> str:
        """A month given as "2022-05", written out ("May 2022"); ValueError if it is not."""
        return format_date(date.fromisoformat(f"{text}-01"), format="LLLL y",
                           locale=DATE_LOCALES.get(self.lang, self.lang))

    def numbers(self, n: int) -> str:
        """A small number in words ("eight"); digits above twelve."""
        words = self("numbers").split()
        return words[n] if 0 <= n < len(words) else f"{n:,}"

    def either(self, names: list[str]) -> str:
        """"A, B or C"."""
        if len(names) < 2:
            return "".join(names)
        return self("or", names=", ".join(names[:-1]), last=names[-1])

    def percent(self, share: float) -> str:
        """A share as printed (suppress.percent), in the pack's language."""
        return self.count(suppress.percent(share))
