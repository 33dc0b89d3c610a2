"""Clearing free text of what could identify someone: the evidence pack's quotes and the
redacted exports.

`Redactor.redact(text)` first normalises the text (NFKC, so full-width and other odd forms
read as their plain letters and digits; invisible format characters dropped), then finds:
e-mail addresses, written or spelled out ("jo at example dot com"); social media handles
("@jaydenx_17", "snap: x"); phone numbers, UK and international, however spaced, and
numbers spelled in words ("seven seven zero zero …"); UK postcodes; street addresses (a
house number with a street, "at number 12", and a street without a number where someone
says they live: "from Cathall Road"); schools ("Walthamstow Academy", "St Mary's
Primary", "Szkoła Podstawowa nr 12"); names after an introduction, a kinship word or a
title ("my name is …", "I'm Aisha Begum", "my son Jayden", "PC Smith"), with an age
beside them ("Amelia (12)"), and the same name wherever else the text repeats it; and the
names we know (engagers and assembly members). Each is replaced by a mark.

The words that introduce each kind live in reviewed data files, one per offered language
(`redaction/<lang>.yaml`), each category with `must` examples (a message and exactly what
is shown) and `must_not` examples (kept as written). Every file's examples are checked
against all the files together when they load, since an answer is redacted by every
language's rules. docs/evidence-pack.md lists what this cannot catch.
"""

from __future__ import annotations

import bisect
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import phonenumbers
import yaml

from bot.datafile import header_problems

RULES = Path(__file__).resolve().parent / "redaction"

EMAIL_MARK = "[e-mail removed]"
HANDLE_MARK = "[handle removed]"
PHONE_MARK = "[phone number removed]"
POSTCODE_MARK = "[postcode removed]"
ADDRESS_MARK = "[address removed]"
SCHOOL_MARK = "[school removed]"
NAME_MARK = "[name removed]"

# Each category and the phrase lists it may hold (besides its `must` and `must_not`).
CATEGORIES = {
    "introductions": ("phrases",),        # the next word is a name whatever its case
    "self_introductions": ("phrases",),   # "I'm …": only words with a capital
    "kinship": ("phrases",),              # "my son …": only words with a capital
    "titles": ("phrases",),               # "PC …": only words with a capital
    "streets": ("before", "after",        # where someone lives, before or after a street
                "between",                # "locuiesc pe strada …": a word before the name
                "suffixes"),              # street words besides English's: "روڈ", "گلی"
    "house_numbers": ("before", "after"),  # "at number 12", "12 numarada"
    "schools": ("after_name", "before_name", "cues",
                "inside_name",            # "St Mary's C of E Primary": words inside a name
                "year_groups"),           # "year … at": a school's name follows
    "handles": ("platforms", "introductions"),
    "spelled_emails": ("at", "dot"),
    "spelled_numbers": ("digits", "two_digits", "repeats"),
    "ages": ("before", "after"),          # "Amelia, aged 12", "Emre 12 yaşında"
    "contacts": (),                       # e-mails, numbers, postcodes: examples only
}
OPTIONAL = {"contacts"}
# Besides the categories, a file may list the suffixes a place takes after an apostrophe
# (Turkish "Londra'da"): a word with one is no name ("Ben Londra'da yaşıyorum").
PLACE_SUFFIXES = "place_suffixes"
FRAME = "…"  # in a name phrase, where the name stands: "میں … ہوں"

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


@dataclass(frozen=True)
class Example:
    category: str
    said: str
    shown: str  # what the pack shows; the same as `said` for a must_not example


@dataclass(frozen=True)
class LanguageRules:
    """One language's file: its phrase lists by category, its not_names and examples."""

    language: str
    not_names: frozenset[str]
    lists: dict[tuple[str, str], tuple[str, ...]]  # (category, key) -> phrases as written
    examples: tuple[Example, ...] = ()
    place_suffixes: frozenset[str] = frozenset()

    def phrases(self, category: str, key: str = "phrases") -> tuple[str, ...]:
        return self.lists.get((category, key), ())


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


class Redactor:
    """Every language's rules and the names we know, applied to any text."""

    def __init__(self, rules: Iterable[LanguageRules], known_names: Iterable[str] = ()):
        self.rules = tuple(rules)

        def every(category: str, key: str = "phrases") -> list[str]:
            return [p for r in self.rules for p in r.phrases(category, key)]

        self._not_names = frozenset().union(*(r.not_names for r in self.rules))
        self._place_suffixes = frozenset().union(*(r.place_suffixes for r in self.rules))
        names = every("introductions") + every("self_introductions") + every("kinship")
        frames = [p for p in names if FRAME in p]
        self._frames = [(_words(p.split(FRAME)[0]), _words(p.split(FRAME)[1])) for p in frames]
        self._strong = _Phrases(p for p in every("introductions") if FRAME not in p)
        self._weak = _Phrases([p for p in every("self_introductions") + every("kinship")
                               + every("titles") if FRAME not in p])
        self._weak.set -= self._strong.set
        self._school_after = {w for p in every("schools", "after_name") for w in _words(p)}
        self._school_before = _Phrases(every("schools", "before_name"))
        self._school_cues = _Phrases(every("schools", "cues"))
        self._school_inside = {w for p in every("schools", "inside_name") for w in _words(p)}
        self._year_group = re.compile("|".join(
            rf"(?<!\w){_regex_of([p.split(FRAME)[0]])}\s*\d{{1,2}}\s+{_regex_of([p.split(FRAME)[1]])}\s+"
            for p in every("schools", "year_groups") if FRAME in p) or "(?!)")
        self._compile(every)
        self._known = _known_pattern(known_names)

    def _compile(self, every) -> None:
        at, dot = _regex_of(every("spelled_emails", "at")), _regex_of(every("spelled_emails",
                                                                             "dot"))
        self._spelled_email = re.compile(
            rf"(?<!\w)[\w.+-]*\w(?:\s+{dot}\s+[\w+-]+)*\s+{at}\s+[\w-]+"
            rf"(?:(?:\s+{dot}\s+|\.)[\w-]+)*(?:\s+{dot}\s+|\.){_TLD}(?!\w)")
        self._handle = re.compile(
            rf"(?<![\w@])(?:{_regex_of(every('handles', 'platforms'))})"
            rf"(?:\s*([:=\-])\s*|\s+)(@?){_HANDLE}")
        self._handle_intro = re.compile(
            rf"(?<!\w)(?:{_regex_of(every('handles', 'introductions'))})\s*[:=\-]?\s*@?{_HANDLE}")
        suffixes = _regex_of(every("streets", "suffixes"))
        street = rf"(?:{_STREET_WORD}\s+){{1,3}}(?:{_SUFFIX}|{suffixes})(?!\w)"
        between = _regex_of(every("streets", "between"))
        self._street_before = re.compile(
            rf"(?<!\w){_regex_of(every('streets', 'before'))}\s+(?:{between}\.?\s+)?({street})")
        self._street_after = re.compile(
            rf"(?<!\w)({street})(?:['’]\w{{1,5}})?\s+{_regex_of(every('streets', 'after'))}"
            r"(?!\w)")
        self._house = re.compile(
            rf"(?<!\w)(?:{_regex_of(every('house_numbers', 'before'))}\s*\.?\s*\d{{1,4}}[a-z]?"
            rf"|\d{{1,4}}[a-z]?\s*{_regex_of(every('house_numbers', 'after'))})(?!\w)")
        words = {**{_fold_word(w): 1 for w in every("spelled_numbers", "digits")},
                 **{_fold_word(w): 2 for w in every("spelled_numbers", "two_digits")},
                 **{_fold_word(w): 1 for w in every("spelled_numbers", "repeats")}}
        self._number_words = words
        number = rf"(?:{_regex_of(words)}|\d+)(?!\w)"
        self._spelled_number = re.compile(rf"(?<!\w){number}(?:[\s,.\-]+{number})+")
        before, after = _regex_of(every("ages", "before")), _regex_of(every("ages", "after"))
        age = r"\d{1,2}(?!\d)"
        self._age_beside = re.compile(
            rf"\s*\(\s*{age}\s*(?:{after})?\s*\)|\s*,\s*{age}(?:\s*{after})?(?!\w)"
            rf"|\s*,?\s+{before}\s+{age}(?:\s*{after})?(?!\w)|\s+{age}\s*{after}(?!\w)")
        self._age_alone = re.compile(
            rf"(?<!\w)([^\W\d_][\w'’-]*)(?:\s*\(\s*{age}\s*(?:{after})?\s*\)"
            rf"|\s*,?\s+{before}\s+{age}(?:\s*{after})?(?!\w))")

    @classmethod
    def load(cls, known_names: Iterable[str] = (), directory: Path | str = RULES) -> Redactor:
        """Read and check every `redaction/<lang>.yaml`; ValueError lists every problem."""
        return cls(_checked(str(directory)), known_names)

    def redact(self, text: str) -> str:
        """`text` with contact details, addresses, schools, names and ages replaced."""
        text = normalise(text)
        shadow = _shadow(text)
        spans: list[tuple[int, int, str]] = []
        spans += [(m.start(), m.end(), EMAIL_MARK) for m in _EMAIL.finditer(text)]
        spans += [(m.start(), m.end(), EMAIL_MARK) for m in self._spelled_email.finditer(shadow)
                  if not _NEW_SENTENCE.search(text, m.start(), m.end())]
        spans += self._handle_spans(text, shadow)
        spans += [(s, e, PHONE_MARK) for s, e in _phone_spans(text)]
        spans += [(s, e, PHONE_MARK) for s, e in self._spelled_number_spans(shadow)]
        spans += [(m.start(), m.end(), POSTCODE_MARK) for m in _POSTCODE.finditer(text)]
        spans += [(m.start(), m.end(), ADDRESS_MARK) for m in _ADDRESS.finditer(text)]
        spans += [(m.start(), m.end(), ADDRESS_MARK) for m in self._house.finditer(shadow)]
        for street in (self._street_before, self._street_after):
            spans += [(m.start(1), m.end(1), ADDRESS_MARK) for m in street.finditer(shadow)]
        tokens = [(m.start(), m.end(), m.group()) for m in _WORD.finditer(text)]
        folded = [_fold_word(word) for _, _, word in tokens]
        spans += [(s, e, SCHOOL_MARK) for s, e in self._school_spans(text, shadow, tokens, folded)]
        names = self._name_spans(text, tokens, folded) + self._aged_names(text, shadow)
        names = [(s, self._with_age(shadow, e)) for s, e in names]
        spans += [(s, e, NAME_MARK) for s, e in names]
        spans += [(m.start(), m.end(), NAME_MARK) for pattern in
                  (self._known, _repeated(text[s:e] for s, e in names)) if pattern is not None
                  for m in pattern.finditer(text)]
        return _replace(text, spans)

    # Contacts ------------------------------------------------------------------------------

    def _handle_spans(self, text: str, shadow: str) -> list[tuple[int, int, str]]:
        spans = [(m.start(), m.end(), HANDLE_MARK) for m in _AT_HANDLE.finditer(text)]
        for m in self._handle.finditer(shadow):
            separator, at, handle = m.groups()
            if separator or at or (re.search(r"[\d_.]", handle) and re.search(r"[^\W\d_]",
                                                                              handle)):
                spans.append((m.start(2), m.end(3), HANDLE_MARK))
        spans += [(m.start(1), m.end(1), HANDLE_MARK) for m in self._handle_intro.finditer(shadow)
                  if _fold_word(m.group(1)) not in self._not_names]
        return spans

    def _spelled_number_spans(self, shadow: str) -> list[tuple[int, int]]:
        spans = []
        for m in self._spelled_number.finditer(shadow):
            parts = re.findall(r"\w+", m.group())
            if sum(not p.isdigit() for p in parts) < _SPELLED_WORDS:
                continue  # digits with a word or two ("on 07700 …"): the phone rules'.
            count = sum(len(p) if p.isdigit() else self._number_words.get(p, 0) for p in parts)
            if count >= _SPELLED_DIGITS:
                spans.append((m.start(), m.end()))
        return spans

    # Schools -------------------------------------------------------------------------------

    def _school_spans(self, text: str, shadow: str, tokens: list, folded: list[str]
                      ) -> list[tuple[int, int]]:
        spans = self._year_group_spans(text, shadow, tokens, folded)
        for i in range(len(tokens)):
            if _base(tokens[i][2]) in self._school_after and (start := self._school_name_before(
                    text, tokens, folded, i)) is not None:
                spans.append((tokens[start][0], tokens[i][1]))
            elif (length := self._school_before.at(folded, i)) and _joined(
                    text, tokens, i, i + length):
                end = self._school_name_after(text, tokens, folded, i + length)
                if end is not None:
                    start = i - 1 if i and folded[i - 1][:1].isdigit() else i  # "152 СУ"
                    spans.append((tokens[start][0], tokens[end][1]))
                elif i and folded[i - 1][:1].isdigit():
                    spans.append((tokens[i - 1][0], tokens[i + length - 1][1]))
        return spans

    def _year_group_spans(self, text: str, shadow: str, tokens: list, folded: list[str]
                          ) -> list[tuple[int, int]]:
        """The name with capitals after a year group: "in year 9 at Frederick Bremer"."""
        spans = []
        starts = [start for start, _, _ in tokens]
        for m in self._year_group.finditer(shadow):
            at = bisect.bisect_left(starts, m.end())
            named = None
            for k in range(at, min(at + 4, len(tokens))):
                if (k > at and not _BETWEEN_NAMES.match(text[tokens[k - 1][1]:tokens[k][0]])
                        or folded[k] in self._not_names or not _capital(tokens[k][2])):
                    break
                named = k
            if named is not None:
                spans.append((tokens[at][0], tokens[named][1]))
        return spans

    def _school_name_before(self, text: str, tokens: list, folded: list[str], at: int
                            ) -> int | None:
        """The first token of the name before a school word at token `at` ("Walthamstow
        Academy"; "walthamstow academy" only after a cue such as "goes to"; "St Mary's C of
        E Primary": words inside a name in any case, though a name starts at none in
        lower case)."""
        taken, lower, inside = [], [], []
        k = at - 1
        while k >= 0 and len(taken) - len(inside) < 4:
            gap, word = text[tokens[k][1]:tokens[k + 1][0]], tokens[k][2]
            school_word = _base(word) in self._school_after
            if not _IN_SCHOOL_NAME.match(gap):
                break
            if _base(word) in self._school_inside:
                taken.append(k)
                inside.append(k)
                k -= 1
                continue
            if folded[k] in self._not_names and not school_word:
                break
            if not _has_case(word) or _capital(word):
                taken.append(k)
            elif len(lower) < 3 and not taken:
                lower.append(k)
                taken.append(k)
            else:
                break
            k -= 1
        while taken and taken[-1] in inside and not _capital(tokens[taken[-1]][2]):
            taken.pop()
        named = [k for k in taken
                 if _base(tokens[k][2]) not in self._school_after and k not in inside]
        if not named:
            return None
        if lower and not all(_capital(tokens[k][2]) for k in taken if k not in lower + inside):
            return None
        if lower and not self._school_cues.ending(folded, taken[-1]):
            return None
        return taken[-1]

    def _school_name_after(self, text: str, tokens: list, folded: list[str], at: int
                           ) -> int | None:
        """The last token of a school's number or name after a school word ending at `at`
        ("Szkoła Podstawowa nr 12", "Liceul Ion Creangă")."""
        for k in range(at, min(at + 4, len(tokens))):
            if folded[k][:1].isdigit():
                return k
        named = None
        for k in range(at, min(at + 3, len(tokens))):
            gap = text[tokens[k - 1][1]:tokens[k][0]]
            if (not _BETWEEN_NAMES.match(gap) or folded[k] in self._not_names
                    or not _capital(tokens[k][2])):
                break
            named = k
        return named

    # Names ---------------------------------------------------------------------------------

    def _name_spans(self, text: str, tokens: list, folded: list[str]) -> list[tuple[int, int]]:
        spans = []
        for i in range(len(tokens)):
            for strong, phrases in ((True, self._strong), (False, self._weak)):
                length = phrases.at(folded, i)
                if length and _joined(text, tokens, i, i + length):
                    span = self._name_after(text, tokens, folded, i + length, strong)
                    if span:
                        spans.append(span)
                    break
            spans += self._framed(text, tokens, folded, i)
        return spans

    def _framed(self, text: str, tokens: list, folded: list[str], i: int) -> list:
        """Names inside a frame: "میں عائشہ ہوں" (I am Aisha)."""
        found = []
        for before, after in self._frames:
            at = i + len(before)
            if tuple(folded[i:at]) != before:
                continue
            for size in (1, 2):
                name = folded[at:at + size]
                if (len(name) == size and not self._not_names.intersection(name)
                        and tuple(folded[at + size:at + size + len(after)]) == after
                        and _joined(text, tokens, i, at + size + len(after))):
                    found.append((tokens[at][0], tokens[at + size - 1][1]))
                    break
        return found

    def _name_after(self, text: str, tokens: list, folded: list[str], at: int,
                    strong: bool) -> tuple[int, int] | None:
        """The span of the name that starts at token `at`, if one does."""
        taken: list[int] = []
        for k in range(at, min(at + 3, len(tokens))):
            gap = text[(tokens[k - 1][1] if k else 0):tokens[k][0]]
            if not (_LEADS_TO_NAME if not taken else _BETWEEN_NAMES).match(gap):
                break
            word = tokens[k][2]
            if (word[0].isdigit() or self._not_names.intersection((folded[k], _base(word)))
                    or _suffix(word) in self._place_suffixes):
                break
            if not _has_case(word):  # a script without capitals: count words instead
                if len(taken) >= (2 if strong else 1):
                    break
            elif not _capital(word) and not (strong and not taken):
                break
            taken.append(k)
        return (tokens[taken[0]][0], tokens[taken[-1]][1]) if taken else None

    def _aged_names(self, text: str, shadow: str) -> list[tuple[int, int]]:
        """A word with a capital and an age beside it: "Amelia (12)", "Amelia aged 12"."""
        found = []
        for m in self._age_alone.finditer(shadow):
            word = text[m.start(1):m.end(1)]
            if (_capital(word) or not _has_case(word)) and _fold_word(word) not in self._not_names:
                found.append((m.start(1), m.end()))
        return found

    def _with_age(self, shadow: str, end: int) -> int:
        """Where a name ending at `end` ends with the age typed beside it."""
        found = self._age_beside.match(shadow, end)
        return found.end() if found else end


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


@lru_cache(maxsize=8)
def _checked(directory: str) -> tuple[LanguageRules, ...]:
    rules, problems = read(directory)
    if problems:
        raise ValueError("\n".join(problems))
    return tuple(rules)


def read(directory: Path | str = RULES) -> tuple[list[LanguageRules], list[str]]:
    """The redaction files and the problems found in them (`FILE: message`), each file's
    examples checked against all of them together."""
    loaded, problems = [], []
    for path in sorted(Path(directory).glob("*.yaml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        found = _problems(data, path.stem)
        if not found:
            loaded.append(_rules(data))
        problems += [f"{path}: {p}" for p in found]
    if not problems:
        everything = Redactor(loaded)
        for rules in loaded:
            problems += [f"{Path(directory) / rules.language}.yaml: {p}"
                         for p in missed(everything, rules.examples)]
    return loaded, problems


def _rules(data: dict) -> LanguageRules:
    lists, examples = {}, []
    for category, keys in CATEGORIES.items():
        section = data.get(category) or {}
        for key in keys:
            lists[(category, key)] = tuple(section.get(key) or ())
        examples += [Example(category, said, shown) for said, shown in section.get("must", ())]
        examples += [Example(category, said, said) for said in section.get("must_not", ())]
    return LanguageRules(data["language"], frozenset(_fold_word(w) for w in data["not_names"]),
                         lists, tuple(examples),
                         frozenset(_fold_word(w) for w in data.get(PLACE_SUFFIXES) or ()))


def missed(redactor: Redactor, examples: Iterable[Example]) -> list[str]:
    """Each example the redactor does not treat as written."""
    found = []
    for example in examples:
        if (got := redactor.redact(example.said)) != example.shown:
            kind = "must_not" if example.said == example.shown else "must"
            found.append(f"{example.category}: {kind} {example.said!r} gives {got!r}"
                         + (f", not {example.shown!r}" if kind == "must" else ""))
    return found


def _strings(value: object) -> bool:
    return isinstance(value, list) and all(isinstance(s, str) and s.strip() for s in value)


def _problems(data: object, stem: str) -> list[str]:
    found = header_problems(data, stem, {"language", "not_names", PLACE_SUFFIXES, *CATEGORIES},
                            "language, not_names, one section per category")
    if not isinstance(data, dict):
        return found
    if not _strings(data.get("not_names")):
        found.append("not_names must be a list of words")
    if data.get(PLACE_SUFFIXES) is not None and not _strings(data[PLACE_SUFFIXES]):
        found.append(f"{PLACE_SUFFIXES} must be a list of suffixes")
    for category, keys in CATEGORIES.items():
        section = data.get(category)
        if section is None and category in OPTIONAL:
            continue
        if not isinstance(section, dict):
            found.append(f"{category}: missing (a mapping with must and must_not)")
            continue
        found += [f"{category}: unknown key '{k}'" for k in section
                  if k not in (*keys, "must", "must_not")]
        found += [f"{category}: {k} must be a list of phrases" for k in keys
                  if section.get(k) is not None and not _strings(section[k])]
        pairs = section.get("must")
        if not isinstance(pairs, list) or not pairs or not all(
                isinstance(p, list) and len(p) == 2 and all(isinstance(s, str) for s in p)
                for p in pairs):
            found.append(f"{category}: must must list [message, what is shown] pairs")
        if not _strings(section.get("must_not")) or not section["must_not"]:
            found.append(f"{category}: must_not must list messages that stay as written")
    return found
