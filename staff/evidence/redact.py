"""Clearing quotes of what could identify someone, before they go into the evidence pack.

`Redactor.redact(text)` replaces, in this order: e-mail addresses; phone numbers, UK and
international, however they are spaced or punctuated (phonenumbers' matcher, and any run of
9 or more digits with spaces, dashes, dots, slashes or brackets between them, or 7 or more
after + or 00); UK postcodes (with or without the space, any case); street addresses (a
house number with a street name, either way round, and flat numbers); names introduced as
names ("my name is …", "PC Smith", in each offered language: `names/<lang>.yaml`); and
names we know (the peer engagers').

What it cannot catch: a name typed bare ("ask Kemal at the shop"), a nickname, a place that
identifies someone without an address ("the flat above the chemist"). The pack shows few
quotes; a person reads them before the pack goes out (docs/evidence-pack.md).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import phonenumbers
import yaml

from bot.answers import fold
from bot.datafile import header_problems

NAMES = Path(__file__).resolve().parent / "names"
KEYS = {"language", "introductions", "titles", "not_names", "must_redact", "must_keep"}

EMAIL_MARK = "[e-mail removed]"
PHONE_MARK = "[phone number removed]"
POSTCODE_MARK = "[postcode removed]"
ADDRESS_MARK = "[address removed]"
NAME_MARK = "[name removed]"

_EMAIL = re.compile(
    r"[\w.+-]+\s*(?:@|＠|\(at\)|\[at\])\s*[\w-]+(?:\s*(?:\.|\(dot\)|\[dot\])\s*[\w-]+)+",
    re.IGNORECASE)
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
                r"oturuyorum|на|в|ул|улица|живея)\b)[^\W\d_][\w'’-]*")
_ADDRESS = re.compile(
    rf"(?<!\w)(?:(?:flat|apartment|apt|unit)\s*\d+[a-z]?\s*,?\s*)?\d{{1,4}}[a-z]?\s*,?\s+"
    rf"(?:{_STREET_WORD}\s+){{1,3}}{_SUFFIX}(?!\w)"
    rf"|(?<!\w)(?:{_STREET_WORD}\s+){{1,3}}{_SUFFIX}\s*,?\s*(?:no\.?|nr\.?|number|numer)?\s*"
    rf"\d{{1,4}}[a-z]?(?!\w)"
    rf"|(?<!\w)(?:flat|apartment|apt|mieszkanie|apartament|daire)\s*(?:no\.?\s*)?\d+[a-z]?(?!\w)",
    re.IGNORECASE)
_WORD = re.compile(r"[\w\u0300-\u036f\u064b-\u065f\u0670'’-]+")
_LEADS_TO_NAME = re.compile(r"^\s*[,:]?\s*$")  # what may stand between a title and a name
_BETWEEN_NAMES = re.compile(r"^ +$")  # a name's words: spaces only between them


@dataclass(frozen=True)
class NameRules:
    """One language's ways of introducing a name (folded into words)."""

    language: str
    introductions: tuple[tuple[str, ...], ...]
    titles: tuple[tuple[str, ...], ...]
    not_names: frozenset[str]
    must_redact: tuple[tuple[str, str], ...] = ()
    must_keep: tuple[str, ...] = ()


def _words(phrase: str) -> tuple[str, ...]:
    return tuple(_fold_word(w) for w in _WORD.findall(phrase))


def _fold_word(word: str) -> str:
    return fold(word.replace("’", "'")).replace("'", "")


def _has_case(word: str) -> bool:
    return any(ch.isupper() or ch.islower() for ch in word)


class Redactor:
    """Every language's name rules and the names we know, applied to any text."""

    def __init__(self, rules: Iterable[NameRules], known_names: Iterable[str] = ()):
        self.rules = tuple(rules)
        self._intros = {phrase for r in self.rules for phrase in r.introductions}
        self._titles = {phrase for r in self.rules for phrase in r.titles} - self._intros
        self._lengths = sorted({len(p) for p in self._intros | self._titles}, reverse=True)
        self._not_names = frozenset().union(*(r.not_names for r in self.rules))
        self._known = _known_pattern(known_names)

    @classmethod
    def load(cls, known_names: Iterable[str] = (), directory: Path | str = NAMES) -> Redactor:
        """Read and check every `names/<lang>.yaml`; ValueError lists every problem."""
        rules, problems = read(directory)
        if problems:
            raise ValueError("\n".join(problems))
        return cls(rules, known_names)

    def redact(self, text: str) -> str:
        """`text` with e-mails, phone numbers, postcodes, addresses and names replaced."""
        text = _EMAIL.sub(EMAIL_MARK, text)
        text = _replace(text, _phone_spans(text), PHONE_MARK)
        text = _POSTCODE.sub(POSTCODE_MARK, text)
        text = _ADDRESS.sub(ADDRESS_MARK, text)
        text = _replace(text, self._name_spans(text), NAME_MARK)
        if self._known is not None:
            text = self._known.sub(NAME_MARK, text)
        return text

    def _name_spans(self, text: str) -> list[tuple[int, int]]:
        tokens = [(m.start(), m.end(), m.group()) for m in _WORD.finditer(text)]
        folded = [_fold_word(word) for _, _, word in tokens]
        spans = []
        for i in range(len(tokens)):
            for length in self._lengths:
                phrase = tuple(folded[i:i + length])
                if len(phrase) < length or not self._joined(text, tokens, i, i + length):
                    continue
                if phrase in self._intros or phrase in self._titles:
                    span = self._name_after(text, tokens, folded, i + length,
                                            strong=phrase in self._intros)
                    if span:
                        spans.append(span)
                    break
        return spans

    @staticmethod
    def _joined(text: str, tokens: list, start: int, end: int) -> bool:
        """Whether tokens[start:end] stand one space apart, as a phrase is typed."""
        return all(text[tokens[k][1]:tokens[k + 1][0]].isspace() for k in range(start, end - 1))

    def _name_after(self, text: str, tokens: list, folded: list[str], at: int,
                    strong: bool) -> tuple[int, int] | None:
        """The span of the name that starts at token `at`, if one does."""
        taken: list[int] = []
        for k in range(at, min(at + 3, len(tokens))):
            gap = text[(tokens[k - 1][1] if k else 0):tokens[k][0]]
            if not (_LEADS_TO_NAME if not taken else _BETWEEN_NAMES).match(gap):
                break
            word = tokens[k][2]
            if folded[k] in self._not_names:
                break
            if not _has_case(word):  # a script without capitals: count words instead
                if len(taken) >= (2 if strong else 1):
                    break
            elif not word[0].isupper() and not (strong and not taken):
                break
            taken.append(k)
        return (tokens[taken[0]][0], tokens[taken[-1]][1]) if taken else None


def _known_pattern(names: Iterable[str]) -> re.Pattern | None:
    """Known names: each in full in any case, each of its words as written with a capital."""
    alternatives = set()
    for name in names:
        words = _WORD.findall(name)
        if not words:
            continue
        alternatives.add("(?i:" + r"\s+".join(map(re.escape, words)) + ")")
        alternatives.update(re.escape(w[:1].upper() + w[1:]) for w in words if len(w) > 1)
        alternatives.update(re.escape(w.upper()) for w in words if len(w) > 1)
    if not alternatives:
        return None
    ordered = sorted(alternatives, key=len, reverse=True)
    return re.compile(r"(?<!\w)(?:" + "|".join(ordered) + r")(?!\w)")


def _phone_spans(text: str) -> list[tuple[int, int]]:
    spans = [(m.start, m.end) for m in phonenumbers.PhoneNumberMatcher(
        text, "GB", leniency=phonenumbers.Leniency.POSSIBLE)
        if _digit_count(m.raw_string) >= 7]
    for m in _DIGITS.finditer(text):
        found = m.group()
        digits = _digit_count(found)
        prefixed = found.lstrip(" (").startswith(("+", "00"))
        if digits >= 9 or (prefixed and digits >= 7):
            start = m.start() + len(found) - len(found.lstrip())
            spans.append((start, m.end()))
    return spans


def _digit_count(text: str) -> int:
    return sum(ch.isdigit() for ch in text)


def _replace(text: str, spans: list[tuple[int, int]], mark: str) -> str:
    """Replace each span (overlapping ones merged) with `mark`."""
    merged: list[list[int]] = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    for start, end in reversed(merged):
        text = text[:start] + mark + text[end:]
    return text


def read(directory: Path | str = NAMES) -> tuple[list[NameRules], list[str]]:
    """The name rule files and the problems found in them (`FILE: message`)."""
    loaded, problems = [], []
    for path in sorted(Path(directory).glob("*.yaml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        found = _problems(data, path.stem)
        if not found:
            rules = NameRules(
                data["language"],
                tuple(_words(p) for p in data["introductions"]),
                tuple(_words(p) for p in data.get("titles") or ()),
                frozenset(_fold_word(w) for w in data.get("not_names") or ()),
                tuple(tuple(pair) for pair in data["must_redact"]),
                tuple(data["must_keep"]))
            loaded.append(rules)
        problems += [f"{path}: {p}" for p in found]
    if not problems:
        everything = Redactor(loaded)
        for rules in loaded:
            problems += [f"{NAMES / rules.language}.yaml: {p}"
                         for p in _examples_missed(everything, rules)]
    return loaded, problems


def _examples_missed(redactor: Redactor, rules: NameRules) -> list[str]:
    found = []
    for text, expected in rules.must_redact:
        if (got := redactor.redact(text)) != expected:
            found.append(f"must_redact {text!r} gives {got!r}, not {expected!r}")
    for text in rules.must_keep:
        if (got := redactor.redact(text)) != text:
            found.append(f"must_keep {text!r} is changed to {got!r}")
    return found


def _problems(data: object, stem: str) -> list[str]:
    found = header_problems(data, stem, KEYS, "language, introductions, titles, examples")
    if not isinstance(data, dict):
        return found
    for key in ("introductions", "titles", "not_names"):
        value = data.get(key)
        if key == "introductions" and not value:
            found.append("introductions must list at least one phrase")
        if value is not None and (not isinstance(value, list) or not all(
                isinstance(p, str) and _words(p) for p in value)):
            found.append(f"{key} must be a list of phrases")
    pairs = data.get("must_redact")
    if not isinstance(pairs, list) or not pairs or not all(
            isinstance(p, list) and len(p) == 2 and all(isinstance(s, str) for s in p)
            for p in pairs):
        found.append("must_redact must list [message, what the pack shows] pairs")
    keep = data.get("must_keep")
    if not isinstance(keep, list) or not keep or not all(isinstance(s, str) for s in keep):
        found.append("must_keep must list messages that stay as written")
    return found
