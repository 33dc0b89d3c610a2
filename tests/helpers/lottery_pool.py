"""A lottery's pool made directly as rows: a draw, letters (households), a code each, and
registrants with a completed registration answering the made-up registration survey
(tests/data/lottery/registration.yaml), for the selection's tests and bench."""

from __future__ import annotations

import hashlib
import random
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from pathlib import Path

import yaml
from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from store.models import (
    Answer,
    Contact,
    Draw,
    Letter,
    LetterCode,
    Registrant,
    Response,
    Survey,
    SurveyVersion,
)
from surveys import registry

ROOT = Path(__file__).resolve().parents[2]
REGISTRATION = ROOT / "tests" / "data" / "lottery" / "registration.yaml"
AT = datetime(2027, 2, 1, 10, tzinfo=UTC)
CLOSED = datetime(2026, 1, 31, tzinfo=UTC)  # before the tests' clock and the bench's now
# Answers drawn roughly as the shipped place's residents are, with some who say nothing
WEIGHTS = {
    "age_band": {"16_29": 23, "30_44": 34, "45_64": 28, "65_plus": 12, "prefer_not": 3},
    "gender": {"woman": 50, "man": 47, "another": 1, "prefer_not": 2},
    "ethnic_group": {"asian": 20, "black": 15, "mixed": 7, "white": 52, "other": 6},
    "disability": {"yes_a_lot": 6, "yes_a_little": 8, "no": 84, "prefer_not": 2},
    "main_language": {"english": 75, "other": 25},
    "ward": {"cann_hall": 20, "cathall": 20, "forest": 20, "leyton": 20, "valley": 20},
}


def load_registration(session: Session, path: Path = REGISTRATION) -> str:
    """Load the made-up registration survey (audience registrants); its slug."""
    definition = yaml.safe_load(path.read_text(encoding="utf-8"))
    registry.load_definition(session, definition, source=str(path))
    return definition["slug"]


def answers(count: int, seed: int = 1) -> list[dict[str, str]]:
    """`count` registrations' answers, drawn from WEIGHTS with a fixed seed."""
    rng = random.Random(seed)
    return [{q: rng.choices(list(w), weights=list(w.values()))[0] for q, w in WEIGHTS.items()}
            for _ in range(count)]


def add_pool(session: Session, people: Sequence[Mapping[str, str]],
             households: Sequence[int] | None = None, status: str = "registered",
             closes: datetime | None = CLOSED) -> list[int]:
    """One registrant per answers given, each with a letter of its own unless `households`
    gives each one's household number (same number: same letter), their draw's
    registration closed (at `closes`); their ids, in order."""
    slug = session.scalar(select(Survey.slug).where(Survey.audience == "registrants"))
    version = session.scalar(select(SurveyVersion.id).join(Survey).where(Survey.slug == slug)
                             .order_by(SurveyVersion.version.desc()))
    draw = Draw(seed="test", addresses=len(people), letters=len(people), per_household=2,
                source_digest="0" * 64, closes_at=closes)
    session.add(draw)
    session.flush()
    numbers = list(households) if households is not None else list(range(len(people)))
    letters = {n: i for n, i in zip(sorted(set(numbers)), session.scalars(
        insert(Letter).returning(Letter.id, sort_by_parameter_order=True),
        [{"draw_id": draw.id, "number": n + 1, "ward": None} for n in sorted(set(numbers))]),
        strict=True)}
    codes = list(session.scalars(insert(LetterCode).returning(
        LetterCode.id, sort_by_parameter_order=True), [
        {"letter_id": letters[n], "code_hash": hashlib.sha256(
            f"{draw.id}/{i}".encode()).hexdigest()} for i, n in enumerate(numbers)]))
    contacts = list(session.scalars(insert(Contact).returning(
        Contact.id, sort_by_parameter_order=True), [{"language": "en"}] * len(people)))
    responses = list(session.scalars(insert(Response).returning(
        Response.id, sort_by_parameter_order=True), [
        {"contact_id": c, "survey_version_id": version, "channel": "sms", "language": "en",
         "status": "complete", "started_at": AT, "completed_at": AT} for c in contacts]))
    session.execute(insert(Answer), [
        {"response_id": r, "question_id": q, "value": v, "raw_text": v, "answered_at": AT}
        for r, person in zip(responses, people, strict=True)
        for q, v in {**person, "name": f"Person {r} Example"}.items()])
    return list(session.scalars(insert(Registrant).returning(
        Registrant.id, sort_by_parameter_order=True), [
        {"code_id": code, "letter_id": letters[n], "contact_id": c, "response_id": r,
         "channel": "sms", "language": "en", "status": status, "status_at": AT,
         "registered_at": AT}
        for code, n, c, r in zip(codes, numbers, contacts, responses, strict=True)]))
