"""A realistic demo data set: thousands of made-up responses, so anyone can see the staff
area and the evidence pack before a real engagement round.

`seed(rt)` writes, straight through the models (not the conversation engine, which would
take minutes): residents' survey responses across the four channels and six languages, ages
and wards; youth survey responses, most attributed to a few peer engagers; the engagers' LOG
records; free text touching every theme in every language, stored with its English
translation as the translation worker would; a few safeguarding alerts; a few under-13
screen-outs. Answers follow simple made-up tendencies (trust is lower among the young; the
over-65s and one ward are under-represented) so the pack has gaps to show.

It fills an empty database only: with any response or engager present it refuses, so demo
answers can never mix with real ones. Phone numbers come from Ofcom's range for drama
(07700 900000-900999), never allocated to anyone; no message is queued, so nobody is sent
anything. The same seed gives the same data (random.Random(SEED)); only the dates follow
the clock, ending today.
"""

from __future__ import annotations

import math
import random
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import func, insert, select
from sqlalchemy.orm import Session

from bot import channels, youth
from bot.runtime import Runtime
from demo.batch import Batch, write
from demo.shape import (
    AGE_BANDS,
    AREAS,
    DAYS,
    DRAMA,
    ENGAGERS,
    LANGUAGES,
    LOGS,
    LOGS_COUNT,
    PHONES,
    RESIDENT_CHANNELS,
    RESIDENTS,
    SCREEN_OUTS,
    SEED,
    THEME_WEIGHTS,
    WARDS,
    YOUTH,
    YOUTH_CHANNELS,
    YOUTH_LANGUAGES,
    clamp,
    pick,
)
from store.db import transaction
from store.models import (
    Engager,
    Response,
    ScreenOut,
)
from surveys import loader, registry
from surveys.model import Questionnaire
from translations import data as language_files


class DemoRefused(Exception):
    """The database is not empty: demo answers must never mix with real ones."""


@dataclass(frozen=True)
class Seeded:
    residents: int
    young: int
    logs: int
    engagers: int
    alerts: int


def load_texts() -> dict[str, dict]:
    """The demo free text per language (translations/<lang>/demo.yaml):
    {lang: {residents: {theme: [(text, english)]}, …}}."""
    return language_files.sections("demo")


def seed(rt: Runtime, rng: random.Random | None = None) -> Seeded:
    """Fill an empty database with the demo data set; DemoRefused if it is not empty."""
    rng = rng or random.Random(SEED)
    now = rt.now()
    texts = load_texts()
    with transaction(rt.sessions) as session:
        if session.scalar(select(func.count(Response.id))) or \
                session.scalar(select(func.count(Engager.id))):
            raise DemoRefused("the database already holds responses or engagers: the demo "
                              "seed only fills an empty database (give it one of its own, "
                              "e.g. DATABASE_URL=sqlite:///instance/demo.db)")
        defined = _load_surveys(rt, session)
        maker = Maker(rt, rng, now, defined, texts)
        engagers = maker.engagers(session)
        batch = Batch()
        residents = maker.residents(batch)
        young = maker.young(batch, engagers)
        logs = maker.logs(batch, engagers)
        alerts = write(session, batch)
        maker.screen_outs(session)
    return Seeded(residents, young, logs, len(engagers), alerts)


def _load_surveys(rt: Runtime, session: Session) -> dict[str, tuple[Questionnaire, int]]:
    """Load the bundled surveys (as `outreach surveys load` does); (survey, version id)."""
    for path in sorted(Path(rt.settings.surveys_dir).glob("*.yaml")):
        definition, problems = loader.load_file(path, rt.catalogs)
        if definition is not None and not problems:
            registry.load_definition(session, definition, path.read_text("utf-8"))
    return {slug: (survey, registry.version_row(session, slug, survey.version).id)
            for slug, survey in registry.current(session).items()}


class Maker:
    """Makes up people and their answers."""

    def __init__(self, rt: Runtime, rng: random.Random, now: datetime,
                 defined: dict[str, tuple[Questionnaire, int]], texts: dict[str, dict]):
        self.rt, self.rng, self.now, self.defined, self.texts = rt, rng, now, defined, texts
        self.start = now - timedelta(days=DAYS)

    # People ------------------------------------------------------------------------------

    def _when(self) -> datetime:
        """A moment in the demo period, busier in the evenings and as the round goes on."""
        day = self.rng.triangular(0, DAYS - 0.2, DAYS * 0.7)
        hour = self.rng.choice([8, 9, 12, 13, 17, 18, 19, 19, 20, 20, 21])
        moment = self.start + timedelta(days=math.floor(day), hours=hour,
                                        minutes=self.rng.randrange(60))
        return min(moment, self.now - timedelta(minutes=5))

    def _address(self, audience: str, channel: str, index: int) -> tuple[str, str]:
        scheme = channels.scheme_of(channel)
        if (audience, channel) in PHONES:
            return scheme, DRAMA.format(PHONES[audience, channel] + index)
        if channel == "telegram":
            return scheme, str(7_000_000_000 + self.rng.randrange(900_000_000))
        return scheme, secrets.token_urlsafe(16)

    def _person(self, batch: Batch, audience: str, channel: str, index: int, lang: str,
                when: datetime) -> int:
        batch.contacts.append({"language": lang, "created_at": when})
        scheme, value = self._address(audience, channel, index)
        batch.addresses.append({"scheme": scheme, "value": value, "created_at": when,
                                "last_inbound_at": when})
        return len(batch.contacts) - 1

    def _channels(self, counts: dict[str, int]) -> list[tuple[str, int]]:
        found = [(channel, i) for channel, n in counts.items() for i in range(n)]
        self.rng.shuffle(found)
        return found

    # Responses ---------------------------------------------------------------------------

    def _response(self, batch: Batch, slug: str, person: int | None, channel: str, lang: str,
                  when: datetime, answers: list[tuple[str, Any, str | None]],
                  engager: str | None = None, consent: bool = True) -> int:
        """Store a response with its answers: (question, value, english for text)."""
        survey, version_id = self.defined[slug]
        complete = self.rng.random() < 0.9
        if not complete:
            answers = answers[:self.rng.randrange(1, max(2, len(answers)))]
        finished = when + timedelta(minutes=self.rng.randrange(2, 15))
        batch.responses.append({
            "contact": person, "survey_version_id": version_id, "channel": channel,
            "language": lang, "status": "complete" if complete else "partial",
            "engager_code": engager, "started_at": when,
            "completed_at": finished if complete else None})
        rows = []
        for step, (question, value, english) in enumerate(answers):
            at = when + timedelta(seconds=40 * (step + 1))
            rows.append(self._answer(survey, question, value, english, lang, at))
        batch.answers.append(rows)
        if consent and survey.consent:
            batch.consents.append({
                "contact": person, "survey_version_id": version_id, "given": True,
                "wording": self.rt.catalogs.text([lang], f"{slug}/consent", survey.consent),
                "language": lang, "channel": channel, "at": when})
        return len(batch.responses) - 1

    @staticmethod
    def _answer(survey: Questionnaire, question: str, value: Any, english: str | None,
                lang: str, at: datetime) -> dict:
        kind = survey.question(question).type
        if kind == "text":
            return {"question_id": question, "value": value, "raw_text": value,
                    "text_language": lang, "translation_en": english if lang != "en" else value,
                    "translation_status": "done", "answered_at": at}
        ids = [c.id for c in survey.question(question).choices]
        typed = (",".join(str(ids.index(v) + 1) for v in value) if isinstance(value, list)
                 else str(ids.index(value) + 1) if value in ids else str(value))
        return {"question_id": question, "value": value, "raw_text": typed,
                "text_language": None, "translation_en": None, "translation_status": None,
                "answered_at": at}

    def _text(self, lang: str, pool: str = "residents") -> tuple[str, str | None]:
        """A made-up free-text answer in `lang` and its English."""
        bank = self.texts[lang]
        roll = self.rng.random()
        if pool != "residents":
            if roll < 0.6 and bank[pool]:
                return tuple(self.rng.choice(bank[pool]))
        elif roll < 0.012:
            return tuple(self.rng.choice(bank["residents"]["personal"]))
        elif roll < 0.14:
            return tuple(self.rng.choice(bank["residents"]["uncoded"]))
        first = self._theme_line(bank)
        if self.rng.random() < 0.22:
            second = self._theme_line(bank)
            if second != first:
                return (f"{first[0]} {second[0]}",
                        f"{first[1]} {second[1]}" if first[1] else None)
        return first

    def _theme_line(self, bank: dict) -> tuple[str, str | None]:
        theme = pick(self.rng, THEME_WEIGHTS)
        return tuple(self.rng.choice(bank["residents"][theme]))

    def _multi(self, weights: dict[str, float], most: int = 3) -> list[str]:
        chosen = [c for c, w in weights.items() if self.rng.random() < w]
        order = list(weights)
        return sorted(chosen[:most] or [pick(self.rng, weights)], key=order.index)

    def residents(self, batch: Batch) -> int:
        survey, _ = self.defined[RESIDENTS]
        for channel, index in self._channels(RESIDENT_CHANNELS):
            lang = pick(self.rng, LANGUAGES)
            when = self._when()
            person = self._person(batch, "residents", channel, index, lang, when)
            self._response(batch, RESIDENTS, person, channel, lang, when,
                           self._resident_answers(lang))
        return sum(RESIDENT_CHANNELS.values())

    def _resident_answers(self, lang: str) -> list[tuple[str, Any, str | None]]:
        rng = self.rng
        age = pick(rng, AGE_BANDS)
        older = age in ("55_64", "65_74", "75_plus")
        gender = pick(rng, {"woman": 55, "man": 40, "another": 1, "prefer_not": 2, None: 2})
        trust_lean = rng.gauss(0.35 if older else -0.25 if age in ("13_15", "16_24") else 0, 1)
        answers: list[tuple[str, Any, str | None]] = [
            ("safe_day", clamp(3.8 + 0.5 * trust_lean + rng.gauss(0, 0.7)), None),
            ("safe_dark", clamp(2.8 + 0.5 * trust_lean + rng.gauss(0, 0.8)
                                 - (0.4 if gender == "woman" else 0)), None),
            ("feel_safer", self._multi({"police_on_foot": 0.55, "lighting": 0.4, "cctv": 0.3,
                                        "youth_activities": 0.35, "faster_response": 0.3,
                                        "other": 0.06}), None),
            ("trust", clamp(3 + 1.1 * trust_lean), None),
        ]
        contact = "yes" if rng.random() < 0.34 else "no"
        answers.append(("contact", contact, None))
        if contact == "yes":
            answers.append(("contact_experience", ["very_badly", "fairly_badly", "mixed",
                                                   "fairly_well", "very_well"][
                clamp(3 + trust_lean + rng.gauss(0, 0.6)) - 1], None))
        answers.append(("see_officers", pick(rng, {"weekly": 8, "monthly": 17, "rarely": 40,
                                                    "never": 30, "not_sure": 5}), None))
        if rng.random() < 0.58:
            text, english = self._text(lang)
            answers.append(("build_trust", text, english))
        answers.append(("youth_spaces", pick(rng, {"enough": 7, "some": 38, "hardly_any": 40,
                                                    "dont_know": 15}), None))
        if rng.random() < 0.9:
            answers.append(("years_lived", min(60, int(rng.expovariate(1 / 11))), None))
        answers += self._about(lang, age, gender)
        return answers

    def _about(self, lang: str, age: str | None, gender: str | None) -> list[tuple]:
        rng = self.rng
        found = []
        if age:
            found.append(("age_band", age, None))
        area = pick(rng, AREAS)
        found.append(("area", area, None))
        if area in WARDS and rng.random() < 0.92:
            found.append((f"ward_{area}", pick(rng, WARDS[area]), None))
        if gender:
            found.append(("gender", gender, None))
        ethnic = {"ro": {"white": 95, "other": 3, "prefer_not": 2},
                  "pl": {"white": 96, "other": 2, "prefer_not": 2},
                  "bg": {"white": 92, "other": 6, "prefer_not": 2},
                  "ur": {"asian": 95, "other": 3, "prefer_not": 2},
                  "tr": {"white": 60, "other": 35, "prefer_not": 5}}.get(
            lang, {"white": 46, "asian": 18, "black": 17, "mixed": 8, "other": 4,
                   "prefer_not": 3, None: 4})
        if (group := pick(rng, ethnic)) is not None:
            found.append(("ethnic_group", group, None))
        if (limited := pick(rng, {"no": 75, "yes_a_little": 12, "yes_a_lot": 6,
                                   "prefer_not": 3, None: 4})) is not None:
            found.append(("disability", limited, None))
        return found

    # Young people --------------------------------------------------------------------------

    def engagers(self, session: Session) -> list[Engager]:
        found = []
        for i, (name, channel, lang, _) in enumerate(ENGAGERS):
            address = (DRAMA.format(950 + i) if channel == "sms"
                       else str(6_000_000_000 + self.rng.randrange(900_000_000)))
            engager = youth.add(session, name, self.start - timedelta(days=7), channel=channel,
                                address=address, language=lang)
            found.append(engager)
        return found

    def young(self, batch: Batch, engagers: Sequence[Engager]) -> int:
        weights = {e.code: w for e, (*_, w) in zip(engagers, ENGAGERS, strict=True)}
        alert_lines = [(lang, line) for lang, bank in self.texts.items()
                       for line in bank.get("alerts") or ()]
        for channel, index in self._channels(YOUTH_CHANNELS):
            lang = pick(self.rng, YOUTH_LANGUAGES)
            when = self._when()
            person = self._person(batch, "youth", channel, index, lang, when)
            code = pick(self.rng, weights) if self.rng.random() < 0.76 else None
            at = self._response(batch, YOUTH, person, channel, lang, when,
                                self._youth_answers(lang), engager=code)
            if alert_lines and self.rng.random() < 0.012:
                self._alert(batch, at, *alert_lines.pop(0), channel, when)
        for lang, line in alert_lines:  # the rest, so every alert line is seen
            channel, index = "telegram", len(batch.contacts)
            when = self._when()
            person = self._person(batch, "youth", channel, index, lang, when)
            at = self._response(batch, YOUTH, person, channel, lang, when,
                                self._youth_answers(lang))
            self._alert(batch, at, lang, line, channel, when)
        return sum(YOUTH_CHANNELS.values())

    def _youth_answers(self, lang: str) -> list[tuple[str, Any, str | None]]:
        rng = self.rng
        age = pick(rng, {"13_15": 30, "16_17": 30, "18_24": 40})
        lean = rng.gauss(-0.4, 1)
        answers = [("age_band", age, None),
                   ("safe_hangout", clamp(3.2 + 0.5 * lean + rng.gauss(0, 0.8)), None),
                   ("trust_police", ["not_at_all", "not_really", "not_sure", "a_bit", "a_lot"][
                       clamp(3 + 1.1 * lean) - 1], None)]
        stopped = "yes" if rng.random() < (0.2 if age == "13_15" else 0.34) else "no"
        answers.append(("stopped", stopped, None))
        if stopped == "yes":
            answers.append(("stopped_respect", pick(rng, {"respected": 30, "partly": 30,
                                                           "not_respected": 32,
                                                           "rather_not_say": 8}), None))
        answers.append(("want_more", self._multi({
            "youth_clubs": 0.5, "sport": 0.45, "safe_spaces": 0.4, "someone_to_talk_to": 0.25,
            "jobs_training": 0.35, "other": 0.05}), None))
        if rng.random() < 0.55:
            text, english = self._text(lang, "youth")
            answers.append(("assembly_message", text, english))
        return answers

    def _alert(self, batch: Batch, response: int, lang: str, line: list, channel: str,
               when: datetime) -> None:
        text, english = line
        finding = self.rt.safeguarding.check(text)
        rows = batch.answers[response]
        rows[:] = [r for r in rows if r["question_id"] != "assembly_message"]
        survey, _ = self.defined[YOUTH]
        rows.append(self._answer(survey, "assembly_message", text, english, lang, when))
        batch.alerts.append((response, {
            "kind": "safeguarding", "severity": int(finding.severity) if finding else 1,
            "category": finding.category if finding else "concern", "text": text,
            "language": lang, "text_en": english if lang != "en" else text,
            "translation_status": "done", "channel": channel, "survey": YOUTH,
            "question": "assembly_message", "created_at": when,
            "acked_at": when + timedelta(hours=2) if self.rng.random() < 0.5 else None,
            "acked_by": "safeguarding lead (demo)"}))

    def logs(self, batch: Batch, engagers: Sequence[Engager]) -> int:
        weights = {i: w for i, (*_, w) in enumerate(ENGAGERS)}
        for _ in range(LOGS_COUNT):
            i = pick(self.rng, weights)
            engager, (_, channel, lang, _) = engagers[i], ENGAGERS[i]
            lang = lang if self.rng.random() < 0.3 else "en"
            answers = [("took_part", self.rng.choice([1, 2, 2, 3, 3, 4, 5, 6, 8]), None),
                       ("age_band", pick(self.rng, {"13_15": 25, "16_17": 30, "18_24": 30,
                                                     "mixed": 15}), None),
                       ("themes", self._multi({
                           "feeling_safe": 0.5, "trust_police": 0.45, "stop_search": 0.35,
                           "youth_services": 0.4, "someone_to_talk_to": 0.2, "other": 0.05}),
                        None)]
            shared = self.rng.random() < 0.6
            answers.append(("quote_ok", "yes" if shared else "no", None))
            if shared:
                text, english = self._text(lang, "logs")
                answers.append(("quote", text, english))
            self._response(batch, LOGS, -1 - i, channel, lang, self._when(), answers,
                           engager=engager.code, consent=False)
        return LOGS_COUNT

    def screen_outs(self, session: Session) -> None:
        rows = [{"survey": YOUTH, "reason": reason, "day": self._when().date()}
                for reason, n in SCREEN_OUTS.items() for _ in range(n)]
        session.execute(insert(ScreenOut), rows)

