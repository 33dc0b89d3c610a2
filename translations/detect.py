"""Guess which offered language a message is written in, or say we cannot tell.

Four signals, cheapest first (see docs/translations.md for the measurements):
1. The script: Arabic script means Urdu and Cyrillic Bulgarian when only that one is offered.
2. Phrases (`<lang>/detect.yaml`): a greeting ("Dzień dobry", "Merhaba", "Salam") or a request for a
   language ("po polsku", "Türkçe lütfen", "ne razbiram"), typed with or without accents.
3. Word signatures (`<lang>/detect.yaml`): the short common words of each language as typed on a
   phone without its own letters ("nu", "sa", "este"; "jest", "sie", "czy"; "hai", "mein",
   "aap"; "iskam", "kakvo"), English's included so that English stays English.
4. langdetect, for Latin-script text long enough to judge: seeded, and trusted alone only
   when its best guess is an offered language with probability >= 0.9.
Short replies ("yes", "ok", "tak", "1") never give a language: one word needs to be a phrase,
two words a phrase or two different words of one language, neither a reply word (yes, no,
ok). Anything unsure returns None: keep the language.
"""

from __future__ import annotations

import functools
import re
import threading
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from langdetect import DetectorFactory, detect_langs
from langdetect.lang_detect_exception import LangDetectException

from translations import data as language_files

MIN_LETTERS = 15
MIN_WORDS = 3
MIN_PROBABILITY = 0.9
GREETING_WEIGHT = 3.0  # a greeting outweighs two common words
REQUEST_WEIGHT = 5.0  # asking for a language outweighs an English sentence around it
MIN_SCORE = 2.0  # at least a phrase, or two words of the language of its own
MIN_MARGIN = 1.0  # over the next language, English included
AGREE_PROBABILITY = 0.2  # langdetect seeing the words' language at all confirms a lean
SUFFIX_MIN_LETTERS = 5
MAX_CHARS = 2000  # the start of a long message tells its language; keeps 100 KB cheap
KIND = "detect"  # translations/<lang>/detect.yaml

# Languages by the script they are written in, offered or not: a script decides only when one
# offered language uses it (tests/translations/test_languages.py checks languages.yaml agrees).
SCRIPTS = {"ARABIC": ("ur", "ar", "fa", "pa"), "CYRILLIC": ("bg", "ru", "uk", "mk", "sr")}
SECTION_KEYS = {"greetings", "requests", "alone", "words", "suffixes", "replies",
                "must_match", "must_not_match"}


_ready = threading.Lock()
_warmed = False
_WORD = re.compile(r"\w+")
_FOLDS = str.maketrans({"ł": "l", "ı": "i", "đ": "d", "ø": "o", "ß": "ss"})


def warm() -> None:
    """Seed langdetect and load its profiles once (concurrent first calls can fail)."""
    global _warmed
    with _ready:
        if not _warmed:
            DetectorFactory.seed = 0
            detect_langs("warming up the language profiles")
            signatures()
            _warmed = True


def words(text: str) -> list[str]:
    """The words of a message as matched here: no case, accents or punctuation, no digits."""
    text = unicodedata.normalize("NFKD", text.casefold())
    text = "".join(ch for ch in text if not unicodedata.combining(ch)).translate(_FOLDS)
    return [w for w in _WORD.findall(text) if not w.isdecimal() and w != "_"]


@dataclass(frozen=True)
class Signatures:
    """Per language: phrases (as word tuples) and word weights; Turkish-style suffixes."""

    phrases: dict[tuple[str, ...], tuple[str, float]]  # words -> (lang, weight)
    alone: dict[tuple[str, ...], str]  # phrases that count only as the whole message
    weights: dict[str, dict[str, float]]  # word -> {lang: weight}
    suffixes: dict[str, tuple[str, ...]]  # lang -> suffixes
    longest: int
    replies: frozenset[str] = frozenset()  # yes/no/ok words of every language


def _strings(lang: str, key: str, value: object) -> list[str]:
    if value is None:
        return []
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        raise ValueError(f"{KIND}.yaml: {lang}: '{key}' must be a list of texts")
    folded = [" ".join(words(v)) for v in value]
    repeated = sorted({v for v in folded if folded.count(v) > 1})
    if repeated:
        raise ValueError(f"{KIND}.yaml: {lang}: '{key}' lists {repeated} twice")
    return value


def parse_signatures(data: object) -> Signatures:
    """Check every language's detect.yaml ({lang: its data}) and build the matching
    tables; ValueError if wrong."""
    if not isinstance(data, dict) or not data:
        raise ValueError(f"{KIND}.yaml: one section per language expected")
    phrases: dict[tuple[str, ...], tuple[str, float]] = {}
    alone: dict[tuple[str, ...], tuple[str, float]] = {}
    seen: dict[tuple[str, ...], str] = {}  # a phrase may belong to one language, once
    owners: dict[str, list[str]] = {}
    suffixes: dict[str, tuple[str, ...]] = {}
    for lang, section in data.items():
        if not isinstance(section, dict) or set(section) - SECTION_KEYS:
            raise ValueError(f"{KIND}.yaml: {lang}: sections are {sorted(SECTION_KEYS)}")
        lists = {key: _strings(lang, key, section.get(key)) for key in SECTION_KEYS}
        if lang != "en" and not (lists["must_match"] and lists["must_not_match"]):
            raise ValueError(f"{KIND}.yaml: {lang}: must_match and must_not_match needed")
        weighted = [(p, GREETING_WEIGHT) for p in lists["greetings"]] + [
            (p, REQUEST_WEIGHT) for p in lists["requests"]] + [
            (p, 0.0) for p in lists["alone"]]
        for phrase, weight in weighted:
            key = tuple(words(phrase))
            if not key:
                raise ValueError(f"{KIND}.yaml: {lang}: phrase {phrase!r} has no words")
            if key in seen:
                raise ValueError(f"{KIND}.yaml: {lang}: phrase {phrase!r} is listed twice "
                                 f"({seen[key]} has it too)")
            seen[key] = lang
            (phrases if weight else alone)[key] = (lang, weight)
        for word in lists["words"]:
            owners.setdefault(" ".join(words(word)), []).append(lang)
        suffixes[lang] = tuple(" ".join(words(s)) for s in lists["suffixes"])
    weights = {w: {lang: 1 / len(langs) for lang in langs} for w, langs in owners.items()}
    replies = frozenset(" ".join(words(w)) for section in data.values()
                        for w in section.get("replies") or [])
    return Signatures(phrases, {k: lang for k, (lang, _) in alone.items()}, weights, suffixes,
                      max(map(len, phrases), default=1), replies)


@functools.cache
def signatures(root: Path = language_files.ROOT) -> Signatures:
    """The phrase and word tables of every language's `detect.yaml`, read and checked once."""
    return parse_signatures(language_files.sections(KIND, root))


def scores(tokens: list[str], sig: Signatures) -> tuple[dict[str, float], set[str]]:
    """Each language's score over a message's words, and the languages a phrase named."""
    found: dict[str, float] = {}
    named: set[str] = set()
    if tuple(tokens) in sig.alone:
        lang = sig.alone[tuple(tokens)]
        return {lang: REQUEST_WEIGHT}, {lang}
    i = 0
    while i < len(tokens):
        for size in range(min(sig.longest, len(tokens) - i), 0, -1):
            lang, weight = sig.phrases.get(tuple(tokens[i:i + size]), (None, 0.0))
            if lang is not None:
                found[lang] = found.get(lang, 0) + weight
                named.add(lang)
                i += size
                break
        else:
            word = tokens[i]
            for lang, weight in sig.weights.get(word, {}).items():
                found[lang] = found.get(lang, 0) + weight
            if word not in sig.weights and len(word) >= SUFFIX_MIN_LETTERS:
                for lang, ends in sig.suffixes.items():
                    if word.endswith(ends):
                        found[lang] = found.get(lang, 0) + 1
            i += 1
    return found, named


def requested(text: str, offered: Iterable[str], most_words: int = 8) -> str | None:
    """The offered language a short message asks for and does nothing else: a request or
    greeting of one language ("po polsku", "Türkçe lütfen", "in Polish please", "urdu",
    "Polish" alone), with at most common words of that language or English around it
    ("can we do this in polish"). Else None: the message may be an answer."""
    tokens = words(text[:MAX_CHARS])
    if not tokens or len(tokens) > most_words:
        return None
    offered = set(offered)
    sig = signatures()
    if tuple(tokens) in sig.alone:
        lang = sig.alone[tuple(tokens)]
        return lang if lang in offered else None
    named: set[str] = set()
    others: list[str] = []
    i = 0
    while i < len(tokens):
        for size in range(min(sig.longest, len(tokens) - i), 0, -1):
            lang, _ = sig.phrases.get(tuple(tokens[i:i + size]), (None, 0.0))
            if lang is not None:
                named.add(lang)
                i += size
                break
        else:
            others.append(tokens[i])
            i += 1
    if len(named) != 1:
        return None
    lang = named.pop()
    common = all(lang in sig.weights.get(word, {}) or "en" in sig.weights.get(word, {})
                 for word in others)
    return lang if lang in offered and common else None


def _script(ch: str) -> str:
    name = unicodedata.name(ch, "")
    return name.split(" ", 1)[0]


def _by_script(letters: list[str], offered: list[str]) -> tuple[str, str | None]:
    counts: dict[str, int] = {}
    for ch in letters:
        counts[_script(ch)] = counts.get(_script(ch), 0) + 1
    script, count = max(counts.items(), key=lambda kv: kv[1])
    if script in SCRIPTS and count >= 2 and count / len(letters) >= 0.6:
        candidates = [lang for lang in SCRIPTS[script] if lang in offered]
        if len(candidates) == 1:
            return script, candidates[0]
    return script, None


def _langdetect(text: str) -> list:
    """langdetect's guesses, best first (none when it has nothing to say)."""
    warm()
    try:
        return detect_langs(text)
    except LangDetectException:
        return []


def detect(text: str, offered: Iterable[str]) -> str | None:
    """The offered language `text` is confidently written in, else None."""
    offered = list(offered)
    text = text[:MAX_CHARS]
    letters = [ch for ch in text if ch.isalpha()]
    if not letters:
        return None
    script, by_script = _by_script(letters, offered)
    if by_script is not None:
        return by_script
    tokens = words(text)
    sig = signatures()
    found, named = scores(tokens, sig)
    # Every language listed competes (English too, offered or not); the best must be offered.
    ranked = sorted(((s, lang) for lang, s in found.items()), reverse=True)
    best_score, best = ranked[0] if ranked else (0.0, None)
    margin = best_score - (ranked[1][0] if len(ranked) > 1 else 0.0)
    if best not in offered:
        best_score, best = 0.0, None
    sure = best_score >= MIN_SCORE and margin >= MIN_MARGIN
    if len(tokens) < MIN_WORDS:  # short: a phrase, or two words of the language, not replies
        two_words = (len(set(tokens)) == 2 and not set(tokens) & sig.replies
                     and best != "en")
        return best if sure and (best in named or two_words) else None
    if sure and best != "en":  # English words only keep others out; langdetect says "en"
        return best
    if script != "LATIN" or len(letters) < MIN_LETTERS:
        return None
    guesses = _langdetect(text)
    top = guesses[0] if guesses else None
    if top is not None and top.lang in offered and top.prob >= MIN_PROBABILITY:
        return top.lang
    # Words lean one way and langdetect sees that language too, if not first: agreed.
    if best is not None and best_score >= 1 and margin > 0 and any(
            g.lang == best and g.prob >= AGREE_PROBABILITY for g in guesses):
        return best
    return None
