"""Opting out in plain words ("please stop texting me"), from reviewable phrase files.

One file per language, `translations/<lang>/optout.yaml`, lists `exact` and `contains` phrases, the
`filler` words people add around them (please, thanks, "wrong number") and examples that
must and must not opt out. Words are compared after `answers.fold` (case, accents,
punctuation), so "Don't" matches "dont" only if both are listed. `...` inside a phrase stands
for up to GAP words of any kind ("przestańcie ... pisać": "przestańcie mi już pisać").

The rule, and why: a message opts out only when it is a phrase as a whole, once its filler
words are left aside ("Stop texting me please, thanks"). A `contains` phrase found inside a
longer message ("Police don't contact me", "drivers should stop texting") does not: the
message is what it says, an answer kept as written, and the reply reminds them how to stop
(`mentions`). Wrongly opting someone out loses their answer and silences them; a reminder
costs one line.

Phones slip: `slips` lists single words (STOP) that also opt out when the whole message is
that word with two neighbouring letters swapped or a letter repeated ("STPO", "stopp"),
never with a letter missing or changed ("top", "step" stay words), nor when the slip is
itself a word listed in any file's `real_words` ("stoop"). The engine still reads a yes/no
word or an answer to the question asked as what it is (bot/engine/keywords.py). The language
whose phrases matched is the language the person opted out in (bot/engine/languages.py
decides whether it becomes theirs).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from bot.answers import fold
from bot.datafile import header_problems
from translations import data as language_files

KIND = "optout"  # translations/<lang>/optout.yaml
KEYS = {"language", "exact", "contains", "filler", "slips", "real_words", "examples"}
MIN_SLIP = 4  # shorter words have too many neighbours that are words ("dur", "top")
GAP = 2  # the most words a `...` in a phrase stands for
_WORD = re.compile(r"\w+")
_REPEATS = re.compile(r"(\w)\1+")

Phrase = tuple[tuple[str, ...], ...]  # runs of words, a gap of up to GAP words between runs


def words(text: str) -> tuple[str, ...]:
    """A message as folded words: 'Don't text me!' -> ('don', 't', 'text', 'me')."""
    return tuple(_WORD.findall(fold(text)))


def phrase(text: str) -> Phrase:
    """A phrase as written in a file: 'przestańcie ... pisać' -> (('przestancie',), ('pisac',));
    a `...` at the end (or start) is an empty run: up to GAP words after (or before) it."""
    runs = tuple(words(part) for part in text.split("..."))
    return runs if any(runs) else ()


def slipped(typed: str, word: str) -> bool:
    """Whether `typed` is `word` with two neighbouring letters swapped or a letter repeated
    ('stpo', 'stopp' for 'stop'); not the word itself, nor one with a letter changed."""
    if typed == word:
        return False
    if _REPEATS.sub(r"\1", typed) == _REPEATS.sub(r"\1", word):
        return True
    return len(typed) == len(word) and any(
        typed == word[:i] + word[i + 1] + word[i] + word[i + 2:] for i in range(len(word) - 1))


def _pattern(runs: Phrase) -> str:
    inner = [run for run in runs if run]
    pattern = f"(?: \\w+){{0,{GAP}}} ".join(" ".join(map(re.escape, run)) for run in inner)
    if inner and not runs[0]:
        pattern = f"(?:\\w+ ){{0,{GAP}}}{pattern}"
    if inner and not runs[-1]:
        pattern = f"{pattern}(?: \\w+){{0,{GAP}}}"
    return pattern


def _without(said: tuple[str, ...], filler: tuple[tuple[str, ...], ...]) -> tuple[str, ...]:
    """The words left once filler words and phrases ("thank you") are taken out."""
    kept, i = [], 0
    while i < len(said):
        n = next((len(f) for f in filler if said[i:i + len(f)] == f), 0)
        if n:
            i += n
        else:
            kept.append(said[i])
            i += 1
    return tuple(kept)


@dataclass(frozen=True)
class Phrases:
    """One language's phrases, folded into words."""

    language: str
    exact: tuple[Phrase, ...] = ()
    contains: tuple[Phrase, ...] = ()
    filler: tuple[tuple[str, ...], ...] = ()
    slips: tuple[str, ...] = ()
    real_words: frozenset[str] = frozenset()
    must_match: tuple[str, ...] = ()
    must_not_match: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        filler = tuple(sorted(self.filler, key=len, reverse=True))  # "thank you" before "you"
        whole = [_pattern(tuple(_without(run, filler) for run in p))
                 for p in (*self.exact, *self.contains)]
        object.__setattr__(self, "_filler", filler)
        object.__setattr__(self, "_whole", re.compile(
            "|".join(f"(?:{p})" for p in whole if p) or "(?!)"))
        object.__setattr__(self, "_inside", re.compile(
            "|".join(f"(?<!\\S)(?:{_pattern(p)})(?!\\S)" for p in self.contains) or "(?!)"))

    def matches(self, said: tuple[str, ...]) -> bool:
        """The whole message, filler aside, is a phrase (or a slip of a `slips` word)."""
        if len(said) == 1 and any(slipped(said[0], word) for word in self.slips):
            return True
        rest = _without(said, self._filler)
        return bool(rest) and self._whole.fullmatch(" ".join(rest)) is not None

    def mentions(self, said: tuple[str, ...]) -> bool:
        """A `contains` phrase somewhere in the message."""
        return self._inside.search(" ".join(said)) is not None


@dataclass(frozen=True)
class OptOutPhrases:
    """Every language's phrases; a message opts out if any language's phrases match it."""

    languages: tuple[Phrases, ...] = field(default_factory=tuple)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_real", frozenset().union(
            *(p.real_words for p in self.languages)))

    @classmethod
    def load(cls, root: Path | str = language_files.ROOT, kind: str = KIND) -> OptOutPhrases:
        """Read every language's file of `kind`; raises ValueError listing each problem."""
        loaded, problems = read(root, kind)
        if problems:
            raise ValueError("\n".join(problems))
        return cls(tuple(loaded))

    def matches(self, text: str) -> bool:
        return self.language(text) is not None

    def language(self, text: str, prefer: Iterable[str | None] = ()) -> str | None:
        """The language whose phrases this message matches (the first of `prefer` that
        does, else the first that does), or None: not an opt-out."""
        said = words(text)
        if said and " ".join(said) in self._real:
            return None  # "stoop" is a word, not a slip of "stop"
        matched = [p.language for p in self.languages if p.matches(said)]
        return next((lang for lang in prefer if lang in matched), None) or next(
            iter(matched), None)

    def mentioned(self, text: str) -> bool:
        """Whether a longer message holds an opt-out phrase (an answer that may also mean
        "stop": the reply says how to stop)."""
        said = words(text)
        return any(p.mentions(said) for p in self.languages)


def read(root: Path | str = language_files.ROOT,
         kind: str = KIND) -> tuple[list[Phrases], list[str]]:
    """Every language's phrase file of `kind` below `root` and the problems found in them
    (`FILE: message`)."""
    loaded, problems = [], []
    for lang, path in language_files.found(kind, root).items():
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        found = _problems(data, lang)
        problems += [f"{path}: {p}" for p in found]
        if not found:
            examples = data.get("examples") or {}
            loaded.append(Phrases(
                language=data["language"],
                exact=tuple(phrase(p) for p in data.get("exact") or ()),
                contains=tuple(phrase(p) for p in data.get("contains") or ()),
                filler=tuple(words(p) for p in data.get("filler") or ()),
                slips=tuple(fold(w) for w in data.get("slips") or ()),
                real_words=frozenset(fold(w) for w in data.get("real_words") or ()),
                must_match=tuple(examples.get("match") or ()),
                must_not_match=tuple(examples.get("no_match") or ())))
    return loaded, problems


def _problems(data: object, stem: str) -> list[str]:
    found = header_problems(data, stem, KEYS)
    if not isinstance(data, dict):
        return found
    for key in ("exact", "contains", "filler"):
        for text in data.get(key) or ():
            if not isinstance(text, str) or not phrase(text):
                found.append(f"{key}: {text!r} is not a phrase")
    for word in data.get("slips") or ():
        if not isinstance(word, str) or len(words(word)) != 1 or len(fold(word)) < MIN_SLIP:
            found.append(f"slips: {word!r} is not one word of at least {MIN_SLIP} letters")
    examples = data.get("examples")
    if not isinstance(examples, dict) or not examples.get("match") \
            or not examples.get("no_match"):
        found.append("examples must list messages that match and that do not (no_match)")
    return found
