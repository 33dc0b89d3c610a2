"""The safeguarding detector: reviewable patterns per language, checked against free text.

`Detector.load()` reads `patterns/<lang>.yaml` (one file per offered language), validates
them and compiles them; `Detector.check(text)` returns the most severe `Finding` in a
message, checking every language's patterns (people mix languages, and a message's
language is often guessed wrong), or None.

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

Speed: every free-text answer goes through `check`, so all patterns of a severity are
compiled into one alternation, tried only at word starts, most severe first.
"""

from __future__ import annotations

import enum
import functools
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import yaml

try:  # the regex parser, read only to find the letters a pattern can begin with
    from re import _constants as _c
    from re import _parser
except ImportError:  # pragma: no cover - a Python without it tries every pattern everywhere
    _c = _parser = None

from bot.answers import fold
from bot.datafile import header_problems

BUNDLED = Path(__file__).resolve().parent / "patterns"
CATEGORIES = ("self_harm", "abuse_at_home", "danger_now", "exploitation", "weapon_fear")
KEYS = {"language", "words", "patterns", "must_match", "must_not_match"}
GAP = r"(?:\w+ ){0,4}"  # what ` ... ` stands for: up to four other words
# Letters typed for one another that fold keeps apart; a pattern's letter matches any of them.
LOOKALIKES = {"ł": "lł", "l": "lł", "ی": "یيى", "ي": "یيى", "ى": "یيى", "ک": "کك",
              "ك": "کك", "ہ": "ہهة", "ه": "ہهة", "ة": "ہهة"}
_SPACE = re.compile(" ")
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
        return any(re.search(_whole_words(p.regex), said)
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


def _whole_words(regex: str) -> str:
    return rf"(?<!\w)(?:{regex})(?!\w)"


class Detector:
    """Every language's patterns, compiled into alternations by the letters they begin with.

    A pattern matches from the start of a word, so at each word of a message only the
    patterns that can begin with that word's first two letters (or, for patterns that can
    begin in many ways, its first letter) are tried; what they begin with is read from the
    compiled regular expression, and a pattern whose start cannot be read is tried at every
    word. Within an alternation the most severe patterns come first, so the first match is
    the most severe there; the message's finding is the most severe of all its words'.
    """

    MAX_PAIRS = 4  # a pattern beginning with more pairs than this is filed by first letter

    def __init__(self, sets: Iterable[PatternSet]) -> None:
        self.sets = tuple(sets)
        self._names: dict[str, Finding] = {}
        pairs: dict[str, list[str]] = {}
        letters: dict[str, list[str]] = {}
        anywhere: list[str] = []
        ordered = sorted(((p, s.language) for s in self.sets for p in s.patterns),
                         key=lambda entry: -entry[0].severity)
        for pattern, language in ordered:
            name = f"g{len(self._names)}"
            self._names[name] = Finding(pattern.severity, pattern.category, language)
            group = f"(?P<{name}>{pattern.regex})(?!\\w)"
            starts = _starts(pattern.regex)
            if starts is None or "" in starts:
                anywhere.append(group)
                continue
            for letter in {start[0] for start in starts}:
                these = {start for start in starts if start[0] == letter}
                if len(these) > self.MAX_PAIRS or letter in these:
                    letters.setdefault(letter, []).append(group)
                else:
                    for pair in these:
                        pairs.setdefault(pair, []).append(group)
        self._by_pair = {pair: _alternation(groups) for pair, groups in pairs.items()}
        self._by_letter = {letter: _alternation(groups) for letter, groups in letters.items()}
        self._anywhere = _alternation(anywhere)

    @classmethod
    def load(cls, directory: Path | str = BUNDLED) -> Detector:
        """Read and check every `<lang>.yaml`; raises ValueError listing every problem."""
        sets, problems = read(directory)
        if problems:
            raise ValueError("\n".join(problems))
        return cls(sets)

    def check(self, text: str) -> Finding | None:
        """The most severe finding in `text`, checking all languages' patterns; or None."""
        said = normalise(text)
        if not said:
            return None
        best = None
        for start in (0, *(m.end() for m in _SPACE.finditer(said))):
            for regex in (self._by_pair.get(said[start:start + 2]),
                          self._by_letter.get(said[start]), self._anywhere):
                found = regex.match(said, start) if regex else None
                if found:
                    finding = self._names[found.lastgroup]
                    if best is None or finding.severity > best.severity:
                        best = finding
                        if best.severity == Severity.DANGER_NOW:
                            return best
        return best

    @property
    def languages(self) -> tuple[str, ...]:
        """The languages whose pattern files were loaded."""
        return tuple(s.language for s in self.sets)


@functools.lru_cache(maxsize=4)
def shared(directory: Path | str = BUNDLED) -> Detector:
    """One checked, compiled detector per folder and process: loading validates every
    example of every file (about a second), so it is done once, not per app."""
    return Detector.load(directory)


def _alternation(groups: list[str]) -> re.Pattern | None:
    return re.compile("|".join(groups)) if groups else None


@functools.cache
def _starts(regex: str, size: int = 2) -> frozenset[str] | None:
    """What a match of `regex` can begin with: strings of `size` letters, or shorter where
    anything may follow; None where that cannot be read."""
    try:
        found = _sequence(_parser.parse(regex).data, size)
    except Exception:  # a construct this reading does not know: try it everywhere
        return None
    return None if found is None else frozenset(text for text, _ in found)


def _sequence(items: list, size: int) -> set[tuple[str, bool]] | None:
    """(text, closed) pairs a sequence can begin with; closed: the sequence ends there."""
    building, done = {""}, set()
    for op, av in items:
        options = _item(op, av, size)
        if options is None:
            return {(text, False) for text in building} | done
        following = set()
        for text in building:
            for more, closed in options:
                joined = (text + more)[:size]
                if len(joined) < size and closed:
                    following.add(joined)
                else:
                    done.add((joined, False))
        building = following
        if not building:
            break
    return done | {(text, True) for text in building}


def _item(op: object, av: object, size: int) -> set[tuple[str, bool]] | None:
    if op is _c.LITERAL:
        return {(chr(av), True)}
    if op is _c.IN:
        if all(o is _c.LITERAL for o, _ in av):
            return {(chr(a), True) for _, a in av}
        return None
    if op is _c.SUBPATTERN:
        return _sequence(av[-1], size)
    if op is _c.BRANCH:
        found = set()
        for alternative in av[1]:
            these = _sequence(alternative, size)
            if these is None:
                return None
            found |= these
        return found
    if op in (_c.MAX_REPEAT, _c.MIN_REPEAT):
        low, high, item = av
        these = _sequence(item, size)
        if these is None:
            return None
        if high != 1:  # after one round another may follow: what comes next is unknown
            these = {(text, False) for text, _ in these}
        return these | ({("", True)} if low == 0 else set())
    if op in (_c.AT, _c.ASSERT, _c.ASSERT_NOT):
        return {("", True)}  # takes no letter: what follows decides
    return None


def read(directory: Path | str = BUNDLED) -> tuple[list[PatternSet], list[str]]:
    """The pattern files below `directory` and the problems found in them (`FILE: message`)."""
    loaded: list[tuple[Path, PatternSet]] = []
    problems: list[str] = []
    for path in sorted(Path(directory).glob("*.yaml")):
        try:
            data = yaml.safe_load(path.read_text(encoding="utf-8"))
        except yaml.YAMLError as error:
            problems.append(f"{path}: not valid YAML: {error}")
            continue
        found = _problems(data, path.stem)
        if not found:
            pattern_set = _pattern_set(data)
            found = _examples_missed(pattern_set)
            loaded.append((path, pattern_set))
        problems += [f"{path}: {p}" for p in found]
    if not problems and loaded:
        # Must-not examples are checked against every language at once, as messages are.
        everything = Detector(s for _, s in loaded)
        for path, pattern_set in loaded:
            for text in pattern_set.must_not_match:
                finding = everything.check(text)
                if finding:
                    problems.append(f"{path}: must_not_match {text!r} is caught as "
                                    f"{finding.category} by {finding.language}.yaml")
    return [s for _, s in loaded], problems


def _pattern_set(data: dict) -> PatternSet:
    words = _word_lists(data.get("words") or {})
    patterns = tuple(
        Pattern(category, Severity[severity.upper()], source, compile_pattern(source, words))
        for category, by_severity in data["patterns"].items()
        for severity, sources in by_severity.items() for source in sources)
    must_match = tuple((category, text) for category, texts in data["must_match"].items()
                       for text in texts)
    return PatternSet(data["language"], patterns, must_match, tuple(data["must_not_match"]))


def _word_lists(words: dict) -> dict[str, str]:
    return {name: "|".join(compile_pattern(str(w)) for w in alternatives)
            for name, alternatives in words.items()}


def _examples_missed(pattern_set: PatternSet) -> list[str]:
    return [f"must_match {category}: {text!r} is not caught as {category}"
            for category, text in pattern_set.must_match
            if not pattern_set.catches(text, category)]


def _problems(data: object, stem: str) -> list[str]:
    found = header_problems(data, stem, KEYS,
                            "language, words, patterns, must_match, must_not_match")
    if not isinstance(data, dict):
        return found
    word_problems, words = _words_problems(data.get("words") or {})
    found += word_problems
    patterns = data.get("patterns")
    if not isinstance(patterns, dict) or not patterns:
        found.append("patterns must map categories to severities to lists of patterns")
    else:
        for category, by_severity in patterns.items():
            found += _category_problems(category, by_severity, words)
    found += _example_problems(data.get("must_match"), data.get("must_not_match"))
    return found


def _words_problems(words: object) -> tuple[list[str], dict[str, str]]:
    """Problems in the word lists, and the lists without problems, compiled."""
    if not isinstance(words, dict):
        return ["words must map names to lists of words"], {}
    found, good = [], {}
    for name, alternatives in words.items():
        if not isinstance(name, str) or not re.fullmatch(r"[a-z_]+", name):
            found.append(f"words: {name!r} is not a name (a-z and _)")
        elif not isinstance(alternatives, list) or not alternatives:
            found.append(f"words {name}: expected a list of words")
        else:
            these = [p for word in alternatives if (p := _pattern_problem(f"words {name}", word))]
            found += these
            if not these:
                good.update(_word_lists({name: alternatives}))
    return found, good


def _category_problems(category: object, by_severity: object, words: dict[str, str]) -> list[str]:
    if category not in CATEGORIES:
        return [f"unknown category '{category}' (known: {', '.join(CATEGORIES)})"]
    if not isinstance(by_severity, dict) or not by_severity:
        return [f"{category}: expected severities (danger_now, at_risk, concern) with patterns"]
    found = []
    for severity, sources in by_severity.items():
        where = f"{category}/{severity}"
        if not isinstance(severity, str) or severity.upper() not in Severity.__members__:
            found.append(f"{category}: unknown severity '{severity}' "
                         f"(known: danger_now, at_risk, concern)")
        elif not isinstance(sources, list) or not sources:
            found.append(f"{where}: expected a list of patterns")
        else:
            found += [p for source in sources if (p := _pattern_problem(where, source, words))]
    return found


def _pattern_problem(where: str, source: object, words: dict[str, str] | None = None) -> str | None:
    source = str(source) if isinstance(source, int | float) else source
    if not isinstance(source, str) or not normalise(re.sub(r"\{[a-z_]+\}|\.\.\.", " ", source)) \
            and "{" not in source:
        return f"{where}: {source!r} is an empty pattern"
    if source.strip().startswith("...") or source.strip().endswith("..."):
        return f"{where}: {source!r}: ... stands between words, not at an end"
    if "(?P" in source:
        return f"{where}: {source!r}: named groups are not allowed"
    try:
        regex = re.compile(_whole_words(compile_pattern(source, words)))
    except KeyError as missing:
        return f"{where}: {source!r} uses {{{missing.args[0]}}}, which words does not list"
    except re.error as error:
        return f"{where}: {source!r} is not a valid pattern ({error.msg})"
    if regex.search("") or regex.search(" "):
        return f"{where}: {source!r} matches an empty message"
    return None


def _example_problems(must: object, must_not: object) -> list[str]:
    found = []
    if not isinstance(must, dict) or not must:
        found.append("must_match must map categories to example messages")
    else:
        for category, texts in must.items():
            if category not in CATEGORIES:
                found.append(f"must_match: unknown category '{category}'")
            elif not isinstance(texts, list) or not texts \
                    or not all(isinstance(t, str) and t.strip() for t in texts):
                found.append(f"must_match {category}: expected a list of example messages")
    if not isinstance(must_not, list) or not must_not \
            or not all(isinstance(t, str) and t.strip() for t in must_not):
        found.append("must_not_match must list example messages")
    return found
