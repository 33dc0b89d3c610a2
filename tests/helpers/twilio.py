"""Talking to the Twilio webhook as Twilio does: the form of an incoming message, a signed
POST, the texts of a TwiML answer, and the rows a message leaves behind."""

from __future__ import annotations

import itertools
import xml.etree.ElementTree as ET

from sqlalchemy import select
from twilio.request_validator import RequestValidator

from store.models import Address, Contact, Message
from tests.helpers.providers import SMS_FROM, WHATSAPP_FROM
from tests.helpers.providers import TWILIO_ACCOUNT as ACCOUNT
from tests.helpers.providers import TWILIO_TOKEN as TOKEN

BASE = "https://outreach.example.org"  # PUBLIC_BASE_URL in tests/conftest.py
FIRST_QUESTION = ("How safe do you feel in your local area during the day? "
                  "1 = very unsafe, 5 = very safe")

_sids = itertools.count(1)


def new_sid() -> str:
    return f"SM{next(_sids):032x}"


def incoming(sender: str, body: str, sid: str | None = None, **more: str) -> dict[str, str]:
    """The form Twilio posts for an incoming message."""
    to = f"whatsapp:{WHATSAPP_FROM}" if sender.startswith("whatsapp:") else SMS_FROM
    return {"MessageSid": sid or new_sid(), "AccountSid": ACCOUNT, "From": sender, "To": to,
            "Body": body, "NumMedia": "0", "NumSegments": "1", "SmsStatus": "received",
            "ApiVersion": "2010-04-01", **more}


def post(client, form: dict[str, str], path: str = "/webhooks/twilio",
         signed_url: str | None = None, token: str = TOKEN):
    """POST as Twilio does, signed over the public URL (or `signed_url`)."""
    signature = RequestValidator(token).compute_signature(signed_url or BASE + path, form)
    return client.post(path, data=form, headers={"X-Twilio-Signature": signature})


def said(response) -> list[str]:
    """The texts of a TwiML answer's <Message>s."""
    assert response.status_code == 200
    assert response.mimetype == "text/xml"
    root = ET.fromstring(response.data)
    assert root.tag == "Response"
    assert all(child.tag == "Message" for child in root)
    return [message.text or "" for message in root]


def outbound(rt) -> list[Message]:
    with rt.sessions() as session:
        return list(session.scalars(select(Message).where(Message.direction == "out")
                                    .order_by(Message.id)))


def contact_of(rt, scheme: str, value: str) -> Contact:
    with rt.sessions() as session:
        address = session.scalar(select(Address).where(Address.scheme == scheme,
                                                       Address.value == value))
        return session.get(Contact, address.contact_id)


def start_survey(client, sender: str) -> None:
    """Hi, YES: the person is at the first question."""
    assert len(said(post(client, incoming(sender, "Hi")))) == 2
    assert said(post(client, incoming(sender, "YES"))) == [FIRST_QUESTION]
