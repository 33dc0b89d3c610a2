"""The reviewed redaction files (translations/<lang>/redaction.yaml): each offered
language has every category, and every example in them is its own test (one table, its
ids starting with the language), run against all the files together (an answer is redacted
by every language's rules)."""

from __future__ import annotations

import pytest

from staff.evidence import redact
from staff.evidence.redact import Redactor
from staff.evidence.redaction_rules import CATEGORIES, OPTIONAL

OFFERED = ("en", "ro", "ur", "bg", "pl", "tr")
RULES, PROBLEMS = redact.read()
BY_LANGUAGE = {r.language: r for r in RULES}


@pytest.fixture(scope="module")
def redactor() -> Redactor:
    return Redactor(RULES)


def test_the_files_load_without_problems():
    assert PROBLEMS == []


@pytest.mark.parametrize("language", OFFERED)
def test_every_offered_language_has_every_category_with_both_kinds_of_example(language):
    rules = BY_LANGUAGE[language]
    for category in set(CATEGORIES) - OPTIONAL:
        kinds = {e.said == e.shown for e in rules.examples if e.category == category}
        assert kinds == {True, False}, f"{language}: {category} lacks must or must_not"


def _cases() -> list:
    """Every example of every file, named `<language>-<category>-must|must_not-<text>`, so
    that `-k "en-"` runs one language's table."""
    return [pytest.param(e, id=f"{r.language}-{e.category}-"
                         f"{'must_not' if e.said == e.shown else 'must'}-{e.said[:40]}")
            for r in RULES for e in r.examples]


@pytest.mark.parametrize("example", _cases())
def test_each_example_as_the_file_says(redactor, example):
    assert redactor.redact(example.said) == example.shown


@pytest.mark.parametrize("language", OFFERED)
def test_every_language_has_its_table(language):
    assert any(param.id.startswith(f"{language}-") for param in _cases())
