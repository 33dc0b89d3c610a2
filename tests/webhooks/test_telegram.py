"""Telegram: the webhook through Flask's test client, and the worker's sends through the real
python-telegram-bot client against the local fake Bot API (tests/fakes/telegram_api.py)."""

from __future__ import annotations

import threading
from dataclasses import replace
from datetime import timedelta

import pytest

from app import create_app
from bot import sending
from bot.delivery import Outgoing, PermanentFailure
from bot.state import Option, Reply
from store.models import Address, Answer, Contact, Message, OptOut, Response
from tests.helpers.db import count, rows
from tests.helpers.engagers import add_engager
from tests.helpers.providers import TELEGRAM_SECRET as SECRET
from tests.helpers.providers import TELEGRAM_TOKEN as TOKEN
from tests.helpers.telegram import (
    CHAT,
    CONSENT,
    INTRO,
    YOUTH_INTRO,
    Person,
    keyboard,
    post,
    update,
    update_ids,
)
from webhooks import telegram
from webhooks.senders import build as build_senders
from webhooks.telegram import TelegramSender

REMOVE = {"remove_keyboard": True}

SAFE_DAY = ("How safe do you feel in your local area during the day? 1 = very unsafe, "
            "5 = very safe")
SAFE_DARK = ("How safe do you feel in your local area after dark? 1 = very unsafe, "
             "5 = very safe")
MEDIA = "Sorry, we can only read text. Please reply in words."
SKIP_NOTE = "Reply SKIP to skip this question."
SCALE = [["1", "2", "3", "4", "5"]]


# Fixtures and helpers --------------------------------------------------------------------


@pytest.fixture
def config(config, telegram_api):
    return {**config, "TELEGRAM_BOT_TOKEN": TOKEN, "TELEGRAM_WEBHOOK_SECRET": SECRET,
            "TELEGRAM_API_BASE_URL": telegram_api.url}


@pytest.fixture
def client(app, surveys):
    return app.test_client()


@pytest.fixture
def person(client, rt, senders, clock, telegram_api):
    return Person(client, rt, senders, clock, telegram_api)


def answers_of(rt, response_id: int) -> dict:
    return {a.question_id: a.value for a in rows(rt, Answer, Answer.response_id == response_id)}


def survey_of(rt, response: Response) -> str:
    with rt.sessions() as session:
        return session.get(Response, response.id).survey_version.survey.slug


# The webhook's gate ----------------------------------------------------------------------


@pytest.mark.parametrize("secret", [None, "", "wrong-secret", SECRET[:-1], "s\u00e9cret"])
def test_a_missing_or_wrong_secret_is_refused_and_nothing_is_stored(client, rt, secret):
    response = post(client, update("Hi"), secret=secret)
    assert response.status_code == 403
    assert count(rt, Message) == 0
    assert count(rt, Contact) == 0


def test_without_a_configured_secret_every_update_is_refused(config, clock, tmp_path):
    settings = {k: v for k, v in config.items() if k != "TELEGRAM_WEBHOOK_SECRET"}
    app = create_app(settings, clock=clock)
    rt = app.extensions["outreach"]
    try:
        for secret in (None, "", SECRET):
            assert post(app.test_client(), update("Hi"), secret=secret).status_code == 403
        assert count(rt, Message) == 0
    finally:
        rt.engine.dispose()


@pytest.mark.parametrize("body", ["{not json", "[1, 2]", '"hello"', "null", "",
                                  '{"message": {"text": "Hi"}}',
                                  '{"update_id": 5, "message": "Hi"}'])
def test_a_body_that_is_not_an_update_is_ignored_with_a_200(client, rt, body):
    """Issue 8 changed this from 400: Telegram resends any non-2xx answer for a day."""
    response = post(client, body)
    assert (response.status_code, response.get_json()) == (200, {})
    assert count(rt, Message) == 0


# A whole survey --------------------------------------------------------------------------


def test_the_residents_survey_completed_over_telegram(person, rt, telegram_api):
    intro, consent = person.send("Hi")
    assert (intro["text"], intro["reply_markup"]) == (INTRO, REMOVE)
    assert (consent["text"], keyboard(consent)) == (CONSENT, [["Yes", "No"]])

    [question] = person.tap("Yes")
    assert (question["text"], keyboard(question)) == (SAFE_DAY, SCALE)
    [question] = person.tap("4")
    assert (question["text"], keyboard(question)) == (SAFE_DARK, SCALE)
    [question] = person.send("purple")  # not an answer: asked again, the hint above it
    assert question["text"] == f"Please reply with a number from 1 to 5.\n{SAFE_DARK}"
    assert keyboard(question) == SCALE

    [question] = person.tap("2")  # a multiple choice is typed as numbers: no keyboard
    assert question["text"] == (
        "What would make you feel safer? Pick all that apply, e.g. 1,3\n1 Police on foot\n"
        "2 Better lighting\n3 CCTV\n4 Youth activities\n5 Faster response\n6 Something else")
    assert question["reply_markup"] == REMOVE
    [question] = person.send("2,4")
    assert question["text"] == ("How much do you trust the police in Waltham Forest? "
                                "1 = not at all, 5 = completely")
    assert keyboard(question) == SCALE

    [question] = person.tap("3")
    assert question["text"] == (
        "In the last 12 months, have you had any contact with the police in Waltham Forest? "
        "For example reporting a crime, asking for help or being stopped.")
    assert keyboard(question) == [["Yes", "No"]]
    [question] = person.tap("Yes")
    assert question["text"] == "Overall, how were you treated by the police that time?"
    assert keyboard(question) == [["Very well"], ["Fairly well"], ["Mixed"], ["Fairly badly"],
                                  ["Very badly"]]
    [question] = person.tap("Fairly well")
    assert keyboard(question) == [["At least once a week"], ["About once a month"],
                                  ["Less often"], ["Never"], ["Not sure"]]
    [question] = person.tap("Less often")
    assert question["text"] == ("What could the police do to earn your trust? Reply in your "
                                f"own words.\n{SKIP_NOTE}")
    assert question["reply_markup"] == REMOVE

    [question] = person.send("Walk the beat, and answer our emails.")
    assert keyboard(question) == [["Yes, enough"], ["Some, but not enough"],
                                  ["No, hardly any"], ["Don't know"]]
    [question] = person.tap("Some, but not enough")
    assert question["text"].endswith(f"(0 if under 1)\n{SKIP_NOTE}")
    assert question["reply_markup"] == REMOVE
    [question] = person.send("12")
    assert question["text"] == f"How old are you?\n{SKIP_NOTE}"
    assert len(keyboard(question)) == 10
    [question] = person.tap("35 to 44")
    assert question["text"] == f"Where do you live?\n{SKIP_NOTE}"
    [question] = person.tap("Leyton/Leytonstone")
    assert question["text"] == f"Which ward do you live in?\n{SKIP_NOTE}"
    assert keyboard(question)[5] == ["Leyton"]
    [question] = person.tap("Leyton")
    assert question["text"] == f"How would you describe your gender?\n{SKIP_NOTE}"
    [question] = person.send("SKIP")
    assert question["text"] == f"What is your ethnic group?\n{SKIP_NOTE}"
    [question] = person.tap("Prefer not to say")
    assert keyboard(question) == [["Yes, a lot"], ["Yes, a little"], ["No"],
                                  ["Prefer not to say"]]
    [outro] = person.tap("No")
    assert outro["text"] == (
        "Thank you for taking part. Your answers will be part of the evidence the Citizens' "
        "Assembly hears. In an emergency always call 999.")
    assert outro["reply_markup"] == REMOVE

    [response] = rows(rt, Response)
    assert (response.status, response.channel, response.language, response.engager_code) == (
        "complete", "telegram", "en", None)
    assert survey_of(rt, response) == "neighbourhood-policing"
    assert answers_of(rt, response.id) == {
        "safe_day": 4, "safe_dark": 2, "feel_safer": ["lighting", "youth_activities"],
        "trust": 3, "contact": "yes", "contact_experience": "fairly_well",
        "see_officers": "rarely", "build_trust": "Walk the beat, and answer our emails.",
        "youth_spaces": "some", "years_lived": 12, "age_band": "35_44", "area": "leyton",
        "ward_leyton": "leyton",
        "ethnic_group": "prefer_not", "disability": "no"}
    assert count(rt, Answer) == 15  # each answer once

    inbound = rows(rt, Message, Message.direction == "in")
    assert len(inbound) == 19
    assert len({m.provider_id for m in inbound}) == 19
    assert {(m.channel, m.address) for m in inbound} == {("telegram", CHAT)}
    outbound = rows(rt, Message, Message.direction == "out")
    delivered = telegram_api.sent_to(CHAT)
    assert len(outbound) == len(delivered) == 20
    assert all(m.body in s["text"] for m, s in zip(outbound, delivered, strict=True))
    assert {m.status for m in outbound} == {"sent"}
    assert [m.provider_id for m in outbound] == [
        f"{CHAT}:{s['message_id']}" for s in telegram_api.sent_to(CHAT)]
    [address] = rows(rt, Address)
    assert (address.scheme, address.value) == ("telegram", CHAT)


@pytest.mark.parametrize("code", ["pl", "pl-PL"])
def test_the_telegram_language_code_chooses_the_language(person, rt, code):
    person.lang = code
    intro, consent = person.send("Hi")
    assert intro["text"] == (
        "Dzień dobry! Piszemy z Rady Dzielnicy Waltham Forest, współpracującej z lokalną "
        "policją. Ta krótka ankieta pomoże Zgromadzeniu Obywatelskiemu w sprawie policji "
        "dzielnicowej. Inny język: odpisz JĘZYK.")
    assert keyboard(consent) == [["Tak", "Nie"]]
    [question] = person.tap("Tak")
    assert question["text"].startswith("Jak bezpiecznie czują się Państwo w swojej okolicy")
    [contact] = rows(rt, Contact)
    assert contact.language == "pl"
    [response] = rows(rt, Response)
    assert response.language == "pl"


# /start and engagers ---------------------------------------------------------------------


@pytest.mark.parametrize("text", ["/start K7P2QX", "/start@outreach_test_bot k7p2qx"])
def test_start_with_an_engager_code_starts_the_youth_survey_attributed(person, rt, text):
    add_engager(rt, "K7P2QX")
    intro, consent = person.send(text)
    assert intro["text"] == YOUTH_INTRO
    assert keyboard(consent) == [["Yes", "No"]]
    [question] = person.tap("Yes")
    assert question["text"] == "First, how old are you?"
    assert keyboard(question) == [["Under 13"], ["13 to 15"], ["16 or 17"], ["18 to 24"],
                                  ["25 or over"]]
    [response] = rows(rt, Response)
    assert survey_of(rt, response) == "youth-voice"
    assert (response.engager_code, response.channel) == ("K7P2QX", "telegram")


@pytest.mark.parametrize("paused", [False, True])
def test_an_unknown_or_paused_code_takes_part_unattributed_without_an_error(person, rt,
                                                                             paused):
    if paused:
        add_engager(rt, "K7P2QX", paused=True)
    intro, consent = person.send("/start K7P2QX")
    assert intro["text"] == YOUTH_INTRO  # the youth survey, nothing said about the code
    person.tap("Yes")
    person.tap("16 or 17")
    [response] = rows(rt, Response)
    assert survey_of(rt, response) == "youth-voice"
    assert response.engager_code is None


def test_a_friend_finishes_the_youth_survey_in_turkish_attributed(person, rt):
    add_engager(rt, "K7P2QX")
    person.lang = "tr"
    intro, consent = person.send("/start K7P2QX")
    assert keyboard(consent) == [["Evet", "Hayır"]]
    for answer in ["Evet", "16", "4", "2", "Hayır", "1,3", "Daha çok gençlik kulübü"]:
        said = person.send(answer)
    assert "0800 1111" in said[-1]["text"]  # the Turkish outro, with Childline
    [response] = rows(rt, Response)
    assert (response.status, response.language, response.engager_code) == (
        "complete", "tr", "K7P2QX")
    assert answers_of(rt, response.id)["age_band"] == "16_17"


def test_an_engager_asks_for_prompts_and_stats_by_command(person, rt):
    add_engager(rt, "K7P2QX", telegram=CHAT)
    [pack] = person.send("/prompts")
    assert pack["text"].startswith("Week 1 conversation starters:\n- ")
    [stats] = person.send("/stats")
    assert stats["text"].splitlines()[1] == "Friends who started: fewer than 5"


def test_an_under_13_who_comes_back_is_thanked_again_and_their_chat_is_not_kept(person, rt):
    add_engager(rt, "K7P2QX")
    person.send("/start K7P2QX")
    person.tap("Yes")
    [thanks] = person.tap("Under 13")
    assert thanks["text"].startswith("Thanks for wanting to have your say!")
    for text in ["hello?", "/start K7P2QX", "/start"]:
        assert [m["text"] for m in person.send(text)] == [thanks["text"]]
    assert count(rt, Contact) == 0 and count(rt, Address) == 0 and count(rt, Response) == 0
    # Every row is final and none keeps the chat id, the thank-yous sent through the outbox
    # included; what the child wrote is kept as nothing.
    assert count(rt, Message, Message.address == CHAT) == 0
    assert {m.body for m in rows(rt, Message, Message.direction == "in")} == {""}
    assert {m.status for m in rows(rt, Message, Message.direction == "out")} == {"sent"}


@pytest.mark.parametrize("text", ["/start", "/start hello"])  # "hello" is not a code
def test_start_without_a_code_starts_the_residents_survey(person, rt, text):
    intro, _consent = person.send(text)
    assert intro["text"] == INTRO
    person.tap("Yes")
    [response] = rows(rt, Response)
    assert survey_of(rt, response) == "neighbourhood-policing"
    assert response.engager_code is None


def test_the_stop_command_opts_out(person, rt, clock):
    person.send("Hi")
    [stopped] = person.send("/stop")
    assert stopped["text"] == ("You will not get any more messages from us. Reply START if "
                               "you change your mind.")
    [contact] = rows(rt, Contact)
    assert contact.opted_out_at == clock()


@pytest.mark.parametrize(("text", "lang"), [("beni rahatsız etmeyin", "tr"), ("STPO", "en"),
                                            ("spri", "bg")])
def test_plain_words_or_a_slip_opt_out_at_the_consent_in_the_words_language(person, rt,
                                                                         text, lang):
    person.send("Hi")  # a phone set to English
    [stopped] = person.send(text)
    assert stopped["text"] == rt.catalogs.bot(lang, "stopped")
    [contact] = rows(rt, Contact)
    assert contact.opted_out_at is not None and contact.language == lang


@pytest.mark.parametrize(("text", "lang"), [("nie", "pl"), ("hayır", "tr"),
                                            ("nie, dziękuję", "pl")])
def test_a_consent_no_of_one_language_only_answers_in_that_language(person, rt, text, lang):
    person.lang = None  # no language known from the phone
    person.send("/start")
    [refused] = person.send(text)
    assert refused["text"] == rt.catalogs.bot(lang, "refused")
    [contact] = rows(rt, Contact)
    assert contact.language == lang and contact.opted_out_at is None


def test_an_english_no_at_the_consent_keeps_the_persons_language(person, rt):
    person.lang = "ur"
    person.send("/start")
    [refused] = person.send("no")
    assert refused["text"] == rt.catalogs.bot("ur", "refused")
    assert rows(rt, Contact)[0].language == "ur"


def test_stop_silences_replies_still_waiting_after_a_provider_error(person, rt, clock,
                                                                    telegram_api):
    person.send("Hi")
    telegram_api.fail_next("server")
    person.post("Yes")
    assert person.deliver() == 1  # the first question met a 500: queued for a retry
    before = len(telegram_api.sent_to(CHAT))
    person.post("STOP")
    clock.advance(timedelta(minutes=5))  # past the question's retry
    person.deliver()
    stopped = rt.catalogs.bot("en", "stopped")
    assert telegram_api.texts_to(CHAT)[before:] == [stopped]  # the confirmation alone
    question = rows(rt, Message, Message.direction == "out", Message.body == SAFE_DAY)
    assert [(m.status, m.error_code) for m in question] == [("cancelled", "opted-out")]
    # Asking for HELP while opted out is answered: they wrote to us.
    [help_reply] = person.send("HELP")
    [help_row] = rows(rt, Message, Message.direction == "out")[-1:]
    assert (help_reply["text"], help_row.status, help_row.despite_opt_out) == (
        help_row.body, "sent", True)

    # START opts back in; the cancelled question stays cancelled (START asks it anew).
    welcome, asked = person.send("START")
    assert (welcome["text"], asked["text"]) == (rt.catalogs.bot("en", "started"), SAFE_DAY)
    assert [m.status for m in rows(rt, Message, Message.id == question[0].id)] == [
        "cancelled"]


# What is not an answer -------------------------------------------------------------------


def test_an_edited_message_is_not_answered_again(person, rt, client, telegram_api):
    first = person.post("Hi")
    person.deliver()
    edit = {"update_id": next(update_ids),
            "edited_message": {**first["message"], "text": "YES", "edit_date": 1772445700}}
    response = post(client, edit)
    assert (response.status_code, response.get_json()) == (200, {})
    assert person.deliver() == 0
    assert count(rt, Message, Message.direction == "in") == 1
    assert count(rt, Message, Message.direction == "out") == 2
    assert count(rt, Response) == 0
    assert telegram_api.texts_to(CHAT) == [INTRO, CONSENT]


STICKER = {"file_id": "CAACAgI", "file_unique_id": "AgAD1", "width": 512, "height": 512,
           "is_animated": False, "is_video": False, "type": "regular"}


@pytest.mark.parametrize("content", [
    {"sticker": STICKER},
    {"photo": [{"file_id": "AgACAgQ", "file_unique_id": "AQAD2", "width": 90, "height": 67}],
     "caption": "YES"},
    {"voice": {"file_id": "AwACAgQ", "file_unique_id": "AgAD3", "duration": 4}},
    {"video": {"file_id": "BAACAgQ", "file_unique_id": "AgAD4", "width": 640, "height": 360,
               "duration": 9}},
    {"document": {"file_id": "BQACAgQ", "file_unique_id": "AgAD5", "file_name": "a.pdf"}},
], ids=["sticker", "photo", "voice", "video", "document"])
def test_media_gets_please_reply_in_words(person, rt, content):
    person.send("Hi")
    media, consent = person.send(**content)
    assert media["text"] == MEDIA
    assert media["reply_markup"] == REMOVE
    assert (consent["text"], keyboard(consent)) == (CONSENT, [["Yes", "No"]])
    assert count(rt, Response) == 0  # a photo captioned YES is not a consent
    last = rows(rt, Message, Message.direction == "in")[-1]
    assert last.payload == {"media": True}


@pytest.mark.parametrize("body", [
    update("Hi", chat="-4001", chat_type="group"),
    update("Hi", chat="-1004001", chat_type="supergroup"),
    {"update_id": 700_000_000, "channel_post": {
        "message_id": 9, "date": 1772445600, "text": "Hi",
        "chat": {"id": -1009001, "type": "channel", "title": "News"}}},
    update(pinned_message={"message_id": 3, "date": 1772445600, "text": "x",
                           "chat": {"id": int(CHAT), "type": "private"}}),
], ids=["group", "supergroup", "channel", "service-message"])
def test_groups_channels_and_service_messages_are_ignored(client, rt, telegram_api, body):
    response = post(client, body)
    assert (response.status_code, response.get_json()) == (200, {})
    assert count(rt, Message) == 0
    assert count(rt, Contact) == 0
    assert telegram_api.calls == []


# Telegram's retries ----------------------------------------------------------------------


def test_a_repeated_update_changes_nothing(client, rt, person, telegram_api):
    first = person.post("Hi")
    assert telegram_api.calls == []  # nothing is sent on the request path
    person.deliver()
    for _ in range(2):
        response = post(client, first)
        assert (response.status_code, response.get_json()) == (200, {})
    assert person.deliver() == 0
    [inbound] = rows(rt, Message, Message.direction == "in")
    assert inbound.provider_id == str(first["update_id"])
    assert count(rt, Message, Message.direction == "out") == 2
    assert telegram_api.texts_to(CHAT) == [INTRO, CONSENT]


def test_copies_of_one_update_arriving_together_are_stored_once(app, surveys, rt, person,
                                                                telegram_api):
    body = update("Hi")
    copies = 6
    ready = threading.Barrier(copies)
    statuses: list[int] = []

    def deliver_copy() -> None:
        test_client = app.test_client()
        ready.wait()
        statuses.append(post(test_client, body).status_code)

    threads = [threading.Thread(target=deliver_copy) for _ in range(copies)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert statuses == [200] * copies
    assert count(rt, Message, Message.direction == "in") == 1
    assert [m.body for m in rows(rt, Message, Message.direction == "out")] == [INTRO, CONSENT]
    person.deliver()
    assert telegram_api.texts_to(CHAT) == [INTRO, CONSENT]


def test_two_people_get_their_own_replies(client, rt, senders, clock, telegram_api):
    sam = Person(client, rt, senders, clock, telegram_api, chat="1001")
    ana = Person(client, rt, senders, clock, telegram_api, chat="1002", lang="ro")
    sam.post("Hi")
    ana.post("Hi")
    assert sam.deliver() == 4
    assert telegram_api.texts_to("1001") == [INTRO, CONSENT]
    assert len(telegram_api.texts_to("1002")) == 2
    assert telegram_api.texts_to("1002")[0].startswith("Bună ziua")
    # Telegram numbers messages per chat: the provider id names the chat too.
    assert sorted(m.provider_id for m in rows(rt, Message, Message.direction == "out")) == [
        "1001:1", "1001:2", "1002:1", "1002:2"]


# Delivery failures -----------------------------------------------------------------------


def test_a_person_who_blocked_the_bot_is_opted_out_and_not_retried(person, rt, clock,
                                                                  telegram_api):
    telegram_api.block(CHAT)
    person.post("Hi")
    blocked_at = clock()
    assert person.deliver() == 2
    [contact] = rows(rt, Contact)
    assert contact.opted_out_at == blocked_at
    [opt_out] = rows(rt, OptOut)
    assert (opt_out.channel, opt_out.action, opt_out.reason) == ("telegram", "out", "blocked")
    outbound = rows(rt, Message, Message.direction == "out")
    # Blocked is an opt-out: the consent queued behind the intro is cancelled, not tried.
    assert [(m.status, m.error_code, m.attempts) for m in outbound] == [
        ("failed", "blocked", 1), ("cancelled", "opted-out", 0)]
    clock.advance(timedelta(days=1))
    assert person.deliver() == 0
    assert len(telegram_api.calls_of("sendMessage")) == 1
    assert telegram_api.sent == []

    # Unblocking shows a Restart button, which sends /start: that opts back in.
    telegram_api.unblock(CHAT)
    welcome, consent = person.send("/start")
    assert welcome["text"] == "Welcome back. You can carry on where you left off."
    assert consent["text"] == CONSENT
    [contact] = rows(rt, Contact)
    assert contact.opted_out_at is None


def test_a_429_is_retried_after_retry_after_and_delivered_once(person, rt, clock,
                                                              telegram_api):
    person.send("Hi")
    telegram_api.fail_next("flood", retry_after=120)
    person.post("Yes")
    failed_at = clock()
    assert person.deliver() == 1
    row = rows(rt, Message, Message.direction == "out")[-1]
    assert (row.status, row.error_code, row.next_attempt_at) == (
        "queued", "429", failed_at + timedelta(seconds=120))
    clock.advance(timedelta(seconds=60))  # past the usual 30 s backoff, not past retry_after
    assert person.deliver() == 0
    clock.advance(timedelta(seconds=60))
    assert person.deliver() == 1
    assert telegram_api.texts_to(CHAT) == [INTRO, CONSENT, SAFE_DAY]
    row = rows(rt, Message, Message.id == row.id)[0]
    assert (row.status, row.attempts, row.error_code) == ("sent", 2, None)
    assert [c.outcome for c in telegram_api.calls_of("sendMessage")] == [
        "ok", "ok", "flood", "ok"]


@pytest.mark.parametrize("kind, code", [("hang", "timeout"), ("server", "network")])
def test_a_timeout_or_server_error_is_retried_and_delivered_once(person, rt, clock,
                                                                telegram_api, kind, code):
    person.senders = {"telegram": TelegramSender(rt.settings, timeout=0.5)}
    try:
        person.send("Hi")
        telegram_api.fail_next(kind)
        person.post("Yes")
        assert person.deliver() == 1
        row = rows(rt, Message, Message.direction == "out")[-1]
        assert (row.status, row.error_code) == ("queued", code)
        clock.advance(timedelta(seconds=30))
        assert person.deliver() == 1
    finally:
        person.senders["telegram"].close()
    assert telegram_api.texts_to(CHAT) == [INTRO, CONSENT, SAFE_DAY]
    row = rows(rt, Message, Message.id == row.id)[0]
    assert (row.status, row.attempts) == ("sent", 2)


def test_chat_not_found_marks_the_address_invalid(person, rt, clock, telegram_api):
    telegram_api.fail_next("chat_not_found", times=2)
    person.post("Hi")
    assert person.deliver() == 2
    assert [(m.status, m.error_code) for m in rows(rt, Message, Message.direction == "out")] \
        == [("failed", "chat-not-found")] * 2
    [address] = rows(rt, Address)
    assert address.status == "invalid"
    [contact] = rows(rt, Contact)
    assert contact.opted_out_at is None
    clock.advance(timedelta(hours=3))
    assert person.deliver() == 0


def test_a_rejected_token_keeps_messages_queued(person, rt, clock, telegram_api):
    wrong = TelegramSender(replace(rt.settings, telegram_bot_token="999:WRONG"), timeout=2)
    try:
        person.post("Hi")
        assert sending.send_due(rt, {"telegram": wrong}, clock()) == 2
    finally:
        wrong.close()
    # The intro is refused; the consent waits behind it, untried, so order is kept.
    assert [(m.status, m.error_code) for m in rows(rt, Message, Message.direction == "out")] \
        == [("queued", "invalid-token"), ("queued", None)]
    assert [c.outcome for c in telegram_api.calls] == ["401"]
    clock.advance(timedelta(minutes=1))
    assert person.deliver() == 2
    assert telegram_api.texts_to(CHAT) == [INTRO, CONSENT]


# Pieces ----------------------------------------------------------------------------------


def test_the_worker_builds_a_telegram_sender_pointed_at_the_configured_api(senders,
                                                                          telegram_api):
    assert isinstance(senders["telegram"], TelegramSender)
    provider_id = senders["telegram"].send(Outgoing(1, "telegram", "2002", Reply("Hello")))
    assert provider_id == "2002:1"
    assert [(c.method, c.outcome) for c in telegram_api.calls] == [
        ("getMe", "ok"), ("sendMessage", "ok")]
    assert telegram_api.calls[1].params == {"chat_id": "2002", "text": "Hello",
                                            "reply_markup": REMOVE}


YES_NO = (Option("yes", "Yes"), Option("no", "No"))


@pytest.mark.parametrize("reply, text, markup", [
    (Reply("Plain"), "Plain", REMOVE),
    (Reply("Q?", hint="Why again.", note="Reply SKIP."), "Why again.\nQ?\nReply SKIP.", REMOVE),
    (Reply("Scale?", tuple(Option(str(i), str(i)) for i in range(1, 6)), style="keys"),
     "Scale?", {"keyboard": [["1", "2", "3", "4", "5"]]}),
    (Reply("0-10?", tuple(Option(str(i), str(i)) for i in range(11)), style="keys"),
     "0-10?", {"keyboard": [[str(i) for i in range(6)], [str(i) for i in range(6, 11)]]}),
    (Reply("Consent", YES_NO, style="keys"), "Consent", {"keyboard": [["Yes", "No"]]}),
    (Reply("Yes or no?", YES_NO), "Yes or no?", {"keyboard": [["Yes", "No"]]}),
    (Reply("Pick", (Option("a", "A lot"), Option("b", "A bit"))), "Pick",
     {"keyboard": [["A lot"], ["A bit"]]}),
    (Reply("Pick any", (Option("a", "Clubs"), Option("b", "Sport")), multi=True,
           note="Reply SKIP."), "Pick any\nReply SKIP.\n1 Clubs\n2 Sport", REMOVE),
])
def test_render(reply, text, markup):
    body, rendered = telegram.render(reply)
    assert body == text
    rendered = rendered.to_dict()
    if "keyboard" in rendered:
        assert (rendered.pop("one_time_keyboard"), rendered.pop("resize_keyboard")) == (
            True, True)
        rendered["keyboard"] = [[b["text"] for b in row] for row in rendered["keyboard"]]
    assert rendered == markup


def test_a_message_scrubbed_by_delete_is_not_sent(senders, telegram_api):
    with pytest.raises(PermanentFailure) as failed:
        senders["telegram"].send(Outgoing(1, "telegram", "", Reply("")))
    assert failed.value.code == "empty"
    assert telegram_api.calls == []


def test_an_oversized_update_is_refused_with_413_and_nothing_stored(client, rt):
    response = post(client, update("x" * 300_000))
    assert response.status_code == 413
    assert count(rt, Message) == 0


# Safeguarding ----------------------------------------------------------------------------

LEAD_CHAT = "4242"
DISCLOSURE = "my stepdad hits me and I don't want to go home"


def test_a_disclosure_is_signposted_first_and_the_lead_gets_a_notice_on_telegram(
        config, clock, telegram_api):
    app = create_app({**config, "SAFEGUARDING_LEAD": f"telegram:{LEAD_CHAT}"}, clock=clock)
    rt = app.extensions["outreach"]
    from tests.helpers.surveys import load_surveys
    load_surveys(rt)
    built = build_senders(rt.settings)
    try:
        person = Person(app.test_client(), rt, built, clock, telegram_api)
        person.send("Hi")
        person.tap("Yes")
        signpost, question = person.send(DISCLOSURE)
        assert signpost["text"].startswith("In danger now? Call 999.")
        assert question["text"] == SAFE_DAY and keyboard(question) == SCALE
        [notice] = telegram_api.sent_to(LEAD_CHAT)
        assert notice["text"].startswith("New safeguarding alert #1 (at risk)")
        assert "stepdad" not in notice["text"] and CHAT not in notice["text"]
    finally:
        built["telegram"].close()
        rt.engine.dispose()
