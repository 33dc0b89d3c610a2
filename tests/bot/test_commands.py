"""Telegram's commands as the engine's words, read alike by the webhook and `outreach chat`."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from bot import commands
from bot.state import Start
from store.models import Response
from tests.helpers.engagers import add_engager


@pytest.mark.parametrize("text, words, start", [
    ("/start", "start", Start()),
    ("/start K7P2QX", "start K7P2QX", Start(engager="K7P2QX")),
    ("/start@outreach_test_bot k7p2qx", "start k7p2qx", Start(engager="K7P2QX")),
    ("/start hello-world", "start", Start()),
    ("/stop", "stop", None),
    ("/HELP", "help", None),
    ("hello /start", "hello /start", None),
    ("1/2", "1/2", None),
])
def test_commands_become_the_engines_words(text, words, start):
    assert commands.telegram(text) == (words, start)


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
