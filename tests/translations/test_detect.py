"""Language detection: script first, langdetect only on long Latin text, None when unsure."""

from __future__ import annotations

import pytest

from translations.detect import detect

OFFERED = ["en", "ro", "ur", "bg", "pl", "tr"]

# What residents write back, about feeling safe in the neighbourhood.
SENTENCES = {
    "en": [
        "I do not feel safe walking home from the station at night.",
        "There are not enough police officers on foot in my street.",
        "The street lights near the park have been broken for months.",
    ],
    "ro": [
        "Nu mă simt în siguranță când mă întorc acasă seara de la stație.",
        "Ar trebui să fie mai multă lumină pe stradă și mai mulți polițiști.",
        "Copiii mei nu au unde să se joace în siguranță după școală.",
    ],
    "pl": [
        "Nie czuję się bezpiecznie, kiedy wracam wieczorem do domu z pracy.",
        "Na naszej ulicy potrzebne jest lepsze oświetlenie i więcej patroli policji.",
        "Młodzież nie ma gdzie spędzać czasu po szkole.",
    ],
    "tr": [
        "Akşamları eve yürürken kendimi güvende hissetmiyorum.",
        "Sokağımızda daha fazla polis devriyesi ve daha iyi aydınlatma olmalı.",
        "Gençler için okuldan sonra güvenli yerler yok.",
    ],
    "bg": [
        "Не се чувствам в безопасност, когато се прибирам вечер.",
        "На нашата улица трябва да има повече полиция.",
    ],
    "ur": [
        "میں رات کو اپنے محلے میں محفوظ محسوس نہیں کرتا۔",
        "ہماری گلی میں روشنی بہت کم ہے۔",
    ],
}
CASES = [(lang, text) for lang, texts in SENTENCES.items() for text in texts]


@pytest.mark.parametrize("text", ["yes", "ok", "no", "tak", "da", "nu", "evet", "nie", "1", "22",
                                  "👍", "", "   ", "!!!", "Yes please", "OK thanks", "yes I do",
                                  "Nu știu", "Tak, oczywiście", "Evet, katılıyorum", "3, 5"])
def test_short_replies_give_no_language(text):
    assert detect(text, OFFERED) is None


@pytest.mark.parametrize(("lang", "text"), CASES)
def test_sentences_in_offered_languages(lang, text):
    assert detect(text, OFFERED) == lang


@pytest.mark.parametrize(("lang", "text"), CASES)
def test_sentences_in_a_language_not_offered(lang, text):
    assert detect(text, [x for x in OFFERED if x != lang]) is None


@pytest.mark.parametrize(("text", "offered", "expected"), [
    # The script decides, even for one word, when it allows one offered language.
    ("ہاں", OFFERED, "ur"),
    ("да", OFFERED, "bg"),
    ("да", ["en", "ro"], None),
    ("Не се чувствам в безопасност, когато се прибирам вечер.", ["en", "ro", "pl"], None),
    # Russian comes back as Bulgarian when that is the only Cyrillic language offered.
    ("Я не чувствую себя в безопасности, когда возвращаюсь домой вечером.", OFFERED, "bg"),
    ("Я не чувствую себя в безопасности, когда возвращаюсь домой вечером.", ["en", "pl"], None),
    # One letter of a script is not enough; a script must be most of the letters.
    ("ب", OFFERED, None),
    ("I feel safe, ہاں", OFFERED, None),
    # Two languages sharing the script: the script alone cannot choose.
    ("میں رات کو اپنے محلے میں محفوظ محسوس نہیں کرتا۔", ["en", "ur", "ar"], None),
])
def test_by_script(text, offered, expected):
    assert detect(text, offered) == expected


@pytest.mark.parametrize("text", [
    "Non mi sento sicuro quando torno a casa la sera dalla stazione.",
    "Nella nostra strada servono più luci e più poliziotti a piedi.",
    "No me siento seguro cuando vuelvo a casa por la noche desde la estación.",
    "En nuestra calle hacen falta más farolas y más policías.",
    "Não me sinto seguro quando volto para casa à noite.",
    "Ich fühle mich nachts auf dem Heimweg vom Bahnhof nicht sicher.",
    "Je ne me sens pas en sécurité quand je rentre le soir de la gare.",
])
def test_languages_not_offered_are_not_forced_onto_an_offered_one(text):
    assert detect(text, OFFERED) is None


@pytest.mark.parametrize(("text", "expected"), [
    # Phones often drop diacritics: Turkish and Polish survive, Romanian reads as Italian.
    ("Aksamlari eve yururken kendimi guvende hissetmiyorum.", "tr"),
    ("Nie czuje sie bezpiecznie kiedy wracam wieczorem do domu z pracy.", "pl"),
    ("Nu ma simt in siguranta cand ma intorc acasa seara de la statie.", None),
    # Urdu and Bulgarian typed in Latin letters are not recognised.
    ("Main raat ko apne mohalle mein mehfooz mehsoos nahi karta.", None),
    ("Ne se chuvstvam v bezopasnost kogato se pribiram vecher.", None),
])
def test_text_without_its_own_letters(text, expected):
    assert detect(text, OFFERED) == expected


def test_detection_is_repeatable():
    text = "Na naszej ulicy potrzebne jest lepsze oświetlenie i więcej patroli policji."
    assert {detect(text, OFFERED) for _ in range(5)} == {"pl"}
