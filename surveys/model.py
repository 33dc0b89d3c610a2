"""The survey model: plain, immutable data built from a validated definition.

A definition is the dict that a YAML file holds (and that the database stores per version);
`Questionnaire.from_definition` turns it into these dataclasses, with conditions parsed.
"""

from __future__ import annotations

import hashlib
import json
import math
from dataclasses import dataclass
from typing import Any

from assembly.place import DIMENSIONS, parse_ages
from surveys import conditions

QUESTION_TYPES = ("scale", "choice", "multi", "yesno", "number", "text")
AUDIENCES = ("residents", "youth", "members", "engagers", "registrants")
# The civic lottery's registration (bot/engine/registration.py): started only with a letter's
# code, never by a first message, a broadcast or a web link without one; its answers (a
# name, a phone number) are no staff read's: exports, the API, the pack, the dashboard and
# quotes leave its responses out (staff/heard.responses_of, staff/exports.plan).
REGISTRANTS = "registrants"
RESERVED_IDS = ("title", "intro", "consent", "outro", "screen_out")
# What a question is for, beyond asking it (docs/surveys.md "Roles"). The dimensions
# (assembly.place.DIMENSIONS) compare who answered with the place's population: their
# choices say the place's categories they stand for (`reference:`). `age` is the person's
# age (a number question) or age band (a choice question whose choices say their `ages`); an
# answer outside the survey's `ages` is screened out (thanked, nothing kept but a count).
# `themes`: free text read for the assembly's themes and quoted; `headline`: the survey's
# headline measure (`measure:` names it); `participants`: how many people a logged
# conversation reached; `name` and `phone`: a registrant's name and the number we may call
# or text them on (the lottery's registration: checked as a phone number where it is asked).
# `access` and `availability`: a registrant's access needs (text) and the assembly's
# weekends they can come to (a multi question): a member the lottery made carries both in
# their notes, and is asked to confirm only the weekends they can come to (bot/selection.py).
DIMENSION_ROLES = DIMENSIONS  # age, gender, ethnic_group, disability, ward, language
ROLES = (*DIMENSION_ROLES, "themes", "headline", "participants", "name", "phone", "access",
         "availability")
# Nobody younger answers any survey: nothing is kept from a child under 13 (the UK's age
# for consenting to an online service, Data Protection Act 2018 s.9). A survey's `ages`
# may start later, never earlier.
MIN_AGE = 13


@dataclass(frozen=True)
class Choice:
    id: str
    text: str
    ages: tuple[int, float] | None = None  # the ages a band stands for (an age question)
    # The place's category or group ids the choice stands for (a dimension question's
    # choice); () when it is not compared, such as "Prefer not to say".
    reference: tuple[str, ...] = ()


@dataclass(frozen=True)
class Question:
    id: str
    type: str
    text: str
    choices: tuple[Choice, ...] = ()
    min: float | None = None
    max: float | None = None
    optional: bool = False
    when: conditions.Condition | None = None
    end_if: conditions.Condition | None = None
    role: str | None = None  # one of ROLES
    measure: str | None = None  # the headline measure's short name ("Trust in the police")

@dataclass(frozen=True)
class Questionnaire:
    slug: str
    title: str
    audience: str
    language: str
    languages: tuple[str, ...]
    intro: str
    outro: str
    questions: tuple[Question, ...]
    consent: str | None = None
    keyword: str | None = None
    screen_out: str | None = None
    ages: tuple[int, float] = (MIN_AGE, math.inf)  # whom it is for, by an age question
    version: int = 0
    # The consent promises the answers are kept apart from the number: nothing shows them
    # beside a person (bot/alerts.py hides them from an alert's conversation).
    anonymous: bool = False

    @classmethod
    def from_definition(cls, data: dict[str, Any], version: int = 0) -> Questionnaire:
        """Build a survey from an already validated definition dict."""
        questions = tuple(_question(q) for q in data["questions"])
        return cls(
            slug=data["slug"],
            title=data["title"],
            audience=data["audience"],
            language=data["language"],
            languages=tuple(data.get("languages") or [data["language"]]),
            intro=data["intro"],
            outro=data["outro"],
            questions=questions,
            consent=data.get("consent"),
            keyword=(data.get("keyword") or None) and str(data["keyword"]).upper(),
            screen_out=data.get("screen_out"),
            ages=parse_ages(data["ages"]) if data.get("ages") is not None else (MIN_AGE,
                                                                                 math.inf),
            version=version,
            anonymous=bool(data.get("anonymous", False)),
        )

    def question(self, question_id: str) -> Question | None:
        return next((q for q in self.questions if q.id == question_id), None)

    def with_role(self, role: str) -> tuple[Question, ...]:
        """The questions that say they are for `role`, in the order they are asked."""
        return tuple(q for q in self.questions if q.role == role)

    def age_given(self, question: Question, answers: dict[str, Any]
                  ) -> tuple[float, float] | None:
        """The ages the answer to an age question (`role: age`) says, or None."""
        value = answers.get(question.id)
        if question.role != "age" or value is None:
            return None
        return next((c.ages for c in question.choices if c.id == value), None) if (
            question.choices) else (value, value)

    def under_13(self, question: Question, answers: dict[str, Any]) -> bool:
        """Whether the answer says a child under 13 (MIN_AGE): the only screen-out that
        marks their address as screened; one over a survey's ages just ends that survey."""
        ages = self.age_given(question, answers)
        return ages is not None and ages[1] < MIN_AGE

    def screens_out(self, question: Question, answers: dict[str, Any]) -> str | None:
        """Why the answer just given to `question` ends the survey for this person — their
        age outside the survey's `ages`, or the question's `end_if` — as the count's reason
        ("age_band=under_13"); None when it does not."""
        value = answers.get(question.id)
        ages = self.age_given(question, answers)
        if ages is not None:
            low, high = self.ages
            if ages[1] < low or ages[0] > high:
                said = value if question.choices else (
                    f"under_{low}" if ages[1] < low else f"over_{age_text(high)}")
                return f"{question.id}={said}"[:64]
        if question.end_if is not None and conditions.evaluate(question.end_if, answers):
            return f"{question.id}={value}"[:64]
        return None

    def texts(self) -> list[tuple[str, str]]:
        """Every translatable (msgctxt, source text) pair, in file order."""
        out = [(f"{self.slug}/title", self.title), (f"{self.slug}/intro", self.intro)]
        if self.consent:
            out.append((f"{self.slug}/consent", self.consent))
        for q in self.questions:
            out.append((f"{self.slug}/{q.id}", q.text))
            out += [(f"{self.slug}/{q.id}/{c.id}", c.text) for c in q.choices]
        out.append((f"{self.slug}/outro", self.outro))
        if self.screen_out:
            out.append((f"{self.slug}/screen_out", self.screen_out))
        return out


def age_text(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else str(value)


def _question(q: dict[str, Any]) -> Question:
    return Question(
        id=q["id"],
        type=q["type"],
        text=q["text"],
        choices=tuple(_choice(c) for c in q.get("choices") or ()),
        min=q.get("min"),
        max=q.get("max"),
        optional=bool(q.get("optional", False)),
        when=conditions.parse(q["when"]) if q.get("when") else None,
        end_if=conditions.parse(q["end_if"]) if q.get("end_if") else None,
        role=q.get("role"),
        measure=q.get("measure"),
    )


def _choice(c: dict[str, Any]) -> Choice:
    return Choice(str(c["id"]), c["text"],
                  parse_ages(c["ages"]) if c.get("ages") is not None else None,
                  references(c.get("reference")))


def references(value: Any) -> tuple[str, ...]:
    """A choice's `reference` (one id or a list of them) as a tuple of ids."""
    if value is None:
        return ()
    return (str(value),) if isinstance(value, str) else tuple(str(v) for v in value)


def checksum(definition: dict[str, Any]) -> str:
    """A stable fingerprint of a definition, to tell whether a survey changed."""
    canonical = json.dumps(definition, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()
