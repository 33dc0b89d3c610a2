"""How the redactor reads text (staff/evidence/redact.py): folding that keeps every
character in place (so a match in the folded text is a span of the text), phrase lists
matched word by word, the patterns that need no language's words (e-mail addresses, handles,
phone numbers, postcodes, street addresses) and putting the marks in."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from functools import lru_cache

import phonenumbers

_EMAIL = re.compile(
    r"[\w.+-]*\w\s*(?:@|(?i:\(at\)|\[at\]))\s*[\w-]+"
    r"(?:(?:\s*(?i:\(dot\)|\[dot\])\s*|\.(?![A-Z][a-z]))[\w-]+)+")
_HANDLE = r"(\w(?:[\w.]{0,28}\w)?)"  # letters, digits, _ and dots inside: jaydenx_17, kai.b
_AT_HANDLE = re.compile(rf"(?<![\w@])@{_HANDLE}")
# A run of digits with at most a few separators between each: "0 7 7 0 0", "(020) 7946-0123".
_DIGITS = re.compile(r"(?:\+|(?<!\w)00)?[\s(]*\d(?:[\s\-.()/_]{0,5}\d)+")
_POSTCODE = re.compile(r"(?<![\w])(?:[A-Z]{1,2}\d[A-Z\d]?|GIR)\s*\d[A-Z]{2}(?!\w)",
                       re.IGNORECASE)
_SUFFIX = (r"(?:road|rd|street|st|avenue|ave|lane|ln|close|way|grove|gardens|gdns|drive|dr|"
           r"place|pl|crescent|cres|terrace|court|ct|hill|rise|walk|row|square|sq|mews|"
           r"parade|green|vale|view|path|estate|house)")
# A word of a street's name: not a small word ("3 kids on the road" is no address), in
# English or in the other offered languages ("mieszkam na Hoe Street 12").
_STREET_WORD = (r"(?!(?:the|a|an|on|in|at|my|our|your|of|and|to|for|near|by|from|kids|"
                r"people|times|years|minutes|police|officers|live|lives|na|w|we|ul|ulica|"
                r"mieszkam|pe|la|în|din|str|strada|locuiesc|de|da|ve|sokak|sokağı|"
                r"oturuyorum|на|в|ул|улица|живея|میں|main|mein)\b)[^\W\d_][\w'’-]*")
_STREET = rf"(?:{_STREET_WORD}\s+){{1,3}}{_SUFFIX}(?!\w)"
_ADDRESS = re.compile(
    rf"(?<!\w)(?:(?:flat|apartment|apt|unit)\s*\d+[a-z]?\s*,?\s*)?\d{{1,4}}[a-z]?\s*,?\s+"
    rf"{_STREET}"
    rf"|(?<!\w)(?:{_STREET_WORD}\s+){{1,3}}{_SUFFIX}\s*,?\s*(?:no\.?|nr\.?|number|numer)?\s*"
    rf"\d{{1,4}}[a-z]?(?!\w)"
    rf"|(?<!\w)(?:flat|apartment|apt|mieszkanie|apartament|daire)\s*(?:no\.?\s*)?\d+[a-z]?(?!\w)",
    re.IGNORECASE)
_WORD = re.compile(r"[\w\u0300-\u036f\u064b-\u065f\u0670'’-]+")
_LEADS_TO_NAME = re.compile(r"^\s*[,:]?\s*$")  # what may stand between a title and a name
_BETWEEN_NAMES = re.compile(r"^ +$")  # a name's words: spaces only between them
_IN_SCHOOL_NAME = re.compile(r"^\.? +$")  # "St. Mary's": a dot may follow a word
# How a spelled-out address ends ("… dot com"): "that dot on the map" is no address.
_TLD = (r"(?:com|co|uk|org|net|ro|pl|bg|tr|pk|io|me|info|edu|gov|ac|nhs|ie|eu|de|fr|it|es|"
        r"us|biz|app|dev|london|live|online)")
_SPELLED_WORDS = 4  # of which at least this many words
_SPELLED_DIGITS = 7  # number words (and digits) in a run that make it a phone number
_NEW_SENTENCE = re.compile(r"\.[A-Z][a-z]")  # "home.Then": a full stop, not a dot
_YEAR = re.compile(r"(?:19|20)\d\d")
_APOSTROPHES = str.maketrans("", "", "'’")


@lru_cache(maxsize=4096)
def _fold_char(ch: str) -> str:
    """One character folded for matching (lower case, no accent), always one character."""
    plain = "".join(c for c in unicodedata.normalize("NFKD", ch)
                    if not unicodedata.combining(c)).lower().replace("ı", "i")
    return plain[0] if len(plain) >= 1 else "\u0300"


def _shadow(text: str) -> str:
    """`text` folded character by character: the same length, so a match in it is a span
    of the text."""
    return "".join(map(_fold_char, text))


def _fold_word(word: str) -> str:
    return _shadow(word).replace("\u0300", "").translate(_APOSTROPHES)


def _words(phrase: str) -> tuple[str, ...]:
    return tuple(_fold_word(w) for w in _WORD.findall(phrase))


def normalise(text: str) -> str:
    """NFKC, without invisible format characters (a zero-width space inside a number)."""
    text = unicodedata.normalize("NFKC", text)
    return "".join(ch for ch in text if unicodedata.category(ch) != "Cf")


def _has_case(word: str) -> bool:
    return any(ch.isupper() or ch.islower() for ch in word)


def _capital(word: str) -> bool:
    return word[:1].isupper()


def _regex_of(phrases: Iterable[str]) -> str:
    """An alternation of folded phrases, longest first, any spaces between their words."""
    found = {r"\s+".join(map(re.escape, _shadow(p).split())) for p in phrases if p.strip()}
    return "(?:" + "|".join(sorted(found, key=len, reverse=True)) + ")" if found else "(?!)"


class _Phrases:
    """Folded phrases of words, found at or ending at a token."""

    def __init__(self, phrases: Iterable[str]):
        self.set = {w for w in map(_words, phrases) if w}
        self.lengths = sorted({len(p) for p in self.set}, reverse=True)

    def at(self, folded: list[str], i: int) -> int:
        """The length of the longest phrase starting at token i, 0 if none."""
        for length in self.lengths:
            if tuple(folded[i:i + length]) in self.set:
                return length
        return 0

    def ending(self, folded: list[str], j: int) -> int:
        """The length of the longest phrase ending just before token j, 0 if none."""
        for length in self.lengths:
            if length <= j and tuple(folded[j - length:j]) in self.set:
                return length
        return 0


def _base(word: str) -> str:
    """A word folded without the suffix after its apostrophe (Turkish: Akademisi'ne)."""
    return _fold_word(re.split("['’]", word, maxsplit=1)[0])


def _suffix(word: str) -> str:
    """What follows a word's apostrophe, folded ("Londra'da": "da"), "" if nothing."""
    parts = re.split("['’]", word, maxsplit=1)
    return _fold_word(parts[1]) if len(parts) == 2 else ""


def _joined(text: str, tokens: list, start: int, end: int) -> bool:
    """Whether tokens[start:end] stand one space apart, as a phrase is typed."""
    return end <= len(tokens) and all(text[tokens[k][1]:tokens[k + 1][0]].isspace()
                                      for k in range(start, end - 1))


def _known_pattern(names: Iterable[str]) -> re.Pattern | None:
    """Known names: each in full in any case, each of its words as written with a capital."""
    alternatives = set()
    for name in names:
        words = _WORD.findall(normalise(name))
        if not words:
            continue
        alternatives.add("(?i:" + r"\s+".join(map(re.escape, words)) + ")")
        alternatives.update(re.escape(w[:1].upper() + w[1:]) for w in words if len(w) > 1)
        alternatives.update(re.escape(w.upper()) for w in words if len(w) > 1)
    if not alternatives:
        return None
    ordered = sorted(alternatives, key=len, reverse=True)
    return re.compile(r"(?<!\w)(?:" + "|".join(ordered) + r")(?!\w)")


def _repeated(found: Iterable[str]) -> re.Pattern | None:
    """A name found once, wherever else the same text has it (as written)."""
    words = {w for name in found for w in _WORD.findall(name)
             if len(w) > 2 and (_capital(w) or not _has_case(w)) and not w[0].isdigit()}
    if not words:
        return None
    return re.compile(r"(?<!\w)(?:" + "|".join(sorted(map(re.escape, words), key=len,
                                                      reverse=True)) + r")(?!\w)")


def _phone_spans(text: str) -> list[tuple[int, int]]:
    spans = [(m.start, m.end) for m in phonenumbers.PhoneNumberMatcher(
        text, "GB", leniency=phonenumbers.Leniency.POSSIBLE)
        if _digit_count(m.raw_string) >= 7 and not _years(m.raw_string)]
    for m in _DIGITS.finditer(text):
        found = m.group()
        digits = _digit_count(found)
        prefixed = found.lstrip(" (").startswith(("+", "00"))
        if (digits >= 9 or (prefixed and digits >= 7)) and not _years(found):
            start = m.start() + len(found) - len(found.lstrip())
            spans.append((start, m.end()))
    return spans


def _years(text: str) -> bool:
    """Whether digits are years side by side ("2023 2024"), not a number to call."""
    groups = re.findall(r"\d+", text)
    return len(groups) > 1 and all(_YEAR.fullmatch(g) for g in groups)


def _digit_count(text: str) -> int:
    return sum(ch.isdigit() for ch in text)


def _replace(text: str, spans: list[tuple[int, int, str]]) -> str:
    """Replace each span with its mark; overlapping spans are merged, keeping the mark of
    the one found first (the order in `Redactor.redact`)."""
    merged: list[list] = []
    for start, end, mark in sorted(spans, key=lambda s: s[0]):
        if merged and start < merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end, mark])
    for start, end, mark in reversed(merged):
        text = text[:start] + mark + text[end:]
    return text


# The data files --------------------------------------------------------------------------
