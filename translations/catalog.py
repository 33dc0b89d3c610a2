"""Gettext catalogues (read with Babel) and text lookup with a fallback chain.

One catalogue per language, `translations/<lang>/LC_MESSAGES/messages.po`, holds the
survey texts (`msgctxt "<slug>/<id>"`) and the bot's own words (`msgctxt "bot/<key>"`).
A lookup tries each language in turn and falls back to the source text (the msgid), so a
missing or fuzzy translation shows the original rather than nothing.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable, Iterable
from pathlib import Path

from babel import Locale, UnknownLocaleError
from babel.messages.pofile import read_po

from translations.data import own_name
from translations.texts import BOT

DOMAIN = "messages"
Key = tuple[str, str]  # (msgctxt, msgid)


class Catalogs:
    """Translations per language: {lang: {(msgctxt, msgid): msgstr}}."""

    def __init__(self, entries: dict[str, dict[Key, str]] | None = None):
        self.entries = entries or {}
        self._words: dict[tuple, frozenset[str]] = {}

    @classmethod
    def load(cls, directory: Path | str) -> Catalogs:
        """Read every `<lang>/LC_MESSAGES/messages.po` below a directory."""
        entries: dict[str, dict[Key, str]] = {}
        for po in sorted(Path(directory).glob(f"*/LC_MESSAGES/{DOMAIN}.po")):
            lang = po.parent.parent.name
            with po.open("rb") as fh:
                catalog = read_po(fh, locale=None, ignore_obsolete=True)
            entries[lang] = {
                (m.context or "", m.id): m.string
                for m in catalog
                if m.id and m.string and not m.fuzzy and isinstance(m.string, str)
            }
        return cls(entries)

    @property
    def languages(self) -> list[str]:
        return sorted(self.entries)

    @property
    def offered(self) -> tuple[str, ...]:
        """The languages people may choose: English (the source), then each catalogue's."""
        return tuple(dict.fromkeys(["en", *self.languages]))

    def has(self, lang: str, context: str, source: str) -> bool:
        return bool(self.entries.get(lang, {}).get((context, source)))

    def text(self, langs: Iterable[str | None], context: str, source: str) -> str:
        """The first translation found along `langs`, else the source text itself."""
        for lang in langs:
            found = self.entries.get(lang or "", {}).get((context, source))
            if found:
                return found
        return source

    def bot(self, lang: str | None, key: str, **values: object) -> str:
        """One of the bot's own messages in `lang` (falling back to English), filled in."""
        text = self.text([lang], f"bot/{key}", BOT[key])
        try:
            return text.format(**values) if values else text
        except (KeyError, IndexError, ValueError):  # a translator broke a placeholder
            return BOT[key].format(**values)

    def words(self, key: str, langs: Iterable[str | None],
              fold: Callable[[str], str] = str.casefold) -> frozenset[str]:
        """A space-separated word list (keywords, yes/no words) in English and `langs`,
        each word passed through `fold`. Computed once per arguments (catalogues are fixed)."""
        langs = tuple(langs)
        cached = self._words.get((key, langs, fold))
        if cached is None:
            found = set(BOT[key].split())
            for lang in langs:
                found.update(self.text([lang], f"bot/{key}", BOT[key]).split())
            cached = self._words[(key, langs, fold)] = frozenset(map(fold, found))
        return cached


def language_name(lang: str) -> str:
    """A language's name in that language ('Română', 'اردو'): languages.yaml's, else
    Babel's CLDR data."""
    return own_name(lang) or lang


def language_names(lang: str, *in_languages: str | None) -> set[str]:
    """What people may type to choose a language: its own name and its name in each of
    `in_languages` ('Türkçe', 'Turkish', 'turecki')."""
    names = {language_name(lang)}
    for other in filter(None, in_languages):
        try:
            names.add(Locale.parse(lang).get_display_name(other) or lang)
        except (UnknownLocaleError, ValueError):
            continue
    return names


def find_language(given: str, languages: Iterable[str]) -> str | None:
    """The language of `languages` that `given` names, by its code or its name as people
    write it ("pl", "Polish", "polski", "Türkçe"); None if it names none of them."""
    folded = _plain(given)
    for lang in languages:
        if folded == lang or folded in {_plain(name)
                                        for name in language_names(lang, "en", lang)}:
            return lang
    return None


def _plain(name: str) -> str:
    """A language's name without case or accents ("romana" is "română", "turkce" "Türkçe")."""
    decomposed = unicodedata.normalize("NFKD", name.strip().casefold().replace("ı", "i"))
    return "".join(c for c in decomposed if not unicodedata.combining(c))
