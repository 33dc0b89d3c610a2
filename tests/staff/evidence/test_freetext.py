"""Quotes chosen for the range of views (not the longest), in turn from each group of the
headline answer (a scale's thirds, a choice's answers), never an alerted answer, never the
same words twice; frequent phrases only when at least 5 answers share them."""

from __future__ import annotations

import pytest

from staff.evidence import freetext
from staff.evidence.freetext import Coded
from staff.evidence.queries import FreeText
from surveys.model import Question, Questionnaire


def question(**q) -> Question:
    """A question as a survey (worded as no shipped survey words it) holds it."""
    return Questionnaire.from_definition({
        "slug": "our-voice", "title": "Our voice", "audience": "residents", "language": "en",
        "intro": "Hi", "outro": "Bye", "questions": [{"id": "q", "text": "?", **q}]}).questions[0]


SCALE = question(type="scale", min=0, max=10, role="headline",
                 measure="Confidence in the council")
FIVE = question(type="scale", min=1, max=5, role="headline", measure="Trust")
CHOICE = question(type="choice", choices=[{"id": "good", "text": "Good"},
                                          {"id": "so_so", "text": "So-so"},
                                          {"id": "bad", "text": "Bad"}])


def coded(i: int, text: str, trust=None, language="en", themes=("visibility",),
          alerted=False, english=None) -> Coded:
    """An answer whose headline answer is `trust` on a 1-5 scale (None: not asked)."""
    answer = FreeText(i, "our-voice", "q_words", text, language, english, "done", trust,
                      alerted)
    return Coded(answer, text, english, frozenset(themes), freetext.level(FIVE, trust))


@pytest.mark.parametrize(("question", "value", "level", "caption"), [
    (SCALE, 0, "low", "Confidence in the council: 0 of 10"),
    (SCALE, 3, "low", "Confidence in the council: 3 of 10"),
    (SCALE, 4, "middle", "Confidence in the council: 4 of 10"),
    (SCALE, 6, "middle", "Confidence in the council: 6 of 10"),
    (SCALE, 7, "high", "Confidence in the council: 7 of 10"),
    (FIVE, 2, "low", "Trust: 2 of 5"),
    (FIVE, 3, "middle", "Trust: 3 of 5"),
    (FIVE, 4, "high", "Trust: 4 of 5"),
    (CHOICE, "good", "answer 01", "Good"),
    (CHOICE, "bad", "answer 03", "Bad"),
    (CHOICE, "unheard_of", "unknown", ""),
    (SCALE, None, "unknown", ""),
    (None, 3, "unknown", ""),
])
def test_a_headline_answer_gives_a_group_and_a_caption(question, value, level, caption):
    assert freetext.level(question, value) == level
    assert freetext.headline_text(question, value) == caption


def test_the_answers_of_a_choice_take_turns_in_the_choices_order_then_the_unasked():
    pool = [Coded(FreeText(i, "our-voice", "q_words", words(8, tag=str(i)), "en", None, "done",
                           value, False), words(8, tag=str(i)), None, frozenset(["visibility"]),
                  freetext.level(CHOICE, value))
            for i, value in enumerate(["bad", "bad", None, "good", "so_so"])]
    chosen = freetext.choose_quotes(pool, "visibility", set(), limit=5)
    assert [c.answer.headline for c in chosen] == ["good", "so_so", "bad", None, "bad"]


def words(n: int, word: str = "patrol", tag: str = "") -> str:
    """n words; a tag makes the text unique (the same words are quoted once)."""
    return " ".join([word] * (n - 1) + [tag or word])


def test_one_quote_from_each_level_of_trust_before_a_second_from_any():
    pool = [coded(1, words(8, tag="a"), trust=1), coded(2, words(9, tag="b"), trust=2),
            coded(3, words(8, tag="c"), trust=3), coded(4, words(7, tag="d"), trust=5),
            coded(5, words(6, tag="e"))]
    chosen = freetext.choose_quotes(pool, "visibility", set())
    assert [c.level for c in chosen] == ["low", "middle", "high"]
    assert [c.level for c in freetext.choose_quotes(pool, "visibility", set(), 5)] == [
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
