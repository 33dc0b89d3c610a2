"""Exports of responses for analysts: one row per response, the columns SPEC "Exports" pins.

A plain streaming API (the CLI, the staff download and the responses API all call it):

    export = plan(session, "neighbourhood-policing", secret_key, translating=True)
    writers.write_csv(export.columns, rows(rt.sessions, export), fileobj)  # or xlsx, jsonl
    page(session, export, after=cursor)                                    # one API page

`rows` reads a chunk of responses at a time (keyset on the response id), each chunk in a
short read of its own: memory stays flat however many rows, and on SQLite — where every
transaction begins `BEGIN IMMEDIATE`, so even a read holds the write lock — the bot's
writes go on between chunks instead of waiting for the whole export. Rows are plain dicts
of typed values (numbers as numbers, multi-choice as a list); the spreadsheet writers
(staff/writers.py) join lists with `;` and defuse text a spreadsheet would run as a
formula. docs/exports.md is the analyst's side of this.

In every export, redacted or not, the free-text answer that raised an alert from a
disclosure, and its English, read WITHHELD: the alert shows those words beside the person.

A redacted export (`plan(..., redact=True)`: `--redact`, `/staff/export?redact=1`, the API's
`?redact=1`) passes every free-text cell and its English through the evidence pack's
redactor (with the engagers' and members' names), names the engager by a pseudonym, gives
dates without times, and adds `safeguarding_alert` (yes or empty: the response's person
disclosed harm in that survey, whatever the alert's kind (`alerts.from_disclosure`: a
member's goes to the wellbeing lead); never what the alert says).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Text, bindparam, cast, func, select
from sqlalchemy.orm import Session, sessionmaker

from bot import alerts
from staff.evidence.queries import known_names
from staff.evidence.redact import Redactor
from store.models import Alert, Answer, Response, Survey, SurveyVersion
from surveys.model import REGISTRANTS

FIXED = ("respondent", "survey", "survey_version", "channel", "language", "status",
         "started_at", "completed_at", "engager")
STATUSES = ("complete", "partial")
# A free-text answer that will not get its English: translation is off (TRANSLATOR=none)
# or the service cannot translate its language. Empty means "pending: the worker will".
NOT_TRANSLATED = "[not translated]"
# The free-text answer that raised an alert from a disclosure, and its English, in every
# export: the alert shows those words beside the person (a member's name too), so no row of
# their answers may carry them. The lead reads them on the alert's page.
WITHHELD = "[withheld: it raised an alert]"
CHUNK = 1000
ALERT_COLUMN = "safeguarding_alert"  # redacted exports only, after every other column

_R, _A, _V = Response.__table__.c, Answer.__table__.c, SurveyVersion.__table__.c


class UnknownSurvey(LookupError):
    """No survey has that slug."""


@dataclass(frozen=True)
class Export:
    """What one survey's export holds: its question columns (every version's, the current
    order first), which of them are free text, and how to name respondents."""

    survey: str
    survey_id: int
    questions: tuple[str, ...]
    texts: tuple[str, ...]
    versions: Mapping[int, int]  # survey_versions.id -> version number
    secret: bytes = field(repr=False)
    translating: bool = True  # a translator is set: untranslated text is still pending
    redactor: Redactor | None = field(default=None, repr=False)  # set: a redacted export
    alerted: frozenset[int] = field(default=frozenset(), repr=False)  # contacts, if redacted
    withheld: frozenset[tuple[int, str]] = field(default=frozenset(), repr=False)  # contact,
    # question: answers that raised an alert (WITHHELD)

    @property
    def columns(self) -> tuple[str, ...]:
        extra = (ALERT_COLUMN,) if self.redactor is not None else ()
        return (*FIXED, *self.questions, *(f"{q}__en" for q in self.texts), *extra)

    def row(self, response, answers: Mapping[str, tuple[Any, str | None, str | None]]) -> dict:
        """One response as the export's typed values (redacted, for a redacted export)."""
        out = self._plain_row(response, answers)
        return out if self.redactor is None else self._redacted(response, out)

    def _plain_row(self, response, answers: Mapping[str, tuple]) -> dict:
        out: dict[str, Any] = {
            "respondent": pseudonym(self.secret, self.survey, response.contact_id),
            "survey": self.survey,
            "survey_version": self.versions[response.survey_version_id],
            "channel": response.channel,
            "language": response.language,
            "status": response.status,
            "started_at": iso(response.started_at),
            "completed_at": iso(response.completed_at),
            "engager": response.engager_code,
        }
        for question in self.questions:
            found = answers.get(question)
            out[question] = found[0] if found is not None else None
        for question in self.texts:
            out[f"{question}__en"] = self.english(answers.get(question))
            if (response.contact_id, question) in self.withheld and out[question] is not None:
                out[question] = out[f"{question}__en"] = WITHHELD
        return out

    def _redacted(self, response, out: dict) -> dict:
        """A row with its free text redacted, the engager pseudonymous, dates without times
        and the safeguarding flag."""
        for question in self.texts:
            for column in (question, f"{question}__en"):
                if isinstance(out[column], str) and out[column] not in (NOT_TRANSLATED,
                                                                          WITHHELD):
                    out[column] = self.redactor.redact(out[column])
        out["engager"] = engager_pseudonym(self.secret, response.engager_code)
        out["started_at"] = day(response.started_at)
        out["completed_at"] = day(response.completed_at)
        out[ALERT_COLUMN] = "yes" if response.contact_id in self.alerted else None
        return out

    def english(self, found: tuple[Any, str | None, str | None] | None) -> str | None:
        """The English of a free-text answer, None while pending, or NOT_TRANSLATED."""
        if found is None:
            return None
        _, english, status = found
        if status == "done":
            return english
        if status == "failed" or (status == "pending" and not self.translating):
            return NOT_TRANSLATED
        return None


def plan(session: Session, slug: str, secret_key: str | bytes,
         translating: bool = True, redact: bool = False) -> Export:
    """The export of survey `slug`: its columns from every version, newest first;
    `redact`: a redacted export (the module's docstring)."""
    survey_id = session.scalar(select(Survey.id).where(  # a registration is never exported
        Survey.slug == slug, Survey.audience != REGISTRANTS))
    if survey_id is None:
        raise UnknownSurvey(slug)
    versions = session.execute(
        select(SurveyVersion.id, SurveyVersion.version, SurveyVersion.definition)
        .where(SurveyVersion.survey_id == survey_id)
        .order_by(SurveyVersion.version.desc())).all()
    questions: dict[str, None] = {}
    texts: set[str] = set()
    for _, _, definition in versions:
        for question in definition["questions"]:
            questions.setdefault(question["id"], None)
            if question["type"] == "text":
                texts.add(question["id"])
    secret = secret_key.encode() if isinstance(secret_key, str) else secret_key
    redactor = Redactor.load(known_names(session)) if redact else None
    disclosed = session.execute(select(Alert.contact_id, Alert.question).where(
        alerts.from_disclosure(), Alert.survey == slug, Alert.contact_id.is_not(None))).all()
    alerted = frozenset(contact for contact, _ in disclosed) if redact else frozenset()
    return Export(slug, survey_id, tuple(questions), tuple(q for q in questions if q in texts),
                  {version_id: number for version_id, number, _ in versions}, secret,
                  translating, redactor, alerted,
                  frozenset((contact, question) for contact, question in disclosed if question))


def pseudonym(secret: bytes, survey: str, contact_id: int) -> str:
    """A respondent's stable name in one survey's exports: HMAC(SECRET_KEY, survey and
    contact). Not reversible without the key, different in each survey, and starting with
    a letter so that no spreadsheet takes it for a number."""
    digest = hmac.new(secret, f"{survey}:{contact_id}".encode(), hashlib.sha256).digest()
    return "r-" + base64.b32encode(digest[:10]).decode().lower()


def engager_pseudonym(secret: bytes, code: str | None) -> str | None:
    """An engager's name in redacted exports: `e-` and a short HMAC(SECRET_KEY, code), the
    same in every export, not the code that people share."""
    if not code:
        return None
    return "e-" + hmac.new(secret, code.encode(), hashlib.sha256).hexdigest()[:12]


def day(moment: datetime | None) -> str | None:
    """The date, in UTC, of a moment (a redacted export's times): 2026-03-02."""
    return None if moment is None else moment.astimezone(UTC).date().isoformat()


def iso(moment: datetime | None) -> str | None:
    """ISO 8601 in UTC, to the second: 2026-03-02T18:05:00Z."""
    if moment is None:
        return None
    return moment.astimezone(UTC).replace(microsecond=0, tzinfo=None).isoformat() + "Z"


def page(session: Session, export: Export, *, after: int = 0, limit: int = CHUNK,
         since: datetime | None = None, status: str | None = None
         ) -> tuple[list[dict], int | None]:
    """Up to `limit` rows after response id `after`, oldest first, and the cursor for the
    next page (None when this was the last)."""
    query = (select(_R.id, _R.contact_id, _R.survey_version_id, _R.channel, _R.language,
                    _R.status, _R.started_at, _R.completed_at, _R.engager_code)
             .where(_R.survey_version_id.in_(list(export.versions)), _R.id > after)
             .order_by(_R.id).limit(limit))
    if since is not None:
        query = query.where(_R.started_at >= since)
    if status is not None:
        query = query.where(_R.status == status)
    responses = session.execute(query).all()
    if not responses:
        return [], None
    answers: dict[int, dict[str, tuple]] = {response.id: {} for response in responses}
    for response_id, question, value, english, translation in _plain_rows(
            session, _ANSWERS, {"survey": export.survey_id, "first": responses[0].id,
                                "last": responses[-1].id}):
        if response_id in answers:  # not a response that --since or --status left out
            answers[response_id][question] = (_json(value), english, translation)
    found = [export.row(response, answers[response.id]) for response in responses]
    return found, (responses[-1].id if len(responses) == limit else None)


# A survey's answers to the responses whose ids lie between two others: one statement
# whatever the page, so that drivers' statement caches do not fill with one per page.
_ANSWERS = (select(_A.response_id, _A.question_id, cast(_A.value, Text), _A.translation_en,
                   _A.translation_status)
            .join(Response.__table__, _R.id == _A.response_id)
            .join(SurveyVersion.__table__, _V.id == _R.survey_version_id)
            .where(_A.response_id.between(bindparam("first"), bindparam("last")),
                   _R.id.between(bindparam("first"), bindparam("last")),
                   _V.survey_id == bindparam("survey")))


def _plain_rows(session: Session, statement, values: dict[str, Any]) -> list[tuple]:
    """Rows as the database driver gives them, without SQLAlchemy's work on each row (for a
    million answers, a quarter of the export's time). Only for a statement with plain bound
    values (no lists) whose columns need no conversion."""
    connection = session.connection()
    compiled = statement.compile(dialect=connection.dialect)
    params = compiled.construct_params(values)
    if compiled.positional:
        params = tuple(params[name] for name in compiled.positiontup)
    cursor = connection.connection.cursor()
    try:
        cursor.execute(str(compiled), params)
        return cursor.fetchall()
    finally:
        cursor.close()


def _json(text: str | None) -> Any:
    """A stored answer's JSON, read the quick way for the usual shapes (a choice id, a whole
    number: most of an export's cells)."""
    if text is None:
        return None
    if text[0] == '"' and "\\" not in text:
        return text[1:-1]
    if text.isdigit():
        return int(text)
    return json.loads(text)


def rows(sessions: sessionmaker[Session], export: Export, *, since: datetime | None = None,
         status: str | None = None, after: int = 0, chunk: int = CHUNK) -> Iterator[dict]:
    """Every row of the export, streamed: one short read per `chunk` responses."""
    cursor: int | None = after
    while cursor is not None:
        with sessions() as session:
            found, cursor = page(session, export, after=cursor, limit=chunk, since=since,
                                 status=status)
        yield from found


def surveys(session: Session) -> list[dict]:
    """Every survey (slug, title, audience) with how many responses it holds, by slug;
    not the lottery's registration, which is never exported."""
    found = session.execute(
        select(Survey.slug, Survey.title, Survey.audience, func.count(Response.id))
        .where(Survey.audience != REGISTRANTS)
        .join(SurveyVersion, SurveyVersion.survey_id == Survey.id)
        .outerjoin(Response, Response.survey_version_id == SurveyVersion.id)
        .group_by(Survey.slug, Survey.title, Survey.audience).order_by(Survey.slug)).all()
    return [dict(slug=s, title=t, audience=a, responses=n) for s, t, a, n in found]


def count(session: Session, export: Export, status: str | None = None) -> int:
    """How many responses `export` holds (of `status`, when given)."""
    query = select(func.count()).select_from(Response).where(
        Response.survey_version_id.in_(list(export.versions)))
    if status is not None:
        query = query.where(Response.status == status)
    return session.scalar(query)
