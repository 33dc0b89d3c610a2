"""Free text coded to the assembly's themes by reviewable rules, one file per language.

The themes come from the assembly's theme set (assembly/: `themes:` in the assembly file),
one folder: `themes.yaml` lists the themes (order, title, what each covers, for readers) and
`<lang>.yaml` beside it holds one language's rules, in the safeguarding patterns' syntax
(whole words on folded text, `*`, `...`, `(a|b)`, `{word list}`; bot.safeguarding.patterns
compiles them), each file with examples every theme must and must not code. `en.yaml` is
required; other languages are optional. `Coder.load(folder)` checks them all: unknown keys
or themes, a theme without patterns or examples in a language, an example coded wrongly.

An answer is coded by every language's rules on its own words (people mix languages, and
a short answer's language is often guessed wrong) and by the English rules on its English
translation, when there is one (so an answer in a language without rules is coded too). It
gets every theme any of those find; none is "not coded".
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import yaml

import assembly
from bot.datafile import header_problems
from bot.safeguarding.patterns import compile_pattern, normalise

ENGLISH = "en"  # the rules every theme set has: they also code every English translation
KEYS = {"language", "words", "themes", "must_match", "must_not_match"}


@dataclass(frozen=True)
class Theme:
    id: str
    title: str
    about: str


@dataclass(frozen=True)
class RuleSet:
    """One language's rules: theme -> compiled patterns, and the file's examples."""

    language: str
    patterns: dict[str, tuple[re.Pattern, ...]]
    must_match: tuple[tuple[str, str], ...]  # (theme, example)
    must_not_match: tuple[tuple[str, str], ...]

    def themes_in(self, said: str) -> set[str]:
        """The themes whose patterns occur in `said` (already normalised)."""
        return {theme for theme, patterns in self.patterns.items()
                if any(p.search(said) for p in patterns)}


def read_themes(folder: Path | str | None = None) -> tuple[Theme, ...]:
    """A theme set's themes, in the pack's order (default: the shipped assembly's set)."""
    path = _folder(folder) / assembly.THEMES_FILE
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    if not isinstance(data, dict) or not data or not all(
            isinstance(v, dict) and isinstance(v.get("title"), str)
            and isinstance(v.get("about"), str) for v in data.values()):
        raise ValueError(f"{path}: expected each theme's id mapped to its title and about")
    return tuple(Theme(str(key), value["title"], value["about"]) for key, value in data.items())


class Coder:
    """Every language's rule set; codes an answer (and its English) to themes."""

    def __init__(self, themes: tuple[Theme, ...], sets: Iterable[RuleSet]):
        self.themes = themes
        self.sets = tuple(sets)
        self._english = next((s for s in self.sets if s.language == ENGLISH), None)

    @classmethod
    def load(cls, folder: Path | str | None = None) -> Coder:
        """Read and check a theme set (default: the shipped assembly's); ValueError lists
        every problem."""
        found = read_themes(folder)
        sets, problems = read(_folder(folder), found)
        if problems:
            raise ValueError("\n".join(problems))
        return cls(found, sets)

    def code(self, text: str, english: str | None = None) -> set[str]:
        """The themes of an answer: its words by every language's rules, its English
        translation by the English rules."""
        said = normalise(text)
        found = set().union(*(s.themes_in(said) for s in self.sets)) if said else set()
        if english and self._english is not None:
            found |= self._english.themes_in(normalise(english))
        return found

    def coded_by(self, text: str, theme: str) -> list[str]:
        """The languages whose rules code `text` to `theme` (for reviewing examples)."""
        said = normalise(text)
        return [s.language for s in self.sets if theme in s.themes_in(said)]


def read(folder: Path | str, themes: tuple[Theme, ...]) -> tuple[list[RuleSet], list[str]]:
    """Every language's rule file in a theme set's folder and the problems in them
    (`FILE: message`)."""
    known = [t.id for t in themes]
    loaded: list[tuple[Path, RuleSet]] = []
    problems: list[str] = []
    files = rule_files(folder)
    if ENGLISH not in files:
        problems.append(f"{Path(folder) / f'{ENGLISH}.yaml'}: missing; every theme set has "
                        "English rules (they code every answer's English translation)")
    for lang, path in files.items():
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        found = _problems(data, lang, known)
        if not found:
            rule_set = _rule_set(data)
            loaded.append((path, rule_set))
            found = [f"must_match {theme}: {text!r} is not coded {theme}"
                     for theme, text in rule_set.must_match
                     if theme not in rule_set.themes_in(normalise(text))]
        problems += [f"{path}: {p}" for p in found]
    if not problems:
        everything = Coder(themes, [s for _, s in loaded])
        for path, rule_set in loaded:
            for theme, text in rule_set.must_not_match:
                if by := everything.coded_by(text, theme):
                    problems.append(f"{path}: must_not_match {theme}: {text!r} is coded "
                                    f"{theme} by {', '.join(f'{b}.yaml' for b in by)}")
    return [s for _, s in loaded], problems


def rule_files(folder: Path | str) -> dict[str, Path]:
    """A theme set's rule files, {language: path}: every `<lang>.yaml` but themes.yaml."""
    return {p.stem: p for p in sorted(Path(folder).glob("*.yaml"))
            if p.name != assembly.THEMES_FILE}


def _folder(folder: Path | str | None) -> Path:
    return Path(folder) if folder is not None else assembly.load().themes


def _rule_set(data: dict) -> RuleSet:
    words = {name: "|".join(compile_pattern(str(w)) for w in alternatives)
             for name, alternatives in (data.get("words") or {}).items()}
    patterns = {theme: tuple(re.compile(rf"(?<!\w)(?:{compile_pattern(str(p), words)})(?!\w)")
                             for p in sources)
                for theme, sources in data["themes"].items()}
    return RuleSet(data["language"], patterns,
                   tuple((t, x) for t, texts in data["must_match"].items() for x in texts),
                   tuple((t, x) for t, texts in data["must_not_match"].items() for x in texts))


def _problems(data: object, stem: str, known: list[str]) -> list[str]:
    found = header_problems(data, stem, KEYS, "language, words, themes, must_match, "
                                              "must_not_match")
    if not isinstance(data, dict):
        return found
    words = data.get("words") or {}
    if not isinstance(words, dict) or not all(
            isinstance(v, list) and v and re.fullmatch(r"[a-z_]+", str(k))
            for k, v in words.items()):
        found.append("words must map names (a-z and _) to lists of words")
        words = {}
    for key in ("themes", "must_match", "must_not_match"):
        section = data.get(key)
        if not isinstance(section, dict):
            found.append(f"{key} must map each theme to a list")
            continue
        found += [f"{key}: unknown theme '{t}' (known: {', '.join(known)})"
                  for t in section if t not in known]
        found += [f"{key}: no entry for theme '{t}'" for t in known
                  if key != "must_not_match" and t not in section]
        for theme, items in section.items():
            if not isinstance(items, list) or not items or not all(
                    isinstance(i, str) and i.strip() for i in items):
                found.append(f"{key} {theme}: expected a list of texts")
            elif key == "themes":
                found += [p for source in items if (p := _pattern_problem(theme, source, words))]
    return found


def _pattern_problem(theme: str, source: str, words: dict) -> str | None:
    compiled = {name: "|".join(compile_pattern(str(w)) for w in alternatives)
                for name, alternatives in words.items()}
    try:
        regex = re.compile(rf"(?<!\w)(?:{compile_pattern(source, compiled)})(?!\w)")
    except KeyError as missing:
        return f"themes {theme}: {source!r} uses {{{missing.args[0]}}}, which words does not list"
    except re.error as error:
        return f"themes {theme}: {source!r} is not a valid pattern ({error.msg})"
    if regex.search("") or regex.search(" "):
        return f"themes {theme}: {source!r} matches an empty answer"
    return None
