"""Alerts: words a person must act on, kept until someone acknowledges them.

A safeguarding alert is written in the transaction that stores the message that raised it,
so it cannot be lost, and the configured lead (SAFEGUARDING_LEAD) is told at once through
the outbox — that an alert waits and how urgent, never what was said — whatever the hour.
The queue is ordered as a crisis line triages: most urgent first, then oldest first.

An alert shows the conversation it arose in, never a survey's answers beside the person: the
messages inside an anonymous survey (one whose consent says the answers are kept apart from
the number, `anonymous: true` in its YAML) — its questions and the person's answers — are
left out and counted, except the disclosure itself, the bot's replies to it and the lead's
own replies. Where the alert says what the person was answering, it names the survey and
the question's place ("question 3 of 17"), never a question id or an answer — and nothing
at all for a named person (a member, an engager) in an anonymous survey. The exports never
hold the answer that raised an alert (staff/exports.py `WITHHELD`): the alert shows those
words beside the person, so no export row may show them beside the person's answers.
"""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import exists, func, select
from sqlalchemy.orm import Session

from bot import channels, erasure, optouts
from bot.addresses import provider_address
from bot.outbox import enqueue
from bot.quiet import QuietHours
from bot.safeguarding.patterns import CATEGORIES
from bot.state import CALL_REQUESTED, Reply
from store.models import (
    Address,
    Alert,
    Contact,
    Conversation,
    Engager,
    Member,
    Message,
    Response,
    Survey,
    SurveyVersion,
)
from surveys import registry
from surveys.model import Questionnaire

# The categories of an alert that arose from a disclosure (words about harm the detector
# found), whatever its kind: a member's goes to the wellbeing lead, anyone else's to the
# safeguarding lead. Not a member's CALL or a low check-in score.
DISCLOSURES = CATEGORIES
SEVERITY_NAMES = {3: "in danger now", 2: "at risk", 1: "concern"}
# Said where an English translation will not come (no translator is set up): to a lead.
NO_TRANSLATION = "No translation: ask your administrator to set one up"
# An acknowledgement's note says what was done, in words: "." or "ok" do not (point 16).
NOTE_WORDS, NOTE_LETTERS = 2, 8
NOTE_NEEDED = ("Write what was done before acknowledging. A note says it in words: at least "
               f"{NOTE_WORDS} words and {NOTE_LETTERS} letters.")
LEAD_REPLY = "alert-reply:"  # the outbox key of a lead's reply: alert-reply:<alert>:<nonce>


@dataclass(frozen=True)
class Raised:
    """What raised an alert, and where: the words as written, their language, the survey
    and question they answered, the conversation, the message."""

    kind: str
    severity: int
    category: str
    text: str
    language: str | None
    channel: str
    survey: str | None = None
    question: str | None = None
    contact_id: int | None = None
    conversation_id: int | None = None
    message_id: int | None = None
    under_13: bool = False  # they were screened out as under 13 (bot/erasure.py)


def raise_alert(session: Session, raised: Raised, now: datetime,
                lead: tuple[str, str] | None, staff_url: str | None = None) -> Alert:
    """Store the alert and queue the lead's notice: no quiet hours, and ahead of anything
    else waiting in the outbox (a broadcast to thousands must not hold it back).
    `staff_url`: PUBLIC_BASE_URL when people can reach it (the notice links the alert's
    page), else None."""
    english, status = ((raised.text, "done") if raised.language == "en"
                       else (None, None) if raised.category == CALL_REQUESTED  # a keyword
                       else (None, "pending"))
    alert = Alert(kind=raised.kind, severity=raised.severity, category=raised.category,
                  text=raised.text, language=raised.language, text_en=english,
                  translation_status=status, channel=raised.channel, survey=raised.survey,
                  question=raised.question, contact_id=raised.contact_id,
                  conversation_id=raised.conversation_id, message_id=raised.message_id,
                  under_13=raised.under_13, created_at=now)
    session.add(alert)
    session.flush()
    if lead is not None:
        channel, address = lead
        enqueue(session, channel, address, Reply(notice(alert, staff_url)), now,
                key=f"alert-notice:{alert.id}", urgent=True)
    return alert


def asked_for_call(alert: Alert) -> bool:
    """Whether the alert is a member's CALL: a request to be called, not words to read
    (nothing to translate: the keyword in their language)."""
    return alert.category == CALL_REQUESTED


def from_disclosure():
    """The SQL condition for alerts that arose from a disclosure (DISCLOSURES), whatever
    their kind: the exports flag and withhold their answers, the pack never quotes them."""
    return Alert.category.in_(DISCLOSURES)


def urgent(alert: Alert) -> bool:
    """In danger now or at risk (not a concern): overdue sooner, and a lead's reply may go
    at once, inside quiet hours."""
    return alert.severity >= 2


def notice(alert: Alert, staff_url: str | None = None) -> str:
    """The lead's notice: that an alert waits, never what was said or by whom; a link to
    its page when the service has a public address (a local link is never sent)."""
    where = (f"See it at {staff_url}/staff/alerts/{alert.id}" if staff_url else
             "Sign in to the staff area to see it, or: outreach alerts list")
    return f"New {alert.kind} alert #{alert.id} ({SEVERITY_NAMES[alert.severity]}). {where}"


def anonymous(survey: Questionnaire) -> bool:
    """Whether a survey keeps its answers apart from the person (`anonymous: true`: its
    consent says so), so that nothing shows them beside a person."""
    return survey.anonymous


def named(session: Session, contact_id: int | None) -> bool:
    """Whether staff know the person behind a contact by name: an assembly member or a
    peer engager (their names are on the staff pages)."""
    if contact_id is None:
        return False
    return bool(session.scalar(select(
        exists().where(Member.contact_id == contact_id)
        | exists().where(Engager.contact_id == contact_id))))


def answering(session: Session, alert: Alert) -> str | None:
    """What the person was answering, as a lead reads it: the survey's title and the
    question's place in it ("question 3 of 17"), never its id; "-" outside a survey.
    None — nothing to show — when a named person (`named`) was answering an anonymous
    survey: their name beside it would tie them to their "anonymous" answers."""
    survey = registry.current(session).get(alert.survey) if alert.survey else None
    if survey is None:
        return "-"
    if anonymous(survey) and named(session, alert.contact_id):
        return None
    ids = [q.id for q in survey.questions]
    if alert.question not in ids:
        return survey.title
    return f"{survey.title}, question {ids.index(alert.question) + 1} of {len(ids)}"


def waiting(session: Session, everything: bool = False) -> list[Alert]:
    """Alerts not yet acknowledged (or all), most urgent first, then oldest first."""
    query = select(Alert).order_by(Alert.acked_at.is_not(None), Alert.severity.desc(),
                                   Alert.created_at, Alert.id)
    if not everything:
        query = query.where(Alert.acked_at.is_(None))
    return list(session.scalars(query))


def waiting_count(session: Session) -> int:
    """How many alerts wait for a person (the staff navigation shows it)."""
    return session.scalar(select(func.count()).select_from(Alert)
                          .where(Alert.acked_at.is_(None)))


class UnknownAlert(LookupError):
    """No alert has that number."""


class CannotDo(Exception):
    """What the lead asked cannot be done with this alert (and why, in words)."""


def get(session: Session, alert_id: int) -> Alert:
    alert = session.get(Alert, alert_id)
    if alert is None:
        raise UnknownAlert(alert_id)
    return alert


def unacknowledged(session: Session, alert_id: int) -> Alert:
    """An alert still waiting (CannotDo when it was acknowledged: a record is kept once)."""
    alert = get(session, alert_id)
    if alert.acked_at is not None:
        raise CannotDo(f"alert #{alert_id} was already acknowledged by {alert.acked_by}")
    return alert


def says_what_was_done(note: str | None) -> bool:
    """Whether an acknowledgement's note says something: at least NOTE_WORDS words and
    NOTE_LETTERS letters (any script). The one rule of the staff page and the CLI."""
    text = (note or "").strip()
    return (len(text.split()) >= NOTE_WORDS
            and sum(ch.isalpha() for ch in text) >= NOTE_LETTERS)


def acknowledge(session: Session, alert_id: int, by: str, note: str | None,
                now: datetime) -> Alert:
    """Record that a person has dealt with an alert (who, when, what they did: a note that
    says it, `says_what_was_done`). Once: a safeguarding record is never overwritten."""
    alert = unacknowledged(session, alert_id)
    if not says_what_was_done(note):
        raise CannotDo(NOTE_NEEDED)
    alert.acked_at, alert.acked_by, alert.ack_note = now, by, note
    if alert.under_13:  # kept only so that this alert could reach them (docs/youth.md)
        session.flush()
        erasure.release(session, alert.contact_id)
    return alert


def erased(alert: Alert) -> str:
    """Why the person behind an alert can no longer be read or written to."""
    return ("the person said they are under 13: what was kept to reach them was erased "
            "when the alert was acknowledged" if alert.under_13 else
            "the person's data was erased (they sent DELETE, or it was kept no longer)")


@dataclass(frozen=True)
class Said:
    """One message of the conversation, as the lead reads it."""

    at: datetime
    direction: str  # in | out
    text: str
    due: datetime | None = None  # a reply still queued: when the worker sends it
    lead: bool = False  # a lead's own reply (`alerts reply`, the alert's page)


@dataclass(frozen=True)
class Hidden:
    """A run of messages inside an anonymous survey (its questions, the answers): not shown."""

    count: int


@dataclass(frozen=True)
class _Answered:
    """One of the person's responses: which questions, between when and when."""

    survey: Questionnaire
    started_at: datetime
    completed_at: datetime | None

    def asks(self, question: str, at: datetime) -> bool:
        return (self.survey.question(question) is not None and self.started_at <= at
                and (self.completed_at is None or at <= self.completed_at))


def conversation(session: Session, alert: Alert, last: int = 30) -> list[Said | Hidden]:
    """The person's messages both ways around the alert (the last `last`), oldest first;
    never their number or chat id, and never what they answered an anonymous survey: each
    run of such messages is one `Hidden`."""
    if alert.contact_id is None:
        raise CannotDo(f"{erased(alert)}: only the alert is kept")
    rows = session.execute(
        select(Message.id, Message.created_at, Message.direction, Message.body,
               Message.status, Message.next_attempt_at, Message.payload,
               Message.idempotency_key, Message.reply_to_id)
        .where(Message.contact_id == alert.contact_id).order_by(Message.id)).all()
    inside = _in_anonymous_survey(rows, _responses(session, alert.contact_id))
    shown: list[Said | Hidden] = []
    for row, hide in list(zip(rows, inside, strict=True))[-last:]:
        lead = (row.idempotency_key or "").startswith(LEAD_REPLY)
        if hide and not lead and not _about_the_disclosure(row, alert):
            count = shown.pop().count if shown and isinstance(shown[-1], Hidden) else 0
            shown.append(Hidden(count + 1))
            continue
        due = (max(row.next_attempt_at, row.created_at)
               if row.direction == "out" and row.status == "queued" else None)
        shown.append(Said(row.created_at, row.direction, row.body, due, lead))
    return shown


def _about_the_disclosure(row, alert: Alert) -> bool:
    """The disclosure itself, or the bot's answer to it (the signposting), but not the
    survey's next question or its closing words sent in the same turn."""
    if row.id == alert.message_id:
        return True
    return row.reply_to_id == alert.message_id and not (row.payload or {}).get("question")


def _responses(session: Session, contact_id: int) -> list[_Answered]:
    rows = session.execute(
        select(Survey.slug, SurveyVersion.version, Response.started_at, Response.completed_at)
        .join(SurveyVersion, SurveyVersion.id == Response.survey_version_id)
        .join(Survey, Survey.id == SurveyVersion.survey_id)
        .where(Response.contact_id == contact_id)).all()
    return [_Answered(survey, started, completed) for slug, version, started, completed in rows
            if (survey := registry.get(session, slug, version)) is not None]


def _in_anonymous_survey(rows: Sequence, responses: list[_Answered]) -> list[bool]:
    """For each message (in order), whether it falls inside an anonymous survey: from a
    question it asks to the bot's first message after the last answer (the outro), or to
    a question of another survey. A response left unfinished stays open (hiding too much
    beats showing an answer)."""
    inside: _Answered | None = None
    marks = []
    for row in rows:
        asked = (row.payload or {}).get("question") if row.direction == "out" else None
        if asked is not None:
            found = [r for r in responses if r.asks(asked, row.created_at)]
            if found:
                inside = next((r for r in found if anonymous(r.survey)), None)
        elif (row.direction == "out" and inside is not None and inside.completed_at is not None
              and row.created_at >= inside.completed_at):
            inside = None
        marks.append(inside is not None)
    return marks


_FETCHED = frozenset(c.name for c in channels.CHANNELS if not c.pushed)  # pages: no number


def unreachable(session: Session, alert: Alert) -> str | None:
    """Why no message can reach the person behind an alert, as a lead reads it (None: a
    reply can go). The channel first: a web-form visitor has no number, erased or not."""
    if alert.channel in _FETCHED:
        return "they were on the web form, there is no number to write to"
    address = _address(session, alert) if alert.conversation_id is not None else None
    if address is None:
        return erased(alert)
    if optouts.is_opted_out(session, address.contact_id):
        return "they sent STOP: nothing more is sent to them"
    return None


def reads(session: Session, alert: Alert) -> str | None:
    """The language the person reads (the one the bot writes to them in, else the one
    their words were in): a lead's reply goes as it is written, untranslated."""
    language = session.scalar(select(Contact.language).where(
        Contact.id == alert.contact_id)) if alert.contact_id is not None else None
    return language or alert.language


def _address(session: Session, alert: Alert) -> Address | None:
    return session.scalar(select(Address).join(Conversation).where(
        Conversation.id == alert.conversation_id))


def reply(session: Session, alert: Alert, text: str, now: datetime,
          quiet: QuietHours | None = None, nonce: str | None = None) -> tuple[int | None, datetime]:
    """A message from the lead to the person, through the outbox on the channel they
    used, without the lead ever seeing their number. Not to someone who sent STOP.
    With `quiet` (QUIET_HOURS) it waits for the end of quiet hours; without, it goes at
    once, ahead of what else waits (a disclosure's reply may not wait for the morning).
    Its outbox key marks it as the lead's (LEAD_REPLY); `nonce` (the form's) makes a
    second post of the same form queue nothing. Returns the outbox row and when it is due."""
    why = unreachable(session, alert)
    if why is not None:
        raise CannotDo(f"This person cannot be written to: {why}")
    address = _address(session, alert)
    channel = channels.channel_of(address.scheme)
    due = quiet.next_allowed(now) if quiet is not None else now
    row = enqueue(session, channel, provider_address(address.scheme, address.value),
                  Reply(text), now, contact_id=address.contact_id, quiet=quiet,
                  urgent=quiet is None,
                  key=f"{LEAD_REPLY}{alert.id}:{nonce or secrets.token_hex(8)}")
    return row, due
