"""A member asking to be called in plain words: the phrase files
(translations/<lang>/call.yaml), every example both ways, in every offered language."""

from __future__ import annotations

import pytest

from bot.call_phrases import KIND
from bot.optout_phrases import OptOutPhrases, read

LOADED, PROBLEMS = read(kind=KIND)
PHRASES = OptOutPhrases(tuple(LOADED))


def test_there_is_a_valid_call_phrase_file_for_every_offered_language():
    assert PROBLEMS == []
    assert {p.language for p in LOADED} == {"en", "ro", "ur", "bg", "pl", "tr"}


@pytest.mark.parametrize("text", [t for p in LOADED for t in p.must_match])
def test_each_must_match_example_asks_for_a_call(text):
    assert PHRASES.matches(text)


@pytest.mark.parametrize("text", [t for p in LOADED for t in p.must_not_match])
def test_each_must_not_match_example_is_not_a_call_request(text):
    assert not PHRASES.matches(text)
