"""Many responses quickly: bulk Core inserts of contacts, responses and answers for a loaded
survey, every question answered with a plausible value (for exports' tests and the bench)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.orm import Session, sessionmaker

from store.models import Answer, Contact, Response, Survey, SurveyVersion

START = datetime(2026, 3, 2, 9, tzinfo=UTC)
# (language, text, English or None while pending): every script the exports must carry.
TEXTS = [
    ("ur", "رات کو گلی میں روشنی نہیں ہوتی، پولیس کبھی نظر نہیں آتی", None),
    ("bg", "Полицията никога не идва, когато я повикаме през нощта", None),
    ("ro", "Poliția nu vine niciodată când o chemăm noaptea",
     "The police never come when we call them at night"),
    ("en", "More officers on foot near the station, please", None),
]


def seed(sessions: sessionmaker[Session], slug: str, count: int, batch: int = 2000,
         start: datetime = START, engager: str | None = None) -> int:
    """Add `count` complete responses to survey `slug`'s latest version, one contact each;
    returns how many answers were written."""
    with sessions() as session:
        version_id, definition = session.execute(
            select(SurveyVersion.id, SurveyVersion.definition).join(Survey)
            .where(Survey.slug == slug).order_by(SurveyVersion.version.desc()).limit(1)).one()
    written = 0
    for first in range(0, count, batch):
        size = min(batch, count - first)
        with sessions.begin() as session:
            written += _batch(session, version_id, definition["questions"], first, size,
                              start, engager)
    return written


def _batch(session: Session, version_id: int, questions: list[dict], first: int, size: int,
           start: datetime, engager: str | None) -> int:
    contacts = [row.id for row in _insert(session, Contact.__table__,
                                          [{"language": "en", "created_at": start}] * size,
                                          Contact.id)]
    moments = [start + timedelta(minutes=first + n) for n in range(size)]
    made = _insert(session, Response.__table__, [
        {"contact_id": contact, "survey_version_id": version_id, "channel": "sms",
         "language": TEXTS[(first + n) % len(TEXTS)][0], "status": "complete",
         "engager_code": engager, "started_at": at, "completed_at": at + timedelta(minutes=4)}
        for n, (contact, at) in enumerate(zip(contacts, moments, strict=True))],
        Response.id, Response.contact_id)
    response_of = {row.contact_id: row.id for row in made}
    answers = [answer for n, contact in enumerate(contacts)
               for answer in _answers(response_of[contact], questions, first + n, moments[n])]
    _insert(session, Answer.__table__, answers)
    return len(answers)


def _insert(session: Session, table, rows: list[dict], *returning) -> list:
    """An executemany INSERT (SQLAlchemy batches it into multi-row statements, "insertmanyvalues"),
    returning `returning` of every row, in order."""
    statement = insert(table)
    if not returning:
        session.execute(statement, rows)
        return []
    return session.execute(statement.returning(*returning, sort_by_parameter_order=True),
                           rows).all()


def _answers(response: int, questions: list[dict], n: int, at: datetime) -> Iterator[dict]:
    for q in questions:
        value, language, english, status = _value(q, n), None, None, None
        if q["type"] == "text":
            language, value, english = TEXTS[n % len(TEXTS)]
            english = value if language == "en" else english
            status = "done" if english is not None else "pending"
        yield {"response_id": response, "question_id": q["id"], "value": value,
               "raw_text": str(value), "text_language": language, "translation_en": english,
               "translation_status": status, "answered_at": at}


def _value(q: dict, n: int) -> Any:
    kind = q["type"]
    if kind == "scale":
        return q["min"] + n % (q["max"] - q["min"] + 1)
    if kind == "number":
        return (q.get("min") or 0) + n % 20
    if kind == "yesno":
        return ("yes", "no")[n % 2]
    choices = [c["id"] for c in q.get("choices") or ()]
    if kind == "choice":
        return choices[n % len(choices)]
    if kind == "multi":
        return sorted({choices[n % len(choices)], choices[(n + 2) % len(choices)]})
    return None
