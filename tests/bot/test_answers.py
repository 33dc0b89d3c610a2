"""Reading answers: fold, numbers, clean_text and parse for every question type."""

from __future__ import annotations

import math
import re

import pytest

from bot.answers import (
    JOINING_WORDS,
    MAX_TEXT,
    band,
    clean_text,
    fold,
    joining_words,
    numbers,
    parse,
)
from surveys.model import Choice, Question
from translations import data as language_files

SCALE = Question(id="safe_dark", type="scale", text="How safe after dark?", min=1, max=5)
NUMBER = Question(id="years", type="number", text="How many years?", min=0, max=100)
OPEN_NUMBER = Question(id="count", type="number", text="How many?")
YESNO = Question(id="contact", type="yesno", text="Any contact with the police?")
TEXT = Question(id="build_trust", type="text", text="What could the police do?")
CHOICE = Question(
    id="treated", type="choice", text="How were you treated?",
    choices=(Choice("very_well", "Very well"), Choice("fairly_well", "Fairly well"),
             Choice("mixed", "Mixed"), Choice("not_sure", "Nu știu")),
)
# Labels as the engine passes them: the conversation's language and the survey's.
CHOICE_LABELS = {
    "very_well": ["Very well", "Foarte bine"],
    "fairly_well": ["Fairly well", "Destul de bine"],
    "mixed": ["Mixed", "Amestecat"],
    "not_sure": ["Nu știu", "Not sure"],
}
MULTI = Question(
    id="feel_safer", type="multi", text="What would make you feel safer?",
    choices=(Choice("lighting", "Better lighting"), Choice("patrols", "Police on foot"),
             Choice("cctv", "CCTV"), Choice("youth", "Youth activities")),
)
MULTI_LABELS = {c.id: [c.text] for c in MULTI.choices} | {"lighting": ["Better lighting",
                                                                       "Oświetlenie"]}
# Yes/no words as the catalogues give them (English, ro, pl, tr, ur, bg).
YES_WORDS = ["yes", "y", "yeah", "ok", "da", "tak", "evet", "ہاں", "جی", "да"]
NO_WORDS = ["no", "n", "nope", "nu", "nie", "hayır", "yok", "نہیں", "не"]


@pytest.mark.parametrize(("text", "expected"), [
    ("  Yes  ", "yes"),
    ("YES!", "yes"),
    ("  3. ", "3"),
    ("¿Qué?", "que"),
    ("Nu știu", "nu stiu"),
    ("NU ŞTIU", "nu stiu"),  # cedilla Ş as well as comma-below Ș
    ("Foarte   bine\n", "foarte bine"),
    ("۳", "3"),
    ("٣", "3"),
    ("३", "3"),
    ("ZAŻÓŁĆ", "zazołc"),  # ł is a letter of its own, not an accented l
    ("HAYIR", "hayir"),
    ("hayır", "hayir"),  # dotless ı folds like İ/I so both spellings meet
    ("DİL", "dil"),
    ("ہاں۔", "ہاں"),  # Urdu full stop is edge punctuation
    ("a\u200bb", "ab"),  # zero-width space (a format character) is dropped for matching
    ("!!!", ""),
    ("", ""),
])
def test_fold(text, expected):
    assert fold(text) == expected


@pytest.mark.parametrize(("text", "expected"), [
    ("3", [3]),
    ("  3. ", [3]),
    ("3!", [3]),
    ("۳", [3]),
    ("٣", [3]),
    ("३", [3]),
    ("۱۲", [12]),
    ("12.5", [12.5]),
    ("12,5", [12.5]),  # a decimal comma
    ("-4", [-4]),
    ("about 20 years", [20]),
    ("2 or 3", [2, 3]),
    ("three", []),
    ("", []),
])
def test_numbers(text, expected):
    found = numbers(text)
    assert found == expected
    assert [type(x) for x in found] == [type(x) for x in expected]


@pytest.mark.parametrize(("text", "expected"), [
    ("  hello  ", "hello"),
    ("\x00hi\x07 there\x1b", "hi there"),
    ("line one\nline two", "line one\nline two"),
    ("\t tab kept inside\tnot at the edge\t", "tab kept inside\tnot at the edge"),
    ("Mehr\x7f Licht", "Mehr Licht"),  # DEL is a control character too
    ("\r\nwindows\r\nline\r\n", "windows\nline"),
])
def test_clean_text(text, expected):
    assert clean_text(text) == expected


@pytest.mark.parametrize(("text", "expected"), [
    ("3", 3),
    ("  3. ", 3),
    ("3!", 3),
    ("۳", 3),
    ("٣", 3),
    ("३", 3),
    ("1", 1),
    ("5", 5),
    ("It's a 4", 4),
    ("0", None),
    ("6", None),
    ("-1", None),
    ("3.5", None),
    ("3,5", None),
    ("2 or 3", None),
    ("three", None),
    ("", None),
])
def test_parse_scale(text, expected):
    assert parse(SCALE, text) == expected


@pytest.mark.parametrize(("question", "text", "expected"), [
    (NUMBER, "12", 12),
    (NUMBER, "0", 0),
    (NUMBER, "100", 100),
    (NUMBER, "12.5", 12.5),
    (NUMBER, "12,5", 12.5),
    (NUMBER, "about 20 years", 20),
    (NUMBER, "۱۲", 12),
    (NUMBER, "١٢", 12),
    (NUMBER, "101", None),
    (NUMBER, "-1", None),
    (NUMBER, "20 or 30", None),
    (NUMBER, "twelve", None),
    (OPEN_NUMBER, "-7", -7),
    (OPEN_NUMBER, "100000", 100000),
])
def test_parse_number(question, text, expected):
    assert parse(question, text) == expected


@pytest.mark.parametrize(("text", "expected"), [
    ("1", "very_well"),
    ("  2. ", "fairly_well"),
    ("۲", "fairly_well"),
    ("4", "not_sure"),
    ("0", None),
    ("5", None),
    ("1,2", None),
    ("very well", "very_well"),
    ("VERY WELL", "very_well"),
    ("Very Well!", "very_well"),
    ("Nu știu", "not_sure"),
    ("nu stiu", "not_sure"),
    ("NU ȘTIU", "not_sure"),
    ("foarte bine", "very_well"),  # a label in another language
    ("Amestecat", "mixed"),
    ("ver", "very_well"),  # unique prefix of three letters
    ("fairly", "fairly_well"),
    ("Foarte", "very_well"),
    ("des", "fairly_well"),
    ("mi", None),  # prefix too short
    ("well", None),  # not a prefix of anything
    ("n", None),
    ("banana", None),
    ("", None),
])
def test_parse_choice(text, expected):
    assert parse(CHOICE, text, CHOICE_LABELS) == expected


def test_parse_choice_ambiguous_prefix_is_rejected():
    question = Question(id="often", type="choice", text="How often?",
                        choices=(Choice("weekly", "Every week"), Choice("monthly", "Every month"),
                                 Choice("never", "Never")))
    labels = {c.id: [c.text] for c in question.choices}
    assert parse(question, "every", labels) is None
    assert parse(question, "every w", labels) == "weekly"
    assert parse(question, "nev", labels) == "never"


def test_parse_choice_without_labels_matches_the_id_words():
    assert parse(CHOICE, "not sure") == "not_sure"
    assert parse(CHOICE, "Foarte bine") is None


@pytest.mark.parametrize(("text", "expected"), [
    ("1,3", ["lighting", "cctv"]),
    ("1 3", ["lighting", "cctv"]),
    ("1 and 3", ["lighting", "cctv"]),
    ("3, 1", ["lighting", "cctv"]),
    ("3,1,3", ["lighting", "cctv"]),
    ("1;3", ["lighting", "cctv"]),
    ("1/3", ["lighting", "cctv"]),
    ("1 & 3", ["lighting", "cctv"]),
    ("1,,3", ["lighting", "cctv"]),
    ("1, 3.", ["lighting", "cctv"]),
    ("۱،۳", ["lighting", "cctv"]),  # Urdu digits and the Arabic comma of an Urdu keyboard
    ("٤ ٢", ["patrols", "youth"]),
    ("2 3 4", ["patrols", "cctv", "youth"]),
    ("3", ["cctv"]),
    ("cctv", ["cctv"]),
    ("Better lighting, CCTV", ["lighting", "cctv"]),
    ("cctv, better lighting", ["lighting", "cctv"]),
    ("Youth activities, oświetlenie", ["lighting", "youth"]),
    ("police, youth", ["patrols", "youth"]),
    ("1,5", None),  # one bad number rejects the whole answer
    ("0 2", None),
    ("1, x", None),
    ("13", None),
    ("1.3", None),
    ("", None),
    (",", None),
])
def test_parse_multi(text, expected):
    assert parse(MULTI, text, MULTI_LABELS) == expected


@pytest.mark.parametrize(("text", "expected"), [
    ("yes", "yes"),
    ("Yes please", "yes"),
    ("YES!", "yes"),
    ("y", "yes"),
    ("ok", "yes"),
    ("1", "yes"),
    ("2", "no"),
    ("no", "no"),
    ("No thanks", "no"),
    ("nope.", "no"),
    ("da", "yes"),
    ("Tak", "yes"),
    ("Tak, oczywiście", "yes"),
    ("evet", "yes"),
    ("Да", "yes"),
    ("ہاں", "yes"),
    ("جی ہاں", "yes"),
    ("nu", "no"),
    ("Nie", "no"),
    ("hayır", "no"),
    ("HAYIR", "no"),
    ("Hayir", "no"),
    ("не", "no"),
    ("نہیں", "no"),
    ("maybe", None),
    ("yesterday", None),
    ("3", None),
    ("1 please", None),  # a bare number only
    ("", None),
])
def test_parse_yesno(text, expected):
    assert parse(YESNO, text, yes_words=YES_WORDS, no_words=NO_WORDS) == expected


def test_parse_yesno_only_knows_the_words_it_is_given():
    assert parse(YESNO, "yes") is None
    assert parse(YESNO, "1") == "yes"
    assert parse(YESNO, "2") == "no"


@pytest.mark.parametrize(("text", "expected"), [
    ("More officers walking around at night", "More officers walking around at night"),
    ("  trim me  ", "trim me"),
    ("پولیس کو زیادہ گشت کرنا چاہیے۔", "پولیس کو زیادہ گشت کرنا چاہیے۔"),
    ("Mai multă lumină 💡", "Mai multă lumină 💡"),
    ("👍", "👍"),
    ("👨\u200d👩\u200d👧 safer for families", "👨\u200d👩\u200d👧 safer for families"),
    ("می\u200cخواهم", "می\u200cخواهم"),  # zero-width non-joiner kept
    ("\u200fپولیس\u200f", "\u200fپولیس\u200f"),  # right-to-left marks kept
    ("\x00hello\x00", "hello"),
    ("bad\x1b[31m colour", "bad[31m colour"),
    ("5", "5"),
    ("!!!", None),
    ("...", None),
    ("?!", None),
    ("؟", None),
    ("@@", None),
    ("///", None),
    ("_", None),
    ("", None),
    ("   ", None),
    ("\x00\x01", None),
    ("\u200d", None),
])
def test_parse_text(text, expected):
    assert parse(TEXT, text) == expected


def test_parse_text_is_cut_at_max_text():
    long = "Ł" * (MAX_TEXT + 100)
    assert parse(TEXT, long) == "Ł" * MAX_TEXT
    assert parse(TEXT, "  " + "a" * MAX_TEXT + "b") == "a" * MAX_TEXT


def test_parse_unknown_type_is_none():
    assert parse(Question(id="x", type="ranking", text="?"), "1") is None


# Answers as people type them (issue 8, point 5) ------------------------------------------

# "and" joining numbers or choice names, in every offered language.
@pytest.mark.parametrize(("lang", "text", "expected"), [
    ("en", "1 and 3", ["lighting", "cctv"]),
    ("en", "lighting and cctv", ["lighting", "cctv"]),
    ("en", "Better lighting and CCTV", ["lighting", "cctv"]),
    ("en", "1, 2 and 4", ["lighting", "patrols", "youth"]),
    ("ro", "1 și 3", ["lighting", "cctv"]),
    ("ro", "1 si 3", ["lighting", "cctv"]),  # typed without the comma below
    ("ro", "1 ŞI 3", ["lighting", "cctv"]),  # the cedilla form of old keyboards
    ("pl", "1 i 3", ["lighting", "cctv"]),
    ("pl", "1 oraz 4", ["lighting", "youth"]),
    ("pl", "oświetlenie i cctv", ["lighting", "cctv"]),
    ("bg", "1 и 3", ["lighting", "cctv"]),
    ("bg", "1 i 3", ["lighting", "cctv"]),  # Bulgarian typed in Latin letters
    ("tr", "1 ve 3", ["lighting", "cctv"]),
    ("tr", "2 VE 4", ["patrols", "youth"]),
    ("ur", "۱ اور ۳", ["lighting", "cctv"]),
    ("ur", "1 aur 3", ["lighting", "cctv"]),  # Roman Urdu
])
def test_parse_multi_joined_by_and(lang, text, expected):
    assert parse(MULTI, text, MULTI_LABELS) == expected


@pytest.mark.parametrize("text", [
    "1 or 3", "1 lub 3", "1 sau 3", "1 veya 3", "1 или 3", "۱ یا ۳",  # undecided: asked again
    "1 iskam 3", "1 andy 3",  # a joining word inside another word joins nothing
    "1 i", "and", "i 3 i",
])
def test_parse_multi_not_joined(text):
    assert parse(MULTI, text, MULTI_LABELS) is None


@pytest.mark.parametrize("text", [
    "Better lighting and more police on foot",
    "Więcej patroli i lepsze oświetlenie",
    "1 and 3",
    "Daha fazla polis ve kamera",
])
def test_free_text_with_and_stays_text(text):
    assert parse(TEXT, text) == text


def test_a_choice_name_holding_and_is_matched_whole():
    question = Question(id="ward", type="multi", text="Which wards?", choices=(
        Choice("hale_end", "Hale End and Highams Park South"), Choice("leyton", "Leyton"),
        Choice("hale", "Hale")))
    labels = {c.id: [c.text] for c in question.choices}
    assert parse(question, "Hale End and Highams Park South", labels) == ["hale_end"]
    assert parse(question, "hale and leyton", labels) == ["leyton", "hale"]


def _joining_examples():
    for lang, section in language_files.sections(JOINING_WORDS).items():
        for example in section["joins"]:
            yield lang, example, True
        for example in section["does_not_join"]:
            yield lang, example, False


@pytest.mark.parametrize(("lang", "example", "joins"), list(_joining_examples()))
def test_joining_words_file_examples(lang, example, joins):
    words = joining_words()[lang]
    pattern = re.compile(rf"\s+(?:{'|'.join(map(re.escape, words))})\s+")
    assert bool(pattern.search(fold(example))) == joins


def test_every_offered_language_has_joining_words():
    assert set(joining_words()) == {"en", "ro", "pl", "bg", "tr", "ur"}


@pytest.mark.parametrize(("content", "problem"), [
    ("{words: [i], joins: ['1 i 3'], does_not_join: ['1 i 3']}", "'1 i 3' joins"),
    ("{words: [i], joins: ['1 lub 3'], does_not_join: ['x']}", "does not join"),
    ("{words: [i], joins: ['1 i 3']}", "'does_not_join' needs examples"),
    ("{words: ['i oraz'], joins: ['1 i 3'], does_not_join: ['x']}", "single words"),
    (None, "one section per language"),  # no language's file at all
])
def test_joining_words_file_is_validated(tmp_path, content, problem):
    if content is not None:
        (tmp_path / "pl").mkdir()
        (tmp_path / "pl" / "joining.yaml").write_text(content, encoding="utf-8")
    with pytest.raises(ValueError, match=re.escape(problem)):
        joining_words(tmp_path)


# Numbers with thousands separators: only in a number question.
@pytest.mark.parametrize(("text", "expected"), [
    ("1,000", 1000),
    ("1.000", 1000),  # ro, pl, tr, bg write thousands with a dot
    ("1 000", 1000),  # pl, bg with a space
    ("1\u00a0000", 1000),
    ("12,500", 12500),
    ("1,000,000", 1000000),
    ("1,000.5", 1000.5),
    ("1.000,5", 1000.5),
    ("about 2,000 people", 2000),
    ("۱,۰۰۰", 1000),
    ("12,5", 12.5),  # not three digits after the comma: a decimal comma
    ("12.5", 12.5),
    ("1,50", 1.5),
    ("1,0000", 1.0),
    ("1,000,5", None),  # neither grouping nor a decimal: ask again
    ("1,000 or 2,000", None),
])
def test_parse_number_thousands(text, expected):
    found = parse(OPEN_NUMBER, text)
    assert found == expected
    assert type(found) is type(expected)


@pytest.mark.parametrize(("text", "expected"), [
    ("1,3", ["lighting", "cctv"]),  # in a multi-choice question still two choices
    ("1,300", None),
])
def test_multi_is_never_read_as_thousands(text, expected):
    assert parse(MULTI, text, MULTI_LABELS) == expected


def test_scale_is_never_read_as_thousands():
    assert parse(SCALE, "1,000") is None
    assert parse(SCALE, "3,0") is None


# Age bands: the residents' and youth surveys' real options.
def _survey_question(slug: str, qid: str) -> Question:
    from pathlib import Path

    from surveys.loader import load_file
    from surveys.model import Questionnaire
    data, _ = load_file(Path(__file__).resolve().parents[2] / "surveys" / f"{slug}.yaml")
    return Questionnaire.from_definition(data, version=1).question(qid)


RESIDENTS_AGE = _survey_question("neighbourhood-policing", "age_band")
YOUTH_AGE = _survey_question("youth-voice", "age_band")


@pytest.mark.parametrize(("question", "text", "expected"), [
    (RESIDENTS_AGE, "15", "13_15"),
    (RESIDENTS_AGE, "12", "under_13"),  # an age, not an option's number: there are 10
    (RESIDENTS_AGE, "I'm 10", "under_13"),  # words around it: an age
    (RESIDENTS_AGE, "mam 7 lat", "under_13"),
    (RESIDENTS_AGE, "13", "13_15"),
    (RESIDENTS_AGE, "16", "16_24"),
    (RESIDENTS_AGE, "24", "16_24"),
    (RESIDENTS_AGE, "42", "35_44"),
    (RESIDENTS_AGE, "42 lata", "35_44"),
    (RESIDENTS_AGE, "I'm 42", "35_44"),
    (RESIDENTS_AGE, "۴۲", "35_44"),
    (RESIDENTS_AGE, "75", "75_plus"),
    (RESIDENTS_AGE, "93", "75_plus"),
    (RESIDENTS_AGE, "25-34", "25_34"),  # the range itself, typed
    (RESIDENTS_AGE, "25 to 34", "25_34"),
    (RESIDENTS_AGE, "7", "under_13"),  # a bare number is an age, never an option's number
    (RESIDENTS_AGE, "10", "under_13"),
    (RESIDENTS_AGE, "prefer_not", "prefer_not"),  # the web form posts the id
    (RESIDENTS_AGE, "42 or 43", None),
    (RESIDENTS_AGE, "0", "under_13"),
    (RESIDENTS_AGE, "1000", None),  # no age, and no birth year without a year
    (RESIDENTS_AGE, "20-30", None),  # not one of the ranges
    (YOUTH_AGE, "15", "13_15"),
    (YOUTH_AGE, "13", "13_15"),
    (YOUTH_AGE, "17", "16_17"),
    (YOUTH_AGE, "12", "under_13"),
    (YOUTH_AGE, "19", "18_24"),
    (YOUTH_AGE, "25", "over_24"),
    (YOUTH_AGE, "3", "under_13"),
    (YOUTH_AGE, "16 or 17", "16_17"),
])
def test_parse_age_band(question, text, expected):
    labels = {c.id: [c.text] for c in question.choices}
    assert parse(question, text, labels) == expected


def test_a_number_only_picks_a_range_where_the_options_are_ranges():
    assert parse(CHOICE, "15", CHOICE_LABELS) is None


@pytest.mark.parametrize(("label", "expected"), [
    ("16 to 24", (16, 24)), ("16-24", (16, 24)), ("16 – 24", (16, 24)), ("16 or 17", (16, 17)),
    ("16_24", (16, 24)), ("Under 16", (-math.inf, 15)), ("under_13", (-math.inf, 12)),
    ("75 or over", (75, math.inf)), ("75_plus", (75, math.inf)), ("75+", (75, math.inf)),
    ("over_24", (25, math.inf)), ("25 or older", (25, math.inf)),
    ("Prefer not to say", None), ("24 to 16", None), ("Very well", None), ("3", None),
])
def test_band(label, expected):
    assert band(label) == expected


# A long message holding one digit is no answer to a closed question: asked again.
LONG_STORIES = [
    "a" * 100_000 + " 3 " + "b" * 100_000,
    "x" * 100_000 + "3",
    "There was a stabbing on my road 3 weeks ago and since then I don't go out after dark",
    "Mieszkam tu od dawna i widziałam już wszystko, ale 4 razy w tym roku dzwoniłam na policję",
]


@pytest.mark.parametrize("text", LONG_STORIES)
@pytest.mark.parametrize("question", [SCALE, NUMBER, OPEN_NUMBER, RESIDENTS_AGE, MULTI, CHOICE],
                         ids=lambda q: q.type + "-" + q.id)
def test_a_digit_buried_in_a_long_text_is_no_answer(question, text):
    labels = {c.id: [c.text] for c in question.choices}
    assert parse(question, text, labels) is None


def test_a_digit_buried_in_a_long_text_is_still_a_text_answer():
    assert parse(TEXT, LONG_STORIES[2]) == LONG_STORIES[2]


@pytest.mark.parametrize("text", ["1" * 100_000, "3\n" + "word " * 20_000])
def test_huge_digit_strings_are_no_answer(text):
    assert parse(SCALE, text) is None
    assert parse(CHOICE, text, CHOICE_LABELS) is None
    assert parse(MULTI, text, MULTI_LABELS) is None
