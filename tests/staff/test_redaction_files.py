"""The reviewed redaction files (staff/evidence/redaction/<lang>.yaml): each offered
language has every category, and every example in them is its own test, run against all
the files together (an answer is redacted by every language's rules)."""

from __future__ import annotations

import pytest

from staff.evidence import redact
from staff.evidence.redact import Redactor

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
    for category in set(redact.CATEGORIES) - redact.OPTIONAL:
        kinds = {e.said == e.shown for e in rules.examples if e.category == category}
        assert kinds == {True, False}, f"{language}: {category} lacks must or must_not"


def _cases(language: str) -> list:
    rules = BY_LANGUAGE.get(language)
    examples = rules.examples if rules else ()
    return [pytest.param(e, id=f"{e.category}-{'must_not' if e.said == e.shown else 'must'}-"
                         f"{e.said[:40]}") for e in examples]


@pytest.mark.parametrize("example", _cases("en"))
def test_english(redactor, example):
    assert redactor.redact(example.said) == example.shown


@pytest.mark.parametrize("example", _cases("ro"))
def test_romanian(redactor, example):
    assert redactor.redact(example.said) == example.shown


@pytest.mark.parametrize("example", _cases("ur"))
def test_urdu(redactor, example):
    assert redactor.redact(example.said) == example.shown


@pytest.mark.parametrize("example", _cases("bg"))
def test_bulgarian(redactor, example):
    assert redactor.redact(example.said) == example.shown


@pytest.mark.parametrize("example", _cases("pl"))
def test_polish(redactor, example):
    assert redactor.redact(example.said) == example.shown


@pytest.mark.parametrize("example", _cases("tr"))
def test_turkish(redactor, example):
    assert redactor.redact(example.said) == example.shown
