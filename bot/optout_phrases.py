"""Opting out in plain words ("please stop texting me"), from reviewable phrase files.

One file per language in `bot/optout/<lang>.yaml` lists `exact` phrases (the whole message
is one of them: "stop please") and `contains` phrases (the message is short and holds one of
them as whole words: "stop texting"), with examples that must and must not opt out. Words
are compared after `answers.fold` (case, accents, punctuation), so "Don't" matches "dont"
only if both are listed. The rule, and why: an opt-out phrase wins over an answer only when
the message is short (at most `max_words` words) and clearly about messaging us; "police
should stop and search less" stays an answer. Wrongly opting someone out is undone with
START (the confirmation says so); wrongly keeping on texting someone who asked us to stop
is worse, so phrases about messaging us win even mid-survey, on a free-text question.

Phones slip: `slips` lists single words (STOP) that also opt out when the whole message is
that word with two neighbouring letters swapped or a letter repeated ("STPO", "stopp"),
never with a letter missing or changed ("top", "step" stay words). The engine still reads a
yes/no word or an answer to the question asked as what it is (bot/engine.py). The language
whose phrases matched is the language the person opted out in: its confirmation says so.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from bot.answers import fold
from bot.datafile import header_problems

BUNDLED = Path(__file__).resolve().parent / "optout"
KEYS = {"language", "max_words", "exact", "contains", "slips", "examples"}
MIN_SLIP = 4  # shorter words have too many neighbours that are words ("dur", "top")
_WORD = re.compile(r"\w+")
_REPEATS = re.compile(r"(\w)\1+")


def words(text: str) -> tuple[str, ...]:
    """A message as folded words: 'Don't text me!' -> ('don', 't', 'text', 'me')."""
    return tuple(_WORD.findall(fold(text)))


def slipped(typed: str, word: str) -> bool:
    """Whether `typed` is `word` with two neighbouring letters swapped or a letter repeated
    ('stpo', 'stopp' for 'stop'); not the word itself, nor one with a letter changed."""
    if typed == word:
        return False
    if _REPEATS.sub(r"\1", typed) == _REPEATS.sub(r"\1", word):
        return True
    return len(typed) == len(word) and any(
        typed == word[:i] + word[i + 1] + word[i] + word[i + 2:] for i in range(len(word) - 1))


@dataclass(frozen=True)
class Phrases:
    """One language's phrases, folded into words."""

    language: str
    max_words: int = 8
    exact: frozenset[tuple[str, ...]] = frozenset()
    contains: tuple[tuple[str, ...], ...] = ()
    slips: tuple[str, ...] = ()
    must_match: tuple[str, ...] = ()
    must_not_match: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        # Looked up as sets: every message is checked against every language.
        object.__setattr__(self, "_contains", frozenset(self.contains))
        object.__setattr__(self, "_lengths", sorted({len(p) for p in self.contains}))

    def matches(self, said: tuple[str, ...]) -> bool:
        if said in self.exact:
            return True
        if len(said) == 1 and any(slipped(said[0], word) for word in self.slips):
            return True
        if not said or len(said) > self.max_words:
            return False
        return any(said[i:i + n] in self._contains
                   for n in self._lengths for i in range(len(said) - n + 1))


@dataclass(frozen=True)
class OptOutPhrases:
    """Every language's phrases; a message opts out if any language's phrases match it."""

    languages: tuple[Phrases, ...] = field(default_factory=tuple)

    @classmethod
    def load(cls, directory: Path | str = BUNDLED) -> OptOutPhrases:
        """Read every `<lang>.yaml`; raises ValueError listing each problem."""
        loaded, problems = read(directory)
        if problems:
            raise ValueError("\n".join(problems))
        return cls(tuple(loaded))

    def matches(self, text: str) -> bool:
        return self.language(text) is not None

    def language(self, text: str, prefer: Iterable[str | None] = ()) -> str | None:
        """The language whose phrases this message matches (the first of `prefer` that
        does, else the first that does), or None: not an opt-out."""
        said = words(text)
        matched = [p.language for p in self.languages if p.matches(said)]
        return next((lang for lang in prefer if lang in matched), None) or next(
            iter(matched), None)


def read(directory: Path | str = BUNDLED) -> tuple[list[Phrases], list[str]]:
    """The phrase files below `directory` and the problems found in them (`FILE: message`)."""
    loaded, problems = [], []
    for path in sorted(Path(directory).glob("*.yaml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        found = _problems(data, path.stem)
        problems += [f"{path}: {p}" for p in found]
        if not found:
            examples = data.get("examples") or {}
            loaded.append(Phrases(
                language=data["language"], max_words=data.get("max_words", 8),
                exact=frozenset(words(p) for p in data.get("exact") or ()),
                contains=tuple(words(p) for p in data.get("contains") or ()),
                slips=tuple(fold(w) for w in data.get("slips") or ()),
                must_match=tuple(examples.get("match") or ()),
                must_not_match=tuple(examples.get("no_match") or ())))
    return loaded, problems


def _problems(data: object, stem: str) -> list[str]:
    found = header_problems(data, stem, KEYS)
    if not isinstance(data, dict):
        return found
    if not isinstance(data.get("max_words", 8), int) or data.get("max_words", 8) < 1:
        found.append("max_words must be a whole number of at least 1")
    for key in ("exact", "contains"):
        for phrase in data.get(key) or ():
            if not isinstance(phrase, str) or not words(phrase):
                found.append(f"{key}: {phrase!r} is not a phrase")
    for word in data.get("slips") or ():
        if not isinstance(word, str) or len(words(word)) != 1 or len(fold(word)) < MIN_SLIP:
            found.append(f"slips: {word!r} is not one word of at least {MIN_SLIP} letters")
    examples = data.get("examples")
    if not isinstance(examples, dict) or not examples.get("match") \
            or not examples.get("no_match"):
        found.append("examples must list messages that match and that do not (no_match)")
    return found
