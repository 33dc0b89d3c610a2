"""Quotes are reviewed before the pack is shared: the quotes the pack would use, as it shows
them (redacted), each approved or excluded by staff with a reason (table `quote_reviews`,
keyed by the answer's id; each decision also in the audit log). The pack quotes an excluded
answer never, and is a draft until every quote it uses is approved. Every decision is
listed too (the excluded quotes no longer among the pack's), and any can be changed.

Queries only: `templates/staff/quotes.html` shows them; the view is in staff/views.py.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from assembly import Assembly
from staff import audit
from staff.evidence import pack, queries
from staff.evidence.redact import Redactor
from store.models import QuoteReview

DECISIONS = ("approved", "excluded")
REASON_WORDS, REASON_LETTERS = 2, 8  # a reason says something: this many words or letters
REASON_RULE = (f"Give a reason of at least {REASON_WORDS} words or {REASON_LETTERS} letters: "
               "it is kept in the audit log.")


class ReviewError(ValueError):
    """A decision that cannot be kept (no reason, an unknown decision or quote)."""


@dataclass(frozen=True)
class Decided:
    """A decision taken on a quote, the quote as the pack would show it (redacted)."""

    answer_id: int
    text: str
    english: str | None
    language: str
    decision: str
    reason: str
    reviewer: str
    decided_at: datetime


@dataclass(frozen=True)
class Quote:
    """One quote as the pack shows it, with the decision on it so far."""

    answer_id: int
    text: str
    english: str | None
    language: str
    source: str
    decision: str | None  # approved | excluded | None (not yet reviewed)
    reason: str | None
    reviewer: str | None


def quotes(session: Session, now: datetime, zone: ZoneInfo,
           assembly: Assembly | None = None) -> list[Quote]:
    """The quotes the pack would use now, in its order (for `assembly`, default the shipped
    one)."""
    data = pack.build(session, now, zone, assembly=assembly)
    reviews = {r.answer_id: r for r in session.scalars(select(QuoteReview))}
    found = []
    for q in data["quotes"]:
        r = reviews.get(q["answer_id"])
        found.append(Quote(q["answer_id"], q["text"], None if q["is_english"] else q["english"],
                           q["language"], q["source"], r and r.decision, r and r.reason,
                           r and r.reviewer))
    return found


def decided(session: Session) -> list[Decided]:
    """Every decision taken so far, the latest first, each quote redacted as in the pack."""
    redactor = Redactor.load(queries.known_names(session))
    return [Decided(d.answer_id, redactor.redact(d.text or ""),
                    redactor.redact(d.english) if d.english and d.language != "en" else None,
                    pack.language_name(d.language), d.decision, d.reason, d.reviewer,
                    d.decided_at) for d in queries.decisions(session)]


def is_decided(session: Session, answer_id: int) -> bool:
    """Whether staff have decided on the quote from answer `answer_id` (it can be changed)."""
    return session.get(QuoteReview, answer_id) is not None


def reason_says_something(reason: str) -> bool:
    """The one rule for a reason: at least REASON_WORDS words or REASON_LETTERS letters."""
    words = [w for w in reason.split() if any(ch.isalpha() for ch in w)]
    return len(words) >= REASON_WORDS or sum(ch.isalpha() for ch in reason) >= REASON_LETTERS


def decide(session: Session, answer_id: int, decision: str, reason: str, reviewer: str,
           now: datetime, *, address: str | None = None) -> None:
    """Keep a decision on the quote from answer `answer_id` (a new one or a change), and log
    it with its reason."""
    reason = reason.strip()
    if decision not in DECISIONS:
        raise ReviewError("Choose Approve or Exclude.")
    if not reason_says_something(reason):
        raise ReviewError(REASON_RULE)
    review = session.get(QuoteReview, answer_id) or QuoteReview(answer_id=answer_id)
    review.decision, review.reason = decision, reason[:2000]
    review.reviewer, review.decided_at = reviewer, now
    session.add(review)
    audit.record(session, audit.QUOTE_REVIEWED, now, email=reviewer, actor=reviewer,
                 address=address, detail=f"answer #{answer_id} {decision}: {reason[:500]}")
