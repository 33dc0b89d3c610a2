"""Surveys in the database: loading definitions as versions, reading the current ones.

Loading is idempotent: the same definition changes nothing. A changed definition replaces
the latest version while nobody has answered it, and becomes a new version once somebody
has, so earlier answers always keep the exact wording they were given.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import exists, func, select
from sqlalchemy.orm import Session, defer

from store.models import ConsentRecord, Response, Survey, SurveyVersion
from surveys.model import Questionnaire, checksum

_parsed: dict[tuple[str, int], Questionnaire] = {}


@dataclass(frozen=True)
class Loaded:
    slug: str
    version: int
    action: str  # created | updated | unchanged | new version


def load_definition(session: Session, definition: dict, source: str | None = None) -> Loaded:
    """Store a validated definition as the survey's current version."""
    digest = checksum(definition)
    slug = definition["slug"]
    row = session.scalar(select(Survey).where(Survey.slug == slug))
    if row is None:
        row = Survey(slug=slug, title="", audience="")
        session.add(row)
    row.title = definition["title"]
    row.audience = definition["audience"]
    row.keyword = (definition.get("keyword") or None) and str(definition["keyword"]).upper()
    session.flush()
    latest = session.scalar(
        select(SurveyVersion).where(SurveyVersion.survey_id == row.id)
        .order_by(SurveyVersion.version.desc()).limit(1)
    )
    if latest is not None and latest.checksum == digest:
        return Loaded(slug, latest.version, "unchanged")
    if latest is not None and not _in_use(session, latest.id):
        latest.definition, latest.checksum, latest.source = definition, digest, source
        return Loaded(slug, latest.version, "updated")
    number = (latest.version + 1) if latest is not None else 1
    session.add(SurveyVersion(survey_id=row.id, version=number, definition=definition,
                              checksum=digest, source=source))
    session.flush()
    return Loaded(slug, number, "created" if latest is None else "new version")


def _in_use(session: Session, version_id: int) -> bool:
    return bool(session.scalar(select(
        exists().where(Response.survey_version_id == version_id)
        | exists().where(ConsentRecord.survey_version_id == version_id)
    )))


def _survey(row: SurveyVersion) -> Questionnaire:
    """Parse a stored version once per process (keyed by content, so never stale)."""
    key = (row.checksum, row.version)
    if key not in _parsed:
        _parsed[key] = Questionnaire.from_definition(row.definition, version=row.version)
    return _parsed[key]


def current(session: Session) -> dict[str, Questionnaire]:
    """The latest version of every survey, by slug."""
    latest = (select(SurveyVersion.survey_id, func.max(SurveyVersion.version).label("v"))
              .group_by(SurveyVersion.survey_id).subquery())
    rows = session.execute(
        select(SurveyVersion, Survey.slug)
        .options(defer(SurveyVersion.definition))  # read only when not parsed yet
        .join(latest, (SurveyVersion.survey_id == latest.c.survey_id)
              & (SurveyVersion.version == latest.c.v))
        .join(Survey, Survey.id == SurveyVersion.survey_id)
        .order_by(Survey.slug)
    ).all()
    return {slug: _survey(row) for row, slug in rows}


def version_row(session: Session, slug: str, version: int) -> SurveyVersion | None:
    return session.scalar(
        select(SurveyVersion).join(Survey)
        .where(Survey.slug == slug, SurveyVersion.version == version)
    )


def get(session: Session, slug: str, version: int) -> Questionnaire | None:
    """One version of a survey (an older one a conversation is still on)."""
    row = version_row(session, slug, version)
    return _survey(row) if row is not None else None
