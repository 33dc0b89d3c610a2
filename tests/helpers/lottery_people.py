"""Registrants of the civic lottery made directly as rows: a draw, a letter and its code,
the person's contact and address, their registration (a response whose `role: name`
question holds their name) and the Registrant in the status a test needs."""

from __future__ import annotations

import hashlib
from datetime import datetime

from sqlalchemy import select

from bot import channels
from bot.contacts import get_address
from store.db import transaction
from store.models import Address, Answer, Draw, Letter, LetterCode, Registrant, Response
from surveys import registry

SLUG = "lottery-registration-test"
# The registration as the tests need it: which question is the name is said by its role,
# the only rule bot/selection.py follows (never the question's id).
REGISTRATION = {
    "slug": SLUG, "title": "Register for the Citizens' Assembly", "audience": "registrants",
    "language": "en", "languages": ["en", "ro", "ur", "bg", "pl", "tr"],
    "intro": "Register for the lottery.", "outro": "Thank you for registering.",
    "questions": [
        {"id": "who_you_are", "type": "text", "role": "name", "text": "Your full name?"},
        {"id": "access", "type": "text", "optional": True, "text": "Any access needs?",
         "role": "access"},
        {"id": "can_come", "type": "multi", "role": "availability", "text": "Which weekends?",
         "choices": [{"id": "w1", "text": "Sat 14 and Sun 15 March"},
                     {"id": "w2", "text": "Sat 28 and Sun 29 March"}]},
    ],
}


def registration(session) -> int:
    """The test registration survey's version id (loaded once)."""
    registry.load_definition(session, REGISTRATION)
    return registry.version_row(session, SLUG, 1).id


def register(rt, name: str | None, channel: str, address: str, language: str,
             status: str = "registered", now: datetime | None = None,
             phone: str | None = None, answers: dict | None = None, **more) -> int:
    """A registrant who registered on `channel` from `address` (E.164 or a chat id), in
    `language`, with `name` as the answer to the registration's name question (None: not
    answered); a web registrant gives `phone`, kept as a `tel` address of their contact;
    `answers`: more of the registration's answers by question id. Returns the registrant's
    id."""
    now = now or rt.now()
    with transaction(rt.sessions) as session:
        version_id = registration(session)
        draw = session.scalar(select(Draw).limit(1))
        if draw is None:
            draw = Draw(seed="test", addresses=10, letters=10, source_digest="0" * 64,
                        created_at=now)
            session.add(draw)
            session.flush()
        letter = Letter(draw_id=draw.id, number=_next_number(session, draw.id),
                        ward="hoe_street")
        session.add(letter)
        session.flush()
        code = LetterCode(letter_id=letter.id,
                          code_hash=hashlib.sha256(f"{letter.id}".encode()).hexdigest())
        session.add(code)
        scheme = channels.scheme_of(channel)
        where = get_address(session, scheme, address, now, inbound=True)
        where.contact.language = language
        if phone is not None:
            session.add(Address(contact_id=where.contact_id, scheme="tel", value=phone,
                                created_at=now))
        response = Response(contact_id=where.contact_id, survey_version_id=version_id,
                            channel=channel, language=language, status="complete",
                            started_at=now, completed_at=now)
        session.add(response)
        session.flush()
        if name is not None:
            session.add(Answer(response_id=response.id, question_id="who_you_are", value=name,
                               raw_text=name, answered_at=now))
        for question_id, value in (answers or {}).items():
            session.add(Answer(response_id=response.id, question_id=question_id, value=value,
                               raw_text=str(value), answered_at=now))
        row = Registrant(code_id=code.id, letter_id=letter.id, contact_id=where.contact_id,
                         response_id=response.id, channel=channel, language=language,
                         status=status, status_at=now, registered_at=now, **more)
        session.add(row)
        session.flush()
        return row.id


def _next_number(session, draw_id: int) -> int:
    return len(session.scalars(select(Letter.id).where(Letter.draw_id == draw_id)).all()) + 1


def registrant(rt, registrant_id: int) -> Registrant:
    with rt.sessions() as session:
        found = session.get(Registrant, registrant_id)
        session.expunge(found)
    return found
