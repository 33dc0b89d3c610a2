"""A coordinator's corrections to the roster and the calendar, as they meet them: the
`outreach` CLI, and what a person then sees when they text (issue 17's review)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from bot import sending
from bot.conversations import Inbound, handle
from bot.members import job
from store.models import AssemblySession, Contact, Member, Message, Rsvp
from tests.helpers.db import count
from tests.helpers.members import HEADER, add_session, at
from tests.helpers.senders import senders

OLD, NEW = "+447700900104", "+447700900114"


@pytest.fixture
def runner(app, surveys):
    return app.test_cli_runner()


def send_all(rt, now) -> None:
    sending.send_due(rt, senders(), now)


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
    job.send_due(rt, clock.now)
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
    job.send_due(rt, clock.now)
    send_all(rt, clock.now)
    assert runner.invoke(args=["members", "remove", "M001"]).exit_code == 0
    replies = [r.text for r in handle(rt, Inbound("sms", OLD, "yes")).replies]
    assert not any(r.startswith("Thank you, see you") for r in replies)
    assert count(rt, Rsvp) == 0


def test_a_yes_never_confirms_a_new_session_that_got_a_removed_ones_number(runner, rt, clock,
                                                                           tmp_path):
    _import(runner, tmp_path / "m.csv", "Ivan Petrov,07700 900104,,en,sms,")
    add_session(rt, "Day 1", "2026-03-14T10:00")
    add_session(rt, "Day 2", "2026-03-21T10:00")
    clock.set(at("2026-03-14T18:00"))
    job.send_due(rt, clock.now)
    send_all(rt, clock.now)  # Day 2's confirm went
    assert runner.invoke(args=["sessions", "remove", "2"]).exit_code == 0
    send_all(rt, at("2026-03-15T09:00"))  # the notice went
    added = runner.invoke(args=["sessions", "add", "--name", "Day 2b", "--starts",
                                "2026-03-28T10:00", "--ends", "2026-03-28T16:00",
                                "--venue", "Town Hall"])
    assert "\tDay 2b\t" in added.output  # SQLite gives it the number 2 again
    replies = [r.text for r in handle(rt, Inbound("sms", OLD, "yes")).replies]
    assert not any(r.startswith("Thank you, see you") for r in replies)
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


# 2. and 12. A name alone never takes over a member with another number ------------------


def test_a_namesake_with_another_number_is_an_error_not_a_takeover(runner, rt, tmp_path):
    path = tmp_path / "members.csv"
    _import(runner, path, "Ana Popescu,07700 900101,,ro,sms,",
            "John Smith,07700 900104,,en,sms,")
    reserves = _import(runner, path, "Kasia Nowak,07700 900102,,pl,sms,",
                       "John Smith,07700 900199,,en,sms,")
    assert reserves.exit_code == 1
    assert reserves.output.splitlines() == [
        f"{path}:3: John Smith is already M002 with another number (…0104): to correct "
        "M002's number give the member column M002; if this is someone else, add them with "
        "member column new (or distinguish the name)", f"{path}: nothing imported"]
    assert count(rt, Member) == 2  # nothing of the file, not even Kasia
    someone_else = _import(runner, path, "new,John Smith,07700 900199,,en,sms,",
                           header=f"member,{HEADER}")
    assert someone_else.output.startswith("1 member(s) added, 0 updated"), someone_else.output
    corrected = _import(runner, path, "M002,John Smith,07700 900105,,en,sms,",
                        header=f"member,{HEADER}")
    assert corrected.output.startswith("0 member(s) added, 1 updated"), corrected.output
    same = _import(runner, path, "Ana Popescu,+447700900101,,ro,sms,prefers mornings")
    assert same.output.startswith("0 member(s) added, 1 updated"), same.output


def test_a_name_without_its_accents_is_the_same_member(runner, rt, tmp_path):
    path = tmp_path / "members.csv"
    _import(runner, path, "Ayşe Yılmaz,,5550001,tr,telegram,")
    again = _import(runner, path, "AYSE YILMAZ,,5550001,tr,telegram,step-free")
    assert again.output.startswith("0 member(s) added, 1 updated"), again.output
    other = _import(runner, path, "Ayse Yilmaz,,5550002,tr,telegram,")
    assert other.exit_code == 1 and "is already M001 with another number" in other.output
    assert runner.invoke(args=["members", "remove", "ayse yilmaz"]).output.startswith(
        "M001 AYSE YILMAZ removed")


# 6. and 13. Numbers texts cannot reach, and numbers a spreadsheet mangled ----------------


def test_numbers_that_cannot_get_texts_are_errors_at_their_line(runner, rt, tmp_path):
    path = tmp_path / "members.csv"
    result = _import(runner, path, "Landline,020 7946 0958,,en,sms,",
                     "Freephone,0800 123 4567,,en,whatsapp,",
                     "Letter,07700 9001O7,,en,sms,",
                     "Figure,7.7009E+09,,en,sms,",
                     "Mobile,07700 900108,,en,sms,",
                     "Real Mobile,07911 123456,,en,whatsapp,")
    assert result.exit_code == 1
    assert result.output.splitlines() == [
        f"{path}:2: not a mobile number: texts cannot reach it",
        f"{path}:3: not a mobile number: texts cannot reach it",
        f"{path}:4: the phone number contains a letter (an O for a 0?)",
        f"{path}:5: Excel turned this number into a figure: format the column as text",
        f"{path}: nothing imported"]
    assert count(rt, Member) == 0


def test_a_file_without_its_header_row_shows_no_phone_number(runner, rt, tmp_path):
    path = tmp_path / "members.csv"
    path.write_text("Ivan Petrov,07700 900104,,bg,sms,\n", encoding="utf-8")
    result = runner.invoke(args=["members", "import", str(path)])
    assert result.exit_code == 1 and "900104" not in result.output
    assert "0104" in result.output


@pytest.mark.parametrize("written, lang", [("romana", "ro"), ("turkce", "tr"),
                                           ("Limba Romana", None), ("TURKCE", "tr")])
def test_a_language_written_without_its_accents_is_understood(runner, rt, tmp_path, written,
                                                              lang):
    result = _import(runner, tmp_path / "m.csv", f"Ivan Petrov,07700 900104,,{written},sms,")
    if lang is None:
        assert result.exit_code == 1
        return
    assert result.exit_code == 0, result.output
    with rt.sessions() as session:
        assert session.scalar(select(Member)).contact.language == lang


# 8. and 10. Removing a session: who is told, when, and what they are told -----------------


def test_removing_a_session_tells_whoever_has_its_calendar_after_quiet_hours(
        app, runner, rt, clock, tmp_path):
    _import(runner, tmp_path / "m.csv", "Ivan Petrov,07700 900104,,en,sms,")
    send_all(rt, rt.now())  # the welcome, with the calendar link, went
    add_session(rt, "Day 1", "2026-03-14T10:00")
    add_session(rt, "Day 2", "2026-03-21T10:00")
    clock.set(at("2026-03-01T22:30"))  # quiet hours (21:00-08:00)
    result = runner.invoke(args=["sessions", "remove", "2"])
    assert result.output.splitlines()[1] == (
        "0 queued reminder(s) cancelled; 1 member(s) to be told it will not take place, at "
        "08:00 (after quiet hours)")
    assert queued_to(rt, OLD) == [
        "Cancelled: Day 2, Saturday 21 March, 10:00, Walthamstow Assembly Hall, will not take "
        "place. Sorry for the change."]
    clock.set(at("2026-03-15T12:00"))  # Day 1 is over
    past = runner.invoke(args=["sessions", "remove", "1"])
    assert past.output.splitlines()[1] == (
        "0 queued reminder(s) cancelled; it had already ended, so no one is told")
    assert len(queued_to(rt, OLD)) == 1


def test_a_moved_then_removed_session_names_the_time_the_member_heard(runner, rt, clock,
                                                                     tmp_path):
    _import(runner, tmp_path / "m.csv", "Ivan Petrov,07700 900104,,en,sms,", options=[
        "--no-welcome"])
    add_session(rt, "Day 1", "2026-03-14T10:00")
    clock.set(at("2026-03-07T18:00"))
    job.send_due(rt, clock.now)
    send_all(rt, clock.now)  # the confirm for 10:00 went
    clock.set(at("2026-03-07T20:00"))
    assert runner.invoke(args=["sessions", "edit", "1", "--starts",
                               "2026-03-14T11:00"]).exit_code == 0  # its notice is queued
    runner.invoke(args=["sessions", "remove", "1"])
    assert queued_to(rt, OLD)[-1].startswith("Cancelled: Day 1, Saturday 14 March, 10:00,")


# 11. Times a session cannot be stored at as typed ------------------------------------------


def test_a_local_time_that_happens_twice_or_a_date_alone_is_refused(runner, rt):
    twice = runner.invoke(args=["sessions", "add", "--name", "Day 1", "--starts",
                                "2027-10-31T01:30", "--ends", "2027-10-31T06:00",
                                "--venue", "Hall"])
    assert twice.exit_code == 1
    assert twice.output.strip() == (
        "Error: 01:30 on Sun 31 October 2027 happens twice in Europe/London: the clocks go "
        "back an hour that night. Say which with its offset: 2027-10-31T01:30+01:00 (the "
        "first) or 2027-10-31T01:30+00:00 (the second)")
    dates = runner.invoke(args=["sessions", "add", "--name", "Day 1", "--starts",
                                "2027-06-01", "--ends", "2027-06-02", "--venue", "Hall"])
    assert dates.exit_code == 2
    assert "'2027-06-01' is a date without a time: a session needs its times" in dates.output
    assert count(rt, AssemblySession) == 0
    second = runner.invoke(args=["sessions", "add", "--name", "Day 1", "--starts",
                                 "2027-10-31T01:30+00:00", "--ends", "2027-10-31T06:00",
                                 "--venue", "Hall"])
    assert second.output.startswith("#"), second.output
    with rt.sessions() as session:
        assert session.scalar(select(AssemblySession.starts_at)) == datetime(
            2027, 10, 31, 1, 30, tzinfo=UTC)


# 9. Odd CSV files: a one-line answer, never a traceback -----------------------------------


def test_odd_csv_files_import_or_say_what_to_do(runner, rt, tmp_path):
    mac = tmp_path / "mac.csv"  # old Macs end lines with CR alone
    mac.write_bytes(f"{HEADER}\rIvan Petrov,07700 900104,,bg,sms,\rAna,07700 900101,,ro,sms,\r"
                    .encode())
    result = runner.invoke(args=["members", "import", str(mac)])
    assert result.output.startswith("2 member(s) added"), result.output
    huge = tmp_path / "huge.csv"
    huge.write_text(f'{HEADER}\nKasia,07700 900102,,pl,sms,"{"x" * 200_000}"\n',
                    encoding="utf-8")
    result = runner.invoke(args=["members", "import", str(huge)])
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert result.output.splitlines() == [
        f"{huge}:2: a cell is too long (over 131072 characters): shorten it",
        f"{huge}: nothing imported"]
    roman = tmp_path / "roman.csv"  # Excel's "CSV (Macintosh)": José is Jos\x8e
    roman.write_bytes(f"{HEADER}\nJosé Müller,07700 900103,,en,sms,\n".encode("mac_roman"))
    result = runner.invoke(args=["members", "import", str(roman)])
    assert result.output.splitlines() == [
        f"{roman}:2: 'JosŽ' looks like letters from a Mac's 'CSV (Macintosh)': save it from "
        "Excel as 'CSV UTF-8' or as .xlsx, and import that", f"{roman}: nothing imported"]
    assert count(rt, Member) == 2


def test_a_replaced_telegram_chat_is_no_longer_the_members(runner, rt, clock, tmp_path):
    path = tmp_path / "members.csv"
    _import(runner, path, "Ali Khan,,5550001,en,telegram,")
    add_session(rt, "Day 1", "2026-03-14T10:00")
    clock.set(at("2026-03-07T18:00"))
    job.send_due(rt, clock.now)
    send_all(rt, clock.now)
    fixed = _import(runner, path, "M001,Ali Khan,,5550002,en,telegram,",
                    header=f"member,{HEADER}")
    assert fixed.output.startswith("0 member(s) added, 1 updated; 1 welcome"), fixed.output
    replies = [r.text for r in handle(rt, Inbound("telegram", "5550001", "yes")).replies]
    assert not any(r.startswith("Thank you, see you") for r in replies) and count(rt, Rsvp) == 0
    assert [r.text for r in handle(rt, Inbound("telegram", "5550002", "yes")).replies] == [
        "Thank you, see you on Saturday 14 March."]
