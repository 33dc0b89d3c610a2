"""Telegram's commands as the engine's words, read alike by the webhook and `outreach chat`."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from bot import commands
from bot.state import Start
from store.models import Address, Member, Response
from tests.helpers.engagers import add_engager
from tests.helpers.members import import_members


@pytest.mark.parametrize("text, words, start, link", [
    ("/start", "start", Start(), None),
    ("/start K7P2QX", "start K7P2QX", Start(engager="K7P2QX"), None),
    ("/start@outreach_test_bot k7p2qx", "start k7p2qx", Start(engager="K7P2QX"), None),
    ("/start hello-world", "start", Start(), None),
    ("/stop", "stop", None, None),
    ("/HELP", "help", None, None),
    ("hello /start", "hello /start", None, None),
    ("1/2", "1/2", None, None),
    # A member's link code, typed or from the SMS's t.me link; LINK alone asks how
    ("LINK K7PQX2MD", "LINK K7PQX2MD", None, "K7PQX2MD"),
    ("link k7pq x2md", "link k7pq x2md", None, "k7pq x2md"),
    ("/start link_K7PQX2MD", "/start link_K7PQX2MD", None, "K7PQX2MD"),
    ("/link@outreach_test_bot K7PQX2MD", "/link@outreach_test_bot K7PQX2MD", None, "K7PQX2MD"),
    ("LINK", "LINK", None, ""),
    ("link to my house", "link to my house", None, None),
])
def test_commands_become_the_engines_words(text, words, start, link):
    assert commands.telegram(text) == (words, start, link)


def test_chat_on_telegram_starts_an_engagers_link_as_the_webhook_does(app, rt, surveys):
    add_engager(rt, "K7P2QX")
    result = app.test_cli_runner().invoke(
        args=["chat", "--channel", "telegram", "--from", "555000111"],
        input="/start K7P2QX\nyes\n")
    assert result.exit_code == 0, result.output
    assert result.output.startswith("Hi! Waltham Forest Council")
    assert "First, how old are you?" in result.output
    with rt.sessions() as session:
        [response] = session.scalars(select(Response)).all()
        assert response.engager_code == "K7P2QX"
        assert response.survey_version.survey.slug == "youth-voice"


def test_chat_on_sms_takes_a_slash_as_typed(app, rt, surveys):
    result = app.test_cli_runner().invoke(args=["chat", "--from", "07700900555"],
                                          input="/start K7P2QX\n")
    assert result.exit_code == 0, result.output
    with rt.sessions() as session:
        assert session.scalars(select(Response)).all() == []


@pytest.mark.parametrize("typed", ["LINK {code}", "/start link_{code}", "link {spaced}"])
def test_chat_on_telegram_links_a_members_chat_as_the_webhook_does(app, rt, surveys, typed):
    """`outreach chat --channel telegram` reads LINK CODE and the SMS's t.me link (which
    Telegram sends as /start link_CODE) as the webhook does: the chat becomes the member's."""
    import_members(rt, "Ana Popescu,07700 900101,,ro,sms,")
    runner = app.test_cli_runner()
    sms = runner.invoke(args=["chat", "--from", "+447700900101"], input="LINK\n")
    code = re.search(r"\b([A-Z0-9]{8})\b", sms.output)[1]
    spaced = f"{code[:4].lower()} {code[4:].lower()}"
    result = runner.invoke(args=["chat", "--channel", "telegram", "--from", "1001"],
                           input=typed.format(code=code, spaced=spaced) + "\nDa\n")
    assert result.exit_code == 0, result.output
    assert result.output.split("\n\n")[:2] == [
        "Gata: acest chat este legat de locul dvs. în Adunarea Cetățenilor. Acum mementourile "
        "vin prin SMS. Le doriți aici, pe Telegram?",
        "Bine. De acum mementourile și întrebările despre cum vă simțiți vin aici."]
    with rt.sessions() as session:
        ana = session.scalar(select(Member))
        chat = session.scalar(select(Address).where(Address.scheme == "telegram"))
        assert (ana.channel, ana.link_code, chat.value) == ("telegram", None, "1001")
        assert chat.contact_id == ana.contact_id
        assert session.scalars(select(Response)).all() == []  # no survey was started
