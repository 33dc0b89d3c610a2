"""The lottery letters' codes: unguessable, read back as people type them, stored hashed."""

from __future__ import annotations

import random

import pytest

from bot import letter_codes


def test_a_code_carries_at_least_40_bits():
    assert letter_codes.BITS >= 40


def test_a_code_is_read_back_however_it_is_typed():
    code = letter_codes.generate(random.Random(3).choice)
    printed = letter_codes.shown(code)
    assert printed.count("-") == 2 and printed.replace("-", "") == code
    for typed in (printed, printed.lower(), printed.replace("-", " "), f"  {code}\n"):
        assert letter_codes.read(typed) == code


def test_an_s_z_or_b_is_read_as_the_digit_it_looks_like():
    assert letter_codes.read("K7S-M2Q-XAF") == letter_codes.read("K7S-MZQ-XAF") == "K75M2QXAF"
    assert letter_codes.read("B") is None


def test_what_cannot_be_a_code_is_none():
    for typed in ("", "hello there", "K7P-M3Q-XA", "K7P-M3Q-XAFF", "K7P-M3Q-XA0", "K7P-M3Q-XA1"):
        assert letter_codes.read(typed) is None, typed


def test_the_stored_hash_needs_the_secret():
    code = "K7PM3QXAF"
    stored = letter_codes.digest("secret-one", code)
    assert code not in stored and len(stored) == 64
    assert letter_codes.digest("secret-one", code) == stored
    assert letter_codes.digest("secret-two", code) != stored


@pytest.mark.parametrize(("text", "code"), [
    ("Dzień dobry, chcę się zarejestrować E9C-DH4-NYR", "E9CDH4NYR"),
    ("EMR-E2F-EUP po polsku", "EMRE2FEUP"),
    ("my code is k7p m3q xaf", "K7PM3QXAF"),
    ("Hello, (K7P-M3Q-XAF) please.", "K7PM3QXAF"),
    ("code ACD-EFG-HJK", "ACDEFGHJK"),  # printed with dashes: letters alone are a code
    ("kod: k7pm3qxaf", "K7PM3QXAF"),
])
def test_a_code_is_found_in_a_sentence(text, code):
    assert letter_codes.find(text) == code


@pytest.mark.parametrize("text", [
    "wonderful weather today", "the cat sat on the mat", "REGISTERED already",
    "call me on 07700 900123", "+44 7700 900 123", "234 567 789", "234-567-789",
    "ref 2345 6789 7", "Registration", "ACDEFGHJK",  # nine letters run together: a word
    "K7P-M3Q-XAF and E9C-DH4-NYR",  # two codes: which one is meant is unclear
])
def test_words_and_phone_numbers_are_not_taken_for_codes(text):
    assert letter_codes.find(text) is None


def test_the_words_around_a_code_are_kept_without_it():
    assert letter_codes.without("EMR-E2F-EUP po polsku", "EMRE2FEUP") == "po polsku"
    assert letter_codes.without("my code is k7p m3q xaf", "K7PM3QXAF") == "my code is"
