"""The web form's visitor: their token, CSRF token and step in the signed session cookie,
the messages a form is, and handing them to the engine (or to the spool while the database
is down); reading back who they are and which survey they are on."""

from __future__ import annotations

import hmac
import secrets

from flask import request, session

from bot import history, letter_codes, screened
from bot.conversations import Handled, Inbound, handle
from bot.engine import is_engager_code
from bot.messages import Delivery
from bot.runtime import Runtime
from bot.spool import Spool
from bot.state import Start
from surveys import registry
from surveys.model import REGISTRANTS, Questionnaire

SKIP, LANG = "SKIP", "LANG"  # keywords the engine understands in every language
OPEN_TO = ("residents", "youth")  # audiences on the web; members are invited, never open
# Reached by a link but never listed: the lottery's registration, which asks for the code on
# the letter (?code= carries it from the letter's QR code).
LINKED = (*OPEN_TO, REGISTRANTS)
NEW = "new"  # the step of a visitor who has sent nothing yet: nothing stored for them
SESSION_KEYS = ("web_token", "web_csrf", "web_slug", "web_ref", "web_step", "web_tries",
                "web_notice", "web_lang", "web_spooled", "web_letter")


def screened_out(rt: Runtime) -> screened.Mark | None:
    """Whether this browser's token was screened out lately (bot/screened.py): it is kept,
    so that the survey is not started afresh, and the thank-you is shown again."""
    token = session.get("web_token")
    return history.screened_out(rt, "web", token) if token else None


def start(hint: str | None) -> Inbound:
    """The message that starts this visitor's survey (with the engager of `?ref=`, or the
    letter's code of `?code=`)."""
    token = session["web_token"]
    return Inbound("web", token, "", provider_id=f"{token}.start", lang_hint=hint,
                   start=Start(survey=session.get("web_slug"), engager=session.get("web_ref"),
                               letter=session.get("web_letter")))


def current_form(slug: str) -> bool:
    """Whether the form posted is the page the visitor is on (not an older one)."""
    step = session.get("web_step")
    return (step is not None and session.get("web_slug") == slug
            and request.form.get("step") == str(step))


def inbounds() -> list[Inbound]:
    """The messages a form is: its answer, after the survey's start if it is the first.
    Their provider ids come from the cookie alone, so that a double click, or the same
    form sent again after an outage, is stored once."""
    step, tries = session["web_step"], session.get("web_tries", 0)
    if step == NEW:
        first = start(session.get("web_lang"))
        return [first, Inbound("web", first.address, answer_text(),
                               provider_id=f"{first.address}.first.{tries}")]
    return [Inbound("web", session["web_token"], answer_text(),
                    provider_id=f"{step}.{tries}")]


def keep(rt: Runtime, sent: list[Inbound]) -> None:
    """Keep the form's messages in the spool, for the worker to replay."""
    kept = Spool.of(rt.settings)
    for inbound in sent:
        kept.keep(inbound, Delivery.SHOWN)
    session["web_spooled"] = sent[-1].provider_id


def replayed(rt: Runtime) -> bool:
    """Whether the answer kept in the spool has been replayed: the visitor's page moves on
    to the replies it got."""
    if Spool.of(rt.settings).holds(Inbound("web", session.get("web_token", ""))):
        return False
    found = history.inbound_id(rt, "web", session["web_spooled"])
    session.pop("web_spooled")
    if found is not None:
        session["web_step"], session["web_tries"] = found, 0
    return True


def new_visitor() -> None:
    forget()
    session["web_token"] = secrets.token_urlsafe(24)
    session["web_csrf"] = secrets.token_urlsafe(32)


def forget() -> None:
    """Forget this browser: nothing of the form is left in its cookie."""
    for key in SESSION_KEYS:
        session.pop(key, None)


def csrf_ok() -> bool:
    expected, given = session.get("web_csrf"), request.form.get("csrf")
    if not expected or not given or "web_token" not in session:
        return False
    return hmac.compare_digest(expected.encode(), given.encode())


def engager_code(ref: str | None) -> str | None:
    """A peer engager's code from ?ref=; anything that cannot be one is ignored."""
    code = (ref or "").strip().upper()
    return code if is_engager_code(code) else None


def letter_code(code: str | None) -> str | None:
    """A letter's code from ?code= (the QR code's link), read as typed codes are."""
    return letter_codes.read(code) if code and len(code) <= 40 else None


def answer_text() -> str:
    """The form as a chat message: SKIP (an optional question left empty too), the chosen
    numbers "1,3", or what was typed."""
    values = request.form.getlist("answer")
    if "skip" in request.form or (session.get("web_optional")
                                  and not "".join(values).strip()):
        return SKIP  # Skip, or Continue with nothing given to an optional question
    return values[0] if len(values) == 1 else ",".join(values)


def send(rt: Runtime, text: str, **more) -> Handled:
    return handle(rt, Inbound("web", session["web_token"], text, **more), Delivery.SHOWN)


def advance(rt: Runtime, handled: Handled, provider_id: str | None = None) -> bool:
    """Make these replies the current page; False if the engine did not answer (the
    visitor is sending too fast), which keeps the page and the next provider id fresh."""
    if not handled.replies or handled.rate_limited:
        session["web_tries"] = session.get("web_tries", 0) + 1
        return False
    step = (history.inbound_id(rt, "web", provider_id) if handled.duplicate
            else handled.inbound_id)
    session["web_step"], session["web_tries"] = step, 0
    return True


def survey(rt: Runtime, slug: str) -> Questionnaire | None:
    """An open survey (or the lottery's registration) by its slug; a members' survey (the
    wellbeing check-in) is not one: it goes to assembly members by name, never to whoever
    has the link."""
    with rt.sessions() as db:
        found = registry.current(db).get(slug)
    return found if found is not None and found.audience in LINKED else None


def visitor(rt: Runtime, token: str | None) -> history.ContactSummary | None:
    """The contact behind this browser's token, or None (new, or erased)."""
    return history.contact_summary(rt, "web", token) if token else None
