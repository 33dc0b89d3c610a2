"""The civic lottery's confirmation as people meet it (bot/selection.py): the worker asks
each selected registrant once, in their language and channel, outside quiet hours, with the
assembly's days; YES makes a member (`outreach members list`), NO is the end of it, silence
past the day is no_answer; the not selected are told once and never written to again."""

from __future__ import annotations

import logging
from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from bot import selection
from bot.conversations import handle
from bot.messages import Inbound
from store.models import Answer, Member, Message, Registrant
from tests.helpers.cli import outreach
from tests.helpers.db import count, rows
from tests.helpers.lottery_people import register, registrant
from tests.helpers.members import add_session, at
from translations import segments

ASMA, BOGDAN, CHAT, WEB_PHONE = "+447700900301", "+447700900302", "7001", "+447700900303"


@pytest.fixture
def days(rt, surveys):
    """Three weekends of the assembly, in March 2026."""
    for n, day in enumerate(("14", "15", "28", "29"), 1):
        add_session(rt, f"Day {n}", f"2026-03-{day}T10:00")


def worker(app, local: str):
    """`outreach worker --once --now` at a local (London) time."""
    result = outreach(app, "worker", "--once", "--now", at(local).isoformat())
    assert result.exit_code == 0, result.output
    return result


def to(rt, contact_of: str, *keys: str) -> list[Message]:
    """Outbound rows to an address (E.164 or chat id), optionally with these key prefixes."""
    found = rows(rt, Message, Message.direction == "out", Message.address.endswith(contact_of))
    return [m for m in found if not keys or (m.idempotency_key or "").startswith(keys)]


def say(rt, channel: str, address: str, text: str) -> list[str]:
    return [reply.text for reply in handle(rt, Inbound(channel, address, text)).replies]


def test_asked_once_in_urdu_by_sms_outside_quiet_hours_and_yes_makes_a_member(app, rt, days):
    asma = register(rt, "Asma Siddiqui", "sms", ASMA, "ur", status="selected")
    worker(app, "2026-03-02T22:30")  # quiet hours: no one is asked
    assert to(rt, ASMA) == [] and registrant(rt, asma).asked_at is None
    worker(app, "2026-03-03T09:00")
    worker(app, "2026-03-03T09:05")  # a second round asks no one again
    [asked] = to(rt, ASMA)
    assert asked.idempotency_key == f"lottery-ask:{asma}" and asked.channel == "sms"
    assert "شہریوں کی اسمبلی" in asked.body and "14–15 مارچ" not in asked.body
    assert "14-15 مارچ" in asked.body and "28-29 مارچ" in asked.body
    assert "10 مارچ (منگل)" in asked.body  # answer by: a week on, in Urdu
    assert "ہاں (YES)" in asked.body and "نہیں (NO)" in asked.body  # in Urdu words too
    assert segments.count(asked.body) <= 3
    row = registrant(rt, asma)
    assert row.asked_at == at("2026-03-03T09:00")
    assert row.confirm_by == at("2026-03-11T00:00")  # the end of the day named
    [thanks] = say(rt, "sms", ASMA, "ہاں")
    assert thanks == rt.catalogs.bot("ur", "selection/yes") and "اسمبلی کے رکن" in thanks
    assert registrant(rt, asma).status == "confirmed"
    listed = outreach(app, "members", "list").output
    assert "Asma Siddiqui\tsms\tur" in listed
    worker(app, "2026-03-03T10:00")  # the members' welcome, with the calendar link
    welcome = to(rt, ASMA, "member-welcome:")
    assert len(welcome) == 1 and "/m/" in welcome[0].body


def test_one_weekend_is_asked_about_and_a_yes_carries_what_staff_plan_with(app, rt, days):
    asma = register(rt, "Asma Siddiqui", "sms", ASMA, "pl", status="selected",
                    answers={"access": "step-free access", "can_come": ["w2"]})
    worker(app, "2026-03-03T09:00")
    [asked] = to(rt, ASMA)
    assert "na zgłoszone dni: Sat 28 and Sun 29 March." in asked.body  # only the one
    assert "14-15" not in asked.body and "do 10 marca (wtorek)" in asked.body
    [again] = say(rt, "sms", ASMA, "o co chodzi?")
    assert "(Sat 28 and Sun 29 March)" in again and "Pytania: 020 7946 0123" in again
    say(rt, "sms", ASMA, "tak")
    listed = outreach(app, "members", "list").output
    assert (f"From the lottery (R{asma:04d}). Access needs: step-free access. Can come: "
            "Sat 28 and Sun 29 March.") in listed


def test_every_weekend_is_the_assemblys_dates_and_no_access_needs_say_none(app, rt, days):
    asma = register(rt, "Asma Siddiqui", "sms", ASMA, "en", status="selected",
                    answers={"can_come": ["w1", "w2"]})
    worker(app, "2026-03-03T09:00")
    [asked] = to(rt, ASMA)
    assert "on 14-15 March and 28-29 March" in asked.body and "Tuesday 10 March" in asked.body
    say(rt, "sms", ASMA, "yes")
    listed = outreach(app, "members", "list").output
    assert f"From the lottery (R{asma:04d}). Can come: Sat 14 and Sun 15 March, " in listed
    assert "Access needs" not in listed


def test_a_no_is_thanked_and_nothing_more_is_sent(app, rt, days):
    bogdan = register(rt, "Bogdan Ionescu", "sms", BOGDAN, "ro", status="selected")
    worker(app, "2026-03-03T09:00")
    [reply] = say(rt, "sms", BOGDAN, "nu")
    assert "Vă mulțumim" in reply
    assert registrant(rt, bogdan).status == "declined" and count(rt, Member) == 0
    before = len(to(rt, BOGDAN))
    worker(app, "2026-03-13T18:00")  # the week before the assembly: reminders go out
    broadcast = outreach(app, "broadcast", "--survey", "neighbourhood-policing",
                         "--audience", "everyone")
    assert "left alone after the lottery" in broadcast.output
    worker(app, "2026-03-14T09:00")
    assert len(to(rt, BOGDAN)) == before


def test_silence_past_the_day_is_no_answer_without_a_message(app, rt, days):
    asma = register(rt, "Asma Siddiqui", "sms", ASMA, "ur", status="selected")
    worker(app, "2026-03-03T09:00")
    worker(app, "2026-03-10T23:59")
    assert registrant(rt, asma).status == "selected"
    worker(app, "2026-03-11T00:01")
    assert registrant(rt, asma).status == "no_answer"
    assert len(to(rt, ASMA)) == 1  # only the question
    replies = say(rt, "sms", ASMA, "yes")  # too late: the survey, not the lottery, reads it
    assert registrant(rt, asma).status == "no_answer" and count(rt, Member) == 0
    assert rt.catalogs.bot("ur", "selection/yes") not in replies


def test_close_tells_the_not_selected_once_and_a_broadcast_leaves_them_out(app, rt, days):
    left = [register(rt, f"Person {n}", "sms", f"+4477009004{n:02d}", lang)
            for n, lang in enumerate(("en", "pl", "tr"))]
    reserve = register(rt, "Kasia Nowak", "sms", "+447700900499", "pl", status="reserve")
    result = outreach(app, "lottery", "close")
    assert result.exit_code == 0, result.output
    assert "3 registered and 1 reserve(s) are now not selected" in result.output
    worker(app, "2026-03-02T23:00")  # quiet hours: told in the morning
    assert count(rt, Message, Message.idempotency_key.startswith("lottery-told:")) == 0
    worker(app, "2026-03-03T09:00")
    worker(app, "2026-03-03T09:01")
    told = rows(rt, Message, Message.idempotency_key.startswith("lottery-told:"))
    assert len(told) == 4
    polish = next(m for m in told if m.idempotency_key == f"lottery-told:{reserve}")
    assert "losowanie wybrało inne osoby" in polish.body and "30 września 2027" in polish.body
    assert all(segments.count(m.body) <= 3 for m in told)
    assert all(registrant(rt, r).told_at is not None for r in [*left, reserve])
    broadcast = outreach(app, "broadcast", "--survey", "neighbourhood-policing",
                         "--audience", "everyone")
    assert "left out\t4\tleft alone after the lottery" in broadcast.output
    worker(app, "2026-03-13T18:00")
    assert count(rt, Message, Message.direction == "out") == 4


def test_a_telegram_registrant_confirmed_keeps_telegram(app, rt, days):
    ali = register(rt, "Ali Khan", "telegram", CHAT, "en", status="selected")
    worker(app, "2026-03-03T09:00")
    [asked] = to(rt, CHAT)
    assert asked.channel == "telegram" and "14-15 March and 28-29 March" in asked.body
    assert [o[0] for o in asked.payload["options"]] == ["yes", "no"]
    say(rt, "telegram", CHAT, "Yes")
    assert "Ali Khan\ttelegram\ten" in outreach(app, "members", "list").output
    member_id = registrant(rt, ali).member_id
    assert member_id is not None
    assert rows(rt, Member, Member.id == member_id)[0].channel == "telegram"


def test_a_web_registrant_is_asked_by_sms_on_the_number_they_gave(app, rt, days):
    register(rt, "Elif Demir", "web", "web-visitor-1", "tr", status="selected",
             phone=WEB_PHONE)
    worker(app, "2026-03-03T09:00")
    [asked] = to(rt, WEB_PHONE)
    assert asked.channel == "sms" and "Vatandaş Meclisi" in asked.body
    say(rt, "sms", WEB_PHONE, "evet")
    assert "Elif Demir\tsms\ttr" in outreach(app, "members", "list").output


def test_anything_else_from_them_repeats_the_question_short_with_whom_to_ask(app, rt, days):
    register(rt, "Asma Siddiqui", "sms", ASMA, "en", status="selected")
    worker(app, "2026-03-03T09:00")
    [again] = say(rt, "sms", ASMA, "what is this about?")
    assert again.startswith("You were selected by lottery for the Citizens' Assembly on "
                            "14-15 March")
    assert "Tuesday 10 March" in again
    assert "Questions: 020 7946 0123" in again  # HELP_CONTACT (tests/conftest.py)
    assert segments.count(again) <= 3


@pytest.mark.parametrize("status", ["not_selected", "declined", "no_answer", "dropped"])
def test_someone_the_lottery_has_finished_with_gets_one_kind_word(app, rt, days, status):
    register(rt, "Asma Siddiqui", "sms", ASMA, "pl", status=status)
    [reply] = say(rt, "sms", ASMA, "dlaczego mnie nie wybrano?")
    assert reply.startswith("Waltham Forest Council: losowanie do Zgromadzenia "
                            "Obywatelskiego zostało zakończone")
    assert "020 7946 0123" in reply and "RESTART" not in reply
    [again] = say(rt, "sms", ASMA, "yes")  # a late YES changes nothing
    assert again == reply and count(rt, Member) == 0


def test_yes_from_someone_not_selected_is_left_to_the_survey(app, rt, days):
    register(rt, "Asma Siddiqui", "sms", ASMA, "en")  # registered, not selected
    replies = say(rt, "sms", ASMA, "yes")
    assert count(rt, Member) == 0
    assert not any("member of the Citizens' Assembly" in text for text in replies)


def test_the_residents_survey_keeps_its_own_flow(app, rt, days):
    asma = register(rt, "Asma Siddiqui", "sms", ASMA, "en", status="selected")
    worker(app, "2026-03-03T09:00")
    say(rt, "sms", ASMA, "SAFETY")  # the residents' survey's keyword: its consent
    consent = say(rt, "sms", ASMA, "yes")  # a YES at the consent is the survey's
    assert registrant(rt, asma).status == "selected" and consent
    say(rt, "sms", ASMA, "3")  # and the survey's first question is answered as usual
    assert count(rt, Answer, Answer.question_id != "who_you_are") == 1
    assert registrant(rt, asma).status == "selected"
    assert count(rt, Member) == 0


def test_no_sessions_no_question_and_the_log_says_why_without_names(app, rt, surveys,
                                                                     caplog):
    asma = register(rt, "Asma Siddiqui", "sms", ASMA, "ur", status="selected")
    with caplog.at_level(logging.WARNING, logger="bot.selection"):
        selection._said.clear()
        selection.send_due(rt, datetime(2026, 3, 3, 9, tzinfo=UTC))
    assert registrant(rt, asma).asked_at is None and to(rt, ASMA) == []
    assert "no sessions yet" in caplog.text
    assert "Asma" not in caplog.text and ASMA not in caplog.text


def test_removing_a_member_from_the_lottery_marks_them_dropped(app, rt, days):
    asma = register(rt, "Asma Siddiqui", "sms", ASMA, "en", status="selected")
    worker(app, "2026-03-03T09:00")
    say(rt, "sms", ASMA, "yes")
    member_id = registrant(rt, asma).member_id
    result = outreach(app, "members", "remove", f"M{member_id:03d}")
    assert result.exit_code == 0, result.output
    row = registrant(rt, asma)
    assert row.status == "dropped" and row.member_id is None


def test_the_name_comes_from_the_question_with_role_name(app, rt, days):
    asma = register(rt, None, "sms", ASMA, "en", status="selected")  # never answered it
    worker(app, "2026-03-03T09:00")
    say(rt, "sms", ASMA, "yes")
    assert f"R{asma:04d}\tsms\ten" in outreach(app, "members", "list").output
    with rt.sessions() as session:
        assert session.scalar(select(Registrant.status)) == "confirmed"
