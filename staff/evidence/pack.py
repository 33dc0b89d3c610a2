"""The evidence pack: what the outreach heard, as plain data, rendered by one template.

`build(session, now, zone)` asks `queries` for counts and free text, suppresses small
numbers, codes and redacts free text, draws the charts, and returns plain data;
`render(data)` fills `templates/pack.html` (Jinja). `write(session, now, zone, path)` does
both. The page is one self-contained file: inline CSS and SVG, no scripts, fonts, images or
links, so it opens offline and prints on A4.

Any survey is read through what its questions say they are for (`role:`; `sections` says
which surveys and how): the free text of its `themes` questions, quoted beside the same
response's `headline` answer; its `participants` question (a logged conversation's reach);
its age question's under-13 screen-outs. No survey or question is named here.

In any offered language (`build(..., lang="pl")`): the fixed text through the catalogues
(`wording`), the surveys' titles, questions and answers in their translations; quotes in the
original with their English version.
"""

from __future__ import annotations

import math
from collections import Counter
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from jinja2 import Environment, FileSystemLoader, select_autoescape
from sqlalchemy.orm import Session

import assembly as assemblies
from assembly import Assembly
from bot import channels, suppress
from staff import heard
from staff.evidence import charts, freetext, queries, sections
from staff.evidence.coding import Coder
from staff.evidence.redact import Redactor
from staff.evidence.sections import ENGAGERS, RESIDENTS, YOUTH, Included, heading
from staff.evidence.wording import Wording
from surveys.model import MIN_AGE, Questionnaire, age_text
from translations.catalog import Catalogs
from translations.data import direction

TEMPLATES = Path(__file__).resolve().parent / "templates"
CHANNELS = channels.labels()
language_name = sections.language_name


def build(session: Session, now: datetime, zone: ZoneInfo, coder: Coder | None = None,
          redactor: Redactor | None = None, assembly: Assembly | None = None,
          lang: str = "en", catalogs: Catalogs | None = None) -> dict:
    """Everything the pack shows, as plain data (for `assembly`, default the shipped one:
    its place, its rule for who is heard, its theme set), in `lang` (an offered language;
    ValueError otherwise)."""
    w = Wording(lang, catalogs)
    assembly = assembly or assemblies.load()
    coder = coder or Coder.load(assembly.themes)
    redactor = redactor or Redactor.load(queries.known_names(session))
    surveys = sections.included(queries.surveys(session), queries.survey_counts(session))
    coded = _coded(session, surveys, coder, redactor)
    used: set[str] = set()
    decisions = queries.quote_decisions(session)
    themes = _themes(w, coder, surveys, coded, used, decisions)
    youth = _youth(w, session, surveys, coded, used, decisions)
    quotes = [q for row in themes["rows"] for q in row["quotes"]] + youth["quotes"]
    return {
        "words": w,
        "assembly": assembly,
        "generated": now.astimezone(zone),
        "gathering": _gathering(w, session, surveys, zone),
        "representation": sections.representation(
            w, session, surveys, assembly.place, heard.Rule.of(assembly)),
        "questions": [q for s in _of(surveys, RESIDENTS)
                      for q in sections.closed_questions(w, session, s)],
        "themes": themes,
        "youth": youth,
        "quotes": quotes,  # every quote the pack uses, for the review page
        "draft": any(not q["approved"] for q in quotes),
        "method": _method(w, coder, surveys),
        "threshold": suppress.THRESHOLD,
    }


def render(data: dict) -> str:
    """The pack as one HTML page, in the language it was built in: `_("<key>")` gives a
    fixed text, `| n` a count's words."""
    env = Environment(loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(),
                      trim_blocks=True, lstrip_blocks=True)
    words = data["words"]
    env.filters["n"] = words.count
    env.filters["bdi"] = words.bdi
    return env.get_template("pack.html").render(_=words, **data)


def write(session: Session, now: datetime, zone: ZoneInfo, path: Path | str,
          assembly: Assembly | None = None, lang: str = "en") -> Path:
    """Build and render the pack into `path`."""
    path = Path(path)
    data = build(session, now, zone, assembly=assembly, lang=lang)
    path.write_text(render(data), encoding="utf-8")
    return path


def _of(surveys: list[Included], *audiences: str) -> list[Included]:
    return [s for s in surveys if s.audience in audiences]


def _total_text(surveys: list[Included]) -> str:
    """Responses to these surveys together, as shown ("no" when there are none)."""
    return suppress.count_text(sum(s.counts.total for s in surveys)) if surveys else "no"


# How the evidence was gathered ------------------------------------------------------------


def _gathering(w: Wording, session: Session, surveys: list[Included], zone: ZoneInfo) -> dict:
    starts = [c for s in surveys for c in (s.counts.first, s.counts.last) if c]
    shown = _of(surveys, RESIDENTS, YOUTH)  # the logs are conversations, not responses
    logs = _of(surveys, ENGAGERS)
    languages = list(dict.fromkeys(code for s in surveys for code in s.survey.languages))
    return {
        "first": min(starts).astimezone(zone) if starts else None,
        "last": max(starts).astimezone(zone) if starts else None,
        "surveys": [_survey_row(w, s) for s in surveys],
        "residents": _total_text(_of(surveys, RESIDENTS)),
        "young": _total_text(_of(surveys, YOUTH)),
        "young_ages": _ages(w, _of(surveys, YOUTH)),
        "languages": [w.language(code) for code in languages],
        "columns": [sections.title(w, s) for s in shown],
        "by_channel": _side_by_side(session, shown, "channel",
                                    {k: w.channel(k, v) for k, v in CHANNELS.items()}),
        "by_language": _side_by_side(session, shown, "language",
                                     {c: w.language(c, capital=True)
                                      for c in languages or ["en"]}),
        "logs": _total_text(logs),
        "log_people": _participants(session, logs),
        "engagers": suppress.count_text(queries.engagers_active(session)),
    }


def _participants(session: Session, logs: list[Included]) -> str:
    """How many people the logged conversations reached: the sum of the logs' answers to
    their `participants` question ("no" without one)."""
    asked = [(s, q) for s in logs for q in s.survey.with_role("participants")]
    if not asked:
        return "no"
    return suppress.count_text(sum(queries.number_sum(session, s.slug, q.id) for s, q in asked))


def _ages(w: Wording, surveys: list[Included]) -> str:
    """The ages the surveys are for, in words ("13 to 24"); "" for none."""
    if not surveys:
        return ""
    low = min(s.survey.ages[0] for s in surveys)
    high = max(s.survey.ages[1] for s in surveys)
    return (w("ages-over", low=low) if high == math.inf
            else w("ages-range", low=low, high=age_text(high)))


def _survey_row(w: Wording, s: Included) -> dict:
    """Responses, complete and partial: a funnel, so a small number of partial responses is
    not given away by the other two ("72 / 68 / fewer than 5")."""
    c = s.counts
    pair = suppress.chain([("total", c.total), ("complete", c.complete)])
    who = (w("audience/youth-aged", ages=_ages(w, [s])) if s.audience == YOUTH
           else w(f"audience/{s.audience}"))
    return {"title": sections.title(w, s), "audience": who, "total": pair.steps[0].text,
            "complete": pair.steps[1].text, "partial": pair.span_text()}


def _side_by_side(session: Session, surveys: list[Included], column: str,
                  labels: dict[str, str]) -> list[dict]:
    """Rows of a table with one column per survey, each column suppressed on its own."""
    tables = []
    for s in surveys:
        found = queries.response_counts(session, s.slug, column)
        keys = list(labels) + [k for k in found if k not in labels]
        tables.append(suppress.table({k: found.get(k, 0) for k in keys}))
    keys = list(labels) + sorted({c.label for t in tables for c in t.cells} - set(labels))
    rows = []
    for key in keys:
        cells = [next((c for c in t.cells if c.label == key), None) for t in tables]
        rows.append({"label": labels.get(key, key), "cells": cells})
    rows.append({"label": "Total", "cells": [None] * len(tables),
                 "totals": [t.total_text for t in tables]})
    return rows


# Themes ------------------------------------------------------------------------------------


def _coded(session: Session, surveys: list[Included], coder: Coder,
           redactor: Redactor) -> dict[str, list[freetext.Coded]]:
    """Each survey's answers to its `themes` questions, redacted and coded, with the same
    response's answer to its headline question (slug -> answers)."""
    coded: dict[str, list[freetext.Coded]] = {}
    for s in surveys:
        headline = next(iter(s.survey.with_role("headline")), None)
        for question in s.survey.with_role("themes"):
            answers = queries.free_texts(session, s.slug, question.id,
                                         headline.id if headline else None)
            coded.setdefault(s.slug, []).extend(
                freetext.code_all(answers, coder, redactor, headline))
    return coded


def _quote(w: Wording, c: freetext.Coded, decisions: dict[int, str],
           surveys: dict[str, Included]) -> dict:
    translated = c.answer.language == "en" or c.english is not None
    survey = surveys[c.answer.survey].survey
    headline = next(iter(survey.with_role("headline")), None)
    return {"answer_id": c.answer.id, "approved": decisions.get(c.answer.id) == "approved",
            "text": c.text, "english": c.english, "language": w.language(c.answer.language),
            "lang": c.answer.language or "", "rtl": direction(c.answer.language) == "rtl",
            "is_english": c.answer.language == "en", "translated": translated,
            "source": w(f"source/{survey.audience}"),
            "headline": sections.headline_text(w, survey, headline, c.answer.headline)}


def _themes(w: Wording, coder: Coder, surveys: list[Included], coded: dict, used: set[str],
            decisions: dict[int, str]) -> dict:
    by_slug = {s.slug: s for s in surveys}
    everything = [c for s in surveys for c in coded.get(s.slug, [])]
    residents = [c for c in everything if by_slug[c.answer.survey].audience == RESIDENTS]
    young = [c for c in everything if by_slug[c.answer.survey].audience != RESIDENTS]
    rows = []
    for theme in coder.themes:
        # residents and young people add up to "all": one table, so neither is given away
        split = suppress.table({"residents": sum(theme.id in c.themes for c in residents),
                                "young": sum(theme.id in c.themes for c in young)})
        rows.append({
            "id": theme.id, "title": theme.title, "about": theme.about,
            "all": _count_share(split, len(everything)),
            "residents": split.cells[0].text, "young": split.cells[1].text,
            "quotes": [_quote(w, c, decisions, by_slug) for c in freetext.choose_quotes(
                everything, theme.id, used, excluded=_excluded(decisions))],
        })
    uncoded = [c for c in everything if not c.themes]
    chart_rows = [(r["title"], r["all"]["share"]) for r in rows]
    return {
        "rows": rows,
        "questions": [{"source": w(f"source/{s.audience}"), "survey": sections.title(w, s),
                       "text": heading(w.survey(s.slug, q.id, q.text))}
                      for s in surveys for q in s.survey.with_role("themes")],
        "answers": suppress.count_text(len(everything)),
        "chart": charts.bars("themes", w("chart-themes"), chart_rows, fewer=w("fewer"),
                             percent=w.percent)
        if suppress.table({"": len(everything)}).shown else None,
        "uncoded": _count_share(suppress.table({"": len(uncoded)}), len(everything)),
        "phrases": freetext.frequent_phrases(uncoded, freetext.load_stopwords()),
        "not_translated": suppress.count_text(sum(
            1 for c in everything if c.answer.language != "en" and c.english is None)),
    }


def _count_share(part: suppress.Table, total: int) -> dict:
    """A table's total as a count and a share of `total` (none when it is not shown)."""
    n = part.total
    if n is None or suppress.small(n) or not total:
        return {"text": part.total_text, "share": None, "share_text": ""}
    return {"text": part.total_text, "share": 100 * n / total,
            "share_text": suppress.percent(100 * n / total)}


# Youth voice -------------------------------------------------------------------------------


def _excluded(decisions: dict[int, str]) -> set[int]:
    return {answer for answer, decision in decisions.items() if decision == "excluded"}


def _youth(w: Wording, session: Session, surveys: list[Included], coded: dict, used: set[str],
           decisions: dict[int, str]) -> dict:
    """Young people's own surveys and the engagers' logs of conversations with friends."""
    youth, logs = _of(surveys, YOUTH), _of(surveys, ENGAGERS)
    young = [c for s in youth + logs for c in coded.get(s.slug, [])]
    by_slug = {s.slug: s for s in surveys}
    by_theme = Counter(t for c in young for t in c.themes)
    quotes = []
    for theme, _ in by_theme.most_common():
        quotes += [_quote(w, c, decisions, by_slug) for c in freetext.choose_quotes(
            young, theme, used, limit=1, excluded=_excluded(decisions))]
        if len(quotes) >= 4:
            break
    return {
        "responses": _total_text(youth),
        "ages": _ages(w, youth),
        "through_engagers": suppress.count_text(
            sum(queries.attributed(session, s.slug) for s in youth)),
        "questions": [q for s in youth
                      for q in sections.closed_questions(w, session, s, skip_dimensions=False)],
        # what a log records about the conversation (no role: not its reach, nor a yes/no)
        "log_questions": [q for s in logs for q in sections.closed_questions(
            w, session, s, types=("choice", "multi", "scale"))],
        "quotes": quotes,
        "under_13": suppress.count_text(sum(_under_13(session, s.survey) for s in youth)),
    }


def _under_13(session: Session, survey: Questionnaire) -> int:
    """Children under 13 screened out of a survey: its age question's answers that say so
    (a band whose ages end below 13, or a number under 13 where the survey starts at 13)."""
    reasons = set()
    for question in survey.with_role("age"):
        if question.choices:
            reasons |= {f"{question.id}={c.id}" for c in question.choices
                        if c.ages is not None and c.ages[1] < MIN_AGE}
        elif survey.ages[0] == MIN_AGE:
            reasons.add(f"{question.id}=under_{MIN_AGE}")
    found = queries.screen_outs(session, survey.slug)
    return sum(found.get(reason[:64], 0) for reason in reasons)


# Method ------------------------------------------------------------------------------------


def _method(w: Wording, coder: Coder, surveys: list[Included]) -> dict:
    # an example from the theme set itself, in the pack's language where it has rules
    rules = next((s for s in coder.sets if s.language == w.lang), None) or next(
        (s for s in coder.sets if s.language == "en"), None)
    theme, example = rules.must_match[0] if rules and rules.must_match else ("", "")
    titles = {t.id: t.title for t in coder.themes}
    return {
        "example": example, "example_theme": titles.get(theme, theme),
        "rules": [{"language": w.language(s.language),
                   "patterns": sum(len(p) for p in s.patterns.values()),
                   "examples": len(s.must_match) + len(s.must_not_match)} for s in coder.sets],
        "measures": list(dict.fromkeys(q.measure for s in surveys
                                       for q in s.survey.with_role("headline") if q.measure)),
    }
