"""The evidence pack's questions to the database, answered as counts and plain values.

Aggregates only: how many responses per survey, channel and language, how many gave each
answer, averages by group. The one exception is free text, which must be read to be coded
and quoted (`free_texts`); the pack shows none of it unredacted. Nothing here is about a
person: no address, contact, chat id or name leaves this module except the engagers' and
members' names, which go to the redactor only (`known_names`), so that quotes can be cleared
of them.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import and_, case, exists, func, literal, select
from sqlalchemy.orm import Session, aliased

from bot import alerts
from staff.heard import responses_of
from store.models import (
    Alert,
    Answer,
    Engager,
    Member,
    QuoteReview,
    Response,
    ScreenOut,
    Survey,
    SurveyVersion,
)
from surveys import registry
from surveys.model import REGISTRANTS, Questionnaire


@dataclass(frozen=True)
class SurveyCounts:
    slug: str
    title: str
    audience: str
    complete: int
    partial: int
    first: datetime | None
    last: datetime | None

    @property
    def total(self) -> int:
        return self.complete + self.partial


@dataclass(frozen=True)
class FreeText:
    """One free-text answer, as coding and quoting need it (no link to the person)."""

    id: int
    survey: str
    question: str
    text: str
    language: str | None
    english: str | None
    translation_status: str | None
    headline: Any  # the same response's answer to the survey's headline question, if any
    alerted: bool  # it disclosed harm (an alert of any kind): counted, never quoted


def surveys(session: Session) -> dict[str, Questionnaire]:
    """The latest definition of each survey (question wording and choices for labels);
    not the lottery's registration."""
    return {slug: s for slug, s in registry.current(session).items()
            if s.audience != REGISTRANTS}


def survey_counts(session: Session) -> list[SurveyCounts]:
    """Responses per survey: complete, partial, first and last started."""
    complete = func.count(case((Response.status == "complete", 1)))
    rows = session.execute(
        select(Survey.slug, Survey.title, Survey.audience, func.count(Response.id), complete,
               func.min(Response.started_at), func.max(Response.started_at))
        .join(SurveyVersion, SurveyVersion.survey_id == Survey.id)
        .join(Response, Response.survey_version_id == SurveyVersion.id)
        .where(Survey.audience != REGISTRANTS)  # the lottery's registrations: never in the pack
        .group_by(Survey.slug, Survey.title, Survey.audience).order_by(Survey.slug)).all()
    return [SurveyCounts(slug, title, audience, int(done or 0), n - int(done or 0), first, last)
            for slug, title, audience, n, done, first, last in rows]


def response_counts(session: Session, slug: str, column: str) -> dict[str, int]:
    """Responses to a survey by one of their columns (`channel`, `language`)."""
    field = getattr(Response, column)
    rows = session.execute(select(field, func.count()).where(Response.id.in_(responses_of(slug)))
                           .group_by(field)).all()
    return {value: n for value, n in rows}


def answer_counts(session: Session, slug: str, question: str) -> Counter:
    """How many gave each stored value to a question (multi-choice lists counted per
    option: Counter keys are single values)."""
    rows = session.execute(
        select(Answer.value, func.count()).where(Answer.question_id == question,
                                                 Answer.response_id.in_(responses_of(slug)))
        .group_by(Answer.value)).all()
    counts: Counter = Counter()
    for value, n in rows:
        for one in (value if isinstance(value, list) else [value]):
            counts[_key(one)] += n
    return counts


def answered(session: Session, slug: str, question: str) -> int:
    """How many responses answered a question (a multi-choice answer counts once)."""
    return session.scalar(select(func.count()).select_from(Answer).where(
        Answer.question_id == question, Answer.response_id.in_(responses_of(slug)))) or 0


def language_counts(session: Session, slug: str, question: str) -> Counter:
    """How many of each response language answered a question (for comparisons)."""
    return Counter(dict(session.execute(
        select(Response.language, func.count()).join(Answer, Answer.response_id == Response.id)
        .where(Answer.question_id == question, Response.id.in_(responses_of(slug)))
        .group_by(Response.language)).all()))


def means_by(session: Session, slug: str, question: str, by: str) -> dict[str, tuple[int, float]]:
    """A scale question's (count, mean) per answer to another question of the same survey."""
    other = aliased(Answer)
    rows = session.execute(
        select(other.value, Answer.value, func.count())
        .join(other, and_(other.response_id == Answer.response_id, other.question_id == by))
        .where(Answer.question_id == question, Answer.response_id.in_(responses_of(slug)))
        .group_by(other.value, Answer.value)).all()
    return _means((_key(group), value, n) for group, value, n in rows)


def means_by_language(session: Session, slug: str, question: str) -> dict[str, tuple[int, float]]:
    """A scale question's (count, mean) per response language."""
    rows = session.execute(
        select(Response.language, Answer.value, func.count())
        .join(Response, Response.id == Answer.response_id)
        .where(Answer.question_id == question, Response.id.in_(responses_of(slug)))
        .group_by(Response.language, Answer.value)).all()
    return _means(rows)


def _means(rows) -> dict[str, tuple[int, float]]:
    totals: dict[str, list[float]] = {}
    for group, value, n in rows:
        if isinstance(value, int | float):
            entry = totals.setdefault(group, [0, 0.0])
            entry[0] += n
            entry[1] += value * n
    return {group: (int(n), total / n) for group, (n, total) in totals.items() if n}


def number_sum(session: Session, slug: str, question: str) -> int:
    """The sum of a number question's answers (people taking part in logged conversations)."""
    values = session.scalars(select(Answer.value).where(
        Answer.question_id == question, Answer.response_id.in_(responses_of(slug)))).all()
    return int(sum(v for v in values if isinstance(v, int | float)))


def engagers_active(session: Session) -> int:
    """How many engagers' codes brought a response or a logged conversation."""
    return session.scalar(select(func.count(func.distinct(Response.engager_code)))
                          .where(Response.engager_code.is_not(None))) or 0


def attributed(session: Session, slug: str) -> int:
    """Responses to a survey that came through an engager's code."""
    return session.scalar(select(func.count()).select_from(Response).where(
        Response.id.in_(responses_of(slug)), Response.engager_code.is_not(None))) or 0


def screen_outs(session: Session, slug: str) -> Counter:
    """Screen-outs of a survey by reason (counts only: nothing else is kept)."""
    return Counter(dict(session.execute(select(ScreenOut.reason, func.count())
                                        .where(ScreenOut.survey == slug)
                                        .group_by(ScreenOut.reason)).all()))


def free_texts(session: Session, slug: str, question: str, headline: str | None = None,
               ) -> list[FreeText]:
    """Every free-text answer to a question, with the same response's answer to the
    question `headline` (the survey's headline measure) and whether it raised an alert from
    a disclosure (`alerts.from_disclosure`: whatever the alert's kind, a member's too)."""
    other = aliased(Answer)
    alerted = exists().where(alerts.from_disclosure(), Alert.survey == slug,
                             Alert.question == question,
                             Alert.contact_id == Response.contact_id)
    query = (select(Answer.id, Answer.raw_text, Answer.text_language, Answer.translation_en,
                    Answer.translation_status,
                    other.value if headline else literal(None), alerted)
             .join(Response, Response.id == Answer.response_id)
             .where(Answer.question_id == question, Response.id.in_(responses_of(slug)))
             .order_by(Answer.id))
    if headline:
        query = query.outerjoin(other, and_(other.response_id == Answer.response_id,
                                            other.question_id == headline))
    return [FreeText(row[0], slug, question, row[1], row[2], row[3], row[4], row[5],
                     bool(row[6])) for row in session.execute(query)]


def known_names(session: Session) -> list[str]:
    """Names the redactor must clear from quotes and redacted exports: the peer engagers'
    and the assembly members' (the one list the pack and the exports both use)."""
    return [*session.scalars(select(Engager.name)), *session.scalars(select(Member.name))]


def _key(value: Any) -> str:
    """A stored answer value as a label key ('yes', '3', 'a_lot')."""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value)


@dataclass(frozen=True)
class Decision:
    """Staff's decision on a quote, with the answer it is about (no link to the person)."""

    answer_id: int
    text: str
    language: str | None
    english: str | None  # once translated
    decision: str
    reason: str
    reviewer: str
    decided_at: datetime


def decisions(session: Session) -> list[Decision]:
    """Every decision on a quote, the latest first."""
    done = case((Answer.translation_status == "done", Answer.translation_en), else_=None)
    query = (select(QuoteReview.answer_id, Answer.raw_text, Answer.text_language, done,
                    QuoteReview.decision, QuoteReview.reason, QuoteReview.reviewer,
                    QuoteReview.decided_at)
             .join(Answer, Answer.id == QuoteReview.answer_id)
             .order_by(QuoteReview.decided_at.desc(), QuoteReview.answer_id))
    return [Decision(*row) for row in session.execute(query)]


def quote_decisions(session: Session) -> dict[int, str]:
    """Staff's decisions on quotes: answer id -> approved or excluded (staff/evidence/review)."""
    return dict(session.execute(select(QuoteReview.answer_id, QuoteReview.decision)).all())
