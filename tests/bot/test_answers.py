"""Reading answers: fold, numbers, clean_text and parse for every question type."""

from __future__ import annotations

import pytest

from bot.answers import MAX_TEXT, clean_text, fold, numbers, parse
from surveys.model import Choice, Question

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
