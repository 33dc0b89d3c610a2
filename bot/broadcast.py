"""Broadcasts: invite a list of people (or everyone we can reach) to a survey.

Each recipient's conversation is started exactly as if they had texted the survey's
keyword, so the invitation is the survey's own intro and consent in their language and
their reply goes straight into it. The messages are outbox rows due at the next moment
outside quiet hours. People who opted out, whose last answer to a consent was no, whose
number is invalid, who are part way through a survey or who already completed this one are
left out, and counted by reason. A dry run stores nothing and reports the recipients, SMS
parts and estimated cost per language. The report shows addresses masked, as the logs do.
"""

from __future__ import annotations

import csv
import io
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import exists, select
from sqlalchemy.orm import Session

from bot import addresses, channels, engine, optouts, plaintext, selection
from bot.contacts import get_address, get_conversation
from bot.conversations import resume_due
from bot.runtime import Runtime
from bot.state import Incoming, Person, Start, State
from store.models import Address, ConsentRecord, Response, Survey, SurveyVersion
from translations import segments


@dataclass(frozen=True)
class Recipient:
    address: str  # as given; normalised when used
    language: str | None = None
    listed: bool = False  # typed into a --to file (not a number a person wrote from)


@dataclass
class Plan:
    """What a broadcast sends (or would send), for the report."""

    sent: dict[str, str] = field(default_factory=dict)  # address -> language
    skipped: dict[str, str] = field(default_factory=dict)  # address -> why (no address in it)
    left_out: Counter = field(default_factory=Counter)  # why -> rows left out (each row)
    by_language: Counter = field(default_factory=Counter)  # recipients
    messages: Counter = field(default_factory=Counter)
    parts: Counter = field(default_factory=Counter)  # SMS parts per language


def read_recipients(path: Path, channel: str) -> list[Recipient]:
    """One address per line, or a CSV with a `phone` / `telegram_chat_id` column and an
    optional `language` column."""
    text = path.read_text(encoding="utf-8-sig")
    first = text.splitlines()[0] if text.strip() else ""
    column = channels.get(channel).list_column
    if column in [c.strip() for c in first.split(",")]:
        rows = csv.DictReader(io.StringIO(text))
        return [Recipient(row[column].strip(), (row.get("language") or "").strip() or None,
                          listed=True)
                for row in rows if (row.get(column) or "").strip()]
    return [Recipient(line.strip(), listed=True) for line in text.splitlines()
            if line.strip() and not line.startswith("#")]


def audience(session: Session, channel: str, slug: str) -> list[Recipient]:
    """Everyone we know on `channel`; who must not be invited (opted out, said no to a
    consent, a number marked invalid) is left out by `run`, and counted."""
    scheme = channels.scheme_of(channel)
    rows = session.scalars(select(Address).where(Address.scheme == scheme)
                           .order_by(Address.id))
    return [Recipient(row.value, row.contact.language) for row in rows]


def _declined(session: Session, contact_ids: list[int]) -> bool:
    """Whether the person's last answer to a consent, to any survey, on SMS or WhatsApp
    from their number, was no."""
    given = session.scalar(select(ConsentRecord.given).where(
        ConsentRecord.contact_id.in_(contact_ids))
        .order_by(ConsentRecord.at.desc(), ConsentRecord.id.desc()).limit(1))
    return given is False


def _completed(session: Session, contact_id: int, slug: str) -> bool:
    return bool(session.scalar(select(exists().where(
        Response.contact_id == contact_id, Response.status == "complete",
        Response.survey_version_id == SurveyVersion.id,
        SurveyVersion.survey_id == Survey.id, Survey.slug == slug))))


def run(rt: Runtime, slug: str, channel: str, recipients: list[Recipient],
        dry_run: bool = False) -> Plan:
    """Start `slug` for each recipient (or, with dry_run, only work out what would go)."""
    plan = Plan()
    now = rt.now()
    with rt.sessions() as session:
        for recipient in recipients:
            why = _invite(rt, session, slug, channel, recipient, now, plan, dry_run)
            if why:
                plan.skipped[recipient.address] = why
                plan.left_out[why] += 1
        if dry_run:
            session.rollback()  # a dry run leaves no trace
        else:
            session.commit()
    return plan


def _invite(rt: Runtime, session: Session, slug: str, channel: str, recipient: Recipient,
            now, plan: Plan, dry_run: bool) -> str | None:
    try:
        scheme, value = addresses.parse(channel, recipient.address,
                                            rt.settings.default_region)
    except addresses.InvalidAddress as exc:  # its message quotes the number: not in a report
        return str(exc).partition(":")[0]
    if recipient.listed and channels.get(channel).phone and not addresses.is_valid(value):
        return "not a valid number"  # "12345" would be +4412345: no such number
    if value in plan.sent:
        return "listed twice"
    existing = session.scalar(select(Address).where(Address.scheme == scheme,
                                                    Address.value == value))
    # SMS and WhatsApp from one number are two contacts: a STOP or a "no" on either holds.
    people = optouts.same_number(session, scheme, value)
    if any(person.opted_out_at is not None for person in (
            [existing.contact] if existing is not None else people)):
        return "opted out"
    if people and _declined(session, [person.id for person in people]):
        return "said no to the consent"
    if selection.left_alone(session, [p.id for p in people] + (
            [existing.contact_id] if existing is not None else [])):
        return "left alone after the lottery"  # not selected, said NO or never answered
    if existing is not None:
        if existing.status != "active":
            return "number marked invalid"
        if _completed(session, existing.contact_id, slug):
            return "already completed this survey"
    address = existing or get_address(session, scheme, value, now, inbound=False)
    contact = address.contact
    if recipient.language and contact.language is None:
        contact.language = recipient.language
    conversation = get_conversation(session, address)
    state = State.from_json(conversation.state)
    if state.run.in_progress:
        return "part way through a survey"
    event = Incoming("", start=Start(survey=slug))
    if dry_run:
        state.contact = Person(contact.language, False)
        sprint = engine.resume(state, event, now, rt.env(session))
        replies, lang = sprint.replies, sprint.state.contact.language
    else:
        replies = resume_due(rt, session, conversation, event, now)
        lang = contact.language
    if not replies:
        return "nothing to send"
    lang = lang or "?"
    plan.sent[value] = lang
    plan.by_language[lang] += 1
    plan.messages[lang] += len(replies)
    if channels.get(channel).sms_parts:
        plan.parts[lang] += sum(segments.count(plaintext.render(r)) for r in replies)
    return None
