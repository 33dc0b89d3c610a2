"""How each member answered each wellbeing check-in, for the people who look after them.

A check-in is one `check_ins` row (member, weekend), written when the worker started it;
what the member answered to the check-in survey from then until their next check-in
belongs to it. Each result is the member's latest score for that check-in, whether their
answers meet the rules' `low` condition (the one that raised the alert), and the CALLs
they sent meanwhile. Reads only; the staff check-ins page shapes it (staff/members.py).
"""

from __future__ import annotations

from bisect import bisect_right
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot import alerts
from bot.members.rules import CheckInRule
from bot.state import CALL_REQUESTED
from store.models import Alert, Answer, CheckIn, Member, Response, Survey, SurveyVersion
from surveys import conditions

SCORE = "wellbeing"  # the check-in's 1-5 question (surveys/wellbeing-check-in.yaml)
CALL = CALL_REQUESTED  # the category of the alert a member's CALL raises


@dataclass(frozen=True)
class Result:
    """One member's check-in after one weekend (`week`, as check_ins stores it)."""

    member: Member
    week: str
    sent: datetime
    score: int | None = None  # their latest answer; None: not answered (yet)
    answered: datetime | None = None
    low: bool = False
    calls: tuple[Alert, ...] = field(default=())  # CALLs sent since this check-in began


def results(session: Session, rule: CheckInRule) -> list[Result]:
    """Every check-in started, with what came of it, in the order they were started."""
    started = session.execute(select(CheckIn, Member).join(Member, Member.id == CheckIn.member_id)
                              .order_by(CheckIn.started_at, CheckIn.id)).all()
    starts: dict[int, list[datetime]] = defaultdict(list)  # contact -> its check-ins' starts
    for check_in, member in started:
        starts[member.contact_id].append(check_in.started_at)

    def which(contact: int, moment: datetime) -> tuple[int, int] | None:
        """The contact's check-in a moment falls in: (contact, its place in order)."""
        n = bisect_right(starts[contact], moment) - 1
        return (contact, n) if n >= 0 else None

    latest: dict[tuple[int, int], tuple[datetime, int, bool]] = {}
    for contact, scores in _scores(session, rule, set(starts)).items():
        for began, answered, score, low in scores:
            key = which(contact, began)
            if key is not None and (key not in latest or answered >= latest[key][0]):
                latest[key] = (answered, score, low)
    calls: dict[tuple[int, int], list[Alert]] = defaultdict(list)
    for alert in alerts.waiting(session, everything=True):
        if alert.category == CALL and alert.contact_id in starts:
            key = which(alert.contact_id, alert.created_at)
            if key is not None:
                calls[key].append(alert)
    found, place = [], Counter()
    for check_in, member in started:
        key = (member.contact_id, place[member.contact_id])
        place[member.contact_id] += 1
        answered, score, low = latest.get(key, (None, None, False))
        found.append(Result(member, check_in.week, check_in.started_at, score, answered, low,
                            tuple(sorted(calls[key], key=lambda a: a.created_at))))
    return found


def _scores(session: Session, rule: CheckInRule, contacts: set[int]
            ) -> dict[int, list[tuple[datetime, datetime, int, bool]]]:
    """Per contact: (response started, score answered, score, low) for each check-in
    survey response with a score."""
    responses = session.execute(
        select(Response.id, Response.contact_id, Response.started_at)
        .join(SurveyVersion).join(Survey)
        .where(Survey.slug == rule.survey, Response.contact_id.in_(contacts))).all()
    given: dict[int, dict[str, Answer]] = defaultdict(dict)
    for answer in session.scalars(select(Answer).where(
            Answer.response_id.in_([r.id for r in responses]))):
        given[answer.response_id][answer.question_id] = answer
    low = rule.low_condition
    found: dict[int, list] = defaultdict(list)
    for response in responses:
        answers = given.get(response.id, {})
        score = answers.get(SCORE)
        if score is None or not isinstance(score.value, int | float):
            continue
        values = {q: a.value for q, a in answers.items()}
        found[response.contact_id].append((
            response.started_at, score.answered_at, int(score.value),
            low is not None and conditions.evaluate(low, values)))
    return found
