"""Registering for the civic lottery the way residents meet it: SMS and WhatsApp through the
signed Twilio webhook, Telegram's /start link, the web form's ?code= (the letter's QR
code) and `outreach chat`, in English, Urdu, Polish and Turkish. A right code registers
(one registrant row); a used code, a closed draw, a wrong code and someone under 16 do not;
a household's second code registers a second person, never the same one twice."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from store.models import Address, Response, Survey, SurveyVersion
from surveys import registry
from tests.helpers.cli import outreach
from tests.helpers.lottery import invite, registrants
from tests.helpers.providers import TELEGRAM_SECRET, TELEGRAM_TOKEN
from tests.helpers.telegram import Person
from tests.helpers.twilio import incoming, post, said
from tests.helpers.web_form import Browser
from translations.weekdays import day_name

SLUG = "lottery-registration"
INTRO = ("Hello from Waltham Forest Council. Thank you for registering for the Citizens' "
         "Assembly lottery. Reply LANG for another language.")
OUTRO = ("Thank you, you are registered for the lottery. If you are chosen, we will message "
         "you to confirm. Reply DELETE at any time to withdraw.")
USED = ("This code has already been used to register. Each code registers one person: if "
        "someone else in your home wants to register, use the other code on your letter.")
# Age, name, phone, weekends, gender, ethnic group, disability, area, ward, access needs.
ANSWERS = ["34", "Sam Smith", "07700 900123", "1,3", "1", "4", "3", "3", "6", "SKIP"]


@pytest.fixture
def config(twilio_config, telegram_api):
    return {**twilio_config, "TELEGRAM_BOT_TOKEN": TELEGRAM_TOKEN,
            "TELEGRAM_WEBHOOK_SECRET": TELEGRAM_SECRET, "TELEGRAM_API_BASE_URL": telegram_api.url}


@pytest.fixture
def client(app, surveys):
    return app.test_client()


def text(client, sender: str, *messages: str) -> list[list[str]]:
    """Each message sent by SMS or WhatsApp, a person's pace apart, and the texts of its
    TwiML answer."""
    clock = client.application.extensions["outreach"].clock
    replies = []
    for message in messages:
        clock.advance(timedelta(seconds=20))
        replies.append(said(post(client, incoming(sender, message))))
    return replies


def shown(rt, lang: str, key: str) -> str:
    """The registration's text `key` (intro, consent, outro) in `lang`."""
    with rt.sessions() as session:
        survey = registry.current(session)[SLUG]
    return rt.catalogs.text([lang], f"{SLUG}/{key}", getattr(survey, key))


def registration_responses(rt) -> int:
    with rt.sessions() as session:
        return len(session.scalars(
            select(Response.id).join(SurveyVersion).join(Survey)
            .where(Survey.slug == SLUG)).all())


def test_sms_registers_a_household_one_code_one_person(client, rt):
    made = invite(rt)
    first, second = made.codes[0]
    replies = text(client, "+447700900501", "REGISTER k7p m3q-xaf", "YES", *ANSWERS)
    assert replies[0][0] == INTRO and replies[-1] == [OUTRO]
    [registrant] = registrants(rt)
    assert (registrant.status, registrant.channel, registrant.language) == (
        "registered", "sms", "en")
    assert registrant.letter_id == made.letters[0] and registrant.response_id is not None
    # The same person with the other code on the letter: refused, nothing more made.
    [[again]] = text(client, "+447700900501", f"REGISTER {second}")
    assert again.startswith("You are already registered for the lottery")
    # Someone else at the address with the second code: registered too.
    assert text(client, "+447700900502", second, "YES", *ANSWERS)[-1] == [OUTRO]
    # A third person with the first code: it is used.
    assert text(client, "+447700900503", f"REGISTER {first}") == [[USED]]
    assert [r.letter_id for r in registrants(rt)] == [made.letters[0]] * 2
    assert len({r.contact_id for r in registrants(rt)}) == 2


def test_sms_a_closed_draw_a_wrong_code_and_register_alone(client, rt, clock):
    invite(rt, closes=clock() - timedelta(days=1))
    assert text(client, "+447700900511", "REGISTER K7P-M3Q-XAF") == [[
        "Registration for the lottery closed on Sunday 1 March. Thank you for your interest."]]
    ask, wrong = text(client, "+447700900512", "REGISTER", "K7P-M3Q-XAA")
    assert ask == ["Please send the registration code printed on your letter. It looks like "
                   "K7P-M3Q-XAF."]
    assert wrong == ["We could not find that code. Please check it and send it again: codes "
                     "look like K7P-M3Q-XAF. Reply HELP for help."]
    assert registrants(rt) == [] and registration_responses(rt) == 0


def test_sms_under_16_is_screened_out_and_not_registered(client, rt):
    invite(rt)
    *_, [thanks] = text(client, "+447700900521", "REGISTER HR4T9WCEN", "YES", "15")
    assert thanks == ("Thank you for your interest. The assembly is for people aged 16 and "
                      "over, so we have not kept your answers. Age typed by mistake? Reply "
                      "HELP to contact the council.")
    assert registrants(rt) == [] and registration_responses(rt) == 0


def test_whatsapp_in_urdu_with_a_code_typed_with_an_s(client, rt):
    invite(rt)
    sender = "whatsapp:+447700900531"
    intro, consent = text(client, sender, "mxs ydj 7ua", "اردو")
    assert intro[0] == INTRO
    assert consent[-1] == shown(rt, "ur", "consent")
    replies = text(client, sender, "ہاں", *ANSWERS)
    assert replies[-1] == [shown(rt, "ur", "outro")]
    [registrant] = registrants(rt)
    assert (registrant.channel, registrant.language) == ("whatsapp", "ur")


def test_telegram_start_link_in_polish(app, client, rt, senders, clock, telegram_api):
    invite(rt)
    person = Person(client, rt, senders, clock, telegram_api, chat="5001", lang="pl")
    intro, consent = person.send("/start HR4T9WCEN")
    assert intro["text"] == shown(rt, "pl", "intro")
    person.tap("Tak")
    for answer in ANSWERS:
        *_, last = person.send(answer)
    assert last["text"] == shown(rt, "pl", "outro")
    [registrant] = registrants(rt)
    assert (registrant.channel, registrant.language) == ("telegram", "pl")


def test_outreach_chat_in_turkish(app, rt, surveys):
    invite(rt)
    script = "\n".join(["REGISTER MX5-YDJ-7UC", "Türkçe", "evet", *ANSWERS]) + "\n"
    result = outreach(app, "chat", "--from", "07700 900541", input=script)
    assert result.exit_code == 0, result.output
    assert shown(rt, "tr", "outro") in result.output
    [registrant] = registrants(rt)
    assert (registrant.channel, registrant.language) == ("sms", "tr")


WEB = [  # (the question the page asks, what the visitor does)
    ("Do you agree to take part?", ("choose", "I agree")),
    ("How old are you?", ("choose", "25 to 34")),
    ("What is your full name?", ("type", "Robin Web")),
    ("What mobile number can we text or call you on about the assembly?",
     ("type", "07700 900551")),
    ("Which assembly weekends can you come to (one or more)?",
     ("choose", "Sat 17 and Sun 18 April 2027")),
    ("How would you describe your gender?", ("choose", "Man")),
    ("What is your ethnic group?", ("choose", "Prefer not to say")),
    ("Does a disability or long-term condition limit", ("choose", "No")),
    ("Which part of Waltham Forest do you live in?", ("choose", "Walthamstow")),
    ("Which ward do you live in?", ("choose", "Hoe Street")),
    ("Is there anything we should arrange", ("skip",)),
]


def test_the_web_form_with_the_letters_code_registers_and_keeps_the_phone(app, rt, surveys):
    invite(rt)
    browser = Browser(app)
    page = browser.open(f"/s/{SLUG}?code=K7PM3QXAF")
    for question, (action, *values) in WEB:
        assert page.question.startswith(question), (page.question, question)
        page = (browser.choose(*values) if action == "choose" else
                browser.send(skip=True) if action == "skip" else browser.send(values[0]))
    assert page.said == ["Thank you, you are registered for the lottery. If you are chosen, "
                         "we will message you to confirm."]  # the web leaves "Reply…" out
    [registrant] = registrants(rt)
    assert (registrant.channel, registrant.language) == ("web", "en")
    with rt.sessions() as session:
        tel = session.scalar(select(Address).where(Address.scheme == "tel"))
    assert (tel.value, tel.contact_id) == ("+447700900551", registrant.contact_id)


def test_the_web_form_without_a_code_asks_for_it_first(app, rt, surveys):
    invite(rt)
    browser = Browser(app)
    page = browser.open(f"/s/{SLUG}")
    assert page.question == ("Please send the registration code printed on your letter. It "
                             "looks like K7P-M3Q-XAF.")
    page = browser.send("hr4t-9wc-en")
    assert page.question == "Do you agree to take part?"
    assert registrants(rt) == [] and registration_responses(rt) == 0
    assert "lottery-registration" not in browser.client.get("/").text  # never listed


def progress(page) -> tuple[int, int]:
    bar = page.one("progress")
    return int(bar.attrs["value"]) + 1, int(bar.attrs["max"])


def test_the_web_form_keeps_the_code_across_languages_and_reads_as_a_form(app, rt, surveys):
    invite(rt)
    browser = Browser(app)
    browser.open(f"/s/{SLUG}?code=K7PM3QXAF")
    page = browser.open(f"/s/{SLUG}?lang=ur")  # the page's language link: the code stays
    assert page.question == rt.catalogs.bot("ur", "web/consent-question")
    page = browser.choose(rt.catalogs.bot("ur", "web/agree"))
    page = browser.choose(shown_choice(rt, "ur", "age_band/25_34"))
    page = browser.open(f"/s/{SLUG}?lang=en")  # switching mid-way keeps the registration
    assert page.question == "What is your full name?"
    totals = {progress(page)[1]}
    page = browser.send("")  # a required box left empty: its hint beside it
    assert page.error().text == "Error: Write your answer in the box."
    assert page.one("textarea", name="answer").attrs["aria-invalid"] == "true"
    page = browser.send("Robin Web")
    field = page.one("input", name="answer")  # one line, the phone's keypad
    assert field.attrs["type"] == "tel"
    page = browser.send("020 7946 0000")  # a landline: the lottery could not text it
    assert page.error().text == ("Error: Enter a mobile number, such as 07700 900123: the "
                                 "lottery's messages come by text.")
    page = browser.send("07700 900561")
    assert page.question == "Which assembly weekends can you come to (one or more)?"
    assert "e.g." not in page.html and "Pick all" not in page.html  # the SMS hint: SMS only
    page = browser.choose("Sat 17 and Sun 18 April 2027", "Sat 15 and Sun 16 May 2027")
    for label in ("Woman", "Prefer not to say", "No", "Leyton/Leytonstone", "Forest"):
        totals.add(progress(page)[1])
        page = browser.choose(label)
    assert page.question.startswith("Is there anything we should arrange")
    assert progress(page) == (10, 10) and totals == {10}  # one count all the way
    page = browser.send("")  # optional, left empty: Continue moves on, no error
    assert page.error() is None and page.said[0].startswith("Thank you, you are registered")
    [registrant] = registrants(rt)
    assert registrant.channel == "web"


def test_the_web_form_asks_for_the_code_in_one_line(app, rt, surveys):
    browser = Browser(app)
    page = browser.open(f"/s/{SLUG}")
    field = page.one("input", name="answer")
    assert field.attrs["type"] == "text" and not page.all("textarea")


def shown_choice(rt, lang: str, key: str) -> str:
    with rt.sessions() as session:
        survey = registry.current(session)[SLUG]
    question_id, choice_id = key.split("/")
    source = next(c.text for c in survey.question(question_id).choices if c.id == choice_id)
    return rt.catalogs.text([lang], f"{SLUG}/{key}", source)


def test_sms_a_registrant_writing_again_is_told_they_are_registered(client, rt, clock):
    invite(rt, closes=clock() + timedelta(days=30))
    text(client, "+447700900571", "Dzień dobry, chcę się zarejestrować K7P-M3Q-XAF", "TAK",
         *ANSWERS)
    [registrant] = registrants(rt)
    assert registrant.language == "pl"
    hello, restart = text(client, "+447700900571", "dzień dobry", "RESTART")
    closes = (clock() + timedelta(days=30)).astimezone(rt.settings.timezone).date()
    assert hello == restart == [rt.catalogs.bot("pl", "register-done-closes",
                                                date=day_name(closes, "pl"))]
    assert len(registrants(rt)) == 1 and registration_responses(rt) == 1
