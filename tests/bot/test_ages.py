"""translations/<lang>/ages.yaml: every offered language, its examples checked when it
loads."""

import pytest

from bot import ages
from translations import data as language_files

LANGS = {"en", "ro", "pl", "tr", "bg", "ur"}


def test_every_offered_language_has_age_words():
    assert set(language_files.found(ages.KIND)) == LANGS
    assert ages.age_words().younger_than("under 13") == 13


def test_a_file_that_disagrees_with_its_examples_does_not_load(tmp_path):
    (tmp_path / "en").mkdir()
    (tmp_path / "en" / "ages.yaml").write_text(
        "younger_than: [under N]\nnot_own_age: [mum]\n"
        "younger: ['nearly 13']\nnot_younger: ['13']\n"
        "not_own: ['mum of 12']\nown: ['12']\n", encoding="utf-8")
    with pytest.raises(ValueError, match="'nearly 13' is listed under younger"):
        ages.age_words(tmp_path)


@pytest.mark.parametrize("text, ages_", [("2013", (12, 13)), ("born 1990", (35, 36)),
                                        ("1899", None), ("2027", None), ("12", None)])
def test_birth_years(text, ages_):
    assert ages.birth_years(text, 2026) == ages_
