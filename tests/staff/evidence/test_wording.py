"""The pack's words in one language: a count's words translated, counts kept as "2,585",
dates in the language, an English fallback, a language not offered refused."""

from __future__ import annotations

from datetime import date

import pytest

from bot import suppress
from staff.evidence.wording import Wording
from translations.catalog import Catalogs
from translations.pack_texts import PACK


def test_english_is_the_english_text_filled_in():
    w = Wording("en")
    assert w("heading-themes", themes=w.numbers(8)) == "In their own words: eight themes"
    assert w.count("fewer than 5") == "fewer than 5" and w.count("2,585") == "2,585"
    assert w.date(date(2021, 3, 21)) == "21 March 2021"
    assert w.either(["English", "Polish", "Urdu"]) == "English, Polish or Urdu"


@pytest.mark.parametrize("shown, polish", [
    (suppress.FEWER, "mniej niż 5"), (suppress.HIDDEN, "nie pokazano"), (suppress.NONE, "brak"),
    ("under 1%", "poniżej 1%"), ("at least 1,204", "co najmniej 1,204"), ("2,585", "2,585"),
    ("26%", "26%")])
def test_a_counts_words_are_translated_and_its_digits_kept(shown, polish):
    assert Wording("pl").count(shown) == polish


def test_dates_and_language_names_are_in_the_language():
    assert Wording("pl").date(date(2021, 3, 21)) == "21 marca 2021"
    assert Wording("pl").language("ro") == "rumuński"
    assert Wording("pl").language("ro", capital=True) == "Rumuński"
    assert Wording("ur").direction == "rtl" and Wording("pl").direction == "ltr"


def test_a_missing_or_broken_translation_falls_back_to_english():
    broken = Catalogs({"pl": {("pack/fewer", PACK["fewer"]): "mniej niż {próg}",
                              ("pack/survey", PACK["survey"]): "Ankieta"}})
    w = Wording("pl", broken)
    assert w("fewer") == "fewer than 5"  # a placeholder the code does not fill
    assert w("survey") == "Ankieta" and w("who") == "Who"


def test_a_language_not_offered_is_refused():
    with pytest.raises(ValueError, match="offered are en"):
        Wording("xx")


def test_a_data_files_words_are_set_apart_and_the_rest_escaped():
    w = Wording("ur")
    text = w("about", about=w.bdi("bias & <training>"))
    assert '<bdi dir="auto">bias &amp; &lt;training&gt;</bdi>' in text
    assert w("about", about="a & b") == Wording("ur").catalogs.text(
        ["ur"], "pack/about", PACK["about"]).format(about="a & b")  # plain: escaped on render
