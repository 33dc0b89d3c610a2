"""The outbox: claims, retries with backoff, final failures, statuses, several workers."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.exc import OperationalError

from bot import outbox, sending, worker
from bot.conversations import Inbound, handle
from bot.delivery import PermanentFailure, TemporaryFailure
from bot.messages import Delivery
from bot.quiet import QuietHours
from bot.state import Reply
from store.db import transaction
from store.models import Address, Contact, Message
from tests.helpers.senders import RecordingSender, SlowSender
from tests.helpers.threads import together


def queue(rt, n, address="+447700900500"):
    """n queued outbound messages to one person (their conversation makes the contact)."""
    handle(rt, Inbound("sms", address, "DEMO"))
    with transaction(rt.sessions) as session:
        contact_id = session.scalar(select(Message.contact_id).where(Message.address == address))
        for i in range(n):
            session.add(Message(direction="out", channel="sms", address=address,
                                contact_id=contact_id, body=f"message {i}", status="queued",
                                next_attempt_at=rt.now()))
    return contact_id


def rows(rt):
    with rt.sessions() as session:
        return session.scalars(select(Message).where(Message.status != "sent")
                               .where(Message.direction == "out").order_by(Message.id)).all()


def test_two_workers_share_the_outbox_and_send_each_message_once(rt, surveys):
    queue(rt, 120)
    sender = RecordingSender()

    def work(_):
        while sending.send_due(rt, {"sms": sender}, rt.now(), limit=7):
            pass

    together(2, work)
    ids = [m.id for m in sender.sent]
    assert len(ids) == 120 and len(set(ids)) == 120
    assert rows(rt) == []


def test_temporary_failures_back_off_then_deliver_once(rt, surveys, clock):
    queue(rt, 1)
    sender = RecordingSender()
    sender.fail_next(TemporaryFailure("500"), TemporaryFailure("429", 120),
                     RuntimeError("a bug in a sender"))
    assert sending.send_due(rt, {"sms": sender}, clock()) == 1
    [row] = rows(rt)
    assert (row.status, row.attempts, row.error_code) == ("queued", 1, "500")
    assert row.next_attempt_at == clock() + timedelta(seconds=30)
    assert sending.send_due(rt, {"sms": sender}, clock()) == 0  # not due yet
    clock.advance(timedelta(seconds=30))
    sending.send_due(rt, {"sms": sender}, clock())
    [row] = rows(rt)
    assert row.next_attempt_at == clock() + timedelta(seconds=120)  # Retry-After beats 60 s
    clock.advance(timedelta(seconds=120))
    sending.send_due(rt, {"sms": sender}, clock())
    [row] = rows(rt)
    assert (row.status, row.error_code) == ("queued", "RuntimeError")
    clock.advance(timedelta(minutes=5))
    sending.send_due(rt, {"sms": sender}, clock())
    assert rows(rt) == [] and [m.reply.text for m in sender.sent] == ["message 0"]


def test_a_message_is_failed_after_the_last_attempt(rt, surveys, clock):
    queue(rt, 1)
    sender = RecordingSender()
    sender.fail_next(*[TemporaryFailure("503")] * outbox.MAX_ATTEMPTS)
    for _ in range(outbox.MAX_ATTEMPTS):
        sending.send_due(rt, {"sms": sender}, clock())
        clock.advance(outbox.MAX_DELAY)
    [row] = rows(rt)
    assert (row.status, row.attempts) == ("failed", outbox.MAX_ATTEMPTS)


def test_an_opt_out_from_the_provider_stops_everything_queued(rt, surveys, clock):
    contact_id = queue(rt, 3)
    sender = RecordingSender()
    sender.fail_next(PermanentFailure("21610", opt_out=True))
    sending.send_due(rt, {"sms": sender}, clock(), limit=1)
    assert sending.send_due(rt, {"sms": sender}, clock()) == 0
    assert sender.sent == []
    with rt.sessions() as session:
        assert session.get(Contact, contact_id).opted_out_at == clock()
    assert [(r.status, r.error_code) for r in rows(rt)] == [
        ("failed", "21610"), ("cancelled", "opted-out"), ("cancelled", "opted-out")]


def test_a_row_left_sending_by_a_dead_worker_is_claimed_after_the_lease(rt, surveys, clock):
    queue(rt, 1)
    assert len(sending.claim(rt, clock())) == 1  # this worker "dies" after claiming
    sender = RecordingSender()
    assert sending.send_due(rt, {"sms": sender}, clock()) == 0
    clock.advance(sending.LEASE + timedelta(seconds=1))
    assert sending.send_due(rt, {"sms": sender}, clock()) == 1
    assert len(sender.sent) == 1


def test_a_row_another_worker_reclaimed_is_never_sent_by_the_first(rt, surveys, clock):
    """Worker A claims a batch and stalls before its first send, long enough for worker B
    (a clock past A's lease) to claim the same rows; A then goes on, checks each row's token
    before sending and sends none of them. B dies too: the rows go out once, later."""
    queue(rt, 3)
    first, later = RecordingSender(), RecordingSender()
    reclaimed = []

    def stall(_channel):  # A's pace, called before each of its sends
        if not reclaimed:
            reclaimed.append(sending.claim(rt, clock() + sending.LEASE + timedelta(seconds=1)))

    sending.send_due(rt, {"sms": first}, clock(), pace=stall)
    [by_b] = reclaimed
    assert len(by_b) == 3 and first.sent == []  # all three were B's by then
    with rt.sessions() as session:
        assert set(session.scalars(select(Message.claim_token).where(
            Message.body.like("message %")))) == {by_b.token}
    clock.advance(2 * sending.LEASE + timedelta(seconds=2))  # B's lease ran out in turn
    assert sending.send_due(rt, {"sms": later}, clock()) == 3
    assert sorted(m.reply.text for m in first.sent + later.sent) == [
        "message 0", "message 1", "message 2"]  # each exactly once


def test_delivery_statuses_only_move_forward(rt, surveys, clock):
    queue(rt, 1)
    sender = RecordingSender()
    sending.send_due(rt, {"sms": sender}, clock())
    provider_id = f"P{sender.sent[0].id}"
    assert outbox.update_status(rt, "sms", provider_id, "delivered", None)
    assert outbox.update_status(rt, "sms", provider_id, "sent", None)
    assert not outbox.update_status(rt, "sms", "unknown", "delivered", None)
    with rt.sessions() as session:
        status = session.scalar(select(Message.status).where(Message.provider_id == provider_id))
    assert status == "delivered"


def test_a_transient_delivery_error_is_sent_again(rt, surveys, clock):
    queue(rt, 1)
    sender = RecordingSender()
    sending.send_due(rt, {"sms": sender}, clock())
    outbox.update_status(rt, "sms", f"P{sender.sent[0].id}", "undelivered", "30003",
                         TemporaryFailure("30003"))
    clock.advance(timedelta(minutes=1))
    sending.send_due(rt, {"sms": sender}, clock())
    assert len(sender.sent) == 2 and sender.sent[0].id == sender.sent[1].id


def test_an_invalid_number_is_marked_and_not_retried(rt, surveys, clock):
    queue(rt, 1)
    sender = RecordingSender()
    sending.send_due(rt, {"sms": sender}, clock())
    outbox.update_status(rt, "sms", f"P{sender.sent[0].id}", "failed", "21211",
                         PermanentFailure("21211", invalid_address=True))
    clock.advance(timedelta(hours=3))
    assert sending.send_due(rt, {"sms": sender}, clock()) == 0
    assert [(r.status, r.error_code) for r in rows(rt)] == [("failed", "21211")]
    with rt.sessions() as session:
        assert session.scalar(select(Address.status)) == "invalid"


def test_the_pacer_spaces_sends_per_channel():
    now = [0.0]
    slept = []

    def sleep(seconds):
        slept.append(round(seconds, 3))
        now[0] += seconds

    pace = worker.Pacer({"sms": 4.0}, clock=lambda: now[0], sleep=sleep)
    for _ in range(3):
        pace("sms")
    pace("telegram")  # no rate given: never waits
    assert slept == [0.25, 0.25]


def test_messages_to_one_person_keep_their_order_through_a_retry(rt, surveys, clock):
    queue(rt, 3)
    queue(rt, 1, address="+447700900501")

    class FailsTheFirstPersonsFirstTry(RecordingSender):  # the two go on lanes of their own
        def send(self, message):
            if message.address == "+447700900500" and message.reply.text == "message 0" \
                    and not hasattr(self, "failed"):
                self.failed = True
                raise TemporaryFailure("500")
            return super().send(message)

    sender = FailsTheFirstPersonsFirstTry()
    assert sending.send_due(rt, {"sms": sender}, clock()) == 4
    # The first message failed: the two after it were given back untried; the other
    # person's message went.
    assert [m.address for m in sender.sent] == ["+447700900501"]
    assert sending.send_due(rt, {"sms": sender}, clock()) == 0
    clock.advance(timedelta(seconds=30))
    sending.send_due(rt, {"sms": sender}, clock())
    assert [m.reply.text for m in sender.sent[1:]] == ["message 0", "message 1", "message 2"]


def test_several_people_are_sent_to_at_once_each_in_their_order(rt, surveys, clock):
    people = [f"+4477009006{n:02d}" for n in range(sending.LANES)]
    for address in people:
        queue(rt, 3, address)

    class WaitsForEveryLane(RecordingSender):
        """Each person's first message is answered only once every lane has one on its way:
        sent one at a time, the barrier would break."""

        barrier = threading.Barrier(sending.LANES, timeout=5)

        def send(self, message):
            if message.reply.text == "message 0":
                self.barrier.wait()
            return super().send(message)

    sender = WaitsForEveryLane()
    assert sending.send_due(rt, {"sms": sender}, clock()) == 3 * sending.LANES
    for address in people:
        assert [m.reply.text for m in sender.sent if m.address == address] == [
            "message 0", "message 1", "message 2"]
    assert rows(rt) == []


def test_enqueue_with_a_key_queues_once_and_waits_out_quiet_hours(rt, surveys, clock):
    clock.set(datetime(2026, 1, 10, 22, 15, tzinfo=UTC))  # 22:15 in London (GMT)
    quiet = QuietHours.from_settings(rt.settings)
    with transaction(rt.sessions) as session:
        first = outbox.enqueue(session, "sms", "+447700900700", Reply("Reminder"), clock(),
                               key="reminder:weekend-2:+447700900700", quiet=quiet)
        again = outbox.enqueue(session, "sms", "+447700900700", Reply("Reminder"), clock(),
                               key="reminder:weekend-2:+447700900700", quiet=quiet)
    assert first is not None and again is None
    [row] = rows(rt)
    assert row.next_attempt_at == datetime(2026, 1, 11, 8, 0, tzinfo=UTC)
    sender = RecordingSender()
    assert sending.send_due(rt, {"sms": sender}, clock()) == 0
    clock.set(row.next_attempt_at)
    assert sending.send_due(rt, {"sms": sender}, clock()) == 1


def test_the_worker_loop_sends_until_stopped(rt, surveys):
    queue(rt, 5)
    sender = RecordingSender()
    stop = threading.Event()
    loop = threading.Thread(target=worker.run_forever,
                            args=(rt, {"sms": sender}, 0.01, stop))
    loop.start()
    try:
        for _ in range(500):  # up to 5 s
            if len(sender.sent) == 5:
                break
            stop.wait(0.01)
    finally:
        stop.set()
        loop.join(timeout=10)
    assert not loop.is_alive()
    assert [m.reply.text for m in sender.sent] == [f"message {i}" for i in range(5)]


# Opted out: nothing queued goes ------------------------------------------------------------


def test_the_worker_never_sends_to_someone_who_opted_out_whatever_queued_it(rt, surveys,
                                                                           clock):
    contact_id = queue(rt, 0)
    with transaction(rt.sessions) as session:
        # Opted out by a path that cancelled nothing, then rows queued directly.
        session.get(Contact, contact_id).opted_out_at = clock()
        for i in range(2):
            session.add(Message(direction="out", channel="sms", address="+447700900500",
                                contact_id=contact_id, body=f"late {i}", status="queued",
                                next_attempt_at=clock()))
    sender = RecordingSender()
    assert sending.send_due(rt, {"sms": sender}, clock()) == 2
    assert sender.sent == []
    assert [(r.body, r.status, r.error_code) for r in rows(rt)] == [
        ("late 0", "cancelled", "opted-out"), ("late 1", "cancelled", "opted-out")]


def test_a_provider_opt_out_stops_the_rest_of_the_batch_too(rt, surveys, clock):
    queue(rt, 3)
    sender = RecordingSender()
    sender.fail_next(PermanentFailure("21610", opt_out=True))
    assert sending.send_due(rt, {"sms": sender}, clock()) == 3  # one batch holds all three
    assert sender.sent == []
    assert [(r.status, r.error_code, r.attempts) for r in rows(rt)] == [
        ("failed", "21610", 1), ("cancelled", "opted-out", 0), ("cancelled", "opted-out", 0)]


# Claims never outlive their work -----------------------------------------------------------


def sending_leases_fresh(rt, clock):
    """Whether every row being sent had its lease renewed within the last renewal period."""
    def fresh() -> bool:
        with rt.sessions() as session:
            oldest = session.scalar(select(func.min(Message.updated_at))
                                    .where(Message.status == "sending"))
        return oldest is None or oldest >= clock() - sending.RENEW_EVERY
    return fresh


def pending(rt) -> int:
    with rt.sessions() as session:
        return session.scalar(select(func.count()).select_from(Message).where(
            Message.status.in_(("queued", "sending"))))


def test_two_workers_and_a_provider_slower_than_the_lease_send_each_message_once(
        rt, surveys, clock):
    for address in ("+447700900501", "+447700900502", "+447700900503"):
        queue(rt, 2, address)
    sender = SlowSender(clock, duration=sending.LEASE + timedelta(minutes=1),
                        step=timedelta(minutes=2), settled=sending_leases_fresh(rt, clock))

    def work(_):
        for _ in range(50):
            if not pending(rt):
                return
            sending.send_due(rt, {"sms": sender}, clock(), limit=3)

    together(2, work)
    sent = sorted(m.reply.text for m in sender.sent)
    assert sent == sorted([f"message {i}" for i in range(2)] * 3)  # each exactly once
    assert rows(rt) == []


class Outage:
    """A session factory that fails the way a database that went away does, `failures`
    times, then works again (injected as the Runtime's sessions)."""

    def __init__(self, sessions):
        self.sessions, self.failures, self._lock = sessions, 0, threading.Lock()

    def __call__(self, **kwargs):
        with self._lock:
            if self.failures:
                self.failures -= 1
                raise OperationalError("connect", {}, ConnectionRefusedError(
                    "the database system is starting up"))
        return self.sessions(**kwargs)


def test_an_outcome_is_recorded_when_the_database_is_back_and_never_sent_again(
        rt, surveys, clock):
    queue(rt, 3)
    outage = Outage(rt.sessions)
    rt.sessions = outage

    class DatabaseGoesAwayAfterTheFirstSend(RecordingSender):
        def send(self, message):
            if not self.sent:
                outage.failures = 3
            return super().send(message)

    sender, waited = DatabaseGoesAwayAfterTheFirstSend(), []
    assert sending.send_due(rt, {"sms": sender}, clock(), sleep=waited.append) == 3
    assert waited == [0.5, 1.0, 2.0]  # backing off while the database was away
    assert [m.reply.text for m in sender.sent] == ["message 0", "message 1", "message 2"]
    with rt.sessions() as session:
        recorded = session.scalars(select(Message).where(Message.body.like("message %"))
                                   .order_by(Message.id)).all()
    assert [(r.status, r.provider_id, r.attempts) for r in recorded] == [
        ("sent", f"P{r.id}", 1) for r in recorded]
    clock.advance(sending.LEASE + timedelta(minutes=1))
    assert sending.send_due(rt, {"sms": sender}, clock()) == 0
    assert len(sender.sent) == 3


# A reply to someone erased meanwhile keeps their address only until it is final ------------


def orphaned_reply(rt, address="+447700900600"):
    """DELETE's confirmation, queued through the outbox: its row names no person."""
    for text in ("DEMO", "DELETE"):
        handle(rt, Inbound("sms", address, text))
    handle(rt, Inbound("sms", address, "YES"), deliver=Delivery.OUTBOX)
    with rt.sessions() as session:
        return session.scalars(select(Message).where(Message.direction == "out")
                               .order_by(Message.id.desc())).first()


def test_an_orphaned_reply_loses_its_address_once_sent_and_its_status_still_lands(rt, surveys):
    address = "+447700900600"
    row = orphaned_reply(rt, address)
    assert (row.contact_id, row.address, row.status) == (None, address, "queued")
    sender = RecordingSender()
    while sending.send_due(rt, {"sms": sender}, rt.now()):
        pass
    assert sender.sent[-1].address == address  # it went to them
    with rt.sessions() as session:
        assert session.scalar(select(func.count()).select_from(Message)
                              .where(Message.address == address)) == 0
    # The status callback still finds it by its provider id; a temporary failure has
    # nowhere to send it again, so it stays undelivered.
    assert outbox.update_status(rt, "sms", f"P{row.id}", "undelivered", "30003",
                                TemporaryFailure("30003"))
    with rt.sessions() as session:
        stored = session.get(Message, row.id)
    assert (stored.status, stored.address) == ("undelivered", "")


def test_an_orphaned_reply_that_fails_loses_its_address_too(rt, surveys):
    row = orphaned_reply(rt)
    sender = RecordingSender()
    sender.fail_next(PermanentFailure("21211", invalid_address=True))
    sending.send_due(rt, {"sms": sender}, rt.now())
    with rt.sessions() as session:
        stored = session.get(Message, row.id)
    assert (stored.status, stored.address) == ("failed", "")


def test_a_reply_to_someone_still_here_keeps_its_address(rt, surveys):
    handle(rt, Inbound("sms", "+447700900601", "DEMO"), deliver=Delivery.OUTBOX)
    sending.send_due(rt, {"sms": RecordingSender()}, rt.now())
    with rt.sessions() as session:
        kept = session.scalars(select(Message.address).where(Message.direction == "out")).all()
    assert kept and set(kept) == {"+447700900601"}


def scheduled(rt, clock, text="Reminder", address="+447700900700"):
    """One message queued as the members' reminders are: bound by quiet hours."""
    with transaction(rt.sessions) as session:
        outbox.enqueue(session, "sms", address, Reply(text), clock(),
                       quiet=QuietHours.from_settings(rt.settings))


def test_a_scheduled_messages_retry_waits_out_quiet_hours(rt, surveys, clock):
    clock.set(datetime(2026, 1, 10, 20, 59, 40, tzinfo=UTC))  # 20:59:40 in London (GMT)
    scheduled(rt, clock)
    sender = RecordingSender()
    sender.fail_next(TemporaryFailure("503"))
    sending.send_due(rt, {"sms": sender}, clock())  # refused; 30 s later is 21:00:10
    [row] = rows(rt)
    assert (row.status, row.next_attempt_at) == (
        "queued", datetime(2026, 1, 11, 8, 0, tzinfo=UTC))


def test_a_replys_retry_does_not_wait_for_the_morning(rt, surveys, clock):
    clock.set(datetime(2026, 1, 10, 20, 59, 40, tzinfo=UTC))
    queue(rt, 1)  # an answer to what the person just wrote
    sender = RecordingSender()
    sender.fail_next(TemporaryFailure("503"))
    sending.send_due(rt, {"sms": sender}, clock())
    [row] = rows(rt)
    assert row.next_attempt_at == clock() + timedelta(seconds=30)


def test_a_scheduled_message_due_before_quiet_hours_waits_if_the_worker_comes_late(
        rt, surveys, clock):
    clock.set(datetime(2026, 1, 10, 18, 5, tzinfo=UTC))
    scheduled(rt, clock)
    clock.set(datetime(2026, 1, 10, 22, 30, tzinfo=UTC))  # the worker was down until now
    sender = RecordingSender()
    assert sending.send_due(rt, {"sms": sender}, clock()) == 0
    [row] = rows(rt)
    assert (row.status, row.next_attempt_at) == (
        "queued", datetime(2026, 1, 11, 8, 0, tzinfo=UTC))
    clock.set(row.next_attempt_at)
    assert sending.send_due(rt, {"sms": sender}, clock()) == 1


def test_a_scheduled_message_left_by_a_dead_worker_waits_out_quiet_hours(rt, surveys, clock):
    clock.set(datetime(2026, 1, 10, 20, 58, tzinfo=UTC))
    scheduled(rt, clock)
    assert len(sending.claim(rt, clock())) == 1  # this worker "dies" after claiming
    clock.advance(sending.LEASE)  # 21:03: the lease ran out inside quiet hours
    sender = RecordingSender()
    assert sending.send_due(rt, {"sms": sender}, clock()) == 0
    [row] = rows(rt)
    assert (row.status, row.next_attempt_at) == (
        "queued", datetime(2026, 1, 11, 8, 0, tzinfo=UTC))


def test_a_scheduled_messages_transient_delivery_error_waits_out_quiet_hours(
        rt, surveys, clock):
    clock.set(datetime(2026, 1, 10, 20, 50, tzinfo=UTC))
    scheduled(rt, clock)
    sender = RecordingSender()
    sending.send_due(rt, {"sms": sender}, clock())
    clock.set(datetime(2026, 1, 10, 20, 59, 50, tzinfo=UTC))
    outbox.update_status(rt, "sms", f"P{sender.sent[0].id}", "undelivered", "30003",
                         TemporaryFailure("30003"))
    [row] = rows(rt)
    assert (row.status, row.next_attempt_at) == (
        "queued", datetime(2026, 1, 11, 8, 0, tzinfo=UTC))


def test_an_urgent_row_does_not_wait_behind_that_persons_rows_not_yet_due(rt, surveys, clock):
    """A reply held for 08:00 keeps its place among due rows, but the lead's urgent reply
    (`alerts reply --now`) goes at once; what is due keeps its order around it."""
    clock.set(datetime(2026, 1, 10, 23, 0, tzinfo=UTC))
    quiet = QuietHours.from_settings(rt.settings)
    handle(rt, Inbound("sms", "+447700900800", "DEMO"))
    sending.send_due(rt, {"sms": RecordingSender()}, clock())
    with transaction(rt.sessions) as session:
        outbox.enqueue(session, "sms", "+447700900800", Reply("Morning"), clock(), quiet=quiet)
        outbox.enqueue(session, "sms", "+447700900800", Reply("Due"), clock())
        outbox.enqueue(session, "sms", "+447700900800", Reply("Now"), clock(), urgent=True)
    sender = RecordingSender()
    assert sending.send_due(rt, {"sms": sender}, clock()) == 1
    assert [m.reply.text for m in sender.sent] == ["Now"]  # "Due" still waits its turn
    clock.set(datetime(2026, 1, 11, 8, 0, tzinfo=UTC))
    sending.send_due(rt, {"sms": sender}, clock())
    assert [m.reply.text for m in sender.sent] == ["Now", "Morning", "Due"]
