"""The survey model: plain, immutable data built from a validated definition.

A definition is the dict that a YAML file holds (and that the database stores per version);
`Questionnaire.from_definition` turns it into these dataclasses, with conditions parsed.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from typing import Any

from surveys import conditions

QUESTION_TYPES = ("scale", "choice", "multi", "yesno", "number", "text")
AUDIENCES = ("residents", "youth", "members", "engagers")
RESERVED_IDS = ("title", "intro", "consent", "outro", "screen_out")


@dataclass(frozen=True)
class Choice:
    id: str
    text: str


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
    version: int = 0

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
            version=version,
        )

    def question(self, question_id: str) -> Question | None:
        return next((q for q in self.questions if q.id == question_id), None)

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


def _question(q: dict[str, Any]) -> Question:
    return Question(
        id=q["id"],
        type=q["type"],
        text=q["text"],
        choices=tuple(Choice(str(c["id"]), c["text"]) for c in q.get("choices") or ()),
        min=q.get("min"),
        max=q.get("max"),
        optional=bool(q.get("optional", False)),
        when=conditions.parse(q["when"]) if q.get("when") else None,
        end_if=conditions.parse(q["end_if"]) if q.get("end_if") else None,
    )


def checksum(definition: dict[str, Any]) -> str:
    """A stable fingerprint of a definition, to tell whether a survey changed."""
    canonical = json.dumps(definition, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()
