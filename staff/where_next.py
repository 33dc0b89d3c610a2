"""Where to go next: the groups most under-heard, ranked, and the places no one answered
from, as plain data for the top of the dashboard.

Every comparison is `staff/heard.py`'s (one rule, one number, as in the evidence pack). The
residents' surveys and the survey on show are read; each under-represented group is ranked
by how many more responses would bring it to parity (a hidden count by the least its text
allows), with the channels and engagers that have reached it so far: responses whose answer
is one of the group's (`heard.Group.keys`), by `Response.channel` and
`Response.engager_code`. Their counts go through `bot/suppress.py` against the group's own
count, so they never tell more than the group's row. Then the categories of tables without
figures (wards) no one answered from, and the target with progress.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from assembly.place import Place
from bot import suppress
from staff import heard
from staff.counts import channel
from store.models import Answer, Engager, Response
from surveys.model import Questionnaire

NO_ENGAGER = "no engager"  # responses that came without an engager's code (not listed)


@dataclass(frozen=True)
class Heard:
    """One survey's comparisons with the place, each with the plan it was counted by."""

    survey: Questionnaire
    plans: tuple[heard.Plan, ...]
    comparisons: tuple[heard.Comparison, ...]


def heard_for(session: Session, survey: Questionnaire, place: Place,
              rule: heard.Rule) -> Heard:
    """`heard.comparisons`, keeping the plans (whose groups say which answers they count)."""
    plans = tuple(heard.plans(survey, place))
    return Heard(survey, plans, tuple(heard.compare(p, heard.counts(session, survey.slug, p),
                                                    rule) for p in plans))


@dataclass(frozen=True)
class Reached:
    label: str  # a channel as staff call it, or an engager's name
    text: str  # how many of the group's responses came that way, as shown


@dataclass(frozen=True)
class Missing:
    """An under-represented group: how far from parity, and who has reached it."""

    survey: str  # the survey's title
    comparison: heard.Comparison
    row: heard.Row
    channels: tuple[Reached, ...]
    engagers: tuple[Reached, ...]

    @property
    def heard_text(self) -> str:
        """Its share as shown, or its count where the count is hidden."""
        return self.row.cell.share_text or self.row.cell.text

    @property
    def citation(self) -> str:
        table = self.comparison.table
        return f"{table.table}, {table.date}, {table.base}"


@dataclass(frozen=True)
class Unreached:
    """A table without figures (wards): the categories no one, or fewer than 5, answered from."""

    survey: str
    comparison: heard.Comparison
    none: tuple[str, ...]
    few: tuple[str, ...]
    sentences: tuple[str, ...]  # heard.gaps, as the pack says them


@dataclass
class WhereNext:
    missing: list[Missing]
    unreached: list[Unreached]
    target: int | None = None
    so_far: int = 0  # responses to the residents' surveys

    @property
    def so_far_text(self) -> str:
        return suppress.count_text(self.so_far)

    @property
    def target_text(self) -> str:
        return "" if self.target is None else f"{self.target:,}"

    @property
    def percent(self) -> int | None:
        """Progress towards the target, whole percent (None: no target, or a small count)."""
        if not self.target or suppress.small(self.so_far):
            return None
        return int(100 * self.so_far / self.target)


def build(session: Session, read: list[Heard], target: int | None, so_far: int) -> WhereNext:
    """The ranking across the surveys `read`, the unreached categories and progress."""
    names = dict(session.execute(select(Engager.code, Engager.name)).all())
    missing: list[Missing] = []
    unreached: list[Unreached] = []
    for one in read:
        for plan, comparison in zip(one.plans, one.comparisons, strict=True):
            if not comparison.shown:
                continue
            if not comparison.compared:
                found = _unreached(one.survey.title, comparison)
                if found is not None:
                    unreached.append(found)
                continue
            under = [(g, r) for g, r in zip(plan.groups, comparison.rows, strict=True)
                     if r.status == "under" and r.to_parity is not None]
            if not under:
                continue
            ways = _ways(session, one.survey.slug, plan)
            missing.extend(_missing(one.survey.title, comparison, group, row, ways, names)
                           for group, row in under)
    missing.sort(key=lambda m: (-(m.row.to_parity or 0), m.survey, m.comparison.title,
                                m.row.label))
    return WhereNext(missing, unreached, target, so_far)


def _unreached(survey: str, comparison: heard.Comparison) -> Unreached | None:
    none = tuple(r.label for r in comparison.rows if r.cell.count == 0)
    few = tuple(r.label for r in comparison.rows if r.cell.suppressed and not r.cell.secondary)
    if not none and not few:
        return None
    return Unreached(survey, comparison, none, few, tuple(heard.gaps(comparison)))


def _ways(session: Session, slug: str, plan: heard.Plan) -> Counter:
    """Responses per (answer key, channel, engager code) for the answers the plan reads."""
    ids = heard.responses_of(slug)
    if not plan.questions:
        rows = session.execute(
            select(Response.language, Response.channel, Response.engager_code, func.count())
            .where(Response.id.in_(ids))
            .group_by(Response.language, Response.channel, Response.engager_code)).all()
        return Counter({((None, code), ch, engager): n for code, ch, engager, n in rows})
    rows = session.execute(
        select(Answer.question_id, Answer.value, Response.channel, Response.engager_code,
               func.count())
        .join(Response, Response.id == Answer.response_id)
        .where(Answer.question_id.in_([q.id for q in plan.questions]), Answer.response_id.in_(ids))
        .group_by(Answer.question_id, Answer.value, Response.channel, Response.engager_code)).all()
    return Counter({((qid, str(value)), ch, engager): n for qid, value, ch, engager, n in rows
                    if isinstance(value, str)})


def _missing(survey: str, comparison: heard.Comparison, group: heard.Group, row: heard.Row,
             ways: Counter, names: dict[str, str]) -> Missing:
    keys = set(group.keys)
    channels: Counter = Counter()
    engagers: Counter = Counter()
    for (key, ch, code), n in ways.items():
        if key in keys:
            channels[channel(ch)] += n
            engagers[names.get(code, code) if code else NO_ENGAGER] += n
    return Missing(survey, comparison, row, _reached(channels, row),
                   tuple(r for r in _reached(engagers, row) if r.label != NO_ENGAGER))


def _reached(counts: Counter, row: heard.Row) -> tuple[Reached, ...]:
    """The ways a group was reached, largest first, suppressed as a table of the group's
    own count; where that count is hidden to protect another ("not shown"), or where the
    ways cannot be shown beside it without narrowing a small one down, so are they."""
    ranked: dict[str, Any] = dict(sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])))
    table = suppress.table(ranked)
    if row.cell.secondary or table.total_secondary:
        return tuple(Reached(label, suppress.HIDDEN) for label in ranked)
    return tuple(Reached(c.label, c.text) for c in table.cells)
