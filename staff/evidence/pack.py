"""The evidence pack: what the outreach heard, as plain data, rendered by one template.

`build(session, now, zone)` asks `queries` for counts and free text, suppresses small
numbers, codes and redacts free text, draws the charts, and returns plain data;
`render(data)` fills `templates/pack.html` (Jinja). `write(session, now, zone, path)` does
both. The page is one self-contained file: inline CSS and SVG, no scripts, fonts, images or
links, so it opens offline and prints on A4.
"""

from __future__ import annotations

import re
from collections import Counter
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from jinja2 import Environment, FileSystemLoader, select_autoescape
from sqlalchemy.orm import Session

import assembly as assemblies
from assembly import Assembly
from bot import channels, suppress
from staff.evidence import charts, freetext, queries, representation
from staff.evidence.coding import Coder
from staff.evidence.redact import Redactor
from surveys.model import Question, Questionnaire
from translations.data import direction, english_name

TEMPLATES = Path(__file__).resolve().parent / "templates"
RESIDENTS, YOUTH, LOGS = "neighbourhood-policing", "youth-voice", "peer-conversation-log"
# Free text read for themes: (survey, question, the same survey's trust question).
FREE_TEXT = ((RESIDENTS, "build_trust", "trust"), (YOUTH, "assembly_message", "trust_police"),
             (LOGS, "quote", None))
SOURCES = {RESIDENTS: "Resident", YOUTH: "Young person", LOGS: "Peer conversation log"}
AUDIENCES = {RESIDENTS: "Residents", YOUTH: "Young people aged 13 to 24",
             LOGS: "Peer engagers, about their conversations with friends"}
ABOUT_YOU = {"age_band", "area", "ward_chingford", "ward_walthamstow", "ward_leyton", "gender",
             "ethnic_group", "disability"}
WARD_QUESTIONS = ("ward_chingford", "ward_walthamstow", "ward_leyton")
CHANNELS = channels.labels()
# Breakdowns of scale questions: groups of another question's answers.
AGE_GROUPS = {RESIDENTS: (("13 to 15", ("13_15",)), ("16 to 34", ("16_24", "25_34")),
                          ("35 to 54", ("35_44", "45_54")),
                          ("55 and over", ("55_64", "65_74", "75_plus"))),
              YOUTH: (("13 to 15", ("13_15",)), ("16 or 17", ("16_17",)),
                      ("18 to 24", ("18_24",)))}
YEAR_BANDS = (("Under 2 years", 0, 1), ("2 to 5 years", 2, 5), ("6 to 10 years", 6, 10),
              ("11 to 20 years", 11, 20), ("More than 20 years", 21, 1000))
TRUST_WORDS = {"low": "trusts the police little or not at all",
               "middle": "trusts the police somewhat", "high": "trusts the police a lot",
               "unknown": ""}
_SCALE_ENDS = re.compile(r"(\d+)\s*=\s*([^,.]+)")
# What a question says to a person typing an answer, not to a reader of the pack.
_INSTRUCTIONS = re.compile(r"\s*(\d+\s*=\s*[^,.]+,\s*\d+\s*=\s*[^,.]+\.?"
                           r"|Pick (all that apply|any)\b.*"
                           r"|Reply in your own words\.?|Say whatever you want\.?)$")


def language_name(code: str | None) -> str:
    """A language's English name ('ro' -> 'Romanian')."""
    return (english_name(code) or code) if code else "Unknown"


def build(session: Session, now: datetime, zone: ZoneInfo, coder: Coder | None = None,
          redactor: Redactor | None = None, assembly: Assembly | None = None) -> dict:
    """Everything the pack shows, as plain data (for `assembly`, default the shipped one)."""
    assembly = assembly or assemblies.load()
    coder = coder or Coder.load(assembly.themes)
    redactor = redactor or Redactor.load(queries.known_names(session))
    defined = queries.surveys(session)
    counts = {c.slug: c for c in queries.survey_counts(session)}
    coded = {source: freetext.code_all(queries.free_texts(session, *source), coder, redactor)
             for source in FREE_TEXT if source[0] in defined}
    reference = representation.load()
    used: set[str] = set()
    decisions = queries.quote_decisions(session)
    themes = _themes(coder, coded, used, decisions)
    youth = _youth(session, defined, counts, coded, used, decisions)
    quotes = [q for row in themes["rows"] for q in row["quotes"]] + youth["quotes"]
    return {
        "assembly": assembly,
        "generated": now.astimezone(zone),
        "gathering": _gathering(session, defined, counts, zone),
        "representation": _representation(session, defined, reference),
        "questions": _closed_questions(session, defined.get(RESIDENTS)),
        "themes": themes,
        "youth": youth,
        "quotes": quotes,  # every quote the pack uses, for the review page
        "draft": any(not q["approved"] for q in quotes),
        "method": _method(coder),
        "threshold": suppress.THRESHOLD,
    }


def render(data: dict) -> str:
    """The pack as one HTML page."""
    env = Environment(loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(),
                      trim_blocks=True, lstrip_blocks=True)
    return env.get_template("pack.html").render(**data)


def write(session: Session, now: datetime, zone: ZoneInfo, path: Path | str,
          assembly: Assembly | None = None) -> Path:
    """Build and render the pack into `path`."""
    path = Path(path)
    path.write_text(render(build(session, now, zone, assembly=assembly)), encoding="utf-8")
    return path


# How the evidence was gathered ------------------------------------------------------------


def _gathering(session: Session, defined: dict, counts: dict, zone: ZoneInfo) -> dict:
    present = [counts[slug] for slug in (RESIDENTS, YOUTH, LOGS) if slug in counts]
    starts = [c.first for c in present if c.first] + [c.last for c in present if c.last]
    surveys_shown = [s for s in (RESIDENTS, YOUTH) if s in counts]
    return {
        "first": min(starts).astimezone(zone) if starts else None,
        "last": max(starts).astimezone(zone) if starts else None,
        "surveys": [_survey_row(c) for c in present],
        "residents": suppress.count_text(counts[RESIDENTS].total) if RESIDENTS in counts
        else "no",
        "young": suppress.count_text(counts[YOUTH].total) if YOUTH in counts else "no",
        "columns": [counts[s].title for s in surveys_shown],
        "by_channel": _side_by_side(session, surveys_shown, "channel", CHANNELS),
        "by_language": _side_by_side(session, surveys_shown, "language",
                                     {c: language_name(c) for c in _languages(defined)}),
        "logs": suppress.count_text(counts[LOGS].total) if LOGS in counts else "no",
        "log_people": suppress.count_text(queries.number_sum(session, LOGS, "took_part"))
        if LOGS in counts else "no",
        "engagers": suppress.count_text(queries.engagers_active(session)),
    }


def _survey_row(c) -> dict:
    """Responses, complete and partial: a funnel, so a small number of partial responses is
    not given away by the other two ("72 / 68 / fewer than 5")."""
    pair = suppress.chain([("total", c.total), ("complete", c.complete)])
    return {"title": c.title, "audience": AUDIENCES.get(c.slug, c.audience),
            "total": pair.steps[0].text, "complete": pair.steps[1].text,
            "partial": pair.span_text()}


def _languages(defined: dict) -> list[str]:
    survey = defined.get(RESIDENTS) or next(iter(defined.values()), None)
    return list(survey.languages) if survey else ["en"]


def _side_by_side(session: Session, slugs: list[str], column: str,
                  labels: dict[str, str]) -> list[dict]:
    """Rows of a table with one column per survey, each column suppressed on its own."""
    tables = []
    for slug in slugs:
        found = queries.response_counts(session, slug, column)
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


# How representative ----------------------------------------------------------------------


def _representation(session: Session, defined: dict, reference: dict) -> dict:
    survey = defined.get(RESIDENTS)
    if survey is None:
        return {"comparisons": [], "gaps": [], "wards": None, "source": None}
    comparisons = []
    for spec in reference["comparisons"]:
        if spec.get("language"):
            answers = Counter(queries.response_counts(session, RESIDENTS, "language"))
        elif survey.question(spec["question"]) is not None:
            answers = queries.answer_counts(session, RESIDENTS, spec["question"])
        else:
            continue
        comparisons.append(representation.compare(spec, answers))
    by_ward: Counter = Counter()
    for question_id in WARD_QUESTIONS:
        question = survey.question(question_id)
        if question is not None:
            names = {c.id: c.text for c in question.choices}
            for key, n in queries.answer_counts(session, RESIDENTS, question_id).items():
                by_ward[names.get(key, key)] += n
    outside = queries.answer_counts(session, RESIDENTS, "area").get("outside_borough", 0)
    wards = representation.wards(reference, by_ward, outside)
    gaps = [gap for comparison in comparisons for gap in representation.gaps(comparison)]
    gaps += representation.ward_gaps(wards)
    return {"comparisons": comparisons, "gaps": gaps, "wards": wards,
            "asked_age": suppress.count_text(queries.answered(session, RESIDENTS, "age_band"))}


# Closed questions --------------------------------------------------------------------------


def _closed_questions(session: Session, survey: Questionnaire | None,
                      skip: set[str] = ABOUT_YOU) -> list[dict]:
    if survey is None:
        return []
    return [_closed(session, survey, q) for q in survey.questions
            if q.type != "text" and q.id not in skip]


def _labels(question: Question) -> dict[str, str]:
    """Each stored value's label, in the question's order."""
    if question.type == "scale":
        ends = {int(n): words.strip() for n, words in _SCALE_ENDS.findall(question.text)}
        return {str(v): f"{v} — {ends[v]}" if v in ends else str(v)
                for v in range(int(question.min), int(question.max) + 1)}
    if question.type == "yesno":
        return {"yes": "Yes", "no": "No"}
    if question.type == "number":
        return {band: band for band, _, _ in YEAR_BANDS}
    return {c.id: c.text for c in question.choices}


def _closed(session: Session, survey: Questionnaire, question: Question) -> dict:
    slug = survey.slug
    found = queries.answer_counts(session, slug, question.id)
    if question.type == "number":
        found = _banded(found)
    labels = _labels(question)
    if question.end_if is not None or question.role is not None:
        # choices that end the survey (an under-13) are never kept: no row for them
        labels = {k: v for k, v in labels.items()
                  if found.get(k) or survey.screens_out(question, {question.id: k}) is None}
    counts = {labels[k]: found.get(k, 0) for k in labels}
    counts.update({k: n for k, n in found.items() if k not in labels})
    answered = queries.answered(session, slug, question.id)
    table = suppress.table(counts, total=answered, partition=question.type != "multi")
    chart_id = f"{slug}-{question.id}"
    return {
        "id": chart_id,
        "text": heading(question.text),
        "multi": question.type == "multi",
        "table": table,
        "answered": table.total_text,
        "chart": charts.bars(chart_id, question.text,
                             [(c.label, c.share) for c in table.cells]) if table.shown else None,
        "breakdowns": _breakdowns(session, slug, question) if question.type == "scale" else [],
    }


def heading(text: str) -> str:
    """A question as the pack heads it: without the instructions for typing an answer."""
    while (cleaned := _INSTRUCTIONS.sub("", text)) != text:
        text = cleaned
    return text


def _banded(found: Counter) -> Counter:
    banded: Counter = Counter()
    for key, n in found.items():
        value = float(key)
        band = next((b for b, low, high in YEAR_BANDS if low <= value < high + 1), key)
        banded[band] += n
    return banded


def _breakdowns(session: Session, slug: str, question: Question) -> list[dict]:
    """A scale question's average by age group and by language; groups under 5 hidden."""
    found = []
    if slug in AGE_GROUPS:
        means = queries.means_by(session, slug, question.id, "age_band")
        groups = {label: [means[k] for k in keys if k in means]
                  for label, keys in AGE_GROUPS[slug]}
        found.append({"by": "Age", "rows": _mean_rows(groups)})
    means = queries.means_by_language(session, slug, question.id)
    found.append({"by": "Language answered in", "rows": _mean_rows(
        {language_name(k): [v] for k, v in sorted(means.items())})})
    return found


def _mean_rows(groups: dict[str, list[tuple[int, float]]]) -> list[dict]:
    """Each group's count and mean, suppressed as one table (the groups add up to those who
    answered, so one hidden group could otherwise be worked out)."""
    table = suppress.table({label: sum(n for n, _ in parts) for label, parts in groups.items()})
    rows = []
    for cell, parts in zip(table.cells, groups.values(), strict=True):
        mean = (sum(n * value for n, value in parts) / cell.count) if cell.count else None
        rows.append({"label": cell.label, "n": cell.text,
                     "mean": "–" if mean is None else f"{mean:.1f}"})
    return rows


# Themes ------------------------------------------------------------------------------------


def _quote(c: freetext.Coded, decisions: dict[int, str]) -> dict:
    translated = c.answer.language == "en" or c.english is not None
    return {"answer_id": c.answer.id, "approved": decisions.get(c.answer.id) == "approved",
            "text": c.text, "english": c.english, "language": language_name(c.answer.language),
            "lang": c.answer.language or "", "rtl": direction(c.answer.language) == "rtl",
            "is_english": c.answer.language == "en", "translated": translated,
            "source": SOURCES.get(c.answer.survey, c.answer.survey),
            "trust": TRUST_WORDS[c.trust_level]}


def _themes(coder: Coder, coded: dict, used: set[str], decisions: dict[int, str]) -> dict:
    everything = [c for items in coded.values() for c in items]
    residents = [c for c in everything if c.answer.survey == RESIDENTS]
    young = [c for c in everything if c.answer.survey != RESIDENTS]
    rows = []
    for theme in coder.themes:
        # residents and young people add up to "all": one table, so neither is given away
        split = suppress.table({"residents": sum(theme.id in c.themes for c in residents),
                                "young": sum(theme.id in c.themes for c in young)})
        rows.append({
            "id": theme.id, "title": theme.title, "about": theme.about,
            "all": _count_share(split, len(everything)),
            "residents": split.cells[0].text, "young": split.cells[1].text,
            "quotes": [_quote(c, decisions) for c in freetext.choose_quotes(
                everything, theme.id, used, excluded=_excluded(decisions))],
        })
    uncoded = [c for c in everything if not c.themes]
    chart_rows = [(r["title"], r["all"]["share"]) for r in rows]
    return {
        "rows": rows,
        "answers": suppress.count_text(len(everything)),
        "chart": charts.bars("themes", "Share of free-text answers coded to each theme",
                             chart_rows) if suppress.table({"": len(everything)}).shown else None,
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


def _youth(session: Session, defined: dict, counts: dict, coded: dict, used: set[str],
           decisions: dict[int, str]) -> dict:
    survey, log = defined.get(YOUTH), defined.get(LOGS)
    questions = _closed_questions(session, survey, skip=set()) if YOUTH in counts else []
    log_questions = ([_closed(session, log, q) for q in log.questions
                      if q.id in ("age_band", "themes")] if log and LOGS in counts else [])
    young = [c for slug in (YOUTH, LOGS) for c in coded.get(_source(slug), [])]
    by_theme = Counter(t for c in young for t in c.themes)
    quotes = []
    for theme, _ in by_theme.most_common():
        quotes += [_quote(c, decisions) for c in freetext.choose_quotes(
            young, theme, used, limit=1, excluded=_excluded(decisions))]
        if len(quotes) >= 4:
            break
    under_13 = queries.screen_outs(session, YOUTH).get("age_band=under_13", 0)
    return {
        "responses": suppress.count_text(counts[YOUTH].total) if YOUTH in counts else "no",
        "through_engagers": suppress.count_text(queries.attributed(session, YOUTH)),
        "questions": questions,
        "log_questions": log_questions,
        "quotes": quotes,
        "under_13": suppress.count_text(under_13),
    }


def _source(slug: str) -> tuple:
    return next(source for source in FREE_TEXT if source[0] == slug)


# Method ------------------------------------------------------------------------------------


def _method(coder: Coder) -> dict:
    return {
        "rules": [{"language": language_name(s.language),
                   "patterns": sum(len(p) for p in s.patterns.values()),
                   "examples": len(s.must_match) + len(s.must_not_match)} for s in coder.sets],
    }
