"""Who has been heard, against the place's published figures: one rule, one number.

The dashboard and the evidence pack both compare through this module, so they can never
disagree. A survey says what its questions are for (`role:` in its YAML, each choice's
`reference:` naming categories of the place's tables, `assembly/place.py`); the language
people answered in is compared through the place's language tables by code.

For each table of a dimension: the groups are the survey's choices mapped into that table
(choices mapped to the same categories are one group); answers mapped nowhere in it
(`prefer_not`, a band the published figures do not match) are left out of both sides and
listed. Both sides are rescaled to the base compared: a group's reference share is its
published figure over the sum of the groups' figures, its response share its count over
the groups' responses. A group is under-represented when its share is below `under` times
its reference share, over-represented above `over` times (the assembly's settings). Counts
go through `bot/suppress.py`: a hidden count is judged only by what its text allows ("fewer
than 5" is under only if even 4 would be), so a verdict never narrows it down.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from assembly.place import DIMENSIONS, OTHER, Category, Place, Table
from bot import suppress
from store.models import Answer, Response, Survey, SurveyVersion
from surveys.model import REGISTRANTS, Question, Questionnaire
from translations.data import english_name

UNDER, OVER = 0.75, 4 / 3
LANGUAGE = "language"
Key = tuple[str | None, str]  # (question id, answer) or (None, response language)


@dataclass(frozen=True)
class Rule:
    """When a group counts as under- or over-represented (the assembly's settings)."""

    under: float = UNDER
    over: float = OVER

    @classmethod
    def of(cls, assembly) -> Rule:
        """The rule an assembly file sets (`under`, `over`)."""
        return cls(assembly.under, assembly.over)


@dataclass(frozen=True)
class Group:
    label: str
    keys: tuple[Key, ...]  # the answers counted in it
    categories: tuple[Category, ...]

    @property
    def figure(self) -> float | None:
        values = [c.value for c in self.categories]
        return None if not values or None in values else float(sum(values))


@dataclass(frozen=True)
class Plan:
    """How one survey meets one table: its groups, and the answers left out."""

    dimension: str
    table: Table
    questions: tuple[Question, ...]  # empty: the language people answered in
    groups: tuple[Group, ...]
    left_out: tuple[tuple[Key, str], ...]  # answers not compared, with their labels

    @property
    def keys(self) -> tuple[Key, ...]:
        return tuple(k for g in self.groups for k in g.keys)


@dataclass(frozen=True)
class Row:
    label: str
    cell: suppress.Cell
    reference: float | None  # percent of the base compared, rescaled; None: no figure
    status: str | None  # "under", "over", "even", or None when it cannot be said
    to_parity: int | None  # more responses from this group that would bring it to parity
    at_least: bool = False  # to_parity is a lower bound (the count itself is hidden)

    @property
    def reference_text(self) -> str:
        return "no figure" if self.reference is None else f"{self.reference:.0f}%"

    @property
    def to_parity_text(self) -> str:
        if self.to_parity is None:
            return ""
        return ("at least " if self.at_least else "") + f"{self.to_parity:,}"


@dataclass(frozen=True)
class Comparison:
    dimension: str
    table: Table
    question: str | None  # the question's wording; None: the language answered in
    rows: tuple[Row, ...]
    total: suppress.Table
    left_out: tuple[str, ...]  # labels of answers left out of both sides
    left_out_text: str  # how many answers were left out, as shown
    rescaled: bool  # the published figures were rescaled to the groups compared

    @property
    def title(self) -> str:
        return self.table.title

    @property
    def compared(self) -> bool:
        """Whether there are figures to compare with (else `why_not_compared`)."""
        return self.table.has_figures and len(self.rows) > 1

    @property
    def why_not_compared(self) -> str | None:
        if not self.table.has_figures:
            return self.table.why_not_compared
        if len(self.rows) < 2:
            return (f"The survey's answers do not match the categories of {self.table.table} "
                    f"({', '.join(self.left_out) or 'no answer maps to them'}).")
        return None

    @property
    def shown(self) -> bool:
        return self.total.shown

    @property
    def answered_as(self) -> str:
        return "of responses" if self.question is None else "of those who answered"


def plans(survey: Questionnaire, place: Place) -> list[Plan]:
    """Every table of the place this survey can meet, in the place's dimension order."""
    found = []
    for dimension in DIMENSIONS:
        questions = survey.with_role(dimension)
        for table in place.tables_for(dimension):
            if questions:
                found.append(_question_plan(survey, place, dimension, table, questions))
            elif dimension == LANGUAGE and len(survey.languages) > 1 and math.isinf(
                    survey.ages[1]):
                # the place's language tables are of every age: a survey for an age range
                # (young people) would be compared with people it never asked
                found.append(_language_plan(place, table, survey.languages))
    return found


def _question_plan(survey: Questionnaire, place: Place, dimension: str, table: Table,
                   questions: tuple[Question, ...]) -> Plan:
    grouped: dict[tuple[str, ...], list[tuple[Key, str]]] = {}
    categories: dict[tuple[str, ...], tuple[Category, ...]] = {}
    left_out = []
    for question in questions:
        for choice in question.choices:
            if survey.screens_out(question, {question.id: choice.id}) is not None:
                continue  # never kept (an under-13's answers): nothing to count
            key, found = (question.id, choice.id), _mapped(place, dimension, choice)
            if found is None or found[0] is not table:
                left_out.append((key, choice.text))
                continue
            ids = tuple(c.id for c in found[1])
            grouped.setdefault(ids, []).append((key, choice.text))
            categories[ids] = found[1]
    groups = tuple(Group(_label(members, categories[ids]), tuple(k for k, _ in members),
                         categories[ids]) for ids, members in grouped.items())
    return Plan(dimension, table, questions, groups, tuple(left_out))


def _mapped(place: Place, dimension: str, choice) -> tuple[Table, tuple[Category, ...]] | None:
    if choice.reference:
        return place.resolve(dimension, choice.reference)
    if dimension == "age" and choice.ages is not None:
        return place.bands_for(*choice.ages)
    return None


def _label(members: list[tuple[Key, str]], categories: tuple[Category, ...]) -> str:
    """One choice: its own words; several sharing categories: the categories' labels."""
    if len({text for _, text in members}) == 1:
        return members[0][1]
    return " or ".join(c.label for c in categories)


def _language_plan(place: Place, table: Table, languages: tuple[str, ...]) -> Plan:
    grouped: dict[str, list[str]] = {}
    by_id: dict[str, Category] = {}
    left_out = []
    for code in languages:
        category = place.for_language(table, code)
        if category is None:
            left_out.append(((None, code), english_name(code) or code))
            continue
        grouped.setdefault(category.id, []).append(code)
        by_id[category.id] = category
    groups = tuple(Group(_language_label(by_id[cid], codes), tuple((None, c) for c in codes),
                         (by_id[cid],)) for cid, codes in grouped.items())
    return Plan(LANGUAGE, table, (), groups, tuple(left_out))


def _language_label(category: Category, codes: list[str]) -> str:
    """A language's own name; the category's, with the languages it stands for, where it is
    the table's `other` ("All other languages (Turkish)")."""
    names = [english_name(code) or code for code in codes]
    if category.language != OTHER:
        return names[0] if len(names) == 1 else category.label
    return f"{category.label} ({', '.join(names)})"


def compare(plan: Plan, counts: Mapping[Key, int], rule: Rule = Rule()) -> Comparison:
    """One comparison: `counts` (answers or languages -> responses) against the table."""
    totals = {g.label: sum(counts.get(k, 0) for k in g.keys) for g in plan.groups}
    table = suppress.table(totals)
    figures = [g.figure for g in plan.groups]
    known = sum(f for f in figures if f is not None)
    references = [None if f is None or not known else 100 * f / known for f in figures]
    rescaled = plan.table.unit != "percent" or any(
        abs(f - r) > 0.05 for f, r in zip(figures, references, strict=True) if r is not None)
    answered = sum(totals.values())
    rows = tuple(_row(cell, ref, answered, rule)
                 for cell, ref in zip(table.cells, references, strict=True))
    left = sum(counts.get(k, 0) for k, _ in plan.left_out)
    question = plan.questions[0].text if plan.questions else None
    return Comparison(plan.dimension, plan.table, question, rows, table,
                      tuple(label for _, label in plan.left_out), suppress.count_text(left),
                      rescaled and plan.table.has_figures)


def _row(cell: suppress.Cell, reference: float | None, answered: int, rule: Rule) -> Row:
    if reference is None or not answered:
        return Row(cell.label, cell, reference, None, None)
    if cell.suppressed:
        if cell.secondary or suppress.MOST_HIDDEN * 100 / answered >= rule.under * reference:
            return Row(cell.label, cell, reference, None, None)
        # even 4 would be under: say so, and the least that parity needs
        return Row(cell.label, cell, reference, "under",
                   _parity(reference, answered, suppress.MOST_HIDDEN), at_least=True)
    if cell.share is None:
        return Row(cell.label, cell, reference, None, None)
    if cell.share < rule.under * reference:
        return Row(cell.label, cell, reference, "under",
                   _parity(reference, answered, cell.count))
    status = "over" if cell.share > rule.over * reference else "even"
    return Row(cell.label, cell, reference, status, None)


def _parity(reference: float, answered: int, count: int) -> int | None:
    """How many more responses from a group bring its share to its reference share:
    (count + x) / (answered + x) = p."""
    p = reference / 100
    if p >= 1:
        return None
    return max(0, math.ceil((p * answered - count) / (1 - p)))


@dataclass(frozen=True)
class Gap:
    """One gap: a group heard from too little or too much ("under", "over"), or, without
    figures, the categories no one ("none") or fewer than 5 ("few") answered from."""

    kind: str
    rows: tuple[Row, ...]


def gap_rows(comparison: Comparison) -> list[Gap]:
    """Which rows of a comparison are its gaps: the one choice, whatever words say it."""
    if not comparison.shown:
        return []
    if comparison.compared:
        return [Gap(r.status, (r,)) for r in comparison.rows if r.status in ("under", "over")]
    found = [Gap("none", tuple(r for r in comparison.rows if r.cell.count == 0)),
             Gap("few", tuple(r for r in comparison.rows
                              if r.cell.suppressed and not r.cell.secondary))]
    return [gap for gap in found if gap.rows]


def gaps(comparison: Comparison) -> list[str]:
    """A comparison's gaps in plain English sentences (the pack's list; the dashboard's
    ranking reads the rows; a pack in another language words `gap_rows` itself)."""
    base = comparison.table.base + (" in the groups compared" if comparison.rescaled else "")
    of = f"of the {len(comparison.rows)} in {comparison.title}"
    found = []
    for gap in gap_rows(comparison):
        labels = ", ".join(r.label for r in gap.rows)
        if gap.kind == "none":
            found.append(f"No one answered from {len(gap.rows)} {of}: {labels}.")
        elif gap.kind == "few":
            found.append(f"Fewer than {suppress.THRESHOLD} answered from {len(gap.rows)} {of}: "
                         f"{labels}.")
        else:
            row = gap.rows[0]
            word = "Under-represented" if gap.kind == "under" else "Over-represented"
            said = row.cell.text if row.cell.suppressed else row.cell.share_text
            found.append(f"{word}: {row.label} — {said} {comparison.answered_as}, against "
                         f"{row.reference:.0f}% of {base}.")
    return found


# The database's side: one count for both readers ---------------------------------------


def responses_of(slug: str):
    """The ids of a survey's responses, every version (the one such query of the staff
    area: the dashboard, its next steps and the pack all count through it). A lottery
    registration's (audience `registrants`: names, phone numbers) are never among them."""
    return (select(Response.id).join(SurveyVersion, SurveyVersion.id == Response.survey_version_id)
            .join(Survey, Survey.id == SurveyVersion.survey_id)
            .where(Survey.slug == slug, Survey.audience != REGISTRANTS))


def counts(session: Session, slug: str, plan: Plan) -> Counter:
    """Responses to survey `slug` per answer the plan reads (complete and partial alike)."""
    if not plan.questions:
        rows = session.execute(select(Response.language, func.count())
                               .where(Response.id.in_(responses_of(slug)))
                               .group_by(Response.language)).all()
        return Counter({(None, code): n for code, n in rows})
    ids = [q.id for q in plan.questions]
    rows = session.execute(select(Answer.question_id, Answer.value, func.count())
                           .where(Answer.question_id.in_(ids),
                                  Answer.response_id.in_(responses_of(slug)))
                           .group_by(Answer.question_id, Answer.value)).all()
    return Counter({(qid, str(value)): n for qid, value, n in rows if isinstance(value, str)})


def comparisons(session: Session, survey: Questionnaire, place: Place,
                rule: Rule = Rule()) -> list[Comparison]:
    """Every comparison of a survey's responses with the place: the dashboard's and the
    pack's, the same."""
    return [compare(plan, counts(session, survey.slug, plan), rule)
            for plan in plans(survey, place)]
