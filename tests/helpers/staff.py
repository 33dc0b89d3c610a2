"""Staff users, signing in through the real form, and the rows the staff pages count."""

from __future__ import annotations

import re
from datetime import datetime
from functools import cache

from bot.alerts import Raised, raise_alert
from staff import accounts
from store.db import transaction
from store.models import Address, Answer, Contact, Message, Response, StaffUser
from surveys import registry

PASSWORD = "correct horse battery staple"
PHONE = "+447700900123"  # must never appear on a staff page
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


@cache
def _hashed(password: str) -> str:
    return accounts.hasher.hash(password)  # argon2 is slow by design: once per password


def add_user(rt, email: str, role: str, password: str = PASSWORD) -> None:
    """A staff user, straight into the table (accounts.add is tested on its own)."""
    with transaction(rt.sessions) as session:
        session.add(StaffUser(email=email, role=role, password_hash=_hashed(password)))


def csrf(client, path: str = "/staff/login") -> str:
    """The CSRF token of the form on `path`, as a browser would read it."""
    page = client.get(path)
    assert page.status_code == 200, page.status_code
    return CSRF.search(page.get_data(as_text=True)).group(1)


def sign_in(client, email: str, password: str = PASSWORD, **headers):
    return client.post("/staff/login", headers=headers, data={
        "email": email, "password": password, "csrf_token": csrf(client)})


def add_response(rt, slug: str, *, channel: str = "sms", language: str = "en",
                 complete: bool = True, answers: dict | None = None,
                 started: datetime | None = None) -> int:
    """A response to the current version of `slug`, from a new contact with a phone."""
    with transaction(rt.sessions) as session:
        survey = registry.current(session)[slug]
        version = registry.version_row(session, slug, survey.version)
        contact = Contact(language=language)
        session.add(contact)
        session.flush()
        session.add(Address(contact_id=contact.id, scheme="tel", value=PHONE[:-3] + str(
            contact.id).zfill(3)))
        when = started or rt.now()
        response = Response(contact_id=contact.id, survey_version_id=version.id,
                            channel=channel, language=language, started_at=when,
                            status="complete" if complete else "partial",
                            completed_at=when if complete else None)
        session.add(response)
        session.flush()
        for question, value in (answers or {}).items():
            session.add(Answer(response_id=response.id, question_id=question, value=value,
                               raw_text=str(value), answered_at=when))
        return response.id


def add_alert(rt, text: str = "my stepdad hits me", language: str = "en",
              severity: int = 2, text_en: str | None = None) -> int:
    """An alert raised by a message from PHONE (as bot/alerts.py stores one)."""
    with transaction(rt.sessions) as session:
        contact = Contact(language=language)
        session.add(contact)
        session.flush()
        message = Message(direction="in", channel="sms", address=PHONE, contact_id=contact.id,
                          body=text, status="received")
        session.add(message)
        session.flush()
        alert = raise_alert(session, Raised(
            kind="safeguarding", severity=severity, category="abuse_at_home", text=text,
            language=language, channel="sms", survey="neighbourhood-policing",
            question="build_trust", contact_id=contact.id, message_id=message.id),
            rt.now(), lead=None)
        if text_en is not None:
            alert.text_en, alert.translation_status = text_en, "done"
        return alert.id

