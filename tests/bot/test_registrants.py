"""The lottery's registrants as stored: a typed code's status, one registrant per code (a
second registration with it makes none), a web registrant's phone number becoming their
SMS address (unless it is already someone else's), and the name and number the lottery
reads back (`details`)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bot import registrants
from bot.contacts import get_address
from store.db import transaction
from store.models import Address, Answer, Response
from surveys import registry
from tests.helpers.db import rows
from tests.helpers.lottery import invite
from tests.helpers.lottery import registrants as stored

FIRST, SECOND = "K7PM3QXAF", "K7PM3QXAG"


def contact(rt, scheme: str, value: str) -> int:
    with transaction(rt.sessions) as session:
        return get_address(session, scheme, value, rt.now()).contact_id


def status(rt, code: str, contact_id: int | None = None) -> str:
    with rt.sessions() as session:
        return registrants.status(session, rt.settings.secret_key, code, contact_id,
                                  rt.now(), rt.settings.timezone).status


def register(rt, code: str, contact_id: int, channel: str = "sms", phone: str | None = None,
             answers: dict | None = None):
    """What the Registered effect does, with a registration response holding `answers`."""
    with transaction(rt.sessions) as session:
        version = registry.version_row(session, "lottery-registration",
                                       registry.current(session)["lottery-registration"].version)
        response = Response(contact_id=contact_id, survey_version_id=version.id,
                            channel=channel, language="en", started_at=rt.now(),
                            status="complete")
        session.add(response)
        session.flush()
        for question, value in (answers or {}).items():
            session.add(Answer(response_id=response.id, question_id=question, value=value,
                               raw_text=str(value), answered_at=rt.now()))
        made = registrants.register(session, rt.settings.secret_key, code, contact_id,
                                    response.id, channel, "en", rt.now(), phone)
        return made.id if made is not None else None


def test_a_codes_status_for_whoever_types_it(rt, surveys, clock):
    invite(rt)
    me, neighbour = contact(rt, "tel", "+447700900701"), contact(rt, "tel", "+447700900702")
    assert [status(rt, code) for code in (FIRST, "ACDEFGHJK")] == ["open", "unknown"]
    register(rt, FIRST, me)
    assert status(rt, FIRST, neighbour) == "used"
    assert status(rt, FIRST, me) == status(rt, SECOND, me) == "registered"
    assert status(rt, SECOND, neighbour) == "open"
    clock.advance(timedelta(days=31))
    assert status(rt, SECOND, neighbour) == "closed"


def test_one_registrant_per_code_whatever_the_race(rt, surveys):
    invite(rt)
    first = register(rt, FIRST, contact(rt, "tel", "+447700900711"))
    assert first is not None
    assert register(rt, FIRST, contact(rt, "tel", "+447700900712")) is None
    assert register(rt, "ACDEFGHJK", contact(rt, "tel", "+447700900713")) is None
    assert [r.id for r in stored(rt)] == [first]


@pytest.mark.parametrize("taken", [False, True])
def test_a_web_registrants_phone_becomes_their_sms_address_unless_taken(rt, surveys, taken):
    invite(rt)
    owner = contact(rt, "tel", "+447700900721") if taken else None
    visitor = contact(rt, "web", "browser-token")
    made = register(rt, FIRST, visitor, "web", "+447700900721",
                    {"name": "Ada Lovelace", "phone": "07700 900721"})
    [address] = rows(rt, Address, Address.scheme == "tel")
    assert address.contact_id == (owner if taken else visitor)  # never moved or merged
    with rt.sessions() as session:
        found = registrants.details(session, made)
    assert (found.name, found.phone, found.channel, found.contact_id) == (
        "Ada Lovelace", "+447700900721", "web", visitor)


def test_a_registrant_writing_again_learns_the_day_registration_closes(rt, surveys):
    closes = rt.now() + timedelta(days=30)
    invite(rt, closes=closes)
    me, stranger = contact(rt, "tel", "+447700900711"), contact(rt, "tel", "+447700900712")
    register(rt, FIRST, me)
    with rt.sessions() as session:
        said = [registrants.registration(session, who, rt.settings.timezone)
                for who in (me, stranger, None)]
    day = closes.astimezone(rt.settings.timezone).date().isoformat()
    assert said == [("registered", day), None, None]
