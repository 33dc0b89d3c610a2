"""Check one survey definition (as `surveys.reader` read it) and report every problem.

Problems are collected, not raised at the first, each at the line to fix: unknown keys,
slugs and ids, question types, choices, bounds, `when` / `end_if` conditions, ages,
roles (surveys.roles; given the place, the choices' reference to it) and (given the
catalogues) a translation for every offered language.
"""

from __future__ import annotations

import math
import re
from typing import TYPE_CHECKING, Any

from surveys import conditions, roles
from surveys.model import (
    AUDIENCES,
    MIN_AGE,
    QUESTION_TYPES,
    RESERVED_IDS,
    Questionnaire,
    parse_ages,
)
from surveys.reader import LineDict, Problem, plain, text_lines
from translations.catalog import Catalogs

if TYPE_CHECKING:
    from assembly.place import Place

SLUG = re.compile(r"^[a-z0-9](?:[a-z0-9-]*[a-z0-9])?$")
IDENT = re.compile(r"^[a-z0-9_]+$")
LANG = re.compile(r"^[a-z]{2,3}(?:-[A-Za-z0-9]+)?$")
KEYWORD = re.compile(r"^[A-Z0-9]+$")
SURVEY_KEYS = {"slug", "title", "audience", "language", "languages", "keyword", "intro",
               "consent", "outro", "screen_out", "ages", "anonymous", "questions"}
QUESTION_KEYS = {"id", "type", "text", "choices", "min", "max", "optional", "when", "end_if",
                 "role", "measure"}
CHOICE_KEYS = {"id", "text", "ages", "reference"}
RESERVED_KEYWORDS = {"STOP", "STOPALL", "UNSUBSCRIBE", "CANCEL", "END", "QUIT", "REVOKE",
                     "OPTOUT", "START", "UNSTOP", "HELP", "INFO", "LANG", "LANGUAGE", "SKIP",
                     "RESTART", "DELETE", "YES", "NO", "PROMPTS", "LOG", "STATS"}


class _Checker:
    def __init__(self, file: str):
        self.file = file
        self.problems: list[Problem] = []

    def add(self, line: int, message: str) -> None:
        self.problems.append(Problem(self.file, line, message))

    def text(self, data: LineDict, key: str, required: bool = True) -> None:
        value = data.get(key)
        if value is None:
            if required:
                self.add(data.line, f"missing '{key}'")
        elif not isinstance(value, str) or not value.strip():
            self.add(data.line_of(key), f"'{key}' must be some text")


def validate(data: Any, file: str, catalogs: Catalogs | None = None,
             place: Place | None = None) -> list[Problem]:
    """Every problem with one survey definition (as `surveys.reader.read_file` read it);
    given the place, the choices' `reference` to its categories too (surveys.roles)."""
    check = _Checker(file)
    if not isinstance(data, LineDict):
        check.add(1, "a survey file must be a mapping (slug:, title:, questions: ...)")
        return check.problems
    for key in data:
        if key not in SURVEY_KEYS:
            check.add(data.line_of(key), f"unknown key '{key}'")
    slug = data.get("slug")
    if not isinstance(slug, str) or not SLUG.match(slug):
        check.add(data.line_of("slug"), "'slug' must be lower-case letters, digits and -")
    for key in ("title", "intro", "outro"):
        check.text(data, key)
    check.text(data, "consent", required=False)
    check.text(data, "screen_out", required=False)
    if data.get("audience") not in AUDIENCES:
        check.add(data.line_of("audience"), f"'audience' must be one of {', '.join(AUDIENCES)}")
    _check_languages(check, data)
    _check_anonymous(check, data)
    keyword = data.get("keyword")
    if keyword is not None:
        if not isinstance(keyword, str) or not KEYWORD.match(keyword.upper()):
            check.add(data.line_of("keyword"), "'keyword' must be one word of letters or digits")
        elif keyword.upper() in RESERVED_KEYWORDS:
            check.add(data.line_of("keyword"), f"'{keyword}' is one of the bot's own keywords")
    questions = data.get("questions")
    if not isinstance(questions, list) or not questions:
        check.add(data.line_of("questions"), "'questions' must be a list of questions")
        return check.problems
    seen: dict[str, dict] = {}
    for q in questions:
        _check_question(check, q, seen, data.line_of("questions"))
    ages = _check_ages(check, data)
    roles.check(check.add, questions, ages, place)
    if any(isinstance(q, LineDict) and (q.get("end_if") or q.get("role") == "age")
           for q in questions):
        check.text(data, "screen_out")
    if not check.problems and catalogs is not None:
        _check_translations(check, data, catalogs)
    return check.problems


def _check_languages(check: _Checker, data: LineDict) -> None:
    lang = data.get("language")
    if not isinstance(lang, str) or not LANG.match(lang):
        check.add(data.line_of("language"), "'language' must be a language code such as en")
    langs = data.get("languages", [lang])
    if not isinstance(langs, list) or not all(isinstance(x, str) and LANG.match(x) for x in langs):
        check.add(data.line_of("languages"), "'languages' must be a list of language codes")
    elif lang not in langs:
        check.add(data.line_of("languages"), f"'languages' must include the survey's own '{lang}'")
    elif len(set(langs)) != len(langs):
        check.add(data.line_of("languages"), "'languages' lists a language twice")


def _check_anonymous(check: _Checker, data: LineDict) -> None:
    """`anonymous: true` is the consent's promise that answers are kept apart from the
    number: it needs a consent that makes it."""
    if "anonymous" not in data:
        return
    if not isinstance(data["anonymous"], bool):
        check.add(data.line_of("anonymous"), "'anonymous' must be true or false")
    elif data["anonymous"] and not data.get("consent"):
        check.add(data.line_of("anonymous"),
                  "'anonymous: true' needs a consent that tells people so")


def _check_ages(check: _Checker, data: LineDict) -> tuple[int, float]:
    """The survey's `ages` (whom it is for): `13+` or `13-24`, never younger than MIN_AGE."""
    if "ages" not in data:
        return MIN_AGE, math.inf
    ages = parse_ages(data["ages"])
    if ages is None:
        check.add(data.line_of("ages"), "'ages' must be a range such as 13-24 or 16+")
    elif ages[0] < MIN_AGE:
        check.add(data.line_of("ages"),
                  f"'ages' cannot start under {MIN_AGE}: nothing is kept from a younger child")
    else:
        return ages
    return MIN_AGE, math.inf


def _check_question(check: _Checker, q: Any, seen: dict[str, dict], list_line: int) -> None:
    if not isinstance(q, LineDict):  # a plain item has no line of its own: point at the list
        check.add(list_line, "each question must be a mapping with id, type, text")
        return
    for key in q:
        if key not in QUESTION_KEYS:
            check.add(q.line_of(key), f"unknown key '{key}' in a question")
    qid = q.get("id")
    if not isinstance(qid, str) or not IDENT.match(qid):
        check.add(q.line_of("id"), "question 'id' must be lower-case letters, digits and _")
    elif qid in RESERVED_IDS:
        check.add(q.line_of("id"), f"question id '{qid}' is reserved")
    elif qid in seen:
        check.add(q.line_of("id"), f"duplicate question id '{qid}'")
    check.text(q, "text")
    qtype = q.get("type")
    if qtype not in QUESTION_TYPES:
        check.add(q.line_of("type"), f"unknown type '{qtype}' (use {', '.join(QUESTION_TYPES)})")
    elif qtype in ("choice", "multi"):
        _check_choices(check, q)
    elif "choices" in q:
        check.add(q.line_of("choices"), f"a {qtype} question has no choices")
    _check_bounds(check, q, qtype)
    if "optional" in q and not isinstance(q["optional"], bool):
        check.add(q.line_of("optional"), "'optional' must be true or false")
    for key in ("when", "end_if"):
        if key in q:
            # `when` looks back at earlier questions; `end_if` at this one too.
            visible = dict(seen, **({qid: q} if key == "end_if" and isinstance(qid, str) else {}))
            _check_condition(check, q, key, visible)
    if isinstance(qid, str) and qid not in seen:
        seen[qid] = q


def _check_choices(check: _Checker, q: LineDict) -> None:
    choices = q.get("choices")
    if not isinstance(choices, list) or len(choices) < 2:
        check.add(q.line_of("choices"), "a choice question needs at least two choices")
        return
    ids: set[str] = set()
    for c in choices:
        if not isinstance(c, LineDict) or set(c) - CHOICE_KEYS:
            check.add(getattr(c, "line", q.line_of("choices")),
                      "each choice must be {id: ..., text: ...}")
            continue
        cid = c.get("id")
        if not isinstance(cid, str) or not IDENT.match(cid):
            check.add(c.line_of("id"), "choice 'id' must be lower-case letters, digits and _")
        elif cid in ids:
            check.add(c.line_of("id"), f"duplicate choice id '{cid}'")
        else:
            ids.add(cid)
        check.text(c, "text")


def _check_bounds(check: _Checker, q: LineDict, qtype: Any) -> None:
    if qtype == "scale":
        for key in ("min", "max"):
            if not isinstance(q.get(key), int) or isinstance(q.get(key), bool):
                check.add(q.line_of(key), f"a scale needs a whole number '{key}'")
    elif qtype != "number":
        for key in ("min", "max"):
            if key in q:
                check.add(q.line_of(key), f"a {qtype} question has no '{key}'")
        return
    lo, hi = q.get("min"), q.get("max")
    for key, value in (("min", lo), ("max", hi)):
        if value is not None and (isinstance(value, bool) or not isinstance(value, int | float)):
            check.add(q.line_of(key), f"'{key}' must be a number")
            return
    if isinstance(lo, int | float) and isinstance(hi, int | float) and lo > hi:
        check.add(q.line_of("min"), f"min ({lo}) is greater than max ({hi})")
    elif qtype == "scale" and isinstance(lo, int) and isinstance(hi, int) and hi - lo > 10:
        check.add(q.line_of("max"), "a scale may have at most 11 points")


def _check_condition(check: _Checker, q: LineDict, key: str, seen: dict[str, dict]) -> None:
    line = q.line_of(key)
    try:
        cond = conditions.parse(q[key])
    except conditions.ConditionError as exc:
        check.add(line, f"'{key}': {exc}")
        return
    for name, value in conditions.names(cond):
        target = seen.get(name)
        if target is None:
            where = "a later question" if name == q.get("id") else "an unknown or later question"
            check.add(line, f"'{key}' names {where} '{name}'")
            continue
        ttype = target.get("type")
        if ttype in ("choice", "multi"):
            ids = {c.get("id") for c in target.get("choices") or [] if isinstance(c, dict)}
            if value not in ids:
                check.add(line, f"'{key}': '{value}' is not a choice of '{name}'")
        elif ttype == "yesno" and value not in ("yes", "no"):
            check.add(line, f"'{key}': compare '{name}' with yes or no")
        elif ttype in ("scale", "number") and not isinstance(value, int | float):
            check.add(line, f"'{key}': compare '{name}' with a number")


def _check_translations(check: _Checker, data: LineDict, catalogs: Catalogs) -> None:
    survey = Questionnaire.from_definition(plain(data))
    lines = text_lines(data)
    for lang in survey.languages:
        if lang == survey.language:
            continue
        for context, source in survey.texts():
            if not catalogs.has(lang, context, source):
                check.add(lines.get(context, data.line),
                          f"no '{lang}' translation for {context} (translations/{lang})")
