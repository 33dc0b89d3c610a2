"""Checking one safeguarding pattern file: its shape, its word lists, each pattern, its
examples; and turning a checked file into a `PatternSet`. The problems are messages for the
reviewer, without the file's name (bot/safeguarding/detect.py adds it)."""

from __future__ import annotations

import re

from bot.datafile import header_problems
from bot.safeguarding.patterns import (
    CATEGORIES,
    Pattern,
    PatternSet,
    Severity,
    compile_pattern,
    normalise,
    whole_words,
)

KEYS = {"language", "words", "patterns", "must_match", "must_not_match"}


def pattern_set(data: dict) -> PatternSet:
    """A checked file as its compiled patterns and examples."""
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


def examples_missed(checked: PatternSet) -> list[str]:
    """The must_match examples a file's own patterns do not catch."""
    return [f"must_match {category}: {text!r} is not caught as {category}"
            for category, text in checked.must_match
            if not checked.catches(text, category)]


def problems(data: object, lang: str) -> list[str]:
    """What is wrong with the file of `lang` (its examples aside: `examples_missed`)."""
    found = header_problems(data, lang, KEYS,
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
        regex = re.compile(whole_words(compile_pattern(source, words)))
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
