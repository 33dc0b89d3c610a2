"""`outreach purge --before DATE`: what is older goes, what is newer or still going on stays,
the counts are reported and recorded (counts only), on both databases."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from bot.conversations import Inbound, handle
from store.models import (
    Address,
    Alert,
    Answer,
    ConsentRecord,
    Contact,
    Conversation,
    Erasure,
    Message,
    Response,
)
from tests.helpers.engagers import add_engager

JANUARY = datetime(2026, 1, 10, 10, tzinfo=UTC)
MARCH = datetime(2026, 3, 2, 10, tzinfo=UTC)
OLD, NEW, GOING_ON, STOPPED, ABANDONED = (
    "+447700900201", "+447700900202", "+447700900203", "+447700900204", "+447700900205")


def demo(rt, address: str, *texts: str) -> None:
    for text in texts:
        handle(rt, Inbound("sms", address, text))


COMPLETE = ("DEMO", "yes", "2", "Nobody comes when we call", "a lot", "1", "no", "SKIP")


@pytest.fixture
def history(rt, surveys, clock):
    """January: one resident completes the survey, one starts and carries on in March, one
    completes and says STOP, one gives up after the first question. March: another
    completes."""
    clock.set(JANUARY)
    demo(rt, OLD, *COMPLETE)
    demo(rt, ABANDONED, "DEMO", "yes", "5")
    demo(rt, GOING_ON, "DEMO", "yes", "4")
    demo(rt, STOPPED, *COMPLETE, "STOP")
    clock.set(MARCH)
    demo(rt, GOING_ON, "a little")
    demo(rt, NEW, *COMPLETE)


def count(rt, model, *where) -> int:
    with rt.sessions() as session:
        return session.scalar(select(func.count()).select_from(model).where(*where))


def addresses(rt) -> set[str]:
    with rt.sessions() as session:
        return set(session.scalars(select(Address.value)))


def purge(app, *args: str):
    result = app.test_cli_runner().invoke(args=["purge", *args])
    assert result.exit_code == 0, result.output
    return result.output


def test_purge_erases_what_is_older_and_reports_counts(app, rt, history):
    answers_before = count(rt, Answer)
    said = purge(app, "--before", "2026-02-01")
    # OLD's and STOPPED's responses (5 answers each; SKIP stores none) and ABANDONED's (1);
    # ABANDONED's conversation was still on theirs; OLD's goes with OLD, who holds nothing
    # else; STOPPED keeps theirs (STOP holds).
    assert said.startswith("3 responses, 11 answers, 0 translations, 2 conversations, "
                           "3 consents, "), said
    assert said.rstrip().endswith("2 contacts erased.")
    assert count(rt, Response) == 2  # March's, and the one still going on
    assert count(rt, Answer) == answers_before - 11
    assert count(rt, Message, Message.created_at < datetime(2026, 2, 1, tzinfo=UTC)) == 0
    assert count(rt, ConsentRecord) == 2
    assert addresses(rt) == {NEW, GOING_ON, STOPPED}  # STOP still holds
    with rt.sessions() as session:
        erasure = session.scalar(select(Erasure))
    assert (erasure.kind, erasure.responses, erasure.counts["answers"]) == ("purge", 3, 11)
    assert set(erasure.counts) == {"before", "responses", "answers", "translations",
                                   "conversations", "consents", "messages", "contacts"}


def test_a_response_still_going_on_is_kept_whole_and_can_go_on(app, rt, history, clock):
    purge(app, "--before", "2026-02-01")
    with rt.sessions() as session:
        kept = session.scalar(select(Response).join(Contact).join(Address)
                              .where(Address.value == GOING_ON))
        assert kept is not None and {a.question_id for a in kept.answers} == {
            "feel_safe", "trust"}
    demo(rt, GOING_ON, "1", "yes", "SKIP")
    with rt.sessions() as session:
        assert session.get(Response, kept.id).status == "complete"


@pytest.mark.parametrize("who", [OLD, ABANDONED])
def test_a_purged_resident_who_writes_again_starts_afresh(app, rt, history, clock, who):
    purge(app, "--before", "2026-02-01")
    clock.set(MARCH + timedelta(days=1))
    demo(rt, who, *COMPLETE)
    with rt.sessions() as session:
        statuses = session.scalars(select(Response.status).join(Contact).join(Address)
                                   .where(Address.value == who)).all()
    assert statuses == ["complete"]


def test_dry_run_counts_and_erases_nothing(app, rt, history):
    before = (count(rt, Response), count(rt, Answer), count(rt, Message), count(rt, Contact))
    said = purge(app, "--before", "2026-02-01", "--dry-run")
    assert "3 responses" in said and said.rstrip().endswith("would be erased.")
    assert (count(rt, Response), count(rt, Answer), count(rt, Message),
            count(rt, Contact)) == before
    assert count(rt, Erasure) == 0


def test_engagers_and_alerts_keep_their_contact(app, rt, surveys, clock):
    clock.set(JANUARY)
    add_engager(rt, phone="+447700900299")
    demo(rt, "+447700900298", "DEMO", "yes", "1", "My stepdad hits me and I can't go home")
    assert count(rt, Alert) == 1
    purge(app, "--before", "2026-02-01")
    assert {"+447700900299", "+447700900298"} <= addresses(rt)
    assert count(rt, Alert) == 1
    assert count(rt, Response) == 0


def test_nothing_newer_than_the_date_goes(app, rt, history):
    purge(app, "--before", "2026-01-01")
    assert count(rt, Response) == 5 and count(rt, Conversation) == 5
    assert count(rt, Erasure) == 1


def test_exports_after_a_purge_hold_only_what_is_left(app, rt, history, tmp_path):
    purge(app, "--before", "2026-02-01")
    out = tmp_path / "after.csv"
    result = app.test_cli_runner().invoke(
        args=["export", "responses", "--survey", "demo", "--out", str(out)])
    assert "2 response(s)" in result.output
