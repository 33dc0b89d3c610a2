"""`outreach purge --before DATE`: what is older goes, what is newer or still going on stays,
the counts are reported and recorded (counts only), on both databases. The lottery's
registrants go by date too, and all but the confirmed members once its keep-until day has
passed."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from bot.conversations import Inbound, handle
from store.db import transaction
from store.models import (
    Address,
    Alert,
    Answer,
    ConsentRecord,
    Contact,
    Conversation,
    Draw,
    Erasure,
    Letter,
    LetterCode,
    Member,
    Message,
    Registrant,
    Response,
)
from tests.helpers.db import rows
from tests.helpers.engagers import add_engager
from tests.helpers.lottery import invite
from tests.helpers.lottery import registrants as lottery_registrants
from tests.helpers.lottery_rows import add_draw, add_registrant, load_registration

JANUARY = datetime(2026, 1, 10, 10, tzinfo=UTC)
MARCH = datetime(2026, 3, 2, 10, tzinfo=UTC)
OLD, NEW, GOING_ON, STOPPED, ABANDONED = (
    "+447700900201", "+447700900202", "+447700900203", "+447700900204", "+447700900205")


def demo(rt, address: str, *texts: str) -> None:
    for text in texts:
        handle(rt, Inbound("sms", address, text))


# A lottery registration by SMS: code, consent, age, name, phone, weekends, gender, ethnic
# group, disability, area, ward, access needs.
REGISTERING = ["REGISTER K7P-M3Q-XAF", "YES", "34", "Sam Smith", "07700 900123", "1,3", "1",
               "4", "3", "3", "6", "SKIP"]
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


def purge(app, *args: str) -> str:
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
    assert set(erasure.counts) == {"before", "lottery_over", "responses", "answers",
                                   "translations", "conversations", "consents", "messages",
                                   "registrants", "letters", "contacts",
                                   "registrants_by_status"}


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


# The civic lottery's registrants ----------------------------------------------------------

KEEP_UNTIL_PASSED = datetime(2027, 10, 2, 10, tzinfo=UTC)  # the assembly file: 2027-09-30
WOMAN = {"gender": "woman", "ward": "forest"}


@pytest.fixture
def registrants(rt, clock):
    """A draw of 6 letters closing with the lottery (2027-02-28): in January one
    registrant stays in the pool, one is selected and confirmed (a member), one declined;
    in February another registers."""
    clock.set(datetime(2027, 1, 10, 10, tzinfo=UTC))
    load_registration(rt)
    letters = add_draw(rt, ["Forest"] * 6)
    ids = {"pool": add_registrant(rt, letters[0], WOMAN),
           "member": add_registrant(rt, letters[1], WOMAN, status="confirmed", member=True),
           "declined": add_registrant(rt, letters[2], WOMAN, status="declined")}
    ids["late"] = add_registrant(rt, letters[3], WOMAN, at=datetime(2027, 2, 10, tzinfo=UTC))
    return ids


def registration_answers(rt) -> int:
    return count(rt, Answer, Answer.question_id == "name")


def test_before_a_date_only_registrants_whose_part_is_over_go(app, rt, registrants):
    said = purge(app, "--before", "2027-02-01")
    assert "1 registrants (1 declined)" in said
    assert {r.id for r in rows(rt, Registrant)} == {registrants[k] for k in
                                                     ("pool", "member", "late")}
    assert registration_answers(rt) == 3  # the declined registrant's name only went
    assert count(rt, Member) == 1  # the member stays on the roster
    assert count(rt, Letter) == 6  # registration has not closed: the letters stay
    assert count(rt, LetterCode) == 5  # the declined registrant's code went with them
    with rt.sessions() as session:
        counts = session.scalar(select(Erasure)).counts
    assert (counts["registrants"], counts["registrants_by_status"]) == (1, {"declined": 1})


def test_a_purge_during_the_lottery_keeps_the_panel_and_the_pool(app, rt, registrants,
                                                                 clock):
    """Mid-lottery (before keep_until), a date after everyone registered: whoever is on the
    panel or may still be stays, and so does someone not selected whom the worker has not
    told yet; those whose part is over go, and the dry run says which."""
    letters = add_draw(rt, ["Forest"] * 6)
    kept = {add_registrant(rt, letters[n], WOMAN, status=status)
            for n, status in enumerate(("selected", "reserve", "not_selected"))}
    told = add_registrant(rt, letters[3], WOMAN, status="not_selected")
    with transaction(rt.sessions) as session:
        session.get(Registrant, told).told_at = rt.now()
    for n, status in enumerate(("no_answer", "dropped"), start=4):
        add_registrant(rt, letters[n], WOMAN, status=status)
    clock.set(datetime(2027, 3, 10, 10, tzinfo=UTC))
    dry = purge(app, "--before", "2027-03-01", "--dry-run")
    assert ("4 registrants (1 declined, 1 dropped, 1 no_answer, 1 not_selected)" in dry
            and dry.rstrip().endswith("would be erased.")), dry
    assert count(rt, Registrant) == 10
    purge(app, "--before", "2027-03-01")
    assert {r.status for r in rows(rt, Registrant)} == {"registered", "confirmed", "selected",
                                                        "reserve", "not_selected"}
    assert kept | {registrants[k] for k in ("pool", "member", "late")} == {
        r.id for r in rows(rt, Registrant)}


def test_once_keep_until_has_passed_purge_erases_the_lottery_without_a_date(app, rt,
                                                                           registrants, clock):
    clock.set(KEEP_UNTIL_PASSED)
    phones = addresses(rt)
    said = purge(app)
    assert "4 registrants (1 confirmed, 1 declined, 2 registered), 6 letters" in said
    assert (count(rt, Registrant), count(rt, LetterCode), count(rt, Letter)) == (0, 0, 0)
    assert registration_answers(rt) == 0 and count(rt, Response) == 0
    assert count(rt, Draw) == 1  # the published seed and counts stay
    [member] = rows(rt, Member)  # the member stays, with their contact and number
    assert addresses(rt) == {a for a in phones if a.endswith(str(member.contact_id).zfill(3))}
    with rt.sessions() as session:
        counts = session.scalar(select(Erasure)).counts
    assert (counts["registrants"], counts["letters"], counts["before"]) == (4, 6, None)


def test_keep_until_spares_a_confirmed_member_of_a_draw_still_open(app, rt, registrants,
                                                                    clock):
    later = add_draw(rt, ["Forest"] * 2, closes_at=datetime(2027, 12, 1, tzinfo=UTC))
    member = add_registrant(rt, later[0], WOMAN, status="confirmed", member=True)
    add_registrant(rt, later[1], WOMAN)
    clock.set(KEEP_UNTIL_PASSED)
    said = purge(app)
    assert "5 registrants (1 confirmed, 1 declined, 3 registered), 6 letters" in said
    assert [r.id for r in rows(rt, Registrant)] == [member]
    assert count(rt, Letter) == 2


def test_without_a_date_before_keep_until_purge_asks_for_one(app, rt, registrants):
    result = app.test_cli_runner().invoke(args=["purge"])
    assert result.exit_code == 2 and "--before DATE" in result.output
    assert count(rt, Registrant) == 4 and count(rt, Erasure) == 0


def test_an_erased_registrants_code_never_registers_again(app, rt, surveys, clock):
    """A registrant who declined is erased by a purge; their letter's code then reads as
    unknown to whoever sends it: it starts no fresh registration."""
    invite(rt)
    for text in REGISTERING:
        clock.advance(timedelta(minutes=1))
        handle(rt, Inbound("sms", "+447700900601", text))
    [registrant] = lottery_registrants(rt)
    with transaction(rt.sessions) as session:
        session.get(Registrant, registrant.id).status = "declined"
    clock.advance(timedelta(days=2))
    purge(app, "--before", f"{rt.now().date():%Y-%m-%d}")
    assert lottery_registrants(rt) == []
    replies = handle(rt, Inbound("sms", "+447700900602", "REGISTER K7P-M3Q-XAF")).replies
    assert [r.text for r in replies] == [
        "We could not find that code. Please check it and send it again: codes look like "
        "K7P-M3Q-XAF. Reply HELP for help."]
    assert lottery_registrants(rt) == []
