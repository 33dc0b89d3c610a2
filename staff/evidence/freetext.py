"""Free text for the pack: coded answers, the quotes chosen for each theme, and the most
frequent phrases among answers no rule codes.

How quotes are chosen (docs/evidence-pack.md says the same to readers): for each theme, the
answers coded to it are put in groups by the same person's answer to their survey's headline
question (`role: headline`, such as trust in the police): the low, middle or high third of a
scale, each answer of a choice, or not asked. From each group in turn, the answer closest to
the group's median length is taken — not the longest, which would favour the most
articulate — preferring a language not yet quoted for that theme; ties are broken by a fixed
shuffle of the answers' numbers, so the same data always give the same quotes. The same
words are quoted once in the whole pack, only after redaction, only with at least 5 words,
and never if they raised a safeguarding alert.

The most frequent phrases among uncoded answers: two- and three-word phrases (not starting or
ending with a small word), each counted once per answer, listed from the most frequent (ties:
the most used, then the longer), only if at least 5 answers use them, and skipping a phrase
that shares a word with one already listed (so one subject is not listed five times over).
"""

from __future__ import annotations

import hashlib
import re
from collections import Counter
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from statistics import median
from typing import Any

from bot import suppress
from bot.answers import fold
from staff.evidence.queries import FreeText
from surveys.model import Question
from translations import data as language_files

STOPWORDS = "stopwords"  # translations/<lang>/stopwords.yaml
# The groups quotes are taken from in turn: a scale's thirds, then each answer of a choice
# ("answer 01", in the choices' order), then those not asked.
SCALE_LEVELS = ("low", "middle", "high")
UNKNOWN = "unknown"
MIN_WORDS = 5
MAX_WORDS = 80
# Phrases never run across a redaction mark or punctuation.
_BREAK = re.compile(r"\[[^\]]*removed\]|[.!?;:,()\"\n]")
_WORD = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)?")


@dataclass(frozen=True)
class Coded:
    """A free-text answer after redaction, with its themes."""

    answer: FreeText
    text: str  # redacted
    english: str | None  # redacted; None while not translated
    themes: frozenset[str]
    level: str = UNKNOWN  # the group its headline answer puts it in (`level`)

    @property
    def words(self) -> int:
        return len(self.text.split())


def level(headline: Question | None, value: Any) -> str:
    """The group an answer to a headline question puts a quote in: the low, middle or high
    third of a scale; a choice's own answer ("answer 01", its place among the choices);
    UNKNOWN when not asked or not understood."""
    if headline is None or value is None or isinstance(value, bool):
        return UNKNOWN
    if headline.type == "scale" and isinstance(value, int | float):
        span = (headline.max or 0) - (headline.min or 0)
        position = (value - (headline.min or 0)) / span if span else 0.5
        return SCALE_LEVELS[0 if position < 1 / 3 else 2 if position > 2 / 3 else 1]
    ids = [c.id for c in headline.choices]
    return f"answer {ids.index(value) + 1:02d}" if value in ids else UNKNOWN


def headline_text(headline: Question | None, value: Any) -> str:
    """A headline answer as a quote's caption gives it: "Trust in the police: 2 of 5" (a
    scale), "Trust in the police: A bit" (a choice); "" when not asked."""
    if headline is None or value is None or isinstance(value, bool):
        return ""
    if headline.type == "scale" and isinstance(value, int | float):
        said = f"{value:g} of {headline.max:g}"
    else:
        said = next((c.text for c in headline.choices if c.id == value), None)
        if said is None:
            return ""
    return f"{headline.measure}: {said}" if headline.measure else said


def code_all(answers: Iterable[FreeText], coder, redactor,
             headline: Question | None = None) -> list[Coded]:
    """Redact and code each answer (coding reads the words as written, before redaction);
    `headline`: the survey's headline question, which the answers' `headline` answer."""
    coded = []
    for answer in answers:
        english = answer.english if answer.translation_status == "done" else None
        if answer.language == "en":
            english = None  # the original is the English
        coded.append(Coded(answer, redactor.redact(answer.text),
                           redactor.redact(english) if english else None,
                           frozenset(coder.code(answer.text, english)),
                           level(headline, answer.headline)))
    return coded


def _tiebreak(answer_id: int) -> str:
    return hashlib.sha256(str(answer_id).encode()).hexdigest()


def choose_quotes(coded: Sequence[Coded], theme: str, used: set[str], limit: int = 3,
                  excluded: Collection[int] = ()) -> list[Coded]:
    """Up to `limit` quotes for a theme, by the rule in this module's docstring; `used`
    holds the words already quoted (and gets these); `excluded`: answers staff excluded."""
    pool = [c for c in coded if theme in c.themes and not c.answer.alerted
            and c.answer.id not in excluded
            and c.text not in used and MIN_WORDS <= c.words <= MAX_WORDS]
    levels = (*SCALE_LEVELS, *sorted({c.level for c in pool} - {*SCALE_LEVELS, UNKNOWN}),
              UNKNOWN)
    groups = {lv: [c for c in pool if c.level == lv] for lv in levels}
    chosen: list[Coded] = []
    while len(chosen) < limit and any(groups.values()):
        for lv in levels:
            if len(chosen) >= limit or not groups[lv]:
                continue
            pick = _closest_to_median(groups[lv], {c.answer.language for c in chosen})
            chosen.append(pick)
            used.add(pick.text)
            for level_pool in groups.values():
                level_pool[:] = [c for c in level_pool if c.text != pick.text]
    return chosen


def _closest_to_median(group: list[Coded], languages_quoted: set) -> Coded:
    middle = median(c.words for c in group)
    return min(group, key=lambda c: (c.answer.language in languages_quoted,
                                     abs(c.words - middle), _tiebreak(c.answer.id)))


def load_stopwords(root: Path | str = language_files.ROOT) -> dict[str, frozenset[str]]:
    """The small words per language; ValueError if one is not a word (YAML reads a bare
    no or on as true or false: quote them)."""
    data = {lang: section["words"]
            for lang, section in language_files.sections(STOPWORDS, root).items()}
    for lang, words in data.items():
        if not all(isinstance(w, str) for w in words):
            path = language_files.path(lang, STOPWORDS, root)
            raise ValueError(f"{path}: {lang}: every stop word must be a string: "
                             f"{[w for w in words if not isinstance(w, str)]}")
    return {lang: frozenset(fold(w) for w in words) for lang, words in data.items()}


def frequent_phrases(coded: Iterable[Coded], stopwords: dict[str, frozenset[str]],
                     most: int = 12) -> list[tuple[str, int]]:
    """The phrases (two or three words) found in the most answers, each answer counted once;
    only phrases in at least 5 answers (fewer could point to someone)."""
    counts: Counter = Counter()  # answers using the phrase
    uses: Counter = Counter()  # times it is used in all
    for c in coded:
        text, lang = (c.english, "en") if c.english else (c.text, c.answer.language or "en")
        found = _phrases(text, stopwords.get(lang, stopwords.get("en", frozenset())))
        counts.update(set(found))
        uses.update(found)
    listed: list[tuple[str, int]] = []
    words_listed: set[str] = set()
    ranked = sorted(counts.items(),
                    key=lambda item: (-item[1], -uses[item[0]], -len(item[0].split()), item[0]))
    for phrase, n in ranked:
        if suppress.small(n) or len(listed) >= most:  # n is 1 or more: each was found
            break
        if words_listed.isdisjoint(phrase.split()):
            listed.append((phrase, n))
            words_listed.update(phrase.split())
    return listed


def _phrases(text: str, stop: frozenset[str]) -> list[str]:
    found = []
    for part in _BREAK.split(text):
        words = [fold(w).replace("’", "'").replace("'", "") for w in _WORD.findall(part)]
        for size in (2, 3):
            for i in range(len(words) - size + 1):
                gram = words[i:i + size]
                if gram[0] in stop or gram[-1] in stop or len(set(gram)) < size:
                    continue
                found.append(" ".join(gram))
    return found
