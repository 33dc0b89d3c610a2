"""The shipped catalogues: complete for every bot text, placeholders kept, fallbacks."""

from __future__ import annotations

import re

import pytest

from tests.helpers.surveys import TRANSLATIONS
from translations.catalog import Catalogs, language_name
from translations.texts import BOT

CATALOGS = Catalogs.load(TRANSLATIONS)
OFFERED = ["ro", "ur", "bg", "pl", "tr"]
PLACEHOLDER = re.compile(r"\{[a-z_]+\}")


def test_every_shipped_language_has_a_catalogue():
    assert set(CATALOGS.languages) == {"en", *OFFERED}


@pytest.mark.parametrize("lang", OFFERED)
@pytest.mark.parametrize("key", sorted(BOT))
def test_every_bot_text_is_translated_with_its_placeholders(lang, key):
    assert CATALOGS.has(lang, f"bot/{key}", BOT[key])
    translated = CATALOGS.text([lang], f"bot/{key}", BOT[key])
    assert sorted(PLACEHOLDER.findall(translated)) == sorted(PLACEHOLDER.findall(BOT[key]))


@pytest.mark.parametrize("lang", OFFERED)
def test_no_keyword_is_also_a_yes_or_no_word(lang):
    answers = set()
    for other in ["en", *OFFERED]:
        answers |= {w.casefold() for w in CATALOGS.words("words/yes", [other])}
        answers |= {w.casefold() for w in CATALOGS.words("words/no", [other])}
    for key in [k for k in BOT if k.startswith("keywords/")]:
        clash = {w.casefold() for w in CATALOGS.words(key, [lang])} & answers
        assert clash == set(), (lang, key)


def test_lookup_falls_back_along_the_chain_then_to_the_source():
    catalogs = Catalogs({"ro": {("s/q", "Hello"): "Salut"}})
    assert catalogs.text(["pl", "ro"], "s/q", "Hello") == "Salut"
    assert catalogs.text(["pl", None], "s/q", "Hello") == "Hello"
    assert catalogs.text(["ro"], "s/q", "Hello, changed") == "Hello, changed"  # stale msgid


def test_a_translation_that_breaks_a_placeholder_falls_back_to_english():
    catalogs = Catalogs({"pl": {("bot/hint/scale", BOT["hint/scale"]): "Od {mn} do {max}"}})
    expected = "Please reply with a number from 1 to 5."
    assert catalogs.bot("pl", "hint/scale", min=1, max=5) == expected


@pytest.mark.parametrize("lang, name", [("en", "English"), ("ro", "Română"), ("ur", "اردو"),
                                        ("bg", "Български"), ("pl", "Polski"), ("tr", "Türkçe"),
                                        ("zz", "zz")])
def test_languages_are_named_in_themselves(lang, name):
    assert language_name(lang) == name


# The assembly is called one thing in each language, in whichever grammatical case.
ASSEMBLY = {  # lang: (its full name, the word alone as in "the assembly's team")
    "ro": (r"Adun(area|ării) Cetățenilor", "Adun"),
    "ur": (r"شہریوں کی اسمبلی", "اسمبلی"),
    "bg": (r"Гражданско(то)? събрание", "събрани"),
    "pl": (r"Zgromadzeni[a-zęą]* Obywatelski", "Zgromadzeni"),
    "tr": (r"Vatandaş Meclisi", "Meclis"),
}


@pytest.mark.parametrize("lang", sorted(ASSEMBLY))
def test_the_assembly_has_one_name_in_each_language(lang):
    full, word = ASSEMBLY[lang]
    named = {(ctx, source): text for (ctx, source), text in CATALOGS.entries[lang].items()
             if "assembly" in source.casefold()}
    assert len(named) > 15
    for (ctx, source), text in named.items():
        if "Citizens' Assembly" in source:
            assert re.search(full, text), (ctx, text)
        assert word in text, (ctx, text)
