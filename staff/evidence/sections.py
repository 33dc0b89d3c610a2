"""The pack's sections that read a survey's questions: who answered against the place, and
the closed questions with their breakdowns. Any survey, read through what its questions
say they are for (`role:`, surveys/model.py); no survey or question is named here.

Which surveys: every survey for residents, young people or peer engagers that has
responses (members' surveys never), residents first (`included`). How representative: each
residents' survey, and each youth survey on the dimensions its questions declare, compared
with the place by the one rule (`staff/heard.py`), which the dashboard uses too.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from assembly.place import Place
from bot import suppress
from staff import heard
from staff.evidence import charts, queries
from surveys.model import DIMENSION_ROLES, Question, Questionnaire
from translations.data import english_name

RESIDENTS, YOUTH, ENGAGERS = "residents", "youth", "engagers"
AUDIENCE_ORDER = (RESIDENTS, YOUTH, ENGAGERS)  # members' surveys are never in the pack
# Bands of a number question's answers (its stored values), as the pack groups them.
NUMBER_BANDS = (("0 or 1", 0, 1), ("2 to 5", 2, 5), ("6 to 10", 6, 10), ("11 to 20", 11, 20),
                ("More than 20", 21, float("inf")))
_SCALE_ENDS = re.compile(r"(\d+)\s*=\s*([^,.]+)")
# What a question says to a person typing an answer, not to a reader of the pack.
_INSTRUCTIONS = re.compile(r"\s*(\d+\s*=\s*[^,.]+,\s*\d+\s*=\s*[^,.]+\.?"
                           r"|Pick (all that apply|any)\b.*"
                           r"|Reply in your own words\.?|Say whatever you want\.?)$")
_URL_SCHEME = re.compile(r"https?://")


@dataclass(frozen=True)
class Included:
    """A survey in the pack, with its responses."""

    survey: Questionnaire
    counts: queries.SurveyCounts

    @property
    def slug(self) -> str:
        return self.survey.slug

    @property
    def audience(self) -> str:
        return self.survey.audience


def included(defined: dict[str, Questionnaire],
             counts: list[queries.SurveyCounts]) -> list[Included]:
    """The surveys the pack reads: residents', young people's and engagers' logs that have
    responses, residents first, then by slug."""
    found = [Included(defined[c.slug], c) for c in counts
             if c.slug in defined and c.audience in AUDIENCE_ORDER and c.total]
    return sorted(found, key=lambda s: (AUDIENCE_ORDER.index(s.audience), s.slug))


def language_name(code: str | None) -> str:
    """A language's English name ('ro' -> 'Romanian')."""
    return (english_name(code) or code) if code else "Unknown"


def cite(url: str | None) -> str | None:
    """An address as printed: without the scheme (the page links to nothing)."""
    return _URL_SCHEME.sub("", url) if url else url


def heading(text: str) -> str:
    """A question as the pack heads it: without the instructions for typing an answer."""
    while (cleaned := _INSTRUCTIONS.sub("", text)) != text:
        text = cleaned
    return text


# How representative -----------------------------------------------------------------------


def representation(session: Session, surveys: list[Included], place: Place,
                   rule: heard.Rule) -> dict:
    """Each residents' survey (and each youth survey, on its declared dimensions) against
    the place; the gaps of all of them, in plain sentences."""
    blocks = []
    for s in surveys:
        if s.audience not in (RESIDENTS, YOUTH):
            continue
        found = heard.comparisons(session, s.survey, place, rule)
        age = s.survey.with_role("age")
        blocks.append({
            "title": s.counts.title, "audience": s.audience,
            "comparisons": [_comparison(s.slug, n, c) for n, c in enumerate(found)],
            "gaps": [gap for c in found for gap in heard.gaps(c)],
            "age_answered": suppress.count_text(queries.answered(session, s.slug, age[0].id))
            if age else None,
        })
    return {"place": place.name, "surveys": blocks,
            "gaps": [gap for block in blocks for gap in block["gaps"]],
            "under": suppress.percent(100 * rule.under), "over": suppress.percent(100 * rule.over)}


def _comparison(slug: str, n: int, c: heard.Comparison) -> dict:
    t = c.table
    return {
        "id": f"{slug}-{c.dimension}-{n}", "dimension": c.dimension, "title": c.title,
        "question": heading(c.question) if c.question else None,
        "citation": {"table": t.table, "title": t.title, "date": _date(t.date), "base": t.base,
                     "source": t.source, "url": cite(t.url)},
        "shown": c.shown, "compared": c.compared, "why_not_compared": c.why_not_compared,
        "note": t.note, "answered_as": c.answered_as,
        "rows": [{"label": r.label, "people": r.cell.text, "share": r.cell.share_text or "–",
                  "reference": r.reference_text, "status": r.status,
                  "to_parity": r.to_parity_text} for r in c.rows],
        "total": c.total.total_text, "has_secondary": c.total.has_secondary,
        "left_out": list(c.left_out), "left_out_text": c.left_out_text,
        "rescaled": c.rescaled,
    }


def _date(text: str) -> str:
    """A table's date as a reader says it: 2021-03-21 -> 21 March 2021, 2022-05 -> May
    2022 (as written when it is neither)."""
    for pattern, shown in (("%Y-%m-%d", "%-d %B %Y"), ("%Y-%m", "%B %Y")):
        try:
            return datetime.strptime(text, pattern).strftime(shown)
        except ValueError:
            continue
    return text


# Closed questions --------------------------------------------------------------------------


def closed_questions(session: Session, s: Included, skip_dimensions: bool = True,
                     types: tuple[str, ...] | None = None) -> list[dict]:
    """A survey's questions with set answers (not free text), in its order; without the
    questions about the person (their dimension roles, shown against the place) unless
    `skip_dimensions` is False; only of `types` when given."""
    return [closed(session, s.survey, q) for q in s.survey.questions
            if q.type != "text" and (types is None or q.type in types)
            and not (skip_dimensions and q.role in DIMENSION_ROLES)]


def _labels(question: Question) -> dict[str, str]:
    """Each stored value's label, in the question's order."""
    if question.type == "scale":
        ends = {int(n): words.strip() for n, words in _SCALE_ENDS.findall(question.text)}
        return {str(v): f"{v} — {ends[v]}" if v in ends else str(v)
                for v in range(int(question.min), int(question.max) + 1)}
    if question.type == "yesno":
        return {"yes": "Yes", "no": "No"}
    if question.type == "number":
        return {band: band for band, _, _ in NUMBER_BANDS}
    return {c.id: c.text for c in question.choices}


def closed(session: Session, survey: Questionnaire, question: Question) -> dict:
    """One closed question: its chart, the numbers behind it and (a scale) its breakdowns."""
    slug = survey.slug
    found = queries.answer_counts(session, slug, question.id)
    if question.type == "number":
        found = _banded(found)
    labels = _labels(question)
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
        "survey": survey.title,
        "text": heading(question.text),
        "multi": question.type == "multi",
        "scale": (int(question.min), int(question.max)) if question.type == "scale" else None,
        "table": table,
        "answered": table.total_text,
        "chart": charts.bars(chart_id, question.text,
                             [(c.label, c.share) for c in table.cells]) if table.shown else None,
        "breakdowns": _breakdowns(session, survey, question) if question.type == "scale"
        else [],
    }


def _banded(found: Counter) -> Counter:
    banded: Counter = Counter()
    for key, n in found.items():
        value = float(key)
        band = next((b for b, low, high in NUMBER_BANDS if low <= value < high + 1), key)
        banded[band] += n
    return banded


def _breakdowns(session: Session, survey: Questionnaire, question: Question) -> list[dict]:
    """A scale question's average by the survey's age bands (its age question's choices)
    and by language; groups under 5 hidden."""
    found = []
    age = next(iter(survey.with_role("age")), None)
    if age is not None and age.choices:
        means = queries.means_by(session, survey.slug, question.id, age.id)
        groups = {c.text: [means[c.id]] if c.id in means else [] for c in age.choices
                  if c.id in means or survey.screens_out(age, {age.id: c.id}) is None}
        found.append({"by": "Age", "rows": _mean_rows(groups)})
    means = queries.means_by_language(session, survey.slug, question.id)
    found.append({"by": "Language answered in", "rows": _mean_rows(
        {language_name(k): [v] for k, v in sorted(means.items(), key=lambda kv: kv[0] or "")})})
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
