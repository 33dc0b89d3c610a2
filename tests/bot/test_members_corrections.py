"""A coordinator's corrections to the roster and the calendar, as they meet them: the
`outreach` CLI, and what a person then sees when they text (issue 17's review)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select

from bot import outbox
from bot.conversations import Inbound, handle
from bot.members import schedule
from store.models import Contact, Member, Message, Rsvp
from tests.helpers.members import HEADER, LONDON, add_session
from tests.helpers.senders import RecordingSender

OLD, NEW = "+447700900104", "+447700900114"


@pytest.fixture
def runner(app, surveys):
    return app.test_cli_runner()


def at(local: str) -> datetime:
    return datetime.fromisoformat(local).replace(tzinfo=LONDON).astimezone(UTC)


def count(rt, model, *where) -> int:
    with rt.sessions() as session:
        return session.scalar(select(func.count()).select_from(model).where(*where))


def send_all(rt, now) -> RecordingSender:
    recording = RecordingSender()
    outbox.send_due(rt, {"sms": recording, "whatsapp": recording, "telegram": recording}, now)
    return recording


def _import(runner, path, *lines: str, header: str = HEADER, options=()):
    path.write_text("\n".join([header, *lines]) + "\n", encoding="utf-8")
    return runner.invoke(args=["members", "import", *options, str(path)])


def ivan(rt) -> Member:
    with rt.sessions() as session:
        found = session.scalar(select(Member).where(Member.name == "Ivan Petrov"))
        session.expunge_all()
    return found


def queued_to(rt, address: str) -> list[str]:
    with rt.sessions() as session:
        return list(session.scalars(select(Message.body).where(
            Message.address == address, Message.status == "queued").order_by(Message.id)))


# 1. A corrected number: the old one is no longer the member's ----------------------------


def test_after_a_corrected_number_the_old_one_controls_nothing(app, runner, rt, clock,
                                                                tmp_path):
    path = tmp_path / "members.csv"
    assert _import(runner, path, "Ivan Petrov,07700 900104,,bg,sms,").exit_code == 0
    add_session(rt, "Day 1", "2026-03-14T10:00")
    clock.set(at("2026-03-07T18:00"))
    schedule.send_due(rt, clock.now)
    send_all(rt, clock.now)  # the welcome and the confirm went to the wrong number
    old_token = ivan(rt).token
    fixed = _import(runner, path, "M001,Ivan Petrov,07700 900114,,bg,sms,",
                    header=f"member,{HEADER}")
    assert fixed.output.splitlines()[0] == (
        "0 member(s) added, 1 updated; 1 welcome message(s) queued")
    new_token = ivan(rt).token
    assert new_token != old_token
    client = app.test_client()
    assert client.get(f"/m/{old_token}.ics").status_code == 404
    assert client.get(f"/m/{new_token}.ics").status_code == 200
    [welcome] = queued_to(rt, NEW)  # the real Ivan is welcomed, signed, with his own link
    assert welcome.startswith("Waltham Forest Council") and new_token in welcome
    # The old number is someone unknown now: nothing they say reaches Ivan
    for words in ("НЕ", "STOP", "DELETE", "ДА"):
        handle(rt, Inbound("sms", OLD, words))
    assert count(rt, Rsvp) == 0 and count(rt, Member) == 1
    with rt.sessions() as session:
        member = session.get(Member, 1)
        assert member.contact.opted_out_at is None
    # A later roster giving the old number to someone else takes over no one
    other = _import(runner, path, "Maria Ivanova,07700 900104,,bg,sms,")
    assert other.output.startswith("1 member(s) added, 0 updated"), other.output
    assert ivan(rt).token == new_token and count(rt, Member) == 2


def test_a_corrected_number_with_no_welcome_sends_none(runner, rt, tmp_path):
    path = tmp_path / "members.csv"
    _import(runner, path, "Ivan Petrov,07700 900104,,bg,sms,")
    send_all(rt, rt.now())
    fixed = _import(runner, path, "M001,Ivan Petrov,07700 900114,,bg,sms,",
                    header=f"member,{HEADER}", options=["--no-welcome"])
    assert fixed.output.splitlines()[0] == (
        "0 member(s) added, 1 updated; 0 welcome message(s) queued")
    assert queued_to(rt, NEW) == []


# 3. and 4. A YES never confirms a removed member's or a removed session's day ---------------


def test_a_removed_member_who_says_yes_is_not_told_see_you_there(runner, rt, clock, tmp_path):
    _import(runner, tmp_path / "m.csv", "Ivan Petrov,07700 900104,,en,sms,")
    add_session(rt, "Day 1", "2026-03-14T10:00")
    clock.set(at("2026-03-07T18:00"))
    schedule.send_due(rt, clock.now)
    send_all(rt, clock.now)
    assert runner.invoke(args=["members", "remove", "M001"]).exit_code == 0
    replies = [r.text for r in handle(rt, Inbound("sms", OLD, "yes")).replies]
    assert "Thank you, see you there." not in replies
    assert count(rt, Rsvp) == 0


def test_a_yes_never_confirms_a_new_session_that_got_a_removed_ones_number(runner, rt, clock,
                                                                           tmp_path):
    _import(runner, tmp_path / "m.csv", "Ivan Petrov,07700 900104,,en,sms,")
    add_session(rt, "Day 1", "2026-03-14T10:00")
    add_session(rt, "Day 2", "2026-03-21T10:00")
    clock.set(at("2026-03-14T18:00"))
    schedule.send_due(rt, clock.now)
    send_all(rt, clock.now)  # Day 2's confirm went
    assert runner.invoke(args=["sessions", "remove", "2"]).exit_code == 0
    send_all(rt, at("2026-03-15T09:00"))  # the notice went
    added = runner.invoke(args=["sessions", "add", "--name", "Day 2b", "--starts",
                                "2026-03-28T10:00", "--ends", "2026-03-28T16:00",
                                "--venue", "Town Hall"])
    assert "\tDay 2b\t" in added.output  # SQLite gives it the number 2 again
    replies = [r.text for r in handle(rt, Inbound("sms", OLD, "yes")).replies]
    assert "Thank you, see you there." not in replies
    assert count(rt, Rsvp) == 0


# 5. A queued welcome follows a change of language or channel ------------------------------


def test_a_queued_welcome_is_rewritten_in_the_new_language_and_channel(runner, rt, tmp_path):
    path = tmp_path / "members.csv"
    _import(runner, path, "Ivan Petrov,07700 900104,,en,sms,")
    again = _import(runner, path, "Ivan Petrov,07700 900104,,bg,whatsapp,")
    assert again.exit_code == 0, again.output
    with rt.sessions() as session:
        queued = session.execute(select(Message.channel, Message.body).where(
            Message.status == "queued")).all()
    assert len(queued) == 1
    channel, body = queued[0]
    assert channel == "whatsapp"
    assert "добре дошли в Гражданското събрание" in body
    assert count(rt, Contact) == 1
