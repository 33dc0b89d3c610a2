"""The safeguarding pattern language: what a finding is, and a pattern as written in a file
turned into a regular expression over a normalised message.

Pattern syntax, as the files' header comments explain to reviewers: a pattern is matched as
whole words against the message folded by `bot.answers.fold` (case, accents, spaces), with
apostrophes dropped ("don't" -> "dont") and every other run of punctuation read as one space.
Words are written plainly; `(a|b)` gives alternatives, `?` makes the thing before it
optional, `*` after letters means "and any further letters" (`kill*` = kill, kills,
killing), and ` ... ` stands for up to four other words. Anything else is a Python regular
expression. Literal text in a pattern is folded the same way as messages, so patterns are
written with accents or without, as reads best; letters people type for one another that
folding keeps apart (Polish ł and l, Arabic and Urdu forms of yeh, kaf and heh) match
either way.
"""

from __future__ import annotations

import enum
import re
from dataclasses import dataclass

from bot.answers import fold

CATEGORIES = ("self_harm", "abuse_at_home", "danger_now", "exploitation", "weapon_fear")
GAP = r"(?:\w+ ){0,4}"  # what ` ... ` stands for: up to four other words
# Letters typed for one another that fold keeps apart; a pattern's letter matches any of them.
LOOKALIKES = {"ł": "lł", "l": "lł", "ی": "یيى", "ي": "یيى", "ى": "یيى", "ک": "کك",
              "ك": "کك", "ہ": "ہهة", "ه": "ہهة", "ة": "ہهة"}
_APOSTROPHES = re.compile(r"['’‘`´ʼ]")
_NOT_WORD = re.compile(r"[\W_]+")
# Regex syntax kept as written; every other run of characters is literal text, folded.
_SYNTAX = re.compile(r"\\.|\{[a-z_]+\}|\{\d*,?\d*\}|\(\?(?:[:!=]|<[!=])|[()\[\]|?*+.^$]|\s+")


class Severity(enum.IntEnum):
    """How soon a person must look, in triage order: the highest first."""

    CONCERN = 1
    AT_RISK = 2
    DANGER_NOW = 3


@dataclass(frozen=True)
class Finding:
    """What a message suggests, and the language of the pattern file that matched."""

    severity: Severity
    category: str
    language: str


@dataclass(frozen=True)
class Pattern:
    """One pattern as written in a file, and the regular expression it compiles to."""

    category: str
    severity: Severity
    source: str
    regex: str


@dataclass(frozen=True)
class PatternSet:
    """One language's file: its patterns and the examples it must and must not catch."""

    language: str
    patterns: tuple[Pattern, ...]
    must_match: tuple[tuple[str, str], ...]  # (category, example)
    must_not_match: tuple[str, ...]

    def catches(self, text: str, category: str) -> bool:
        """Whether a pattern of this file's `category` matches `text` (for validation)."""
        said = normalise(text)
        return any(re.search(whole_words(p.regex), said)
                   for p in self.patterns if p.category == category)


def normalise(text: str) -> str:
    """A message as patterns see it: folded, apostrophes dropped, words one space apart."""
    return _NOT_WORD.sub(" ", _APOSTROPHES.sub("", fold(text))).strip()


def compile_pattern(source: str, words: dict[str, str] | None = None) -> str:
    """A pattern as written in a file -> a regular expression over normalised text.

    `{name}` stands for the compiled word list `words[name]` (KeyError if there is none)."""
    source = " ".join(re.sub(r"\s*\.\.\.\s*", " \0 ", source).split())
    out, in_class, at = [], False, 0
    for token in _SYNTAX.finditer(source):
        out.append(_literal(source[at:token.start()], in_class))
        at, text = token.end(), token.group()
        if text == "[" and not in_class:
            in_class = True
        elif text == "]" and in_class:
            in_class = False
        if text[0] == "{" and text[1:2].isalpha():
            text = f"(?:{(words or {})[text[1:-1]]})"
        out.append(" " if text.isspace() else r"\w*" if text == "*" and not in_class else text)
    out.append(_literal(source[at:], in_class))
    return "".join(out).replace("\0", GAP).replace(" " + GAP + " ", " " + GAP)


def _literal(text: str, in_class: bool) -> str:
    if not text:
        return ""
    if "\0" in text:
        return "\0".join(_literal(part, in_class) for part in text.split("\0"))
    plain = _APOSTROPHES.sub("", fold(text))
    if in_class:
        return "".join(LOOKALIKES.get(ch, ch) for ch in plain)
    plain = _NOT_WORD.sub(" ", plain)
    return "".join(f"[{LOOKALIKES[ch]}]" if ch in LOOKALIKES else re.escape(ch) for ch in plain)


def whole_words(regex: str) -> str:
    """A compiled pattern matched only as whole words."""
    return rf"(?<!\w)(?:{regex})(?!\w)"
