"""The safeguarding detector: reviewable patterns per language, checked against free text.

`Detector.load()` reads `translations/<lang>/safeguarding.yaml` (one file per offered
language), checks them (checks.py) and compiles them (patterns.py, starts.py);
`Detector.check(text)` returns the most severe `Finding` in a message, checking every
language's patterns (people mix languages, and a message's language is often guessed
wrong), or None.

The pattern syntax is explained in bot/safeguarding/patterns.py and in the files' header
comments.

Speed: every free-text answer goes through `check`, so all patterns of a severity are
compiled into one alternation, tried only at word starts, most severe first.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable
from pathlib import Path

import yaml

from bot.safeguarding.checks import examples_missed, pattern_set, problems
from bot.safeguarding.patterns import Finding, PatternSet, Severity, normalise
from bot.safeguarding.starts import starts
from translations import data as language_files

KIND = "safeguarding"  # translations/<lang>/safeguarding.yaml
_SPACE = re.compile(" ")


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
            begins = starts(pattern.regex)
            if begins is None or "" in begins:
                anywhere.append(group)
                continue
            for letter in {start[0] for start in begins}:
                these = {start for start in begins if start[0] == letter}
                if len(these) > self.MAX_PAIRS or letter in these:
                    letters.setdefault(letter, []).append(group)
                else:
                    for pair in these:
                        pairs.setdefault(pair, []).append(group)
        self._by_pair = {pair: _alternation(groups) for pair, groups in pairs.items()}
        self._by_letter = {letter: _alternation(groups) for letter, groups in letters.items()}
        self._anywhere = _alternation(anywhere)

    @classmethod
    def load(cls, root: Path | str = language_files.ROOT) -> Detector:
        """Read and check every language's `safeguarding.yaml`; raises ValueError listing
        every problem."""
        sets, found = read(root)
        if found:
            raise ValueError("\n".join(found))
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
def shared(root: Path | str = language_files.ROOT) -> Detector:
    """One checked, compiled detector per folder and process: loading validates every
    example of every file (about a second), so it is done once, not per app."""
    return Detector.load(root)


def _alternation(groups: list[str]) -> re.Pattern | None:
    return re.compile("|".join(groups)) if groups else None


def read(root: Path | str = language_files.ROOT) -> tuple[list[PatternSet], list[str]]:
    """Every language's pattern file below `root` and the problems found in them
    (`FILE: message`)."""
    loaded: list[tuple[Path, PatternSet]] = []
    found_all: list[str] = []
    for lang, path in language_files.found(KIND, root).items():
        try:
            data = yaml.safe_load(path.read_text(encoding="utf-8"))
        except yaml.YAMLError as error:
            found_all.append(f"{path}: not valid YAML: {error}")
            continue
        found = problems(data, lang)
        if not found:
            checked = pattern_set(data)
            found = examples_missed(checked)
            loaded.append((path, checked))
        found_all += [f"{path}: {p}" for p in found]
    if not found_all and loaded:
        # Must-not examples are checked against every language at once, as messages are.
        everything = Detector(s for _, s in loaded)
        for path, checked in loaded:
            for text in checked.must_not_match:
                finding = everything.check(text)
                if finding:
                    found_all.append(f"{path}: must_not_match {text!r} is caught as "
                                    f"{finding.category} by {finding.language}.yaml")
    return [s for _, s in loaded], found_all
