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
from tests.fakes.telegram_api import FakeTelegramAPI
from tests.fakes.twilio_api import FakeTwilio
from tests.webhooks import test_telegram as telegram
from tests.webhooks import test_twilio as twilio
from tests.webhooks.test_web import RESIDENTS, Browser, assert_under_13_page

LANGUAGES = ["en", "ro", "ur", "bg", "pl", "tr"]
GREETING = {"en": "Hello", "ro": "Bună ziua", "ur": "السلام علیکم", "bg": "Здравейте",
            "pl": "Dzień dobry", "tr": "Merhaba"}
SLUG = "neighbourhood-policing"
# Consent, then the questions up to the age band (contact: no, so no follow-up), as a
# person types them; the web form posts the same values.
UP_TO_AGE = ["1", "3", "2", "1", "3", "2", "1", "More police on foot at night", "1", "5"]
UNDER_13, AGED_13_15 = "12", "13"  # ages as typed (a number is an age in years)
_numbers = itertools.count(1)
senders = telegram.senders  # the worker's senders, as `outreach worker` builds them


@pytest.fixture
def fakes():
    with FakeTwilio(twilio.ACCOUNT, twilio.TOKEN) as sms, \
            FakeTelegramAPI(telegram.TOKEN) as tg:
        yield sms, tg


@pytest.fixture
def config(config, fakes):
    sms, tg = fakes
    return {**config, "TWILIO_ACCOUNT_SID": twilio.ACCOUNT, "TWILIO_AUTH_TOKEN": twilio.TOKEN,
            "TWILIO_SMS_FROM": twilio.SMS_FROM, "TWILIO_API_BASE_URL": sms.url,
            "TELEGRAM_BOT_TOKEN": telegram.TOKEN, "TELEGRAM_WEBHOOK_SECRET": telegram.SECRET,
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
    if channel == "web":  # the link again, in another language too: thanked in theirs
        assert_under_13_page(rt, child.page, lang, survey)
        for url in (RESIDENTS, f"{RESIDENTS}?lang={'ro' if lang == 'en' else 'en'}"):
            child.page = child.browser.open(url)
            assert child.page.said == [thanks]
            assert_under_13_page(rt, child.page, lang, survey)
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
