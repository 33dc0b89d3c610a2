"""Assembly members (bot/members): the rules file, the roster import, sessions, the plan,
idempotent reminders, RSVPs, CALL and low wellbeing, check-ins, the calendar link."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

import pytest
from icalendar import Calendar
from sqlalchemy import select

from app import create_app
from bot import engine, sending
from bot.conversations import Inbound, handle
from bot.members import job, schedule
from bot.members.rules import Rules, read, send_at
from bot.quiet import QuietHours
from bot.state import Incoming, Invitation, Membership, Person, Run, State
from store.models import Alert, AssemblySession, CheckIn, Contact, Member, Message, Rsvp
from tests.helpers.db import count
from tests.helpers.members import HEADER, LONDON, add_session, at, import_members
from tests.helpers.senders import senders
from tests.helpers.surveys import load_surveys, make_env
from translations import segments

ANA, KASIA, ALI = "+447700900101", "+447700900102", "5550001"
LEAD = "+447700900777"
ROWS = ("Ana Popescu,07700 900101,,ro,sms,", "Kasia Nowak,07700900102,,pl,sms,",
        f"Ali Khan,,{ALI},ur,telegram,")


@pytest.fixture
def config(config):
    return {**config, "WELLBEING_LEAD": LEAD}


@pytest.fixture
def runner(app, surveys):
    return app.test_cli_runner()


def reminders_queued(rt) -> list[Message]:
    with rt.sessions() as session:
        return list(session.scalars(select(Message).where(
            Message.idempotency_key.startswith("remind:")).order_by(Message.id)))


# The rules file ---------------------------------------------------------------------------


def test_the_shipped_rules_load_with_their_examples():
    rules = Rules.load(tz=LONDON)
    assert [r.id for r in rules.reminders] == ["confirm", "day-before", "morning"]
    assert rules.check_in.survey == "wellbeing-check-in"
    assert rules.check_in.nudge_after == timedelta(hours=48)


@pytest.mark.parametrize("session, rule, expected_utc", [
    ("2026-03-29T10:00", "morning", "2026-03-29T07:30"),     # BST begins at 01:00 that day
    ("2026-03-29T10:00", "day-before", "2026-03-28T18:00"),  # still GMT the evening before
    ("2026-03-29T10:00", "confirm", "2026-03-22T18:00"),
    ("2026-04-04T10:00", "confirm", "2026-03-28T18:00"),     # a week back is still GMT
    ("2026-04-05T10:00", "confirm", "2026-03-29T17:00"),     # the first BST evening
    ("2026-10-25T10:00", "morning", "2026-10-25T08:30"),     # GMT again from 02:00 BST
    ("2026-10-25T10:00", "day-before", "2026-10-24T17:00"),
])
def test_send_times_stay_local_across_the_clock_changes(session, rule, expected_utc):
    rules = Rules.load(tz=LONDON)
    sends = send_at(rules.rule(rule), at(session), LONDON)
    assert sends == datetime.fromisoformat(expected_utc).replace(tzinfo=UTC)
    assert sends.astimezone(LONDON).strftime("%H:%M") == rules.rule(rule).at.strftime("%H:%M")


def test_a_broken_rules_file_reports_every_problem(tmp_path):
    path = tmp_path / "rules.yaml"
    path.write_text("reminders:\n"
                    "  - {id: confirm, days_before: -1, at: '25:00', template: nope}\n"
                    "  - {id: morning, days_before: 0, at: '08:30', template: reminder/morning}\n"
                    "check_in: {low: 'wellbeing <=', nudge_after: soon}\n"
                    "examples:\n"
                    "  - {session: 2026-03-14T10:00, sends: {morning: 2026-03-14T09:00}}\n")
    _, problems = read(path, LONDON)
    text = "\n".join(problems)
    assert all(p.startswith(f"{path}: ") for p in problems)
    for expected in ("days_before must be 0 or more", "at must be a local time",
                     "template 'nope'", "check_in: low:", "check_in: nudge_after:",
                     "morning goes at 2026-03-14 08:30, not 2026-03-14 09:00"):
        assert expected in text


# The roster -------------------------------------------------------------------------------


def test_import_reports_every_bad_row_by_line_and_imports_nothing(runner, rt, tmp_path):
    path = tmp_path / "members.csv"
    path.write_text("\n".join([
        HEADER, ROWS[0],
        "Bad Number,12,,ro,sms,",
        "No Address,,,pl,sms,",
        "Wrong Language,07700900104,,xx,sms,",
        "Wrong Channel,07700900105,,en,fax,",
        "Telegram Without Chat,07700900106,,en,telegram,",
        "Ana Again,+44 7700 900101,,ro,sms,",
        ",07700900107,,en,sms,",
    ]) + "\n", encoding="utf-8")
    result = runner.invoke(args=["members", "import", str(path)])
    assert result.exit_code == 1
    lines = result.output.splitlines()
    for expected in (f"{path}:3: bad phone number '12'",
                     f"{path}:4: channel sms needs a phone number",
                     f"{path}:5: unknown language 'xx'",
                     f"{path}:6: unknown channel 'fax' (sms, whatsapp or telegram)",
                     f"{path}:7: channel telegram needs a telegram_chat_id (or the member links "
                     "Telegram with a code: members link-code)",
                     f"{path}:8: duplicate of line 2 (the same phone)",
                     f"{path}:9: the name is missing",
                     f"{path}: nothing imported"):
        assert any(line.startswith(expected) for line in lines), (expected, lines)
    assert count(rt, Member) == 0 and count(rt, Contact) == 0


def test_reimport_updates_and_a_known_resident_becomes_a_member(runner, rt, clock, tmp_path):
    handle(rt, Inbound("sms", ANA, "Bună ziua"))  # Ana answered the residents' survey first
    path = tmp_path / "members.csv"
    path.write_text("\n".join([HEADER, *ROWS]) + "\n", encoding="utf-8")
    first = runner.invoke(args=["members", "import", str(path)])
    assert first.output.strip() == "3 member(s) added, 0 updated; 3 welcome message(s) queued"
    path.write_text("\n".join([HEADER, "Ana P.,+447700900101,,ro,sms,prefers mornings",
                               *ROWS[1:]]) + "\n", encoding="utf-8")
    again = runner.invoke(args=["members", "import", str(path)])
    assert again.output.strip() == "0 member(s) added, 3 updated; 0 welcome message(s) queued"
    assert count(rt, Member) == 3 and count(rt, Contact) == 3  # Ana is still one person
    with rt.sessions() as session:
        ana = session.scalar(select(Member).where(Member.name == "Ana P."))
        assert ana.notes == "prefers mornings" and ana.contact.language == "ro"
        welcome = session.scalar(select(Message).where(
            Message.idempotency_key == f"member-welcome:{ana.id}"))
        assert welcome.address == ANA
        assert welcome.body.endswith(f"https://outreach.example.org/m/{ana.token}.ics")
        assert welcome.body.startswith(  # signed: an unsigned link reads as phishing
            "Waltham Forest Council: bun venit în Adunarea Cetățenilor.")
    listed = runner.invoke(args=["members", "list"]).output
    assert "M001\tAna P.\tsms\tro\tno\thttps://outreach.example.org/m/" in listed
    assert ANA not in listed and ALI not in listed


def test_a_spreadsheets_headers_and_language_names_are_understood(runner, rt, tmp_path):
    path = tmp_path / "members.csv"
    path.write_text("Name,Phone,Telegram chat id,Language,Channel,Notes\n"
                    "Kasia Nowak,07700900102,,Polish,SMS,needs step-free access\n"
                    "Ali Khan,,5550001,اردو,telegram,\n", encoding="utf-8-sig")
    result = runner.invoke(args=["members", "import", str(path)])
    assert result.output.startswith("2 member(s) added"), result.output
    with rt.sessions() as session:
        assert [(m.channel, m.contact.language) for m in session.scalars(
            select(Member).order_by(Member.id))] == [("sms", "pl"), ("telegram", "ur")]


def _import(runner, path, *lines: str, header: str = HEADER, encoding: str = "utf-8"):
    path.write_text("\n".join([header, *lines]) + "\n", encoding=encoding)
    return runner.invoke(args=["members", "import", str(path)])


def test_a_number_one_digit_short_is_an_error_at_its_line(runner, rt, tmp_path):
    path = tmp_path / "members.csv"
    result = _import(runner, path, "Ivan Petrov,0770090010,,bg,sms,", ROWS[0])
    assert result.exit_code == 1
    assert result.output.splitlines() == [
        f"{path}:2: bad phone number '0770090010' (check for a missing or extra digit)",
        f"{path}: nothing imported"]
    assert count(rt, Member) == 0


def test_a_corrected_roster_updates_the_member_it_is_never_adds_them_twice(runner, rt, clock,
                                                                          tmp_path):
    path = tmp_path / "members.csv"
    assert _import(runner, path, "Ivan Petrov,07700900103,,bg,sms,").exit_code == 0
    add_session(rt, "Day 1", "2026-03-14T10:00")
    clock.set(at("2026-03-07T18:00"))
    job.send_due(rt, clock.now)  # the confirm, queued for the wrong number
    fixed = _import(runner, path, "M001,Ivan Petrov,07700900104,,bg,sms,",
                    header=f"member,{HEADER}")
    assert fixed.output.splitlines() == [
        "0 member(s) added, 1 updated; 1 welcome message(s) queued",
        "note: M001 Ivan Petrov has a new number or chat: the old one is no longer theirs, "
        "their calendar link is new, and what was queued goes to the new one"]
    assert count(rt, Member) == 1
    with rt.sessions() as session:
        queued = session.scalars(select(Message.address).where(
            Message.status == "queued")).all()
    assert queued == ["+447700900104", "+447700900104"]  # the welcome and the confirm
    sending.send_due(rt, senders(), clock.now)
    numbered = _import(runner, path, "M001,Ivan Petrov,07700900105,,bg,sms,",
                       header=f"member,{HEADER}")
    assert numbered.output.startswith("0 member(s) added, 1 updated"), numbered.output
    assert count(rt, Member) == 1
    both = _import(runner, path, "M001,Ivan Petrov,07700900107,,bg,sms,",
                   ",Ivan Petrov,07700900105,,bg,sms,", header=f"member,{HEADER}")
    assert both.exit_code == 1
    assert f"{path}:3: M001 Ivan Petrov is on line 2 too" in both.output.splitlines()
    missing = _import(runner, path, "M009,Ana Popescu,07700900101,,ro,sms,",
                      header=f"Member,{HEADER}")
    assert missing.output.splitlines()[0] == (
        f"{path}:2: there is no member M009 (outreach members list shows them)")
    assert count(rt, Member) == 1


def test_two_members_of_one_name_need_their_number(runner, rt, tmp_path):
    path = tmp_path / "members.csv"
    _import(runner, path, "Ivan Petrov,07700900103,,bg,sms,",
            "Ivan Petrov,07700900104,,bg,sms,")
    again = _import(runner, path, "Ivan Petrov,07700900105,,bg,sms,")
    assert again.output.splitlines()[0] == (
        f"{path}:2: 2 members are called 'Ivan Petrov': add a member column with their "
        "number (M001, M002)")
    assert _import(runner, path, "M002,Ivan Petrov,07700900105,,bg,sms,",
                   header=f"member,{HEADER}").exit_code == 0
    assert count(rt, Member) == 2


def test_a_roster_saved_from_excel_imports(runner, rt, tmp_path):
    from openpyxl import Workbook
    book = Workbook()
    book.active.append(["Member", "Name", "Phone", "Telegram chat id", "Language", "Channel",
                        "Notes"])
    book.active.append([None, "Kasia Nowak", 7700900102, None, "Polish", "SMS", None])
    book.active.append([None, "Ali Khan", None, 5550001, "ur", "telegram", "step-free"])
    book.save(tmp_path / "members.xlsx")
    result = runner.invoke(args=["members", "import", str(tmp_path / "members.xlsx")])
    assert result.output.startswith("2 member(s) added"), result.output
    windows = tmp_path / "windows.csv"  # Excel's plain "CSV (Comma delimited)"
    result = _import(runner, windows, "José Müller;07700900103;;en;sms;Zoë's mum drives",
                     header=HEADER.replace(",", ";"), encoding="cp1252")
    assert result.output.startswith("1 member(s) added"), result.output
    with rt.sessions() as session:
        assert session.scalars(select(Member.name).order_by(Member.id)).all() == [
            "Kasia Nowak", "Ali Khan", "José Müller"]
    unicode = _import(runner, tmp_path / "unicode.txt", "Иван Петров\t07700900104\t\tbg\tsms\t",
                      header=HEADER.replace(",", "\t"), encoding="utf-16")
    assert unicode.output.startswith("1 member(s) added"), unicode.output
    lost = _import(runner, windows, "???? ??????,07700900105,,bg,sms,", encoding="cp1252")
    assert lost.output.splitlines()[0] == (
        f"{windows}:2: the name '???? ??????' lost letters (shown as ?): save it from Excel "
        "as 'CSV UTF-8' or as .xlsx, and import that")
    (tmp_path / "old.xls").write_bytes(b"\xd0\xcf\x11\xe0 not a workbook")
    (tmp_path / "broken.xlsx").write_bytes(b"PK\x03\x04 cut short")
    for name, problem in (("old.xls", "a .xls file cannot be read"),
                          ("broken.xlsx", "not a workbook that can be read")):
        result = runner.invoke(args=["members", "import", str(tmp_path / name)])
        assert result.exit_code == 1  # never a traceback
        assert result.output.splitlines() == [
            f"{tmp_path / name}:1: {problem}: save it from Excel as 'CSV UTF-8' or as "
            ".xlsx, and import that", f"{tmp_path / name}: nothing imported"]


def test_a_removed_member_gets_nothing_more(runner, rt, clock, tmp_path):
    import_members(rt, *ROWS[:2])
    add_session(rt, "Day 1", "2026-03-14T10:00")
    clock.set(at("2026-03-07T18:00"))
    job.send_due(rt, clock.now)
    result = runner.invoke(args=["members", "remove", "M002"])
    assert result.output.strip() == "M002 Kasia Nowak removed; 1 queued message(s) cancelled"
    assert count(rt, Member) == 1
    assert count(rt, Message, Message.address == KASIA, Message.status == "queued") == 0
    assert job.send_due(rt, at("2026-03-13T18:00")) == 1  # Ana's day-before only
    assert runner.invoke(args=["members", "remove", "M002"]).exit_code == 1
    # Someone new may get the number M002 again (SQLite): they still get everything
    new = _import(runner, tmp_path / "m.csv", "Ivan Petrov,07700900103,,bg,sms,")
    assert new.output.startswith("1 member(s) added, 0 updated; 1 welcome message(s) queued")
    assert job.send_due(rt, at("2026-03-13T18:05")) == 1  # Ivan's day-before, late


def test_a_removed_session_is_cancelled_and_those_who_heard_are_told(runner, rt, clock,
                                                                    surveys):
    import_members(rt, *ROWS)
    add_session(rt, "Day 1", "2026-03-14T10:00")
    add_session(rt, "Day 2", "2026-03-21T10:00")
    clock.set(at("2026-03-07T18:00"))
    job.send_due(rt, clock.now)
    sending.send_due(rt, senders(), clock.now)  # Day 1's confirm went to all three
    handle(rt, Inbound("sms", KASIA, "nie"))
    clock.set(at("2026-03-14T18:00"))
    job.send_due(rt, clock.now)  # Day 2's confirm, queued
    nobody = runner.invoke(args=["sessions", "remove", "2"]).output.splitlines()
    assert nobody == ["removed: #2\tDay 2\tSat 2026-03-21 10:00-16:00\tWalthamstow Assembly "
                      "Hall", "3 queued reminder(s) cancelled; no member had heard of it, so no "
                      "one is told"]
    clock.set(at("2026-03-10T12:00"))
    told = runner.invoke(args=["sessions", "remove", "1"]).output.splitlines()
    assert told[1] == ("0 queued reminder(s) cancelled; 3 member(s) to be told it will not "
                       "take place, now")
    notices = [m for m in reminders_queued(rt) if ":removed:" in m.idempotency_key]
    assert [m.body for m in notices if m.address == ANA] == [
        "Anulat: Day 1, sâmbătă 14 martie, ora 10:00, Walthamstow Assembly Hall, nu mai are "
        "loc. Ne pare rău pentru schimbare."]
    assert count(rt, Rsvp) == 0 and count(rt, AssemblySession) == 0
    handle(rt, Inbound("sms", ANA, "da"))
    assert count(rt, Rsvp) == 0  # a YES now confirms nothing
    assert runner.invoke(args=["sessions", "remove", "1"]).exit_code == 1
    add_session(rt, "Day 1", "2026-03-14T10:00")  # added again: its reminders all go
    assert job.send_due(rt, at("2026-03-13T18:00")) == 3


# Sessions and the plan ----------------------------------------------------------------------


def test_sessions_are_added_in_local_time_and_listed(runner, rt):
    result = runner.invoke(args=["sessions", "add", "--name", "Day 1", "--starts",
                                 "2026-03-29T10:00", "--ends", "2026-03-29T16:30",
                                 "--venue", "Walthamstow Assembly Hall", "--bring", "photo ID"])
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[0] == (
        "#1\tDay 1\tSun 2026-03-29 10:00-16:30\tWalthamstow Assembly Hall")
    listed = runner.invoke(args=["sessions", "list"]).output.splitlines()
    assert listed[1] == "#1\tDay 1\tSun 2026-03-29 10:00-16:30\tWalthamstow Assembly Hall\t0\t0\t0"
    bad = runner.invoke(args=["sessions", "add", "--name", "X", "--starts", "2026-03-29T10:00",
                              "--ends", "2026-03-29T09:00", "--venue", "Hall"])
    assert bad.exit_code == 1 and "must end after it starts" in bad.output
    past = runner.invoke(args=["sessions", "add", "--name", "Day 0", "--starts",
                               "2025-03-29T10:00", "--ends", "2025-03-29T16:30", "--venue", "Hall"])
    assert past.output.splitlines()[-1].startswith(
        "warning: this session has already begun, so no reminder will go for it")


def test_a_local_time_the_clocks_skip_is_refused_and_what_is_echoed_is_stored(runner, rt):
    skipped = runner.invoke(args=["sessions", "add", "--name", "Day 1", "--starts",
                                  "2027-03-28T01:30", "--ends", "2027-03-28T06:00",
                                  "--venue", "Hall"])
    assert skipped.exit_code == 1
    assert skipped.output.strip() == (
        "Error: 01:30 on Sun 28 March 2027 does not exist in Europe/London: the clocks go "
        "forward an hour that night. Did you mean 02:30?")
    assert count(rt, AssemblySession) == 0
    added = runner.invoke(args=["sessions", "add", "--name", "Day 1", "--starts",
                                "2027-03-28T02:30", "--ends", "2027-03-28T06:00",
                                "--venue", "Hall"])
    assert added.output.splitlines()[0] == "#1\tDay 1\tSun 2027-03-28 02:30-06:00\tHall"
    with rt.sessions() as session:
        stored = session.scalar(select(AssemblySession))
        assert stored.starts_at == datetime(2027, 3, 28, 1, 30, tzinfo=UTC)  # 02:30 BST
    listed = runner.invoke(args=["sessions", "list"]).output.splitlines()
    assert listed[1].startswith("#1\tDay 1\tSun 2027-03-28 02:30-06:00\tHall")


def test_the_plan_shows_what_goes_when_and_sends_nothing(runner, rt):
    import_members(rt, *ROWS)
    add_session(rt, "Day 1", "2026-03-14T10:00")
    result = runner.invoke(args=["reminders", "plan", "--now", "2026-03-07T12:00:00Z"])
    lines = result.output.splitlines()
    assert lines[0] == "sends (local)\twhat\tsession\tmember\tlanguage\tchannel\tsms parts\tstate"
    assert lines[1:4] == ["Sat 2026-03-07 18:00\tconfirm\t#1\tM001\tro\tsms\t2\tplanned",
                          "Sat 2026-03-07 18:00\tconfirm\t#1\tM002\tpl\tsms\t2\tplanned",
                          "Sat 2026-03-07 18:00\tconfirm\t#1\tM003\tur\ttelegram\t-\tplanned"]
    assert any("Mon 2026-03-16 18:00\tcheck-in\t2026-W11\tM001" in line for line in lines)
    assert ANA not in result.output and "Ana" not in result.output  # pseudonymised
    assert reminders_queued(rt) == []


def test_running_the_worker_twice_or_two_at_once_queues_each_reminder_once(rt, clock):
    import_members(rt, *ROWS)
    add_session(rt, "Day 1", "2026-03-14T10:00")
    now = at("2026-03-07T18:00")
    assert job.send_due(rt, now) == 3
    assert job.send_due(rt, now) == 0  # the same moment again
    assert job.send_due(rt, now + timedelta(minutes=5)) == 0  # a restart later
    later = at("2026-03-13T18:00")
    done = []
    workers = [threading.Thread(target=lambda: done.append(job.send_due(rt, later)))
               for _ in range(2)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    assert sorted(done) in ([0, 3], [3, 3])  # both may queue, the outbox keeps one each
    queued = reminders_queued(rt)
    assert len(queued) == 6
    assert len({m.idempotency_key for m in queued}) == 6
    ana = [m for m in queued if m.address == ANA]
    assert ana[0].body == ("Adunarea Cetățenilor: Day 1, sâmbătă 14 martie, ora 10:00, "
                           "Walthamstow Assembly Hall. Puteți veni? Scrieți DA sau NU.")
    assert ana[1].body.startswith("Reamintire: Day 1 e mâine, sâmbătă 14 martie, ora 10:00")


def test_a_reminder_due_in_quiet_hours_waits_for_the_next_allowed_minute(config, clock):
    app = create_app({**config, "QUIET_HOURS": "21:00-09:00"}, clock=clock)
    rt = app.extensions["outreach"]
    load_surveys(rt)
    import_members(rt, *ROWS)
    add_session(rt, "Day 1", "2026-03-29T10:00")  # the morning reminder is due at 08:30 BST
    morning = at("2026-03-29T08:30")
    with rt.sessions() as session:
        plan = schedule.plan(session, rt.member_rules, QuietHours.from_settings(rt.settings),
                             morning - timedelta(hours=1))
        assert {i.sends for i in plan if i.what == "morning"} == {at("2026-03-29T09:00")}
    job.send_due(rt, morning)
    queued = [m for m in reminders_queued(rt) if ":morning:" in m.idempotency_key]
    assert {m.next_attempt_at for m in queued} == {at("2026-03-29T09:00")}
    assert sending.send_due(rt, senders(), morning) == 0
    assert sending.send_due(rt, senders(), at("2026-03-29T09:00")) == 3
    rt.engine.dispose()


def test_an_opted_out_member_is_skipped(rt, clock, surveys):
    import_members(rt, *ROWS)
    handle(rt, Inbound("sms", KASIA, "STOP"))
    add_session(rt, "Day 1", "2026-03-14T10:00")
    job.send_due(rt, at("2026-03-07T18:00"))
    assert {m.address for m in reminders_queued(rt)} == {ANA, ALI}
    with rt.sessions() as session:
        plan = schedule.plan(session, rt.member_rules, QuietHours.from_settings(rt.settings),
                             at("2026-03-08T12:00"))
    assert {i.state for i in plan if i.member.id == 2} == {"skipped: opted out"}


def test_a_member_added_late_gets_only_the_reminder_that_still_makes_sense(rt, clock):
    add_session(rt, "Day 1", "2026-03-14T10:00")
    import_members(rt, ROWS[0])
    job.send_due(rt, at("2026-03-07T18:00"))
    clock.set(at("2026-03-13T20:00"))  # after the day-before reminder's time
    import_members(rt, ROWS[1])
    assert job.send_due(rt, clock.now) == 2  # Ana's day-before; Kasia's, late
    kasia = [m.idempotency_key.split(":")[3] for m in reminders_queued(rt)
             if m.address == KASIA]
    assert kasia == ["day-before"]  # not the confirm as well: it would say the same
    job.send_due(rt, at("2026-03-14T08:30"))
    job.send_due(rt, at("2026-03-14T10:00"))  # the session has begun: nothing late
    assert [m.idempotency_key.split(":")[3] for m in reminders_queued(rt)
            if m.address == KASIA] == ["day-before", "morning"]


def test_a_moved_session_cancels_what_was_queued_tells_members_and_replans(runner, rt, clock):
    import_members(rt, *ROWS[:2])
    add_session(rt, "Day 1", "2026-03-14T10:00")
    clock.set(at("2026-03-07T18:00"))
    job.send_due(rt, clock.now)
    sending.send_due(rt, senders(), clock.now)
    clock.set(at("2026-03-10T12:00"))
    result = runner.invoke(args=["sessions", "edit", "1", "--starts", "2026-03-21T10:00"])
    assert result.exit_code == 0, result.output
    assert result.output.splitlines() == [
        "#1\tDay 1\tSat 2026-03-21 10:00-16:00\tWalthamstow Assembly Hall",
        "2 member(s) told of the new time"]
    moved = [m for m in reminders_queued(rt) if ":moved:" in m.idempotency_key]
    assert [m.body for m in moved if m.address == ANA] == [
        "Schimbare: Day 1 are loc acum sâmbătă 21 martie, ora 10:00, Walthamstow Assembly "
        "Hall. Puteți veni? Scrieți DA sau NU."]
    # Nothing is late now: the new confirm (14 March 18:00) is still to come.
    assert job.send_due(rt, clock.now) == 0
    job.send_due(rt, at("2026-03-14T18:00"))
    keys = [m.idempotency_key for m in reminders_queued(rt) if m.address == ANA]
    assert [k.split(":")[3] for k in keys] == ["confirm", "moved"]  # it asked: no confirm
    assert keys[0].endswith(":20260314T1000Z") and keys[1].endswith(":20260321T1000Z")


def test_a_move_before_anything_was_sent_cancels_the_queued_reminder(runner, rt, clock):
    import_members(rt, ROWS[0])
    add_session(rt, "Day 1", "2026-03-14T10:00")
    job.send_due(rt, at("2026-03-07T18:00"))  # queued, not sent yet
    clock.set(at("2026-03-07T18:01"))
    runner.invoke(args=["sessions", "edit", "1", "--starts", "2026-03-21T10:00"])
    with rt.sessions() as session:
        statuses = dict(session.execute(select(Message.idempotency_key, Message.status).where(
            Message.idempotency_key.startswith("remind:"))).all())
    assert statuses == {"remind:1:1:confirm:20260314T1000Z": "cancelled"}  # never went


# RSVPs, CALL and wellbeing ------------------------------------------------------------------


def _reminded(rt, clock, local: str = "2026-03-07T18:00"):
    import_members(rt, *ROWS)
    add_session(rt, "Day 1", "2026-03-14T10:00")
    add_session(rt, "Day 2", "2026-03-15T10:00")
    clock.set(at(local))
    job.send_due(rt, clock.now)
    sending.send_due(rt, senders(), clock.now)  # what members answer is what they were sent
    clock.advance(timedelta(minutes=5))


def test_yes_and_no_are_kept_per_session_and_staff_see_who_to_call(runner, rt, clock, surveys):
    _reminded(rt, clock)
    ana = handle(rt, Inbound("sms", ANA, "Da")).replies
    assert [r.text for r in ana] == ["Vă mulțumim, ne vedem sâmbătă 14 martie."]
    kasia = handle(rt, Inbound("sms", KASIA, "nie")).replies
    assert [r.text for r in kasia] == [
        "Dziękujemy za informację o nieobecności — sobota 14 marca. Ktoś z zespołu się "
        "odezwie."]
    with rt.sessions() as session:
        assert set(session.execute(select(Rsvp.member_id, Rsvp.session_id, Rsvp.answer))) == {
            (1, 1, "yes"), (2, 1, "no")}
    early = runner.invoke(args=["sessions", "rsvps", "1", "--now", "2026-03-10T12:00Z"]).output
    assert early.splitlines() == [
        "#1\tDay 1\tSat 2026-03-14 10:00-16:00\tWalthamstow Assembly Hall: 1 yes, 1 no, "
        "1 no answer", "  NO\tM002\tKasia Nowak\tsms"]
    close = runner.invoke(args=["sessions", "rsvps", "1", "--now", "2026-03-12T10:00Z"]).output
    assert close.splitlines()[2:] == ["  NO ANSWER\tM003\tAli Khan\ttelegram"]


@pytest.mark.parametrize("sender, words, reply", [
    (ANA, "Nu, îmi pare rău", "Vă mulțumim că ne-ați anunțat că nu puteți veni sâmbătă "
                             "14 martie. Cineva din echipă vă va contacta."),
    (KASIA, "Nie, niestety.", "Dziękujemy za informację o nieobecności — sobota 14 marca. "
                              "Ktoś z zespołu się odezwie."),
])
def test_a_no_followed_by_words_is_a_no(rt, clock, surveys, sender, words, reply):
    _reminded(rt, clock)
    assert [r.text for r in handle(rt, Inbound("sms", sender, words)).replies] == [reply]
    assert count(rt, Rsvp, Rsvp.answer == "no") == 1


def test_a_members_words_that_answer_nothing_never_start_the_residents_survey(rt, clock,
                                                                              surveys):
    _reminded(rt, clock)
    for words in ("What time does it finish?", "Where can I park?"):
        replies = handle(rt, Inbound("telegram", ALI, words)).replies
        assert [r.text for r in replies] == [
            "پیغام کا شکریہ۔ شہریوں کی اسمبلی کی یاد دہانیاں آپ کو یہیں ملتی ہیں: ان کا جواب ہاں "
            "(YES) یا نہیں (NO) میں دیں۔ ٹیم سے بات کے لیے کال (CALL) لکھیں۔"]
    assert count(rt, Rsvp) == 0 and count(rt, Alert) == 0


def test_a_reminder_never_moves_a_member_through_their_survey(rt, clock, surveys):
    import_members(rt, ROWS[0])
    add_session(rt, "Day 1", "2026-03-14T10:00")
    handle(rt, Inbound("sms", ANA, "SAFETY"))
    asked = handle(rt, Inbound("sms", ANA, "DA")).replies  # consent: the survey takes it
    clock.set(at("2026-03-07T18:00"))
    job.send_due(rt, clock.now)
    sending.send_due(rt, senders(), clock.now)
    replies = handle(rt, Inbound("sms", ANA, "da")).replies  # a scale question: an RSVP
    assert replies[0].text == "Vă mulțumim, ne vedem sâmbătă 14 martie."
    assert replies[1].text == asked[-1].text  # asked again, the same question
    assert count(rt, Rsvp) == 1


def test_a_low_check_in_score_alerts_the_wellbeing_lead_and_offers_a_call(rt, clock, surveys):
    import_members(rt, ROWS[0])
    _check_in(rt, clock)
    replies = handle(rt, Inbound("sms", ANA, "2")).replies
    assert replies[0].text == ("Vă mulțumim că ne-ați spus. Dacă doriți să vă sune cineva "
                               "din echipă, scrieți APEL.")
    call = handle(rt, Inbound("sms", ANA, "apel")).replies
    assert call[0].text == "Vă mulțumim. Cineva din echipă vă va suna în curând."
    assert call[1].question == "why"  # their place is kept
    with rt.sessions() as session:
        found = session.scalars(select(Alert).order_by(Alert.id)).all()
        assert [(a.kind, a.severity, a.category, a.text) for a in found] == [
            ("wellbeing", 1, "low_score", "2"), ("wellbeing", 1, "call_requested", "apel")]
        notices = session.scalars(select(Message.body).where(Message.address == LEAD)).all()
    assert notices == [
        "New wellbeing alert #1 (concern). See it at https://outreach.example.org/staff/alerts/1",
        "New wellbeing alert #2 (concern). See it at https://outreach.example.org/staff/alerts/2"]


def test_the_lead_sees_which_member_asked_for_a_call(runner, rt, clock, surveys):
    import_members(rt, *ROWS)
    handle(rt, Inbound("sms", KASIA, "TELEFON"))
    shown = runner.invoke(args=["alerts", "show", "1"]).output.splitlines()
    # A request to be called, not words to translate (no "en: not translated").
    assert shown[0].endswith(' sms (-) asked for a call (wrote pl: "TELEFON")')
    assert runner.invoke(args=["alerts", "list"]).output.splitlines() == shown[:1]
    assert shown[1] == ("  assembly member M002 Kasia Nowak (sms): their number is on your "
                        "roster")
    assert KASIA not in "".join(shown)


def test_a_members_words_of_distress_go_to_the_wellbeing_lead(rt, clock, surveys):
    import_members(rt, ROWS[0])
    _check_in(rt, clock)
    handle(rt, Inbound("sms", ANA, "4"))
    replies = handle(rt, Inbound("sms", ANA, "I want to kill myself")).replies
    texts = [r.text for r in replies]
    assert "999" in texts[0] and "116 123" in texts[0]  # signposted first, in Romanian
    assert texts[1] == ("Vă mulțumim că ne-ați spus. Dacă doriți să vă sune cineva din "
                        "echipă, scrieți APEL.")
    with rt.sessions() as session:
        alert = session.scalar(select(Alert))
    assert (alert.kind, alert.category) == ("wellbeing", "self_harm")


def test_call_from_someone_who_is_not_a_member_is_an_ordinary_word():
    env = make_env()
    state = State(Person("en"), Run(survey="neighbourhood-policing", version=1, step="question",
                                    question="local_problems"))
    sprint = engine.resume(state, Incoming("CALL"), datetime(2026, 3, 2, tzinfo=UTC), env)
    assert not any(e.kind == "alert_raised" for e in sprint.effects)
    member_env = make_env(member=lambda: Membership(1),
                          invitations=lambda: (Invitation(1, "2026-03-14T10:00:00+00:00",
                                                          "2026-03-14"),))
    idle = engine.resume(State(Person("en")), Incoming("no"), datetime(2026, 3, 2, tzinfo=UTC),
                         member_env)
    assert [e.kind for e in idle.effects] == ["rsvp_given"]


def _check_in(rt, clock) -> None:
    """Ana's check-in after the weekend of 14-15 March, started by the worker."""
    add_session(rt, "Day 1", "2026-03-14T10:00")
    add_session(rt, "Day 2", "2026-03-15T10:00")
    clock.set(at("2026-03-17T18:00"))
    assert job.send_due(rt, clock.now) >= 1
    clock.advance(timedelta(minutes=10))


def test_the_check_in_waits_for_a_survey_in_progress_starts_once_nudges_once(rt, clock,
                                                                           surveys):
    import_members(rt, ROWS[0])
    add_session(rt, "Day 1", "2026-03-14T10:00")
    clock.set(at("2026-03-17T17:00"))
    handle(rt, Inbound("sms", ANA, "SAFETY"))  # Ana is in the residents' survey
    with rt.sessions() as session:
        quiet = QuietHours.from_settings(rt.settings)
        [item] = [i for i in schedule.plan(session, rt.member_rules, quiet, at("2026-03-17T18:00"))
                  if i.what == "check-in"]
    assert item.state == "waiting: part way through a survey"
    assert job.send_due(rt, at("2026-03-17T18:00")) == 0
    handle(rt, Inbound("sms", ANA, "NU"))  # she declines it: the survey is over
    clock.set(at("2026-03-17T19:00"))
    assert job.send_due(rt, clock.now) == 1
    assert job.send_due(rt, clock.now) == 0
    assert count(rt, CheckIn) == 1
    from bot import scheduler
    assert scheduler.run_due(rt, at("2026-03-19T18:59")) == 0
    assert scheduler.run_due(rt, at("2026-03-19T19:00")) == 1  # 48 hours: one nudge
    with rt.sessions() as session:
        bodies = session.scalars(select(Message.body).where(
            Message.address == ANA, Message.direction == "out",
            Message.created_at >= at("2026-03-19T19:00"))).all()
    assert len(bodies) == 1
    assert scheduler.run_due(rt, at("2026-03-20T18:00")) == 0  # nothing more…
    assert scheduler.run_due(rt, at("2026-03-20T19:00")) == 1  # …until it expires, silently
    assert count(rt, Message, Message.address == ANA, Message.direction == "out",
                 Message.created_at >= at("2026-03-19T19:01")) == 0


# The calendar -------------------------------------------------------------------------------


def test_the_calendar_link_lists_every_session_in_utc(app, rt, surveys):
    [ana] = import_members(rt, ROWS[0])
    add_session(rt, "Day 1", "2026-03-28T10:00", bring="photo ID")
    add_session(rt, "Day 2", "2026-03-29T10:00")  # after the clocks go forward
    client = app.test_client()
    response = client.get(f"/m/{ana.token}.ics")
    assert response.status_code == 200 and response.mimetype == "text/calendar"
    body = response.get_data(as_text=True)
    assert "DTSTART:20260328T100000Z" in body and "DTSTART:20260329T090000Z" in body
    assert "DESCRIPTION:De adus: photo ID." in body and "LOCATION:Walthamstow Assembly Hall" in body
    assert "SUMMARY:Adunarea Cetățenilor: Day 1" in body  # what the phone's calendar shows
    assert body.count("BEGIN:VEVENT") == 2
    assert client.get("/m/not-a-token.ics").status_code == 404


@pytest.mark.parametrize("lang, name", [
    ("en", "Citizens' Assembly (Redbridge Council)"),
    ("ro", "Adunarea Cetățenilor (Redbridge Council)"),
    ("ur", "شہریوں کی اسمبلی (Redbridge Council)"),
    ("bg", "Гражданско събрание (Redbridge Council)"),
    ("pl", "Zgromadzenie Obywatelskie (Redbridge Council)"),
    ("tr", "Vatandaş Meclisi (Redbridge Council)"),
])
def test_the_welcome_is_signed_and_the_calendar_named_in_the_members_language(
        config, clock, tmp_path, lang, name):
    app = create_app({**config, "OUTREACH_ORG_NAME": "Redbridge Council"}, clock=clock)
    rt = app.extensions["outreach"]
    path = tmp_path / "members.csv"
    path.write_text(f"{HEADER}\nIvan Petrov,07700900101,,{lang},sms,\n", encoding="utf-8")
    assert app.test_cli_runner().invoke(args=["members", "import", str(path)]).exit_code == 0
    with rt.sessions() as session:
        member = session.scalar(select(Member))
        welcome = session.scalar(select(Message.body).where(
            Message.idempotency_key == f"member-welcome:{member.id}"))
        token = member.token
    assert welcome.startswith("Redbridge Council")
    assert segments.count(welcome) <= 3
    body = app.test_client().get(f"/m/{token}.ics").get_data()
    assert str(Calendar.from_ical(body)["X-WR-CALNAME"]) == name
    rt.engine.dispose()


def test_a_member_erased_by_delete_leaves_no_member_row(rt, clock, surveys):
    import_members(rt, ROWS[0])
    handle(rt, Inbound("sms", ANA, "DELETE"))
    handle(rt, Inbound("sms", ANA, "YES"))
    assert count(rt, Member) == 0

