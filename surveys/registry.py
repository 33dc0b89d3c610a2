"""Surveys in the database: loading definitions as versions, reading the current ones.

Loading is idempotent: the same definition changes nothing. A changed definition replaces
the latest version while nobody has answered it, and becomes a new version once somebody
has, so earlier answers always keep the exact wording they were given.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import exists, select
from sqlalchemy.orm import Session

from store.models import ConsentRecord, Response, Survey, SurveyVersion
from surveys.model import Questionnaire, checksum

_parsed: dict[tuple[str, int], Questionnaire] = {}
# Per database: the stamp of the latest versions, and the surveys built from them.
_current: dict[object, tuple[tuple, dict[str, Questionnaire]]] = {}


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
    """The latest version of every survey, by slug.

    Called for every message, so it reads only the versions' ids and checksums (a few
    small rows, no definitions) and reuses the dict it built last time while they are the
    same (so the dict is shared: never change it); a survey loaded by another process is
    seen on the next message.
    """
    rows = session.execute(
        select(Survey.slug, SurveyVersion.id, SurveyVersion.version, SurveyVersion.checksum)
        .join(Survey, Survey.id == SurveyVersion.survey_id)
    ).all()
    latest: dict[str, tuple[int, int, str]] = {}
    for slug, version_id, version, digest in rows:
        if slug not in latest or version > latest[slug][1]:
            latest[slug] = (version_id, version, digest)
    stamp = tuple(sorted((slug, *found) for slug, found in latest.items()))
    cached = _current.get(session.get_bind().url)
    if cached is not None and cached[0] == stamp:
        return cached[1]
    by_id = {row.id: row for row in session.scalars(select(SurveyVersion).where(
        SurveyVersion.id.in_([version_id for version_id, _, _ in latest.values()])))}
    surveys = {slug: _survey(by_id[latest[slug][0]]) for slug in sorted(latest)}
    _current[session.get_bind().url] = (stamp, surveys)
    return surveys


def version_row(session: Session, slug: str, version: int) -> SurveyVersion | None:
    return session.scalar(
        select(SurveyVersion).join(Survey)
        .where(Survey.slug == slug, SurveyVersion.version == version)
    )


def get(session: Session, slug: str, version: int) -> Questionnaire | None:
    """One version of a survey (an older one a conversation is still on)."""
    row = version_row(session, slug, version)
    return _survey(row) if row is not None else None
