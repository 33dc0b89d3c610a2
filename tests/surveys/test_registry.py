"""Survey versions in the database: idempotent loads, and answered versions kept."""

from __future__ import annotations

import copy

from sqlalchemy import func, select

from bot.conversations import Inbound, handle
from store.db import transaction
from store.models import Response, SurveyVersion
from surveys import registry
from tests.helpers.surveys import DEMO, definition


def load(rt, data):
    with transaction(rt.sessions) as session:
        return registry.load_definition(session, data)


def test_loading_the_same_definition_twice_changes_nothing(rt):
    data = definition(DEMO)
    assert load(rt, data).action == "created"
    assert load(rt, copy.deepcopy(data)).action == "unchanged"
    with rt.sessions() as session:
        assert session.scalar(select(func.count()).select_from(SurveyVersion)) == 1


def test_an_unanswered_survey_is_edited_in_place(rt):
    data = definition(DEMO)
    load(rt, data)
    data["questions"][0]["text"] = "How safe do you feel at night? 1 = very unsafe, 5 = very safe"
    loaded = load(rt, data)
    assert (loaded.action, loaded.version) == ("updated", 1)
    with rt.sessions() as session:
        assert registry.current(session)["demo"].questions[0].text.startswith("How safe do you")


def test_an_answered_survey_gets_a_new_version_and_old_answers_keep_theirs(rt):
    data = definition(DEMO)
    load(rt, data)
    address = "+447700900321"
    for text in ("DEMO", "yes", "3"):
        handle(rt, Inbound("sms", address, text))
    edited = copy.deepcopy(data)
    edited["questions"][2]["text"] = "Do you trust the police in Waltham Forest?"
    loaded = load(rt, edited)
    assert (loaded.action, loaded.version) == ("new version", 2)
    # The resident part way through carries on with the version they started.
    reply = handle(rt, Inbound("sms", address, "1")).replies[0]
    assert reply.text == "What would make you feel safer? Reply with all the numbers that apply."
    with rt.sessions() as session:
        response = session.scalar(select(Response))
        assert response.survey_version.version == 1
        assert registry.get(session, "demo", 1).questions[2].text == (
            "How much do you trust local police?")
        assert registry.current(session)["demo"].version == 2
    # A new resident gets the new wording.
    handle(rt, Inbound("sms", "+447700900322", "DEMO"))
    handle(rt, Inbound("sms", "+447700900322", "yes"))
    reply = handle(rt, Inbound("sms", "+447700900322", "3")).replies[0]
    assert reply.text == "Do you trust the police in Waltham Forest?"
