"""Screened-out addresses (bot/screened.py): an under-13 who writes again is thanked again
and nothing about them is stored; only a keyed hash of the address, for 30 days."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select

from bot import screened, worker
from bot.conversations import Inbound, handle
from store.models import Address, Alert, Contact, Message, Response, ScreenedAddress, ScreenOut
from tests.helpers.engagers import add_engager
from tests.helpers.senders import RecordingSender

CHILD = "+447700900401"
THANKS = "Thanks for wanting to have your say!"


def count(rt, model, *where) -> int:
    with rt.sessions() as session:
        return session.scalar(select(func.count()).select_from(model).where(*where))


def say(rt, clock, text, address=CHILD, **more) -> list[str]:
    clock.advance(timedelta(minutes=1))
    return [r.text for r in handle(rt, Inbound("sms", address, text, **more)).replies]


def screen_out(rt, clock, address=CHILD) -> None:
    add_engager(rt, "K7P2QX")
    for text in ["YOUTH K7P2QX", "YES"]:
        say(rt, clock, text, address)
    [thanks] = say(rt, clock, "Under 13", address)
    assert thanks.startswith(THANKS)


def nothing_kept_of(rt, address=CHILD) -> bool:
    return (count(rt, Contact) == 0 and count(rt, Address) == 0 and count(rt, Response) == 0
            and count(rt, Message, Message.address == address) == 0
            and count(rt, Message, Message.direction == "in", Message.body != "") == 0)


def test_writing_again_is_thanked_again_and_stores_nothing(rt, surveys, clock):
    screen_out(rt, clock)
    for text in ["hello?", "YOUTH K7P2QX", "SAFETY", "hi i want to do the survey", "K7P2QX"]:
        [reply] = say(rt, clock, text)
        assert reply.startswith(THANKS), text
    assert nothing_kept_of(rt)
    assert count(rt, ScreenOut) == 1  # the count, once
    with rt.sessions() as session:
        [mark] = session.scalars(select(ScreenedAddress)).all()
    assert mark.digest == screened.digest(rt.settings.secret_key, "tel", CHILD)
    assert "7700900401" not in mark.digest and mark.survey == "youth-voice"
    assert mark.until == clock() - timedelta(minutes=5) + screened.SCREENED_FOR


def test_they_are_thanked_in_their_own_language(rt, surveys, clock):
    add_engager(rt, "K7P2QX")
    for text in ["YOUTH K7P2QX", "po polsku", "TAK", "1"]:
        said = say(rt, clock, text)
    [again] = say(rt, clock, "halo?")
    assert again == said[0] and again.startswith("Dzięki, że chcesz zabrać głos!")


def test_help_helps_and_stop_and_delete_are_answered_without_storing(rt, surveys, clock):
    screen_out(rt, clock)
    assert say(rt, clock, "HELP")[0].startswith("This is Waltham Forest Council's survey")
    assert say(rt, clock, "DELETE") == [
        "Your answers and details have been erased. Thank you for your time."]
    assert say(rt, clock, "STOP")[0].startswith("You will not get any more messages")
    assert say(rt, clock, "DELETE") == []  # STOP means silence, as for anyone
    assert nothing_kept_of(rt)


def test_a_providers_retry_is_answered_once_and_stored_once(rt, surveys, clock):
    screen_out(rt, clock)
    first = handle(rt, Inbound("sms", CHILD, "hello?", provider_id="SM1"))
    again = handle(rt, Inbound("sms", CHILD, "hello?", provider_id="SM1"))
    assert again.duplicate and again.replies == first.replies
    assert count(rt, Message, Message.provider_id == "SM1") == 1


def test_a_disclosure_still_reaches_a_person_and_they_stay_screened_out(rt, surveys, clock):
    screen_out(rt, clock)
    said = say(rt, clock, "my stepdad hits me and I don't want to go home")
    assert said[0].startswith("In danger now? Call 999.")
    assert not any(text.startswith(THANKS) for text in said)  # the signposting is the reply
    assert count(rt, Alert) == 1 and count(rt, Contact) == 1  # kept, for the lead
    [reply] = say(rt, clock, "hello?")
    assert reply.startswith(THANKS) and count(rt, Response) == 0


def test_after_30_days_the_hash_is_gone_and_a_message_starts_afresh(rt, surveys, clock):
    screen_out(rt, clock)
    clock.advance(screened.SCREENED_FOR)
    worker.run_once(rt, {"sms": RecordingSender()}, clock())
    assert count(rt, ScreenedAddress) == 0
    assert not say(rt, clock, "hello")[0].startswith(THANKS)


def test_another_number_is_not_taken_for_a_screened_one(rt, surveys, clock):
    screen_out(rt, clock)
    assert not say(rt, clock, "hello", address="+447700900402")[0].startswith(THANKS)


def test_a_screen_out_of_someone_we_keep_is_remembered_in_their_conversation(rt, surveys,
                                                                          clock):
    say(rt, clock, "SAFETY")
    say(rt, clock, "YES")
    say(rt, clock, "4")  # an answer to the residents' survey: the contact stays
    for text in ["YOUTH", "YES", "Under 13"]:
        say(rt, clock, text)
    [reply] = say(rt, clock, "hello?")
    assert reply.startswith(THANKS)


def test_stop_after_a_screen_out_means_silence_until_start(rt, surveys, clock):
    screen_out(rt, clock)
    assert say(rt, clock, "STOP")[0].startswith("You will not get any more messages")
    assert say(rt, clock, "hello") == []
    assert say(rt, clock, "START") != [] and say(rt, clock, "hello")[0].startswith(THANKS)
    assert nothing_kept_of(rt)


def test_an_adult_who_opened_the_youth_link_is_not_locked_out(rt, surveys, clock):
    add_engager(rt, "K7P2QX")
    for text in ["YOUTH K7P2QX", "YES"]:
        say(rt, clock, text)
    [ended] = say(rt, clock, "25 or over")
    assert "SAFETY" in ended and count(rt, ScreenedAddress) == 0
    assert say(rt, clock, "SAFETY")[0].startswith("Hello from Waltham Forest Council")


def test_a_disclosure_after_a_screen_out_is_flagged_and_erased_once_acknowledged(
        app, rt, surveys, clock):
    screen_out(rt, clock)
    say(rt, clock, "my stepdad hits me and I don't want to go home")
    listed = app.test_cli_runner().invoke(args=["alerts", "list"]).output
    assert "[said they are under 13]" in listed
    app.test_cli_runner().invoke(args=["alerts", "ack", "1", "--note", "called her back", "--yes"])
    assert count(rt, Contact) == 0 and count(rt, Alert) == 1
