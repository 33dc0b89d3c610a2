"""The residents' survey never keeps answers from a child under 13, on every channel and in
every offered language: the age question (`role: age` in surveys/neighbourhood-policing.yaml)
answered "Under 13" gets the survey's screen-out — thanked, everything they answered erased,
only a count kept — as the youth survey does; 13 to 15 is kept like any answer.

Each person goes through the channel they would use: SMS through the signed Twilio webhook,
Telegram through its webhook and the worker, the web form over HTTP."""

from __future__ import annotations

import itertools
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from store.models import Address, Answer, Contact, Response, ScreenOut
from tests.helpers import telegram, twilio
from tests.helpers.providers import (
    SMS_FROM,
    TELEGRAM_SECRET,
    TELEGRAM_TOKEN,
    TWILIO_ACCOUNT,
    TWILIO_TOKEN,
)
from tests.helpers.web_form import RESIDENTS, Browser, assert_under_13_page

LANGUAGES = ["en", "ro", "ur", "bg", "pl", "tr"]
GREETING = {"en": "Hello", "ro": "Bună ziua", "ur": "السلام علیکم", "bg": "Здравейте",
            "pl": "Dzień dobry", "tr": "Merhaba"}
SLUG = "neighbourhood-policing"
# Consent, then the questions up to the age band (contact: no, so no follow-up), as a
# person types them; the web form posts the same values.
UP_TO_AGE = ["1", "3", "2", "1", "3", "2", "1", "More police on foot at night", "1", "5"]
UNDER_13, AGED_13_15 = "12", "13"  # ages as typed (a number is an age in years)
_numbers = itertools.count(1)


@pytest.fixture
def fakes(twilio_api, telegram_api):
    return twilio_api, telegram_api


@pytest.fixture
def config(config, fakes):
    sms, tg = fakes
    return {**config, "TWILIO_ACCOUNT_SID": TWILIO_ACCOUNT, "TWILIO_AUTH_TOKEN": TWILIO_TOKEN,
            "TWILIO_SMS_FROM": SMS_FROM, "TWILIO_API_BASE_URL": sms.url,
            "TELEGRAM_BOT_TOKEN": TELEGRAM_TOKEN, "TELEGRAM_WEBHOOK_SECRET": TELEGRAM_SECRET,
            "TELEGRAM_API_BASE_URL": tg.url}


class Sms:
    """A resident texting the council's number: each reply comes back in Twilio's answer."""

    def __init__(self, app, lang: str, clock):
        self.client, self.number = app.test_client(), f"+4477009{next(_numbers):05d}"
        self.clock = clock

    def send(self, text: str) -> list[str]:
        self.clock.advance(timedelta(seconds=15))  # as a person types, never held back
        return twilio.said(twilio.post(self.client, twilio.incoming(self.number, text)))


class Telegram:
    """A resident writing to the bot: replies reach the chat through the worker."""

    def __init__(self, app, lang: str, rt, senders, clock, api):
        self.person = telegram.Person(app.test_client(), rt, senders, clock, api,
                                      chat=str(7000 + next(_numbers)), lang=lang)

    def send(self, text: str) -> list[str]:
        return [sent["text"] for sent in self.person.send(text)]


class Web:
    """A resident on the web form, in the language its link names (`?lang=`)."""

    def __init__(self, app, lang: str, clock):
        self.browser, self.clock = Browser(app), clock
        self.page = self.browser.open(f"{RESIDENTS}?lang={lang}")

    def send(self, text: str) -> list[str]:
        self.clock.advance(timedelta(seconds=15))
        self.page = self.browser.send(text)
        return self.page.said + ([self.page.question] if self.page.all("form") else [])


def person(channel: str, app, lang: str, rt, senders, clock, fakes):
    if channel == "sms":
        return Sms(app, lang, clock)
    if channel == "telegram":
        return Telegram(app, lang, rt, senders, clock, fakes[1])
    return Web(app, lang, clock)


def counted(rt) -> dict[str, int]:
    with rt.sessions() as db:
        return {model.__name__: db.scalar(select(func.count()).select_from(model))
                for model in (Contact, Address, Response, Answer)}


def screen_outs(rt) -> list[tuple[str, str]]:
    with rt.sessions() as db:
        return [(s.survey, s.reason) for s in db.scalars(select(ScreenOut))]


def walk_to_age(who, channel: str, lang: str, rt, surveys) -> None:
    """Start the survey in `lang` and answer up to the age question."""
    intro = rt.catalogs.text([lang], f"{SLUG}/intro", surveys[SLUG].intro)
    if channel != "web":
        assert who.send(GREETING[lang])[0] == intro  # the survey runs in their language
    for text in UP_TO_AGE:
        who.send(text)
    asked = rt.catalogs.text([lang], f"{SLUG}/age_band", "How old are you?")
    if channel == "web":
        assert who.page.question.startswith(asked)
    assert counted(rt)["Answer"] == 9  # what a child would lose: nothing is kept


@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.parametrize("channel", ["sms", "telegram", "web"])
def test_under_13_is_thanked_and_nothing_is_kept_but_13_to_15_is(
        app, rt, surveys, clock, senders, fakes, channel, lang):
    survey = surveys[SLUG]
    thanks = rt.catalogs.text([lang], f"{SLUG}/screen_out", survey.screen_out)
    assert lang == "en" or thanks != survey.screen_out  # translated
    child = person(channel, app, lang, rt, senders, clock, fakes)
    walk_to_age(child, channel, lang, rt, surveys)
    assert child.send(UNDER_13) == [thanks]
    assert counted(rt) == {"Contact": 0, "Address": 0, "Response": 0, "Answer": 0}
    assert screen_outs(rt) == [(SLUG, "age_band=under_13")]
    clock.advance(timedelta(minutes=1))
    if channel == "web":  # the link again: thanked in theirs, or in the language chosen
        assert_under_13_page(rt, child.page, lang, survey)
        other = "ro" if lang == "en" else "en"
        for url, shown in ((RESIDENTS, lang), (f"{RESIDENTS}?lang={other}", other)):
            child.page = child.browser.open(url)
            assert child.page.said == [
                rt.catalogs.text([shown], f"{SLUG}/screen_out", survey.screen_out)]
            assert_under_13_page(rt, child.page, shown, survey)
    else:  # writing again: thanked, nothing stored
        assert child.send(GREETING[lang]) == [thanks]
    assert counted(rt)["Contact"] == 0

    teenager = person(channel, app, lang, rt, senders, clock, fakes)
    walk_to_age(teenager, channel, lang, rt, surveys)
    next_question = teenager.send(AGED_13_15)
    assert next_question and next_question != [thanks]  # the survey carries on
    with rt.sessions() as db:
        [response] = db.scalars(select(Response)).all()
        kept = {a.question_id: a.value for a in db.scalars(
            select(Answer).where(Answer.response_id == response.id))}
    assert kept["age_band"] == "13_15" and len(kept) == 10
    assert screen_outs(rt) == [(SLUG, "age_band=under_13")]


# Ages as children and parents type them, by SMS ----------------------------------------
# What the person sends at the age question, and what follows: a band kept, "screened"
# (under 13: thanked, nothing kept) or "asked" (asked again for their age in years).
RESIDENTS_AGES = [
    # a bare number is an age in years, never an option's number (the SMS lists no numbers)
    ("en", "10", "screened"), ("en", "9", "screened"), ("en", "8", "screened"),
    ("en", "5", "screened"), ("ur", "۱۰", "screened"), ("en", "13", "13_15"),
    ("en", "16", "16_24"), ("en", "75", "75_plus"), ("en", "Prefer not to say", "prefer_not"),
    # ways of writing "under 13"
    ("en", "under13", "screened"), ("en", "under 13s", "screened"),
    ("en", "younger than 13", "screened"), ("en", "nearly 13", "screened"),
    ("en", "U13", "screened"), ("en", "not 13 yet", "screened"), ("en", "<13", "screened"),
    ("en", "13-", "screened"), ("ro", "mai puțin de 13", "screened"),
    ("ro", "sub 13ani", "screened"), ("pl", "mniej niż 13", "screened"),
    ("pl", "poniżej13", "screened"), ("tr", "13 yaş altı", "screened"),
    ("tr", "13 yaş altında", "screened"), ("tr", "13'ten küçük", "screened"),
    ("tr", "13 ten kucuk", "screened"), ("bg", "pod 13", "screened"),
    ("bg", "под13", "screened"), ("bg", "под 13 години", "screened"),
    ("bg", "по-малко от 13", "screened"), ("ur", "13 سے کم", "screened"),
    ("ur", "13 سال سے کم عمر", "screened"),
    # a birth year: both ages it may mean in one band, else asked again
    ("en", "2013", "asked"), ("en", "born 2013", "asked"), ("pl", "2016", "screened"),
    ("en", "born 1990", "35_44"), ("tr", "1950", "75_plus"),
    # someone else's age, or a duration: not theirs
    ("en", "mum of a 12 year old", "asked"), ("en", "I have a 10 year old", "asked"),
    ("en", "parent of 11yo", "asked"), ("en", "12 years in London", "asked"),
    ("ro", "am un copil de 10 ani", "asked"), ("pl", "mam 10-letnie dziecko", "asked"),
    ("tr", "oğlum 10 yaşında", "asked"), ("bg", "имам 10-годишно дете", "asked"),
    ("ur", "میرا ایک 10 سال کا بیٹا ہے", "asked"),
    # what worked before keeps working
    ("en", "I'm 12", "screened"), ("en", "12 years old", "screened"),
    ("en", "12yo", "screened"), ("en", "10yrs", "screened"), ("en", "age 9", "screened"),
    ("pl", "12 lat", "screened"), ("pl", "mam 12 lat", "screened"),
    ("tr", "12 yaşındayım", "screened"), ("tr", "12 yasindayim", "screened"),
    ("bg", "на 12 съм", "screened"), ("bg", "12 години", "screened"), ("bg", "на 10", "screened"),
    ("ro", "am 12 ani", "screened"), ("ro", "12 ani", "screened"),
    ("ur", "میری عمر 12 سال ہے", "screened"), ("ur", "۱۲", "screened"),
    ("ur", "١٢", "screened"), ("ur", "۱۰ سال", "screened"), ("en", "Under 13", "screened"),
    ("ro", "Sub 13", "screened"), ("pl", "Poniżej 13", "screened"), ("bg", "Под 13", "screened"),
    ("tr", "13 yaşından küçük", "screened"), ("ur", "13 سال سے کم", "screened"),
    ("en", "0-12", "screened"), ("en", "12 or younger", "screened"),
    ("ur", "۱۳", "13_15"), ("pl", "13 lat", "13_15"), ("en", "fifteen", "asked"),
]


def after_age(rt, who, lang: str, text: str, survey) -> str:
    """What became of an age answer: the band kept, "screened" or "asked" (again)."""
    said = who.send(text)
    thanks = rt.catalogs.text([lang], f"{survey.slug}/screen_out", survey.screen_out)
    if said == [thanks]:
        assert counted(rt)["Answer"] == 0 and [r for _, r in screen_outs(rt)]
        return "screened"
    if rt.catalogs.bot(lang, "hint/age") in said[0]:
        return "asked"
    with rt.sessions() as db:
        kept = {a.question_id: a.value for a in db.scalars(select(Answer))}
    return kept["age_band"]


@pytest.mark.parametrize("lang, text, outcome", RESIDENTS_AGES)
def test_residents_age_as_people_type_it_by_sms(app, rt, surveys, clock, lang, text,
                                                 outcome):
    who = Sms(app, lang, clock)
    walk_to_age(who, "sms", lang, rt, surveys)
    assert after_age(rt, who, lang, text, surveys[SLUG]) == outcome


@pytest.mark.parametrize("lang", LANGUAGES)
def test_the_sms_age_question_asks_for_years_and_lists_bands_unnumbered(
        app, rt, surveys, clock, lang):
    who = Sms(app, lang, clock)
    for text in [GREETING[lang], *UP_TO_AGE[:-1]]:
        who.send(text)
    [asked] = who.send(UP_TO_AGE[-1])
    assert rt.catalogs.bot(lang, "hint/age-how") in asked
    bands = [rt.catalogs.text([lang], f"{SLUG}/age_band/{c.id}", c.text)
             for c in surveys[SLUG].question("age_band").choices]
    assert asked.endswith("\n".join(bands))  # no "1 ", "2 " … to mistake for an age
    assert lang == "en" or rt.catalogs.bot(lang, "hint/age-how") != rt.catalogs.bot(
        "en", "hint/age-how")


YOUTH_AGES = [("en", "under13", "screened"), ("en", "nearly 13", "screened"),
              ("en", "13 yaş altı", "screened"), ("en", "2013", "asked"),
              ("en", "2", "screened"), ("en", "4", "screened"), ("en", "16", "16_17"),
              ("tr", "13'ten küçük", "screened"), ("pl", "15 lat", "13_15"),
              ("en", "mum of a 12 year old", "asked")]


@pytest.mark.parametrize("lang, text, outcome", YOUTH_AGES)
def test_youth_age_as_young_people_type_it_by_sms(app, rt, surveys, clock, lang, text,
                                                  outcome):
    who = Sms(app, lang, clock)
    who.send(GREETING[lang])  # the residents' survey in their language, then YOUTH
    for word in ["YOUTH", rt.catalogs.bot(lang, "yes")]:
        who.send(word)
    assert after_age(rt, who, lang, text, surveys["youth-voice"]) == outcome
