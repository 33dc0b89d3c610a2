"""The dashboard's figures, as plain data: where to go next (staff/where_next.py), responses
by survey, channel, language, week, ward and engager, how far people get, who has been
heard from against the place's published figures (staff/heard.py, the evidence pack's one
rule), engagers' reach, members' RSVPs, failed deliveries and opt-outs. Queries only;
`templates/staff/dashboard.html` shows them and staff/board_tables.py makes their tables.

Nothing here carries a phone number, chat id or name of a resident: only counts, and the
survey's own wording. Assembly members' RSVPs name the members (staff/members.py).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

import assembly
from assembly import place as places
from bot import suppress, youth
from staff import charts, heard, members, where_next
from staff.counts import channel, language
from staff.heard import responses_of
from store.models import Answer, Contact, Engager, Message, OptOut, Response, Survey, SurveyVersion
from surveys import registry
from surveys.model import REGISTRANTS, Questionnaire

MAX_WEEKS = 26  # the by-week chart's reach back from the latest response
RESIDENTS = "residents"  # the audience whose surveys the ranking and the target read
FAILED = ("failed", "undelivered", "held")


@dataclass(frozen=True)
class SurveyRow:
    slug: str
    title: str
    audience: str
    started: int
    complete: int

    @property
    def shown(self) -> suppress.Chain:
        """Started and completed as shown: the same pair as the survey's own funnel."""
        return suppress.chain([("Started", self.started), ("Completed", self.complete)])


@dataclass(frozen=True)
class QuestionRow:
    id: str
    text: str
    reached: int  # responses that answered this question or one after it, or completed


@dataclass(frozen=True)
class EngagerRow:
    code: str
    name: str
    paused: bool
    started: int
    finished: int
    conversations: int
    people: int

    @property
    def shown(self) -> suppress.Chain:
        """Friends who started and finished as shown (a funnel: finished <= started)."""
        return suppress.chain([("Started", self.started), ("Finished", self.finished)])


@dataclass(frozen=True)
class FailureRow:
    channel: str
    status: str
    error_code: str
    count: int


@dataclass(frozen=True)
class OptOutRow:
    channel: str
    reason: str
    out: int
    back_in: int


@dataclass(frozen=True)
class Setting:
    """What the dashboard compares with: the assembly's place, rule and target."""

    place: places.Place
    rule: heard.Rule = heard.Rule()
    target: int | None = None  # responses aimed for; None: no progress shown


def assembly_setting(settings) -> Setting:
    """The place, rule and target of the configured assembly (ASSEMBLY_FILE)."""
    found = assembly.load(settings.assembly_file)
    return Setting(found.place, heard.Rule.of(found), found.target)


@dataclass
class Dashboard:
    surveys: list[SurveyRow]
    survey: Questionnaire | None
    next: where_next.WhereNext | None = None
    started: int = 0
    complete: int = 0
    by_survey: charts.Chart | None = None
    by_channel: charts.Chart | None = None
    by_language: charts.Chart | None = None
    by_week: charts.Chart | None = None
    by_engager: list[suppress.Cell] = field(default_factory=list)
    questions: list[QuestionRow] = field(default_factory=list)
    funnel: suppress.Chain | None = None  # started, each question reached, completed
    comparisons: list[heard.Comparison] = field(default_factory=list)  # heard.py's
    rule: heard.Rule = heard.Rule()
    place: str = ""  # the place compared with, by name
    engagers: list[EngagerRow] = field(default_factory=list)
    failures: list[FailureRow] = field(default_factory=list)
    opted_out_now: int = 0
    opt_outs: list[OptOutRow] = field(default_factory=list)
    rsvps: list[members.SessionRsvps] = field(default_factory=list)
    chase_days: int = 2  # the unanswered are listed from this many days before a session

    @property
    def wards(self) -> list[heard.Comparison]:
        """The survey's comparisons by ward: its responses by ward, as compared."""
        return [c for c in self.comparisons if c.dimension == "ward" and c.shown]


def build(session: Session, slug: str | None, default: str | None, zone: ZoneInfo,
          now: datetime, chase_days: int, setting: Setting) -> Dashboard:
    """Everything the dashboard shows, for one survey (`slug`, else `default`, else the
    residents' survey with the most responses); where to go next across the residents'
    surveys and that one; members' RSVPs as of `now`."""
    surveys = survey_rows(session)
    current = {slug: s for slug, s in registry.current(session).items()
               if s.audience != REGISTRANTS}
    chosen = _choose(slug, default, current, surveys)
    board = Dashboard(surveys=surveys, survey=current.get(chosen) if chosen else None,
                      rule=setting.rule, place=setting.place.name)
    board.by_survey = charts.rows("Responses by survey", [(s.title, s.started) for s in surveys],
                                  partition=False)
    board.engagers = engager_rows(session)
    board.failures = failure_rows(session)
    board.opted_out_now, board.opt_outs = opt_out_rows(session)
    board.rsvps = members.session_rsvps(session, now, chase_days)
    board.chase_days = chase_days
    read = {s: where_next.heard_for(session, current[s], setting.place, setting.rule)
            for s in sorted(current) if current[s].audience == RESIDENTS or s == chosen}
    so_far = sum(s.started for s in surveys if s.audience == RESIDENTS)
    board.next = where_next.build(session, list(read.values()), setting.target, so_far)
    if board.survey is not None:
        board.comparisons = list(read[board.survey.slug].comparisons)
        _survey_figures(session, board, board.survey, zone)
    return board


def _choose(slug: str | None, default: str | None, current: dict[str, Questionnaire],
            rows: list[SurveyRow]) -> str | None:
    for wanted in (slug, default):
        if wanted in current:
            return wanted
    ranked = sorted((r for r in rows if r.slug in current),
                    key=lambda r: (r.audience != RESIDENTS, -r.started, r.slug))
    return ranked[0].slug if ranked else None


def survey_rows(session: Session) -> list[SurveyRow]:
    complete = func.sum(case((Response.status == "complete", 1), else_=0))
    rows = session.execute(
        select(Survey.slug, Survey.title, Survey.audience, func.count(Response.id), complete)
        .select_from(Survey).outerjoin(SurveyVersion).outerjoin(Response)
        .where(Survey.audience != REGISTRANTS)  # the lottery's registrations: never shown
        .group_by(Survey.slug, Survey.title, Survey.audience).order_by(Survey.slug))
    return [SurveyRow(slug, title, audience, started, int(done or 0))
            for slug, title, audience, started, done in rows]


def _survey_figures(session: Session, board: Dashboard, survey: Questionnaire,
                    zone: ZoneInfo) -> None:
    ids = responses_of(survey.slug)
    responses = session.execute(select(Response.id, Response.channel, Response.language,
                                       Response.status, Response.started_at,
                                       Response.engager_code)
                                .where(Response.id.in_(ids))).all()
    board.started = len(responses)
    board.complete = sum(r.status == "complete" for r in responses)
    channels = Counter(r.channel for r in responses)
    languages = Counter(r.language for r in responses)
    board.by_channel = charts.rows("Responses by channel", _ranked(channels, channel))
    board.by_language = charts.rows("Responses by language", _ranked(languages, language))
    weeks = _weeks(Counter(_monday(r.started_at.astimezone(zone).date()) for r in responses))
    board.by_week = charts.columns("Responses by week started", weeks)
    board.by_engager = _by_engager(session, Counter(r.engager_code for r in responses))
    answers = session.execute(select(Answer.response_id, Answer.question_id)
                              .where(Answer.response_id.in_(ids))).all()
    partial = {r.id for r in responses if r.status != "complete"}
    board.questions = _progress(survey, answers, partial, board.complete)
    board.funnel = suppress.chain([("Started", board.started)]
                                  + [(q.id, q.reached) for q in board.questions]
                                  + [("Completed", board.complete)])


def _ranked(counts: Counter, name) -> list[tuple[str, int]]:
    return [(name(key), n) for key, n in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))]


def _monday(day: date) -> date:
    return day - timedelta(days=day.weekday())


def _weeks(counts: Counter) -> list[tuple[str, int]]:
    """Every week (from Monday, local time) from the first response's to the latest's (at
    most MAX_WEEKS), empty weeks included."""
    if not counts:
        return []
    last = max(counts)
    first = max(min(counts), last - timedelta(weeks=MAX_WEEKS - 1))
    span = (last - first).days // 7 + 1
    return [(_week(first + timedelta(weeks=i)), counts.get(first + timedelta(weeks=i), 0))
            for i in range(span)]


def _week(monday: date) -> str:
    return f"w/c {monday.day} {monday:%b %Y}"


def _by_engager(session: Session, codes: Counter) -> list[suppress.Cell]:
    """The survey's responses by the engager whose code brought them (none: "no engager"),
    suppressed as one table; empty when no response came with a code."""
    if not any(codes.get(code) for code in codes if code):
        return []
    names = dict(session.execute(select(Engager.code, Engager.name)).all())
    ranked = sorted(codes.items(), key=lambda kv: (kv[0] is None, -kv[1], kv[0] or ""))
    labelled: dict[str, int] = {}
    for code, n in ranked:
        label = where_next.NO_ENGAGER if code is None else f"{names.get(code, code)} ({code})"
        labelled[label] = labelled.get(label, 0) + n
    return list(suppress.table(labelled).cells)


def _progress(survey: Questionnaire, answers, partial: set[int], complete: int
              ) -> list[QuestionRow]:
    """Per question, how many got at least this far: the completed responses, and the
    partial ones whose last answer (in the survey's order) is this question or a later one.
    Each is no more than the one before, so the rows are a funnel (suppress.chain)."""
    order = {q.id: i for i, q in enumerate(survey.questions)}
    last: dict[int, int] = {}
    for a in answers:
        if a.response_id in partial and a.question_id in order:
            last[a.response_id] = max(last.get(a.response_id, -1), order[a.question_id])
    stopped = Counter(last.values())
    rows, reached = [], complete + len(last)
    for i, q in enumerate(survey.questions):
        rows.append(QuestionRow(q.id, q.text, reached))
        reached -= stopped.get(i, 0)
    return rows


def engager_rows(session: Session) -> list[EngagerRow]:
    """Every engager's reach, counts only (bot.youth.listing)."""
    return [EngagerRow(e.code, e.name, e.paused_at is not None, r.started, r.finished,
                       r.conversations, r.people) for e, r in youth.listing(session)]


def failure_rows(session: Session) -> list[FailureRow]:
    """Outbound messages that did not arrive, by channel, status and provider error code."""
    rows = session.execute(
        select(Message.channel, Message.status, Message.error_code, func.count())
        .where(Message.direction == "out", Message.status.in_(FAILED))
        .group_by(Message.channel, Message.status, Message.error_code)
        .order_by(func.count().desc()))
    return [FailureRow(channel(ch), status, code or "-", n) for ch, status, code, n in rows]


def opt_out_rows(session: Session) -> tuple[int, list[OptOutRow]]:
    """People opted out now, and opting out and back in by channel and reason."""
    now = session.scalar(select(func.count()).select_from(Contact)
                         .where(Contact.opted_out_at.is_not(None))) or 0
    outs = func.sum(case((OptOut.action == "out", 1), else_=0))
    ins = func.sum(case((OptOut.action == "in", 1), else_=0))
    rows = session.execute(select(OptOut.channel, OptOut.reason, outs, ins)
                           .group_by(OptOut.channel, OptOut.reason)
                           .order_by(OptOut.channel, OptOut.reason))
    return now, [OptOutRow(channel(ch), reason, int(o or 0), int(i or 0))
                 for ch, reason, o, i in rows]
