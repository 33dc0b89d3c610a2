"""Three assembly weekends, five days, across the spring clock change, as the coordinator
runs them: `outreach worker --once --now` at each moment something is due (twice each
time), through the fake Twilio and Telegram APIs, with a provider outage in the middle.

Every member must get each reminder and check-in exactly once, at the right local time,
outside quiet hours, in their language; a member who opted out nothing; a member added
late only what still makes sense; and the RSVPs and a low wellbeing score must reach staff.
"""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from bot.conversations import Inbound, handle
from bot.members import reminders, schedule
from bot.members.rules import send_at
from bot.quiet import QuietHours
from store.models import AssemblySession, Conversation, Member, Message
from tests.helpers.members import LONDON, add_session, import_members
from tests.helpers.providers import TELEGRAM_TOKEN as BOT_TOKEN
from tests.helpers.providers import TWILIO_ACCOUNT as ACCOUNT
from tests.helpers.providers import TWILIO_TOKEN as TOKEN

LEAD = "+447700900777"
ANA, KASIA, MEHMET, JOHN = "+447700900101", "+447700900102", "+447700900105", "+447700900106"
ALI, ELENA, SAM = "5550001", "5550002", "5550007"
ROSTER = (f"Ana Popescu,{ANA},,ro,sms,", f"Kasia Nowak,{KASIA},,pl,sms,",
          f"Ali Khan,,{ALI},ur,telegram,", f"Elena Ivanova,,{ELENA},bg,telegram,",
          f"Mehmet Yilmaz,{MEHMET},,tr,sms,", f"John Smith,{JOHN},,en,sms,")
LATE = f"Sam Green,,{SAM},en,telegram,"
DAYS = [("Day 1", "2026-03-14T10:00"), ("Day 2", "2026-03-15T10:00"),
        ("Day 3", "2026-03-28T10:00"), ("Day 4", "2026-03-29T10:00"),  # clocks go forward
        ("Day 5", "2026-04-11T10:00")]


@pytest.fixture
def config(config, twilio_api, telegram_api):
    return {**config, "TWILIO_ACCOUNT_SID": ACCOUNT, "TWILIO_AUTH_TOKEN": TOKEN,
            "TWILIO_SMS_FROM": "+447700900999", "TWILIO_API_BASE_URL": twilio_api.url,
            "TELEGRAM_BOT_TOKEN": BOT_TOKEN, "TELEGRAM_WEBHOOK_SECRET": "s3cret",
            "TELEGRAM_API_BASE_URL": telegram_api.url, "WELLBEING_LEAD": LEAD}


def local(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=LONDON).astimezone(UTC)


class Coordinator:
    """Runs the worker at each moment something is due, as cron or a supervisor would."""

    def __init__(self, app, rt, clock):
        self.runner, self.rt, self.clock = app.test_cli_runner(), rt, clock
        self.runs = 0

    def next_moment(self) -> datetime | None:
        now = self.clock.now
        with self.rt.sessions() as session:
            plan = schedule.plan(session, self.rt.member_rules,
                                 QuietHours.from_settings(self.rt.settings), now)
            times = [i.sends for i in plan if not i.state.startswith("skipped")]
            times += session.scalars(select(Message.next_attempt_at).where(
                Message.status == "queued")).all()
            for nudge, expire in session.execute(select(Conversation.nudge_at,
                                                        Conversation.expire_at)):
                times += [nudge, expire]
        return min((t for t in times if t is not None and t > now), default=None)

    def worker(self) -> None:
        """`outreach worker --once --now` twice at the same moment (a retry by cron, a
        second worker), then again while rows are still due (a batch is 10 rows)."""
        for _ in range(20):
            for _twice in range(2):
                result = self.runner.invoke(args=["worker", "--once", "--now",
                                                  self.clock.now.isoformat()])
                assert result.exit_code == 0, result.output
                self.runs += 1
            with self.rt.sessions() as session:
                if not session.scalars(select(Message.id).where(
                        Message.status == "queued",
                        Message.next_attempt_at <= self.clock.now)).first():
                    return

    def run_until(self, end: datetime) -> None:
        self.worker()  # what came due while members were writing
        while (moment := self.next_moment()) is not None and moment <= end:
            self.clock.set(moment)
            self.worker()
        self.clock.set(max(self.clock.now, end))

    def say(self, channel: str, address: str, *texts: str) -> None:
        for text in texts:
            self.clock.advance(timedelta(minutes=1))
            handle(self.rt, Inbound(channel, address, text))


def test_three_weekends_across_the_clock_change(app, rt, clock, surveys, twilio_api,
                                                telegram_api):
    who = Coordinator(app, rt, clock)
    import_members(rt, *ROSTER)
    for name, starts in DAYS:
        add_session(rt, name, starts, bring="photo ID")
    who.say("sms", JOHN, "STOP")  # John opts out before anything is sent

    who.run_until(local("2026-03-07T18:05"))  # the first confirmations have gone
    who.say("sms", ANA, "Da")
    who.say("sms", KASIA, "NIE")
    who.say("telegram", ALI, "ہاں")
    who.say("sms", MEHMET, "evet")  # Elena does not answer

    who.run_until(local("2026-03-17T18:05"))  # the first weekend's check-in
    who.say("sms", ANA, "2", "APEL")  # struggling: the wellbeing lead hears of it
    who.say("sms", KASIA, "5", "SKIP")
    who.say("telegram", ELENA, "4", "Всичко е наред")
    who.say("sms", MEHMET, "3", "yok")  # Ali does not answer: one nudge, then nothing

    who.run_until(local("2026-03-20T12:00"))
    import_members(rt, LATE)  # Sam joins after the first weekend

    who.run_until(local("2026-03-27T17:59"))
    twilio_api.fail_next(times=5, status=503)  # Twilio is down at the day-before reminders
    telegram_api.fail_next("server", times=3)
    who.run_until(local("2026-04-20T12:00"))

    _every_reminder_once_at_its_local_time_in_the_members_language(rt, twilio_api,
                                                                     telegram_api)
    _check_ins_nudged_once(rt, telegram_api)
    _staff_see_rsvps_and_wellbeing(who)
    assert any(r.status == 503 for r in twilio_api.requests)  # the outage happened
    assert [c for c in telegram_api.calls_of("sendMessage") if c.outcome == "server"]
    assert who.runs >= 60


def _reminders(rt) -> list[tuple[Message, Member, AssemblySession]]:
    with rt.sessions() as session:
        rows = session.execute(
            select(Message, Member).join(Member, Member.contact_id == Message.contact_id)
            .where(Message.idempotency_key.startswith("remind:"))).all()
        found = []
        for message, member in rows:
            day = session.get(AssemblySession, int(message.idempotency_key.split(":")[2]))
            _ = member.contact.language
            found.append((message, member, day))
        session.expunge_all()
    return found


def _every_reminder_once_at_its_local_time_in_the_members_language(rt, twilio_api,
                                                                     telegram_api):
    rules, quiet = rt.member_rules, QuietHours.from_settings(rt.settings)
    sent = _reminders(rt)
    got = Counter((member.name, day.name, message.idempotency_key.split(":")[3])
                  for message, member, day in sent)
    assert set(got.values()) == {1}
    reachable = ["Ana Popescu", "Kasia Nowak", "Ali Khan", "Elena Ivanova", "Mehmet Yilmaz"]
    expected = {(m, d, r.id) for m in reachable for d, _ in DAYS for r in rules.reminders}
    # Sam joined on 20 March: Day 3's and Day 4's confirmations (21, 22 March) and
    # everything after; nothing for the first weekend, which was over.
    expected |= {("Sam Green", d, r.id) for d, _ in DAYS[2:] for r in rules.reminders}
    # Kasia said NO to Day 1's confirm: nothing more about Day 1.
    expected -= {("Kasia Nowak", "Day 1", "day-before"), ("Kasia Nowak", "Day 1", "morning")}
    assert set(got) == expected
    for message, member, day in sent:
        rule = rules.rule(message.idempotency_key.split(":")[3])
        planned = send_at(rule, day.starts_at, LONDON)
        assert message.status == "sent", (member.name, day.name, rule.id, message.status)
        assert planned <= message.sent_at <= planned + timedelta(minutes=15), (
            member.name, day.name, rule.id, message.sent_at)
        assert not quiet.is_quiet(message.sent_at)
        assert message.body == reminders.reminder(rt.catalogs, member.contact.language,
                                                 rule.template, day, LONDON, rule.notes,
                                                 rule.rsvp).text
    outage = [m for m, _, _ in sent if m.attempts > 1]
    assert outage and all(m.sent_at.astimezone(LONDON).date().isoformat() == "2026-03-27"
                          for m in outage)
    day4 = [m for m, member, day in sent if day.name == "Day 4"
            and m.idempotency_key.split(":")[3] == "morning"]
    assert {m.sent_at for m in day4} == {local("2026-03-29T08:30")}  # 07:30 UTC, BST
    # Exactly once at the providers too: each message the outbox sent, the fakes took once
    # (as rendered for the channel: a question's options, a nudge's lead).
    with rt.sessions() as session:
        for address in (ANA, KASIA, MEHMET):
            stored = session.scalars(select(Message.body).where(
                Message.address == address, Message.direction == "out",
                Message.provider_id.like("SM%"))).all()
            taken = [m["body"] for m in twilio_api.messages if m["to"] == address]
            assert len(stored) == len(taken)
            assert all(any(body in text for text in taken) for body in stored)
        for chat in (ALI, ELENA, SAM):
            stored = session.scalars(select(Message.body).where(
                Message.address == chat, Message.direction == "out",
                Message.provider_id.is_not(None))).all()
            taken = telegram_api.texts_to(chat)
            assert len(stored) == len(taken)
            assert all(any(body in text for text in taken) for body in stored)
        assert twilio_api.bodies.count(None) == 0
        john = [m for m in twilio_api.messages if m["to"] == JOHN]
        assert john == []  # opted out before his welcome went: nothing at all


def _check_ins_nudged_once(rt, telegram_api):
    intro = rt.catalogs.text(["ur"], "wellbeing-check-in/intro", "")
    with rt.sessions() as session:
        started = session.execute(select(Member.name, Message.created_at).join(
            Member, Member.contact_id == Message.contact_id).where(
            Message.direction == "out", Message.body.like("%check-in%")
            | Message.body.like(f"%{intro[:20]}%"))).all()
    assert started
    texts = telegram_api.texts_to(ALI)
    nudge = rt.catalogs.bot("ur", "nudge")
    # Ali never answers: three check-ins, each nudged once (48 hours later), never twice.
    assert sum(t.startswith(nudge) for t in texts) == 3
    sam = telegram_api.texts_to(SAM)
    assert sum(t.startswith(rt.catalogs.bot("en", "nudge")) for t in sam) == 2  # W13, W15


def _staff_see_rsvps_and_wellbeing(who):
    day1 = who.runner.invoke(args=["sessions", "rsvps", "1", "--now",
                                   "2026-03-12T12:00:00Z"]).output.splitlines()
    assert day1[0].endswith(": 3 yes, 1 no, 2 no answer")
    assert day1[1:] == ["  NO\tM002\tKasia Nowak\tsms",
                        "  NO ANSWER\tM004\tElena Ivanova\ttelegram",
                        "  NO ANSWER\tM006\tJohn Smith\tsms (opted out)"]
    alerts = who.runner.invoke(args=["alerts", "list"]).output.splitlines()
    assert len(alerts) == 2
    assert " CONCERN wellbeing low_score 2026-03-17 " in alerts[0]
    assert " CONCERN wellbeing call_requested " in alerts[1]
    failed = who.runner.invoke(args=["reminders", "failed"]).output
    assert failed.strip().endswith("no failed deliveries")
