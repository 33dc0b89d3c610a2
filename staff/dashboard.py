"""The dashboard's figures, as plain data: responses by survey, channel, language and day,
how far people get, who answered against the borough's profile, engagers' reach, members'
RSVPs, failed deliveries and opt-outs. Queries only; `templates/staff/dashboard.html` shows
them.

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

from bot import suppress, youth
from staff import charts, members, representativeness
from staff.counts import channel, language
from staff.representativeness import Comparison
from store.models import Answer, Contact, Message, OptOut, Response, Survey, SurveyVersion
from surveys import registry
from surveys.model import Questionnaire

MAX_DAYS = 90  # the by-day chart's reach back from the latest response
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


@dataclass
class Dashboard:
    surveys: list[SurveyRow]
    survey: Questionnaire | None
    started: int = 0
    complete: int = 0
    by_survey: charts.Chart | None = None
    by_channel: charts.Chart | None = None
    by_language: charts.Chart | None = None
    by_day: charts.Chart | None = None
    days: list[tuple[str, int]] = field(default_factory=list)
    questions: list[QuestionRow] = field(default_factory=list)
    funnel: suppress.Chain | None = None  # started, each question reached, completed
    representativeness: list[Comparison] = field(default_factory=list)
    margin: float = 0.0
    engagers: list[EngagerRow] = field(default_factory=list)
    failures: list[FailureRow] = field(default_factory=list)
    opted_out_now: int = 0
    opt_outs: list[OptOutRow] = field(default_factory=list)
    rsvps: list[members.SessionRsvps] = field(default_factory=list)
    chase_days: int = 2  # the unanswered are listed from this many days before a session


def build(session: Session, slug: str | None, default: str | None, zone: ZoneInfo,
          now: datetime, chase_days: int) -> Dashboard:
    """Everything the dashboard shows, for one survey (`slug`, else `default`, else the
    residents' survey with the most responses); members' RSVPs as of `now`."""
    surveys = survey_rows(session)
    current = registry.current(session)
    chosen = _choose(slug, default, current, surveys)
    board = Dashboard(surveys=surveys, survey=current.get(chosen) if chosen else None)
    board.by_survey = charts.rows("Responses by survey", [(s.title, s.started) for s in surveys],
                                  partition=False)
    board.engagers = engager_rows(session)
    board.failures = failure_rows(session)
    board.opted_out_now, board.opt_outs = opt_out_rows(session)
    board.rsvps = members.session_rsvps(session, now, chase_days)
    board.chase_days = chase_days
    if board.survey is not None:
        _survey_figures(session, board, board.survey, zone)
    return board


def _choose(slug: str | None, default: str | None, current: dict[str, Questionnaire],
            rows: list[SurveyRow]) -> str | None:
    for wanted in (slug, default):
        if wanted in current:
            return wanted
    ranked = sorted((r for r in rows if r.slug in current),
                    key=lambda r: (r.audience != "residents", -r.started, r.slug))
    return ranked[0].slug if ranked else None


def _of_survey(slug: str):
    """The ids of a survey's responses, every version."""
    return (select(Response.id).join(SurveyVersion).join(Survey).where(Survey.slug == slug))


def survey_rows(session: Session) -> list[SurveyRow]:
    complete = func.sum(case((Response.status == "complete", 1), else_=0))
    rows = session.execute(
        select(Survey.slug, Survey.title, Survey.audience, func.count(Response.id), complete)
        .select_from(Survey).outerjoin(SurveyVersion).outerjoin(Response)
        .group_by(Survey.slug, Survey.title, Survey.audience).order_by(Survey.slug))
    return [SurveyRow(slug, title, audience, started, int(done or 0))
            for slug, title, audience, started, done in rows]


def _survey_figures(session: Session, board: Dashboard, survey: Questionnaire,
                    zone: ZoneInfo) -> None:
    ids = _of_survey(survey.slug)
    responses = session.execute(select(Response.id, Response.channel, Response.language,
                                       Response.status, Response.started_at)
                                .where(Response.id.in_(ids))).all()
    board.started = len(responses)
    board.complete = sum(r.status == "complete" for r in responses)
    channels = Counter(r.channel for r in responses)
    languages = Counter(r.language for r in responses)
    board.by_channel = charts.rows("Responses by channel", _ranked(channels, channel))
    board.by_language = charts.rows("Responses by language", _ranked(languages, language))
    board.days = _days(Counter(r.started_at.astimezone(zone).date() for r in responses))
    board.by_day = charts.columns("Responses by day started", board.days)
    answers = session.execute(select(Answer.response_id, Answer.question_id, Answer.value)
                              .where(Answer.response_id.in_(ids))).all()
    partial = {r.id for r in responses if r.status != "complete"}
    board.questions = _progress(survey, answers, partial, board.complete)
    board.funnel = suppress.chain([("Started", board.started)]
                                  + [(q.id, q.reached) for q in board.questions]
                                  + [("Completed", board.complete)])
    profile = representativeness.load()
    board.margin = profile.margin
    board.representativeness = [
        representativeness.compare(d, languages if d.language else _choices(answers, d.questions),
                                   profile.margin)
        for d in profile.dimensions(survey.slug)]


def _ranked(counts: Counter, name) -> list[tuple[str, int]]:
    return [(name(key), n) for key, n in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))]


def _days(counts: Counter) -> list[tuple[str, int]]:
    """Every day from the first response to the latest (at most MAX_DAYS), zeros included."""
    if not counts:
        return []
    last = max(counts)
    first = max(min(counts), last - timedelta(days=MAX_DAYS - 1))
    span = (last - first).days + 1
    return [(_day(first + timedelta(days=i)), counts.get(first + timedelta(days=i), 0))
            for i in range(span)]


def _day(day: date) -> str:
    return f"{day:%a} {day.day} {day:%b}"


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


def _choices(answers, questions: tuple[str, ...]) -> Counter:
    """How often each choice was given to any of `questions`."""
    return Counter(str(a.value) for a in answers
                   if a.question_id in questions and isinstance(a.value, str))


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
