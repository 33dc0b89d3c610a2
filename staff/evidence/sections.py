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
from datetime import date

from sqlalchemy.orm import Session

from assembly.place import Place
from bot import suppress
from staff import heard
from staff.evidence import charts, queries
from staff.evidence.wording import Wording
from surveys.model import DIMENSION_ROLES, Question, Questionnaire
from translations.data import english_name

RESIDENTS, YOUTH, ENGAGERS = "residents", "youth", "engagers"
AUDIENCE_ORDER = (RESIDENTS, YOUTH, ENGAGERS)  # members' surveys are never in the pack
# Bands of a number question's answers (its stored values), as the pack groups them (the
# key of each band's words, "pack/band/<key>").
NUMBER_BANDS = (("0-1", 0, 1), ("2-5", 2, 5), ("6-10", 6, 10), ("11-20", 11, 20),
                ("21+", 21, float("inf")))
# A scale's ends as its question gives them ("1 = very unsafe, 5 = very safe"; Urdu's comma
# is "،").
_SCALE_ENDS = re.compile(r"(\d+)\s*=\s*([^,.،]+)")
# What a question says to a person typing an answer, not to a reader of the pack.
_INSTRUCTIONS = re.compile(r"\s*(\d+\s*=\s*[^,.،]+[,،]\s*\d+\s*=\s*[^,.،]+\.?"
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


def title(w: Wording, s: Included) -> str:
    """A survey's title in the pack's language."""
    return w.survey(s.slug, "title", s.counts.title)


def headline_text(w: Wording, survey: Questionnaire, headline: Question | None,
                  value: object) -> str:
    """A headline answer as a quote's caption gives it ("Trust in the police: 2 of 5", "…: A
    bit"), in the pack's language; "" when not asked."""
    if headline is None or value is None or isinstance(value, bool):
        return ""
    if headline.type == "scale" and isinstance(value, int | float):
        said = w("headline-scale", value=f"{value:g}", top=f"{headline.max:g}")
    else:
        said = next((w.survey(survey.slug, f"{headline.id}/{c.id}", c.text)
                     for c in headline.choices if c.id == value), None)
        if said is None:
            return ""
    return f"{headline.measure}: {said}" if headline.measure else said


def cite(url: str | None) -> str | None:
    """An address as printed: without the scheme (the page links to nothing)."""
    return _URL_SCHEME.sub("", url) if url else url


def heading(text: str) -> str:
    """A question as the pack heads it: without the instructions for typing an answer."""
    while (cleaned := _INSTRUCTIONS.sub("", text)) != text:
        text = cleaned
    return text


# How representative -----------------------------------------------------------------------


def representation(w: Wording, session: Session, surveys: list[Included], place: Place,
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
            "title": title(w, s), "audience": s.audience,
            "comparisons": [_comparison(w, s.survey, n, c) for n, c in enumerate(found)],
            "gaps": [gap for c in found for gap in _gaps(w, c, _choice_words(w, s.survey, c))],
            "age_answered": suppress.count_text(queries.answered(session, s.slug, age[0].id))
            if age else None,
        })
    return {"place": place.name, "surveys": blocks,
            "gaps": [gap for block in blocks for gap in block["gaps"]],
            "under": suppress.percent(100 * rule.under), "over": suppress.percent(100 * rule.over)}


def _choice_words(w: Wording, survey: Questionnaire, c: heard.Comparison) -> dict[str, str]:
    """The survey's choices of a comparison's dimension, English -> the pack's language (a
    group of one choice is labelled with its words; the place's labels stay as published)."""
    if c.question is None:  # the language answered in: the languages' names
        return {english_name(code) or code: w.language(code) for code in survey.languages}
    return {choice.text: w.survey(survey.slug, f"{q.id}/{choice.id}", choice.text)
            for q in survey.with_role(c.dimension) for choice in q.choices}


def _question(w: Wording, survey: Questionnaire, c: heard.Comparison) -> str | None:
    if c.question is None:
        return None
    asked = next((q for q in survey.with_role(c.dimension) if q.text == c.question), None)
    return heading(w.survey(survey.slug, asked.id, c.question) if asked else c.question)


def _why_not(w: Wording, c: heard.Comparison, words: dict[str, str]) -> str | None:
    """Why a comparison is not made: the place's reason as published, or ours, in words."""
    if c.why_not_compared is None or not c.table.has_figures:
        return c.why_not_compared
    groups = ", ".join(words.get(x, x) for x in c.left_out) or w("no-answer-maps")
    return w("no-match", table=c.table.table, groups=groups)


def _gaps(w: Wording, c: heard.Comparison, words: dict[str, str]) -> list[str]:
    """A comparison's gaps in plain sentences (as heard.gaps, in the pack's language)."""
    if w.english:
        return heard.gaps(c)
    of = w("of-responses" if c.question is None else "of-answered")
    found = []
    for gap in heard.gap_rows(c):
        if gap.kind in ("none", "few"):
            found.append(w(f"gap-{gap.kind}", count=len(gap.rows), total=len(c.rows),
                           title=c.title,
                           groups=", ".join(words.get(r.label, r.label) for r in gap.rows)))
            continue
        r = gap.rows[0]
        found.append(w(f"gap-{gap.kind}", group=words.get(r.label, r.label), of=of,
                       base=c.table.base,
                       said=w.count(r.cell.text if r.cell.suppressed else r.cell.share_text),
                       reference=f"{r.reference:.0f}%"))
    return found


def _comparison(w: Wording, survey: Questionnaire, n: int, c: heard.Comparison) -> dict:
    t = c.table
    words = _choice_words(w, survey, c)
    return {
        "id": f"{survey.slug}-{c.dimension}-{n}", "dimension": c.dimension, "title": c.title,
        "question": _question(w, survey, c),
        "citation": {"table": t.table, "title": t.title, "date": _date(w, t.date),
                     "base": t.base, "source": t.source, "url": cite(t.url)},
        "shown": c.shown, "compared": c.compared, "why_not_compared": _why_not(w, c, words),
        "note": t.note, "answered_as": c.answered_as,
        "rows": [{"label": words.get(r.label, r.label), "people": r.cell.text,
                  "share": r.cell.share_text or "–",
                  "reference": r.reference_text, "status": r.status,
                  "to_parity": r.to_parity_text} for r in c.rows],
        "total": c.total.total_text, "has_secondary": c.total.has_secondary,
        "left_out": [words.get(x, x) for x in c.left_out], "left_out_text": c.left_out_text,
        "rescaled": c.rescaled,
    }


def _date(w: Wording, text: str) -> str:
    """A table's date as a reader says it: 2021-03-21 -> 21 March 2021 (in the pack's
    language), 2022-05 -> May 2022 (as written when it is neither)."""
    try:
        return w.date(date.fromisoformat(text)) if len(text) == 10 else w.month(text)
    except ValueError:
        return text


# Closed questions --------------------------------------------------------------------------


def closed_questions(w: Wording, session: Session, s: Included, skip_dimensions: bool = True,
                     types: tuple[str, ...] | None = None) -> list[dict]:
    """A survey's questions with set answers (not free text), in its order; without the
    questions about the person (their dimension roles, shown against the place) unless
    `skip_dimensions` is False; only of `types` when given."""
    return [closed(w, session, s.survey, q) for q in s.survey.questions
            if q.type != "text" and (types is None or q.type in types)
            and not (skip_dimensions and q.role in DIMENSION_ROLES)]


def _labels(w: Wording, survey: Questionnaire, question: Question) -> dict[str, str]:
    """Each stored value's label, in the question's order, in the pack's language."""
    if question.type == "scale":
        text = w.survey(survey.slug, question.id, question.text)
        ends = {int(n): words.strip() for n, words in _SCALE_ENDS.findall(text)}
        return {str(v): f"{v} — {ends[v]}" if v in ends else str(v)
                for v in range(int(question.min), int(question.max) + 1)}
    if question.type == "yesno":
        return {"yes": w("yes"), "no": w("no")}
    if question.type == "number":
        return {band: w(f"band/{band}") for band, _, _ in NUMBER_BANDS}
    return {c.id: w.survey(survey.slug, f"{question.id}/{c.id}", c.text)
            for c in question.choices}


def closed(w: Wording, session: Session, survey: Questionnaire, question: Question) -> dict:
    """One closed question: its chart, the numbers behind it and (a scale) its breakdowns."""
    slug = survey.slug
    found = queries.answer_counts(session, slug, question.id)
    if question.type == "number":
        found = _banded(found)
    labels = _labels(w, survey, question)
    # choices that end the survey (an under-13) are never kept: no row for them
    labels = {k: v for k, v in labels.items()
              if found.get(k) or survey.screens_out(question, {question.id: k}) is None}
    counts = {labels[k]: found.get(k, 0) for k in labels}
    counts.update({k: n for k, n in found.items() if k not in labels})
    answered = queries.answered(session, slug, question.id)
    table = suppress.table(counts, total=answered, partition=question.type != "multi")
    chart_id = f"{slug}-{question.id}"
    text = w.survey(slug, question.id, question.text)
    return {
        "id": chart_id,
        "survey": w.survey(slug, "title", survey.title),
        "text": heading(text),
        "multi": question.type == "multi",
        "scale": (int(question.min), int(question.max)) if question.type == "scale" else None,
        "table": table,
        "answered": table.total_text,
        "chart": charts.bars(chart_id, text, [(c.label, c.share) for c in table.cells],
                             fewer=w("fewer"), percent=w.percent) if table.shown else None,
        "breakdowns": _breakdowns(w, session, survey, question) if question.type == "scale"
        else [],
    }


def _banded(found: Counter) -> Counter:
    banded: Counter = Counter()
    for key, n in found.items():
        value = float(key)
        band = next((b for b, low, high in NUMBER_BANDS if low <= value < high + 1), key)
        banded[band] += n
    return banded


def _breakdowns(w: Wording, session: Session, survey: Questionnaire,
                question: Question) -> list[dict]:
    """A scale question's average by the survey's age bands (its age question's choices)
    and by language; groups under 5 hidden."""
    found = []
    age = next(iter(survey.with_role("age")), None)
    if age is not None and age.choices:
        means = queries.means_by(session, survey.slug, question.id, age.id)
        groups = {w.survey(survey.slug, f"{age.id}/{c.id}", c.text):
                  [means[c.id]] if c.id in means else [] for c in age.choices
                  if c.id in means or survey.screens_out(age, {age.id: c.id}) is None}
        found.append({"by": "age", "rows": _mean_rows(groups)})
    means = queries.means_by_language(session, survey.slug, question.id)
    found.append({"by": "language", "rows": _mean_rows(
        {w.language(k): [v] for k, v in sorted(means.items(), key=lambda kv: kv[0] or "")})})
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
