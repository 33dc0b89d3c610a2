"""Read an age as a person writes it, at an age question (`role: age`, docs/surveys.md).

- A message that is only a number is an age in years, never an option's number (the plain
  text channels list the bands without numbers and say so).
- "under 13", "nearly 13", "13 yaş altı", "под 13" … say younger than N: the band of N-1.
- A four-digit year from 1900 to this year is a birth year: the age is this year minus it,
  or one less; when those two fall in different bands, nothing is picked (asked again).
- A number about someone else ("mum of a 12 year old") or a duration ("12 years in
  London") is not the person's age: nothing is picked (asked again).
The words live in translations/<lang>/ages.yaml, one file per language, checked against
its examples.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from pathlib import Path

from translations import data as language_files

KIND = "ages"  # translations/<lang>/ages.yaml
FIRST_YEAR = 1900
_KEYS = {"younger_than", "not_own_age", "younger", "not_younger", "not_own", "own"}
_NUMBER = re.compile(r"\d+")


def normal(text: str) -> str:
    """Folded for matching: case, accents, any script's digits; a number and a word written
    together apart ("under13" -> "under 13"); punctuation but "<" a space."""
    text = "".join(str(unicodedata.decimal(ch)) if ch.isdecimal() else ch for ch in text)
    text = unicodedata.normalize("NFKD", text)
    text = "".join(ch for ch in text if unicodedata.category(ch) not in ("Mn", "Cf", "Cc"))
    text = text.casefold().replace("ı", "i")
    text = re.sub(r"[^\w<]|_", " ", text)
    text = re.sub(r"(?<=\d)(?=\D)|(?<=\D)(?=\d)|(?<=<)|(?=<)", " ", text)
    return " ".join(text.split())


def _pattern(phrases: list[str]) -> re.Pattern:
    """One pattern for phrases standing as whole words; N stands for a number (captured)."""
    alternatives = []
    for phrase in sorted({normal(p.replace("N", "0")) for p in phrases}, key=len, reverse=True):
        alternatives.append(re.escape(phrase).replace("0", r"(\d+)", 1))
    return re.compile(rf"(?<!\S)(?:{'|'.join(alternatives)})(?!\S)")


class AgeWords:
    """The phrases of every language, as two patterns."""

    def __init__(self, younger_than: list[str], not_own_age: list[str]):
        self.younger = _pattern(younger_than)
        self.not_own = _pattern(not_own_age)

    def younger_than(self, text: str) -> int | None:
        """N when the message says younger than N ("under 13" -> 13), else None."""
        norm = normal(text)
        match = self.younger.search(norm)
        if match is None:
            # "13-" as the whole message: 13 and under is written so in some places
            return int(m[1]) if (m := re.fullmatch(r"\s*(\d+)\s*-\s*", _digits(text))) else None
        return next(int(g) for g in match.groups() if g is not None)

    def not_own_age(self, text: str) -> bool:
        """Whether the number is about someone else or a duration, not the person's age."""
        return self.not_own.search(normal(text)) is not None


def _digits(text: str) -> str:
    return "".join(str(unicodedata.decimal(ch)) if ch.isdecimal() else ch for ch in text)


def _validate(data: object) -> AgeWords:
    name = f"{KIND}.yaml"
    if not isinstance(data, dict) or not data:
        raise ValueError(f"{name}: one section per language expected")
    for lang, section in data.items():
        if not isinstance(section, dict) or set(section) != _KEYS:
            raise ValueError(f"{name}: {lang}: expected the keys {sorted(_KEYS)}")
        for key in _KEYS:
            if not section[key] or not all(isinstance(x, str) and x.strip()
                                           for x in section[key]):
                raise ValueError(f"{name}: {lang}: '{key}' must list words")
    words = AgeWords([p for s in data.values() for p in s["younger_than"]],
                     [p for s in data.values() for p in s["not_own_age"]])
    for lang, section in data.items():
        for key, check, want in (("younger", words.younger_than, True),
                                 ("not_younger", words.younger_than, False),
                                 ("not_own", words.not_own_age, True),
                                 ("own", words.not_own_age, False)):
            for example in section[key]:
                if bool(check(example) not in (None, False)) != want:
                    raise ValueError(f"{name}: {lang}: {example!r} is listed under {key}")
    return words


@functools.cache
def age_words(root: Path = language_files.ROOT) -> AgeWords:
    """The age phrases of every language, checked against their examples."""
    return _validate(language_files.sections(KIND, root))


def birth_years(text: str, this_year: int) -> tuple[int, int] | None:
    """The ages (youngest, oldest) a birth year in the message gives, if it holds one:
    a four-digit year from 1900 to this year, the only number in it."""
    found = _NUMBER.findall(_digits(text))
    if len(found) != 1 or len(found[0]) != 4 or not FIRST_YEAR <= int(found[0]) <= this_year:
        return None
    born = int(found[0])
    return max(this_year - born - 1, 0), this_year - born
