"""Days of the week in the offered languages: the day a member names when answering a
reminder ("yes saturday", "nu duminică", "да, в неделя"), and a day written for them.

Each language's names come from Babel's locale data (CLDR), matched as `detect.words`
matches (no case, accents or punctuation); `<lang>/weekdays.yaml` adds the reviewed extra
spellings (other grammatical forms, Latin letters, Roman Urdu) with the messages each
language must and must not read as naming a day. Only the first words of a message are
looked at: a day mentioned later in a sentence ("sick since Monday") names no day to answer
for.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable
from datetime import date
from pathlib import Path

from babel import Locale, UnknownLocaleError
from babel.dates import format_date
from babel.lists import format_list

from translations import data as language_files
from translations.detect import words

KIND = "weekdays"  # translations/<lang>/weekdays.yaml
WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
FIRST_WORDS = 4  # "tak, w sobotę", "evet cumartesi günü", "no, not on sunday"
JOIN_GAP = 2  # the most words between two days named together ("sobotę i w niedzielę")
KEYS = {"extra", "must_match", "must_not_match"}


def named(text: str) -> int | None:
    """The weekday (0 = Monday) the first words of `text` name, if they name one."""
    found = {spellings().get(word) for word in words(text)[:FIRST_WORDS]} - {None}
    return found.pop() if len(found) == 1 else None


def named_all(text: str, joins: Iterable[str] = ()) -> tuple[int, ...]:
    """The weekdays the first words of `text` name, in order: one, or several joined by a
    joining word (`joins`: "yes saturday and sunday", "tak, w sobotę i w niedzielę"); ()
    if none, or if two are named apart ("yes saturday no sunday": which answer is whose?)."""
    joined = {word for join in joins for word in words(join)}
    found: list[int] = []
    last, bridged = -1, False
    for n, word in enumerate(words(text)):
        day = spellings().get(word)
        if day is None:
            bridged = bridged or word in joined
            continue
        if found and not (bridged and n - last <= JOIN_GAP + 1):
            if n < FIRST_WORDS:
                return ()
            break
        if not found and n >= FIRST_WORDS:
            break
        found.append(day)
        last, bridged = n, False
    return tuple(dict.fromkeys(found))


def day_name(day: date, lang: str | None) -> str:
    """A day as people write it in `lang`: "Saturday 14 March", "sobota 14 marca"."""
    try:
        return format_date(day, "EEEE d MMMM", locale=lang or "en")
    except (ValueError, LookupError):
        return format_date(day, "EEEE d MMMM", locale="en")


def days_list(days: list[date], lang: str | None, style: str = "or") -> str:
    """Days as a choice in `lang`: "Saturday 14 March or Sunday 15 March" (style
    "standard": "… and …")."""
    names = [day_name(day, lang) for day in days]
    try:
        return format_list(names, style=style, locale=lang or "en")
    except (ValueError, LookupError):
        return format_list(names, style=style, locale="en")


def weekday_name(weekday: int, lang: str | None) -> str:
    """A weekday's name in `lang` as written in a sentence ("sobota", "Cumartesi")."""
    try:
        return Locale.parse(lang or "en").days["format"]["wide"][weekday]
    except (ValueError, UnknownLocaleError):
        return Locale.parse("en").days["format"]["wide"][weekday]


@functools.cache
def spellings() -> dict[str, int]:
    """Every spelling, folded, with its weekday; raises ValueError listing the file's
    problems."""
    found, problems = read()
    if problems:
        raise ValueError("\n".join(problems))
    return found


def read(root: Path | str = language_files.ROOT) -> tuple[dict[str, int], list[str]]:
    """The spellings in every language's file below `root` (CLDR's names for the language,
    and the file's extras) and the files' problems, each as `FILE: message`."""
    found: dict[str, int] = {}
    problems: list[str] = []
    for lang, section in language_files.sections(KIND, root).items():
        path = language_files.path(lang, KIND, root)
        problems += [f"{path}: {p}" for p in _spellings(lang, section, found)]
    return found, problems


def _spellings(lang: str, section: object, found: dict[str, int]) -> list[str]:
    """Add one language's spellings to `found` ({word: weekday}); its problems."""
    problems: list[str] = []
    names = list(_cldr(lang, problems))
    if not isinstance(section, dict) or set(section) - KEYS:
        return [*problems, f"{lang}: expected a mapping of {', '.join(sorted(KEYS))}"]
    for day, extra in (section.get("extra") or {}).items():
        if day not in WEEKDAYS:
            problems.append(f"{lang}: '{day}' is not a weekday ({', '.join(WEEKDAYS)})")
            continue
        names += [(str(spelling), WEEKDAYS.index(day)) for spelling in extra]
    for spelling, weekday in names:
        for word in words(spelling):
            if found.setdefault(word, weekday) != weekday:
                problems.append(f"{lang}: '{word}' names two weekdays")
    return problems


def _cldr(lang: str, problems: list[str]):
    try:
        days = Locale.parse(lang).days
    except (ValueError, UnknownLocaleError):
        problems.append(f"{lang}: not a language Babel knows")
        return
    for context in ("format", "stand-alone"):
        yield from ((name, n) for n, name in days[context]["wide"].items())


def examples(root: Path | str = language_files.ROOT) -> list[tuple[str, str, int | None]]:
    """(language, message, weekday or None) for every example in every language's file."""
    data = language_files.sections(KIND, root)
    found = []
    for lang, section in data.items():
        found += [(lang, text, WEEKDAYS.index(day))
                  for text, day in (section.get("must_match") or {}).items()]
        found += [(lang, text, None) for text in section.get("must_not_match") or []]
    return found
