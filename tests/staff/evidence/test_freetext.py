"""Quotes chosen for the range of views (not the longest), never an alerted answer, never
the same words twice; frequent phrases only when at least 5 answers share them."""

from __future__ import annotations

from staff.evidence import freetext
from staff.evidence.freetext import Coded
from staff.evidence.queries import FreeText


def coded(i: int, text: str, trust=None, language="en", themes=("visibility",),
          alerted=False, english=None) -> Coded:
    answer = FreeText(i, "neighbourhood-policing", "build_trust", text, language, english,
                      "done", trust, alerted)
    return Coded(answer, text, english, frozenset(themes))


def words(n: int, word: str = "patrol", tag: str = "") -> str:
    """n words; a tag makes the text unique (the same words are quoted once)."""
    return " ".join([word] * (n - 1) + [tag or word])


def test_one_quote_from_each_level_of_trust_before_a_second_from_any():
    pool = [coded(1, words(8, tag="a"), trust=1), coded(2, words(9, tag="b"), trust=2),
            coded(3, words(8, tag="c"), trust=3), coded(4, words(7, tag="d"), trust=5),
            coded(5, words(6, tag="e"))]
    chosen = freetext.choose_quotes(pool, "visibility", set())
    assert [c.trust_level for c in chosen] == ["low", "middle", "high"]
    assert [c.trust_level for c in freetext.choose_quotes(pool, "visibility", set(), 5)] == [
        "low", "middle", "high", "unknown", "low"]


def test_the_answer_nearest_the_median_length_is_chosen_not_the_longest():
    pool = [coded(1, words(6), trust=1), coded(2, words(10), trust=1),
            coded(3, words(11), trust=1), coded(4, words(60), trust=1), coded(5, words(13), 1)]
    chosen = freetext.choose_quotes(pool, "visibility", set(), limit=1)
    assert [c.answer.id for c in chosen] == [3]  # the median is 11 words


def test_a_language_not_yet_quoted_is_preferred():
    pool = [coded(1, words(8, tag="a"), trust=1), coded(2, words(8, tag="b"), trust=5),
            coded(3, words(8, "gasht"), trust=5, language="ur")]
    chosen = freetext.choose_quotes(pool, "visibility", set())
    assert [c.answer.language for c in chosen] == ["en", "ur", "en"]


def test_alerted_short_other_theme_and_already_quoted_answers_are_never_chosen():
    used = {words(7, "seen")}
    pool = [coded(1, words(8), alerted=True), coded(2, "too short"), coded(3, words(8),
                                                                        themes=("training",)),
            coded(4, words(7, "seen")), coded(5, words(9, "walk")), coded(6, words(9, "walk"))]
    chosen = freetext.choose_quotes(pool, "visibility", used)
    assert len(chosen) == 1 and chosen[0].answer.id in (5, 6)  # the same words: once
    assert words(9, "walk") in used


def test_the_same_data_give_the_same_quotes():
    pool = [coded(i, words(5 + i % 4), trust=i % 5 + 1) for i in range(40)]
    first = freetext.choose_quotes(pool, "visibility", set())
    assert first == freetext.choose_quotes(list(reversed(pool)), "visibility", set())


STOP = {"en": frozenset({"the", "in", "is", "of", "a"})}


def test_phrases_need_five_answers_and_each_answer_counts_once():
    answers = [coded(i, "drug dealing in the park, drug dealing everywhere", themes=())
               for i in range(5)]
    answers += [coded(10 + i, "e scooters on the pavement", themes=()) for i in range(4)]
    assert freetext.frequent_phrases(answers, STOP) == [("drug dealing", 5)]


def test_phrases_share_no_word_and_never_span_a_redaction_or_punctuation():
    answers = [coded(i, "dealing drugs behind the shops. Speeding cars [name removed] cars",
                     themes=()) for i in range(6)]
    found = dict(freetext.frequent_phrases(answers, STOP))
    assert "dealing drugs" in found and "speeding cars" in found
    assert not any("drugs behind" == p for p in found)  # shares "drugs" with one listed
    assert "cars cars" not in found and "shops speeding" not in found


def test_translated_answers_give_english_phrases():
    answers = [coded(i, "Handel narkotykami", language="pl", english="drug dealing",
                     themes=()) for i in range(5)]
    assert freetext.frequent_phrases(answers, STOP) == [("drug dealing", 5)]


def test_the_stop_word_file_loads_as_words():
    stop = freetext.load_stopwords()
    assert "no" in stop["en"] and "on" in stop["en"]
