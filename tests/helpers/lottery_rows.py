"""Rows of the civic lottery made directly (a draw and its letters, codes, registrants with
their registration answers, targets), for tests of what reads them: the staff page,
`lottery status`, purge. The registration survey here is a small one of the test's own,
with the roles and references a council's would have."""

from __future__ import annotations

import secrets
from datetime import datetime

from sqlalchemy import select

from store.db import transaction
from store.models import (
    Address,
    Answer,
    Contact,
    Draw,
    Letter,
    LetterCode,
    Member,
    Registrant,
    Response,
    Target,
)
from surveys import registry

SLUG = "test-lottery-registration"
NAME, PHONE = "Ada Testperson", "+447700900777"  # never on a page, in a report or a CSV
REGISTRATION = {
    "slug": SLUG, "title": "Register for the assembly (test)", "audience": "registrants",
    "language": "en", "languages": ["en"], "intro": "Register.", "outro": "Thank you.",
    "consent": "Reply YES.",
    "questions": [
        {"id": "name", "type": "text", "text": "Your name?"},
        {"id": "age_band", "type": "choice", "role": "age", "text": "How old are you?",
         "choices": [{"id": "25_44", "text": "25 to 44", "ages": "25-44"},
                     {"id": "45_plus", "text": "45 or over", "ages": "45+"},
                     {"id": "prefer_not", "text": "Prefer not to say"}]},
        {"id": "gender", "type": "choice", "role": "gender", "text": "Your gender?",
         "choices": [{"id": "woman", "text": "Woman", "reference": "female"},
                     {"id": "man", "text": "Man", "reference": "male"},
                     {"id": "prefer_not", "text": "Prefer not to say"}]},
        {"id": "disability", "type": "choice", "role": "disability", "text": "Disabled?",
         "choices": [{"id": "yes", "text": "Yes", "reference": "disabled"},
                     {"id": "no", "text": "No", "reference": "not_disabled"}]},
        {"id": "ward", "type": "choice", "role": "ward", "text": "Your ward?",
         "choices": [{"id": "cathall", "text": "Cathall", "reference": "cathall"},
                     {"id": "forest", "text": "Forest", "reference": "forest"}]},
    ],
}


def load_registration(rt) -> None:
    """The test's registration survey, loaded."""
    with transaction(rt.sessions) as session:
        registry.load_definition(session, REGISTRATION)


def add_draw(rt, wards: list[str | None], *, closes_at: datetime | None = None,
             codes: int = 1, seed: str = "test-seed") -> list[int]:
    """A draw with one letter per ward given (codes hashed at random); the letters' ids."""
    with transaction(rt.sessions) as session:
        draw = Draw(seed=seed, addresses=len(wards) * 10, letters=len(wards), per_household=codes,
                    source_digest="0" * 64, closes_at=closes_at)
        session.add(draw)
        session.flush()
        letters = [Letter(draw_id=draw.id, number=n + 1, ward=ward)
                   for n, ward in enumerate(wards)]
        session.add_all(letters)
        session.flush()
        session.add_all(LetterCode(letter_id=letter.id, code_hash=secrets.token_hex(32))
                        for letter in letters for _ in range(codes))
        return [letter.id for letter in letters]


def add_registrant(rt, letter_id: int, answers: dict | None = None, *, channel: str = "sms",
                   language: str = "en", status: str = "registered",
                   at: datetime | None = None, member: bool = False) -> int:
    """A registrant on a free code of the letter, with a contact and phone, and a completed
    registration response holding a name and `answers`; a roster row too when `member`."""
    when = at or rt.now()
    with transaction(rt.sessions) as session:
        used = set(session.scalars(select(Registrant.code_id)))
        code = next(c for c in session.scalars(select(LetterCode.id).where(
            LetterCode.letter_id == letter_id).order_by(LetterCode.id)) if c not in used)
        contact = Contact(language=language, created_at=when)
        session.add(contact)
        session.flush()
        session.add(Address(contact_id=contact.id, scheme="tel",
                            value=PHONE[:-3] + str(contact.id).zfill(3)))
        version = registry.version_row(session, SLUG, registry.current(session)[SLUG].version)
        response = Response(contact_id=contact.id, survey_version_id=version.id,
                            channel=channel, language=language, status="complete",
                            started_at=when, completed_at=when)
        session.add(response)
        session.flush()
        for question, value in {"name": NAME, **(answers or {})}.items():
            session.add(Answer(response_id=response.id, question_id=question, value=value,
                               raw_text=str(value), answered_at=when))
        member_id = None
        if member:
            row = Member(contact_id=contact.id, name=NAME, channel=channel,
                         token=secrets.token_hex(16))
            session.add(row)
            session.flush()
            member_id = row.id
        registrant = Registrant(code_id=code, letter_id=letter_id, contact_id=contact.id,
                                response_id=response.id, channel=channel, language=language,
                                status=status, status_at=when, registered_at=when,
                                member_id=member_id)
        session.add(registrant)
        session.flush()
        return registrant.id


def add_target(rt, dimension: str, category: str, least: int, most: int,
               panel: int = 50) -> None:
    with transaction(rt.sessions) as session:
        session.add(Target(dimension=dimension, category=category, min=least, max=most,
                           panel=panel))
