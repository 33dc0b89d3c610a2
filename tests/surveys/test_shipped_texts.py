"""What the shipped surveys tell people: the youth consent is truthful in every language,
and the English intros say how to choose another language."""

from __future__ import annotations

import pytest

from bot.answers import fold
from tests.helpers.surveys import make_env

ENV = make_env()
ANONYMOUS = {"en": "anonymous", "ro": "anonim", "ur": "گمنام", "bg": "анонимн",
             "pl": "anonimow", "tr": "anonim"}


def consent(lang: str) -> str:
    survey = ENV.surveys["youth-voice"]
    return ENV.catalogs.text([lang], "youth-voice/consent", survey.consent)


@pytest.mark.parametrize("lang", sorted(ANONYMOUS))
def test_the_youth_consent_says_what_is_kept_and_how_to_erase_it(lang):
    text = consent(lang)
    assert ANONYMOUS[lang] not in text.casefold()  # the number / chat id is stored
    said = set(fold(text).replace(",", " ").replace(".", " ").split())
    assert said & ENV.catalogs.words("keywords/delete", [lang], fold)  # how to erase
    assert said & ENV.catalogs.words("keywords/stop", [lang], fold)


def test_the_youth_survey_never_promises_anonymity():
    survey = ENV.surveys["youth-voice"]
    for lang in survey.languages:
        for context, source in survey.texts():
            assert ANONYMOUS[lang] not in ENV.catalogs.text([lang], context, source).casefold()


@pytest.mark.parametrize("slug", ["neighbourhood-policing", "youth-voice"])
def test_the_english_intro_says_how_to_choose_another_language(slug):
    assert ENV.surveys[slug].intro.endswith("Reply LANG for another language.")
